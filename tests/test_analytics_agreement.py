"""Van der Eijk's agreement A, its tags, and the divergence flag."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations_with_replacement
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    CONSENSUS,
    POLARISED,
    SHARED,
    agreement_by_item,
    agreement_tag,
    divergence,
    tidy_responses,
    van_der_eijk,
)
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([0, 0, 5, 0, 0], 1.0),  # everyone on one level
        ([1, 1, 1, 1, 1], 0.0),  # uniform: S = K, so 1 - (S - 1) / (K - 1) = 0
        ([5, 0, 0, 0, 5], -1.0),  # half at each end: U = (3x0 - 4x3) / (3x3) = -4/3; x 3/4
        ([3, 3, 0, 0, 0], 0.75),  # two adjacent levels: U = 1, x (1 - 1/4)
        ([2, 2, 2, 0, 0], 0.5),  # three adjacent levels: U = 1, x (1 - 2/4)
        # 1-0-1-0-0: TU = 2 (1-1-0 twice), TDU = 1 -> U = (3x2 - 4x1) / (3x3) = 2/9; x 3/4
        ([1, 0, 1, 0, 0], 1 / 6),
        # 1-0-0-1-0: TU = 1, TDU = 2 -> U = (3 - 8) / 9 = -5/9; x 3/4 = -5/12
        ([1, 0, 0, 1, 0], -5 / 12),
        # layer 1 = 0-1-1-0-1 (m = 1, weight 3/4): TU = 4, TDU = 2 -> U = 4/18, x 1/2 = 1/9
        # layer 2 = 0-0-1-0-0 (weight 1/4): A = 1. Total 3/4 x 1/9 + 1/4 = 1/3
        ([0, 1, 2, 0, 1], 1 / 3),
    ],
)
def test_van_der_eijk_by_hand(counts: list[int], expected: float) -> None:
    assert van_der_eijk(counts) == pytest.approx(expected)


def test_van_der_eijk_without_answers_is_nan_and_refuses_negative_counts() -> None:
    assert math.isnan(van_der_eijk([0, 0, 0, 0, 0]))
    with pytest.raises(ValueError):
        van_der_eijk([1, -1, 0, 0, 0])


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        (1.0, CONSENSUS),
        (0.5, CONSENSUS),
        (0.49, SHARED),
        (0.0, SHARED),
        (-0.01, POLARISED),
        (-1.0, POLARISED),
        (float("nan"), None),
    ],
)
def test_tags_thresholds(value: float, tag: str | None) -> None:
    assert agreement_tag(value) == tag


def items(levels: dict[int, tuple[str, int | None]], qid: str = "ins_debat") -> pd.DataFrame:
    """Items frame: participant -> (structure_kind, level or None for "Je ne sais pas")."""
    people = pd.DataFrame(
        [
            {
                "participant_id": p,
                "role": "dgs",
                "structure_id": 1 if kind == "epci" else 10,
                "structure_name": kind,
                "structure_kind": kind,
                "started": True,
                "submitted": True,
            }
            for p, (kind, _) in levels.items()
        ]
    )
    rows: list[dict[str, Any]] = [
        {
            "participant_id": p,
            "question_id": qid,
            "questionnaire_version": "1",
            "value": {"level": level} if level is not None else {"dont_know": True},
            "dont_know": level is None,
        }
        for p, (_, level) in levels.items()
    ]
    return tidy_responses(pd.DataFrame(rows), people, MINI).items


def test_agreement_uses_the_whole_scale_and_needs_two_answers() -> None:
    split = items({1: ("commune", 1), 2: ("commune", 5), 3: ("commune", None)})
    row = agreement_by_item(split, MINI).iloc[0]
    assert row["agreement"] == pytest.approx(-1.0) and row["agreement_tag"] == POLARISED
    alone = items({1: ("commune", 3), 2: ("commune", None)})
    row = agreement_by_item(alone, MINI).iloc[0]
    assert math.isnan(row["agreement"]) and row["agreement_tag"] is None


def test_divergence_on_range_and_sd() -> None:
    def flags(*levels: int) -> pd.Series:
        frame = items({p: ("commune", level) for p, level in enumerate(levels, start=1)})
        out = divergence(frame, MINI, min_group_size=3)
        return out.set_index("question_id").loc["ins_debat"]

    # 1, 3, 3, 3: range 2 -> flagged; sd = sqrt((1.5² + 3 x 0.5²) / 4) = sqrt(0.75) < 1
    row = flags(1, 3, 3, 3)
    assert (row["range"], row["sd"]) == (2, pytest.approx(math.sqrt(0.75)))
    assert (row["flag_range"], row["flag_sd"], row["divergent"]) == (True, False, True)
    # 1, 1, 3, 3: sd = 1 exactly -> flagged on sd too
    assert flags(1, 1, 3, 3)["flag_sd"]
    # 2, 3, 3: range 1, sd 0.47 -> not divergent
    assert not flags(2, 3, 3)["divergent"]


def test_divergence_on_group_medians_only_with_big_enough_groups() -> None:
    levels = {p: ("epci", 2) for p in (1, 2, 3)} | {p: ("commune", 3) for p in (4, 5, 6)}
    frame = items(levels)
    row = divergence(frame, MINI, min_group_size=3).set_index("question_id").loc["ins_debat"]
    # range 1 and sd 0.5: no spread flag; medians 2 (EPCI) and 3 (communes) differ by 1
    assert (row["median_epci"], row["median_communes"]) == (2, 3)
    assert (row["flag_range"], row["flag_sd"], row["flag_groups"]) == (False, False, True)
    assert row["divergent"]
    row = divergence(frame, MINI, min_group_size=4).set_index("question_id").loc["ins_debat"]
    assert math.isnan(row["median_epci"]) and not row["divergent"]


def test_divergence_lists_unanswered_items_unflagged() -> None:
    out = divergence(items({1: ("commune", 2)}), MINI, min_group_size=3).set_index("question_id")
    assert out.loc["ins_codir", "n"] == 0 and not out.loc["ins_codir", "divergent"]


# Issue 13.4: thresholds are compared on exact values. These three distributions of the Val de
# Loir demo have A = 1/2 exactly, which float layer sums gave as 0.49999999999999994 (« partagé »).
@pytest.mark.parametrize("counts", [[3, 2, 1, 1, 0], [1, 3, 2, 1, 0], [1, 1, 3, 2, 0]])
def test_agreement_of_one_half_is_consensus(counts: list[int]) -> None:
    assert van_der_eijk(counts) == 0.5
    assert agreement_tag(van_der_eijk(counts)) == CONSENSUS


def _exact_a(counts: tuple[int, ...]) -> Fraction:
    """Van der Eijk's A in rationals, written from the paper's definitions independently of
    the module: U from the counts of unimodal and bimodal triples, layers peeled by minimum."""
    k, n = len(counts), sum(counts)
    left, a = list(counts), Fraction(0)
    while any(left):
        pattern = [c > 0 for c in left]
        s = sum(pattern)
        m = min(c for c in left if c)
        if s == 1:
            layer = Fraction(1)
        else:
            tu = tdu = 0
            for i in range(k):
                for j in range(i + 1, k):
                    for h in range(j + 1, k):
                        x, y, z = pattern[i], pattern[j], pattern[h]
                        tdu += x and z and not y
                        tu += y and (x != z)
            u = (
                Fraction(1)
                if tu + tdu == 0
                else Fraction((k - 2) * tu - (k - 1) * tdu, (k - 2) * (tu + tdu))
            )
            layer = u * (1 - Fraction(s - 1, k - 1))
        a += Fraction(m * s, n) * layer
        left = [c - m if c else 0 for c in left]
    return a


def _exact_tag(a: Fraction) -> str:
    return CONSENSUS if a >= Fraction(1, 2) else SHARED if a >= 0 else POLARISED


def _distributions(levels: int, low: int, high: int) -> list[tuple[int, ...]]:
    out = []
    for n in range(low, high + 1):
        for cuts in combinations_with_replacement(range(n + 1), levels - 1):
            bounds = (0, *cuts, n)
            out.append(tuple(bounds[i + 1] - bounds[i] for i in range(levels)))
    return out


def test_tag_equals_the_tag_of_the_exact_rational_a_for_every_distribution() -> None:
    """Every distribution of 2 to 15 answers on 5 levels (15,498 of them)."""
    distributions = _distributions(5, 2, 15)
    assert len(distributions) == 15_498
    wrong = [
        c
        for c in distributions
        if agreement_tag(van_der_eijk(c)) != _exact_tag(a := _exact_a(c))
        or van_der_eijk(c) != float(a)
    ]
    assert wrong == []
