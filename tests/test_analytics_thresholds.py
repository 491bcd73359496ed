"""Threshold comparisons on exact values (issue 13.4): a mean of levels sitting on a
threshold is on it, whatever float arithmetic made of it."""

from __future__ import annotations

import math

import pandas as pd

from diagnostic.analytics.thresholds import at_least, at_most


def test_a_gap_of_two_levels_between_means_is_at_least_two() -> None:
    gap = 13 / 3 - 7 / 3  # visé 4.33, actuel 2.33: two levels exactly
    assert gap < 2  # 1.9999999999999996: what a plain comparison would miss
    assert at_least(gap, 2)
    assert not at_least(2 - 1 / 900, 2)  # the nearest real value below stays below


def test_a_level_on_the_ceiling_is_at_most_it() -> None:
    mean = 0.1 * 3 * 10  # 3.0000000000000004
    assert mean > 3 and at_most(mean, 3)
    assert not at_most(3 + 1 / 900, 3)


def test_series_and_missing_values() -> None:
    values = pd.Series([24.999999999999996, 25.0, 25.000000000000004, 24.9, math.nan])
    assert at_least(values, 25).tolist() == [True, True, True, False, False]
    assert at_most(values, 24.9).tolist() == [False, False, False, True, False]
