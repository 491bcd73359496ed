"""Agreement among respondents on an ordinal item: van der Eijk's A, its reading, divergence.

Why van der Eijk's A (van der Eijk, 2001, "Measuring agreement in ordered rating scales",
Quality & Quantity 35(3), 325-341) rather than Leik's ordinal dispersion (1966): it was built
for short ordered rating scales like ours (5 levels), it needs no distance between levels, and
its sign reads directly as our three tags: A = 1 when everyone gives the same level, A = 0 for
a uniform spread, A = -1 when answers split evenly between the two extremes. Leik's measure
runs from 0 to 1 and does not separate a uniform spread from polarisation as plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import item_catalogue
from diagnostic.analytics.thresholds import at_least
from diagnostic.questionnaire import Questionnaire

CONSENSUS = "consensus"
SHARED = "partagé"
POLARISED = "polarisé"
CONSENSUS_FROM = 0.5  # A >= 0.5: no wider than three adjacent levels chosen evenly
POLARISED_BELOW = 0.0  # A < 0: closer to a split between far-apart levels than to a uniform spread
MIN_ANSWERS_FOR_AGREEMENT = 2

# Divergence flag (domain brief, section 5.6), for the consensus meeting and the roadmap.
DIVERGENCE_RANGE = 2  # max - min >= 2 levels
DIVERGENCE_SD = 1.0  # population standard deviation >= 1 level
DIVERGENCE_GROUP_MEDIANS = 1.0  # |median(EPCI) - median(communes)| >= 1 level


@lru_cache(maxsize=4096)
def _pattern_agreement(pattern: tuple[bool, ...]) -> Fraction:
    """Agreement of one layer: U * (1 - (S - 1) / (K - 1)) (van der Eijk 2001), exactly."""
    k, s = len(pattern), sum(pattern)
    if s <= 1 or k < 2:
        return Fraction(1)
    tu = tdu = 0
    for a, b, c in combinations(pattern, 3):
        if a and c and not b:
            tdu += 1  # 1-0-1: a gap between two chosen levels (bimodality)
        elif b and (a != c):
            tu += 1  # 1-1-0 or 0-1-1: contiguous levels (unimodality)
    u = (
        Fraction(1)
        if tu + tdu == 0
        else Fraction((k - 2) * tu - (k - 1) * tdu, (k - 2) * (tu + tdu))
    )
    return u * (1 - Fraction(s - 1, k - 1))


@lru_cache(maxsize=65_536)
def exact_agreement(counts: tuple[int, ...]) -> Fraction | None:
    """Van der Eijk's A of a frequency vector as an exact fraction; None without any answer.

    The distribution is peeled into layers: each layer takes the smallest non-zero count m
    from every non-empty level; its weight is m x S / N (S non-empty levels, N answers). A is
    the weighted sum of the layers' agreements. Every step is a ratio of integers, so the
    value is exact: A = 1/2 is 1/2, never 0.49999999999999994, and the tags are read on it.
    """
    remaining = list(counts)
    if any(c < 0 for c in remaining):
        raise ValueError("les effectifs doivent être positifs ou nuls")
    total = sum(remaining)
    if total == 0:
        return None
    result = Fraction(0)
    while any(remaining):
        present = tuple(c > 0 for c in remaining)
        m = min(c for c in remaining if c > 0)
        result += Fraction(m * sum(present), total) * _pattern_agreement(present)
        remaining = [c - m if c > 0 else 0 for c in remaining]
    return result


def van_der_eijk(counts: Sequence[int] | np.ndarray) -> float:
    """Van der Eijk's agreement A of a frequency vector over all K levels of a scale.

    The float nearest to the exact value (`exact_agreement`): a value exactly on a threshold
    (1/2, 0) is that float exactly, and a value off it stays on its side, since the exact
    values have small denominators. Returns NaN when there is no answer.
    """
    exact = exact_agreement(tuple(int(c) for c in np.asarray(counts, dtype=np.int64).tolist()))
    return float("nan") if exact is None else float(exact)


def agreement_tag(value: float | Fraction | None) -> str | None:
    """consensus (A >= 0.5), partagé (0 <= A < 0.5) or polarisé (A < 0); None without A.

    Read on the value as given: van_der_eijk's floats carry exact thresholds (see there).
    """
    if value is None or (not isinstance(value, Fraction) and np.isnan(value)):
        return None
    if value >= CONSENSUS_FROM:
        return CONSENSUS
    return SHARED if value >= POLARISED_BELOW else POLARISED


def agreement_by_item(
    items: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    column: str = "current",
) -> pd.DataFrame:
    """Van der Eijk's A and its tag per ordinal item (and group), over the item's whole scale.

    Columns: question_id, [by], agreement, agreement_tag. A is NaN (tag None) with fewer than
    two answers: agreement needs at least two views.
    """
    keys = ["question_id"] if by is None else ["question_id", by]
    catalogue = item_catalogue(questionnaire).set_index("question_id")
    answered = items.loc[items[column].notna(), [*keys, column]]
    if answered.empty:
        return pd.DataFrame(
            {
                **{k: pd.Series(dtype=items[k].dtype) for k in keys},
                "agreement": [],
                "agreement_tag": [],
            }
        )
    offset = answered[column] - answered["question_id"].map(catalogue["scale_min"]).astype(float)
    counts = (
        answered.assign(offset=offset.astype(int))
        .groupby([*keys, "offset"], dropna=False)
        .size()
        .unstack("offset", fill_value=0)
    )
    levels = catalogue["scale_max"] - catalogue["scale_min"] + 1
    width = levels.reindex(counts.index.get_level_values("question_id")).to_numpy(dtype=int)
    full = counts.reindex(columns=range(int(width.max())), fill_value=0).to_numpy()
    n = full.sum(axis=1)
    values = [
        van_der_eijk(row[:w]) if total >= MIN_ANSWERS_FOR_AGREEMENT else np.nan
        for row, w, total in zip(full, width, n, strict=True)
    ]
    out = counts.index.to_frame(index=False)
    out["agreement"] = np.asarray(values, dtype=float)
    out["agreement_tag"] = [agreement_tag(v) for v in out["agreement"]]
    return out


def divergence(
    items: pd.DataFrame, questionnaire: Questionnaire, *, min_group_size: int
) -> pd.DataFrame:
    """The divergence flag of each ordinal item (domain brief 5.6), on the current level.

    An item is divergent when the answers span 2 levels or more, or their standard deviation
    (population) is 1 or more, or the medians of EPCI and commune respondents differ by 1 level
    or more; that last test only when both groups gave at least min_group_size levels.
    Columns: question_id, n, range, sd, median_epci, median_communes, flag_range, flag_sd,
    flag_groups, divergent.
    """
    catalogue = item_catalogue(questionnaire)[["question_id"]]
    answered = items.loc[items["current"].notna()]
    levels = answered.groupby("question_id")["current"]
    spread = levels.agg(["count", "min", "max"]).assign(std=levels.std(ddof=0))
    kinds = (
        answered.groupby(["question_id", "structure_kind"])["current"]
        .agg(["count", "median"])
        .unstack("structure_kind")
    )
    out = catalogue.merge(spread, left_on="question_id", right_index=True, how="left")
    out = out.rename(columns={"count": "n", "std": "sd"})
    out["n"] = out["n"].fillna(0).astype(int)
    out["range"] = out["max"] - out["min"]
    for kind, name in (("epci", "median_epci"), ("commune", "median_communes")):
        enough = (
            kinds[("count", kind)] >= min_group_size
            if ("count", kind) in kinds
            else pd.Series(False, index=kinds.index, dtype=bool)
        )
        medians = kinds[("median", kind)].where(enough) if ("median", kind) in kinds else None
        out[name] = out["question_id"].map(medians) if medians is not None else np.nan
    out["flag_range"] = out["range"] >= DIVERGENCE_RANGE
    out["flag_sd"] = at_least(out["sd"], DIVERGENCE_SD)
    out["flag_groups"] = at_least(
        (out["median_epci"] - out["median_communes"]).abs(), DIVERGENCE_GROUP_MEDIANS
    )
    out["divergent"] = out["flag_range"] | out["flag_sd"] | out["flag_groups"]
    columns = ["question_id", "n", "range", "sd", "median_epci", "median_communes"]
    flags = ["flag_range", "flag_sd", "flag_groups", "divergent"]
    return out[columns + flags].reset_index(drop=True)
