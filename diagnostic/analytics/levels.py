"""Levels of an ordinal scale: conversion to 0-100 and rounding to the nearest level."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_score(level: Any, scale_min: Any, scale_max: Any) -> Any:
    """A level (or mean level) on 0-100: (L - min) / (max - min) x 100, i.e. (L - 1) x 25 on 1-5."""
    return (level - scale_min) / (scale_max - scale_min) * 100


def round_half_up(values: Any) -> Any:
    """Nearest whole level, halves going up (3.5 -> 4); NaN stays NaN."""
    return np.floor(values + 0.5)
