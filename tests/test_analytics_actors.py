"""Actor grids by structure kind: each kind's medians under the privacy rule, and the rows
where the intercommunality and the communes disagree (docs/methodes.md § 12 bis)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from diagnostic.analytics import SPLIT_LEVELS, grid_by_kind, grid_splits, split_grids
from tests.test_analytics_priorities import MINI, grid, tidy

EPCI = {1: "epci", 2: "epci", 3: "epci"}  # respondents 4, 5 and 6 are in communes


def answers(epci: list[Any], communes: list[Any], region: tuple[Any, Any] = (2, 3)) -> Any:
    """Three EPCI respondents and three communes' respondents; each gives a (current, desired)
    pair on « departement » and `region` on « region »."""
    pairs = [*epci, *communes]
    values = {p + 1: grid({"departement": pair, "region": region}) for p, pair in enumerate(pairs)}
    return tidy(values, EPCI)


def splits_of(data: Any, min_group_size: int = 3) -> Any:
    by_kind = grid_by_kind(data.grids, MINI, min_group_size=min_group_size)
    return grid_splits(by_kind).set_index("row_id")


def test_medians_exactly_two_levels_apart_split_the_row() -> None:
    # EPCI medians 3 today, 4 wished; communes 1 today, 3 wished: a gap of exactly 2 today
    out = splits_of(answers([(3, 4), (3, 4), (2, 4)], [(1, 3), (1, 3), (2, 4)]))
    dep = out.loc["departement"]
    assert (dep["epci_current"], dep["commune_current"]) == (3, 1)
    assert (dep["epci_desired"], dep["commune_desired"]) == (4, 3)
    assert dep["gap_current"] == SPLIT_LEVELS == 2 and dep["gap_desired"] == 1
    assert bool(dep["split"]) is True
    assert (dep["epci_status"], dep["commune_status"]) == ("ok", "ok")
    assert bool(out.loc["region", "split"]) is False  # everybody said (2, 3)


def test_one_and_a_half_levels_apart_is_not_split() -> None:
    # communes' medians 1.5 today (levels 1, 1, 2, 2 with a fourth commune respondent)
    values = {p + 1: grid({"departement": (3, 3), "region": (2, 2)}) for p in range(3)}
    for p, level in zip((4, 5, 6, 7), (1, 1, 2, 2), strict=True):
        values[p] = grid({"departement": (level, 3), "region": (2, 2)})
    dep = splits_of(tidy(values, EPCI)).loc["departement"]
    assert dep["commune_current"] == 1.5 and dep["gap_current"] == 1.5
    assert bool(dep["split"]) is False


def test_a_wish_two_levels_apart_splits_the_row_too_whichever_side_is_higher() -> None:
    out = splits_of(answers([(2, 2), (2, 2), (2, 2)], [(2, 4), (2, 4), (2, 4)]))
    dep = out.loc["departement"]
    assert dep["gap_current"] == 0 and dep["gap_desired"] == -2
    assert bool(dep["split"]) is True
    assert split_grids(out.reset_index()) == {"act_grille"}


def test_a_hidden_group_never_splits_and_says_why() -> None:
    # communes: two levels and one « Je ne sais pas » on departement: fewer than 3 levels
    data = answers([(4, 4), (4, 4), (4, 4)], [(0, 1), (0, 1), ("nsp", "nsp")])
    dep = splits_of(data).loc["departement"]
    assert dep["commune_status"] == "suppressed"
    assert dep["commune_status_label"] == "moins de 3 réponses"
    # the EPCI's cells are masked: otherwise the total would give the communes' away
    assert dep["epci_status"] == "masked"
    assert dep["epci_status_label"] == "masqué pour protéger un petit groupe"
    assert math.isnan(dep["epci_current"]) and math.isnan(dep["commune_current"])
    assert bool(dep["split"]) is False
    # with a threshold of 2, the same answers are shown and split (4 against 0)
    assert bool(splits_of(data, min_group_size=2).loc["departement", "split"]) is True


def test_without_communes_nothing_is_split() -> None:
    data = tidy({p: grid({"departement": (p, 4), "region": (0, 4)}) for p in (1, 2, 3)}, EPCI)
    out = splits_of(data)
    assert not out["split"].any()
    assert out["commune_status"].tolist() == ["no_data", "no_data"]
    assert out["commune_status_label"].tolist() == ["aucune donnée", "aucune donnée"]
    assert out["epci_current"].tolist() == [2, 0]


@pytest.mark.parametrize("threshold, split", [(2.0, True), (3.0, False)])
def test_the_threshold_is_a_parameter(threshold: float, split: bool) -> None:
    data = answers([(3, 3), (3, 3), (3, 3)], [(1, 1), (1, 1), (1, 1)])
    by_kind = grid_by_kind(data.grids, MINI, min_group_size=3)
    out = grid_splits(by_kind, threshold=threshold).set_index("row_id")
    assert bool(out.loc["departement", "split"]) is split
