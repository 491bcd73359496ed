"""Threshold comparisons that do not let float rounding move a value across a threshold.

Every figure compared with a threshold here is a ratio of small integers: a mean of levels
(sum / n), a score (a mean rescaled to 0-100), a gap or difference of two of them, a median
of levels (a half-integer). With at most a few hundred answers on a scale of at most 7
levels, two such values that are not equal differ by more than 1e-6, while float arithmetic
(4.333… - 2.333… = 1.9999999999999996) errs by about 1e-15. A tolerance of 1e-9 therefore
tells "exactly on the threshold" from "below it" without ever changing a real comparison
(docs/methodes.md, « Seuils »). Van der Eijk's A is computed exactly instead (fractions).
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

TOLERANCE = 1e-9

Value = TypeVar("Value", float, pd.Series)


def at_least(value: Value, threshold: float) -> Value:
    """value >= threshold, counting a value within TOLERANCE below it as on it (NaN: False)."""
    return value >= threshold - TOLERANCE  # type: ignore[return-value]


def at_most(value: Value, threshold: float) -> Value:
    """value <= threshold, counting a value within TOLERANCE above it as on it (NaN: False)."""
    return value <= threshold + TOLERANCE  # type: ignore[return-value]
