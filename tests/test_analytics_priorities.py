"""Borda count of rankings, and the actor x intensity grid."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import borda, grid_gaps, grid_summary, tidy_responses
from diagnostic.analytics.frames import Responses
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")


def tidy(
    values: dict[int, tuple[str, dict[str, Any]]], kinds: dict[int, str] | None = None
) -> Responses:
    """values: participant -> (question, value)."""
    kinds = kinds or {}
    people = pd.DataFrame(
        [
            {
                "participant_id": p,
                "role": "dgs",
                "structure_id": 1,
                "structure_name": "CC",
                "structure_kind": kinds.get(p, "commune"),
                "started": True,
                "submitted": True,
            }
            for p in values
        ]
    )
    rows = [
        {
            "participant_id": p,
            "question_id": q,
            "questionnaire_version": "1",
            "value": v,
            "dont_know": bool(v.get("dont_know")),
        }
        for p, (q, v) in values.items()
    ]
    return tidy_responses(pd.DataFrame(rows), people, MINI)


RANKINGS = tidy(
    {
        1: ("act_priorites", {"ranking": ["habitat", "mobilites", "economie"]}),
        2: ("act_priorites", {"ranking": ["mobilites", "habitat", "transition"]}),
        3: ("act_priorites", {"dont_know": True}),
    }
)


def test_borda_by_hand_with_ties() -> None:
    out = borda(RANKINGS.rankings, MINI)
    # top 3 -> 3, 2, 1 points. habitat 3 + 2 = 5, mobilites 2 + 3 = 5, economie 1, transition 1
    assert out["option_id"].tolist() == ["mobilites", "habitat", "economie", "transition"]
    assert out["points"].tolist() == [5, 5, 1, 1]
    # equal points share a rank; within a tie: more citations, then questionnaire order
    assert out["rank"].tolist() == [1, 1, 3, 3]
    assert out["n_cited"].tolist() == [2, 2, 1, 1]
    assert out["n_first"].tolist() == [1, 1, 0, 0]
    assert out["n_respondents"].unique().tolist() == [2]  # the "Je ne sais pas" is apart
    assert out["n_dont_know"].unique().tolist() == [1]
    assert out["share_cited"].tolist() == [1.0, 1.0, 0.5, 0.5]


def test_borda_lists_options_nobody_cited_and_breaks_ties_on_citations() -> None:
    data = tidy(
        {
            1: ("act_priorites", {"ranking": ["economie", "transition", "habitat"]}),
            2: ("act_priorites", {"ranking": ["transition", "habitat"]}),  # partial ranking
        }
    )
    out = borda(data.rankings, MINI)
    # economie 3; transition 2 + 3 = 5; habitat 1 + 2 = 3 (cited twice); mobilites 0
    assert out["option_id"].tolist() == ["transition", "habitat", "economie", "mobilites"]
    assert out["points"].tolist() == [5, 3, 3, 0]
    assert out["rank"].tolist() == [1, 2, 2, 4]
    assert out["n_cited"].tolist() == [2, 2, 1, 0]


def test_borda_without_answers() -> None:
    out = borda(tidy({}).rankings, MINI)
    assert out["points"].tolist() == [0, 0, 0, 0]
    assert out["rank"].tolist() == [1, 1, 1, 1]
    assert out["share_cited"].isna().all()


def test_borda_per_group_needs_the_privacy_setting() -> None:
    with pytest.raises(ValueError):
        borda(RANKINGS.rankings, MINI, by="structure_kind")
    out = borda(RANKINGS.rankings, MINI, by="structure_kind", min_group_size=3)
    # 2 rankings + 1 "Je ne sais pas" = 3 answers, but 2 rankings < 3: suppressed
    assert out["status"].unique().tolist() == ["suppressed"]
    assert out["points"].isna().all()


def grid(cells: dict[str, tuple[Any, Any]]) -> tuple[str, dict[str, Any]]:
    """row -> (current, desired) as an act_grille answer."""
    return "act_grille", {"rows": {r: {"current": c, "desired": d} for r, (c, d) in cells.items()}}


GRID = tidy(
    {
        1: grid({"departement": (1, 3), "region": (0, "nsp")}),
        2: grid({"departement": (2, 4), "region": ("nsp", "nsp")}),
        3: grid({"departement": (4, 4), "region": (2, 3)}),
        4: ("act_grille", {"dont_know": True}),
    }
)


def test_grid_cells_by_hand() -> None:
    out = grid_summary(GRID.grids, MINI).set_index(["row_id", "column"])
    dep = out.loc[("departement", "current")]
    # levels 1, 2, 4 and respondent 4's whole-grid "Je ne sais pas"
    assert (dep["n"], dep["n_nsp"], dep["n_answers"]) == (3, 1, 4)
    assert dep["share_nsp"] == 0.25
    assert dep["median"] == 2 and dep["mean"] == pytest.approx(7 / 3)
    # quartiles by linear interpolation on 1, 2, 4: q1 at 0.5 -> 1.5; q3 at 1.5 -> 3
    assert (dep["q1"], dep["q3"], dep["iqr"]) == (1.5, 3.0, 1.5)
    desired = out.loc[("departement", "desired")]
    assert (desired["median"], desired["q1"], desired["iqr"]) == (4, 3.5, 0.5)  # 3, 4, 4
    region = out.loc[("region", "desired")]
    # one level (3) and three "nsp" (respondents 1, 2 and 4)
    assert (region["n"], region["n_nsp"], region["share_nsp"]) == (1, 3, 0.75)
    assert region["iqr"] == 0
    assert out["position"].tolist() == [0, 0, 1, 1]


def test_grid_gaps_desired_minus_current() -> None:
    gaps = grid_gaps(grid_summary(GRID.grids, MINI)).set_index("row_id")
    # departement: mean desired 11/3 - mean current 7/3 = 4/3; medians 4 - 2 = 2
    assert gaps.loc["departement", "gap"] == pytest.approx(4 / 3)
    assert gaps.loc["departement", "gap_median"] == 2
    # region: current 0 and 2 (mean 1, median 1); desired 3
    assert gaps.loc["region", "gap"] == 2 and gaps.loc["region", "gap_median"] == 2


def test_grid_without_answers_lists_every_cell() -> None:
    out = grid_summary(tidy({}).grids, MINI)
    assert len(out) == 4 and out["n"].tolist() == [0, 0, 0, 0]
    assert out["share_nsp"].isna().all()
    gaps = grid_gaps(out)
    assert gaps["row_id"].tolist() == ["departement", "region"]
    assert math.isnan(gaps["gap"].iloc[0])


def test_grid_per_group_applies_the_privacy_rule() -> None:
    out = grid_summary(GRID.grids, MINI, by="structure_kind", min_group_size=3)
    dep = out.set_index(["row_id", "column"]).loc[("departement", "current")]
    assert dep["status"] == "ok" and dep["median"] == 2  # 3 levels among 4 answers
    region = out.set_index(["row_id", "column"]).loc[("region", "desired")]
    assert region["status"] == "suppressed" and math.isnan(region["median"])
