"""Tidy frames from stored answers, and participation counts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import item_catalogue, item_stats, participation, tidy_responses
from diagnostic.analytics.frames import Responses
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")
ANSWER_COLUMNS = [
    "participant_id",
    "question_id",
    "questionnaire_version",
    "value",
    "dont_know",
    "level",
    "target",
    "importance",
    "updated_at",
]


def person(
    pid: int, kind: str = "commune", structure: int = 10, role: str = "dgs", **state: bool
) -> dict[str, Any]:
    submitted = state.get("submitted", True)
    return {
        "participant_id": pid,
        "role": role,
        "structure_id": structure,
        "structure_name": f"Structure {structure}",
        "structure_kind": kind,
        "started": state.get("started", submitted),
        "submitted": submitted,
    }


def answer(pid: int, qid: str, value: Any, version: str = "1") -> dict[str, Any]:
    v = value if isinstance(value, dict) else {}
    return {
        "participant_id": pid,
        "question_id": qid,
        "questionnaire_version": version,
        "value": value,
        "dont_know": bool(v.get("dont_know")),
        "level": v.get("level", v.get("current")),
        "target": v.get("target"),
        "importance": v.get("importance"),
        "updated_at": None,
    }


def tidy(rows: list[dict[str, Any]], people: list[dict[str, Any]], **kw: Any) -> Responses:
    return tidy_responses(
        pd.DataFrame(rows, columns=ANSWER_COLUMNS), pd.DataFrame(people), MINI, **kw
    )


def test_catalogue_lists_ordinal_items_with_their_scale() -> None:
    cat = item_catalogue(MINI)
    assert cat["question_id"].tolist() == ["ins_codir", "ins_debat"]
    assert cat["dimension_id"].tolist() == ["instances", "instances"]
    assert cat[["scale_min", "scale_max"]].values.tolist() == [[1, 5], [1, 5]]
    assert cat["has_target"].tolist() == [True, False]
    assert cat["has_importance"].tolist() == [True, False]


def test_only_submitted_respondents_count_unless_asked() -> None:
    people = [
        person(1),
        person(2, submitted=False, started=True),
        person(3, submitted=False, started=False),
    ]
    rows = [answer(1, "ins_debat", {"level": 2}), answer(2, "ins_debat", {"level": 4})]
    assert tidy(rows, people).items["participant_id"].tolist() == [1]
    assert tidy(rows, people).respondents["participant_id"].tolist() == [1]
    both = tidy(rows, people, include_in_progress=True)
    assert sorted(both.items["participant_id"]) == [1, 2]
    assert both.respondents["participant_id"].tolist() == [1, 2]  # 3 never started


def test_older_version_counts_and_unknown_question_is_ignored() -> None:
    rows = [
        answer(1, "ins_debat", {"level": 3}, version="0.9"),  # same id, older version: counts
        answer(1, "ancienne_question", {"level": 5}, version="0.9"),  # id gone: ignored
    ]
    items = tidy(rows, [person(1)]).items
    assert items[["question_id", "current", "questionnaire_version"]].values.tolist() == [
        ["ins_debat", 3.0, "0.9"]
    ]


def test_answer_whose_type_changed_is_ignored() -> None:
    rows = [
        answer(1, "ins_debat", {"current": 2, "target": 3}),  # was current_target, now maturity
        answer(1, "ins_codir", {"level": 3}),  # was maturity, now current_target
        answer(1, "act_priorites", {"choices": ["habitat"]}),  # was multiple choice, now ranking
    ]
    data = tidy(rows, [person(1)])
    assert data.items.empty and data.rankings.empty


def test_levels_off_the_current_scale_are_dropped() -> None:
    rows = [
        answer(1, "ins_debat", {"level": 7}),  # the scale is 1-5 now: no level, row dropped
        answer(1, "ins_codir", {"current": 9, "target": 4, "importance": 5}),
    ]
    items = tidy(rows, [person(1)]).items
    assert items["question_id"].tolist() == ["ins_codir"]
    row = items.iloc[0]
    assert math.isnan(row["current"]) and row["target"] == 4 and math.isnan(row["importance"])


def test_dont_know_is_a_row_without_level() -> None:
    items = tidy([answer(1, "ins_debat", {"dont_know": True})], [person(1)]).items
    assert items["dont_know"].tolist() == [True]
    assert items["current"].isna().all()


def test_value_stored_as_json_text_is_read() -> None:
    rows = [answer(1, "ins_debat", json.dumps({"level": 4}))]
    assert tidy(rows, [person(1)]).items["current"].tolist() == [4.0]


def test_rows_carry_the_respondent_groups() -> None:
    items = tidy([answer(1, "ins_debat", {"level": 4})], [person(1, "epci", 1, "dst")]).items
    row = items.iloc[0]
    assert (row["role"], row["structure_id"], row["structure_kind"]) == ("dst", 1, "epci")


def test_grid_cells_nsp_and_whole_grid_dont_know() -> None:
    rows = [
        answer(
            1,
            "act_grille",
            {"rows": {"departement": {"current": 2, "desired": "nsp"}, "region": {"current": 9}}},
        ),
        answer(2, "act_grille", {"dont_know": True}),
    ]
    grids = tidy(rows, [person(1), person(2)]).grids
    first = grids.loc[grids["participant_id"] == 1]
    # region current 9 is off the 0-4 scale: dropped; departement desired is "nsp"
    assert first[["row_id", "column", "nsp"]].values.tolist() == [
        ["departement", "current", False],
        ["departement", "desired", True],
    ]
    assert first["value"].tolist()[0] == 2.0
    second = grids.loc[grids["participant_id"] == 2]
    assert len(second) == 4 and second["nsp"].all()  # 2 rows x 2 columns, all "nsp"


def test_ranking_keeps_positions_and_drops_unknown_or_too_deep_options() -> None:
    ranking = {"ranking": ["habitat", "supprimee", "mobilites", "economie"]}
    ranks = tidy([answer(1, "act_priorites", ranking)], [person(1)]).rankings
    # top 3: "supprimee" no longer exists (its place stays empty), economie is 4th: dropped
    assert ranks[["option_id", "rank"]].values.tolist() == [["habitat", 1], ["mobilites", 3]]


def test_choices_keep_known_options_and_mark_dont_know() -> None:
    rows = [
        answer(1, "ctx_structure", {"choice": "epci"}),
        answer(1, "ctx_outils", {"choices": ["pacte", "inconnu", "codir"]}),
        answer(2, "ctx_outils", {"dont_know": True}),
        answer(2, "act_libre", {"text": "La région"}),  # free text: not analysed here
    ]
    choices = tidy(rows, [person(1), person(2)]).choices
    given = choices.loc[~choices["dont_know"]]
    assert given[["participant_id", "question_id", "option_id"]].values.tolist() == [
        [1, "ctx_structure", "epci"],
        [1, "ctx_outils", "pacte"],
        [1, "ctx_outils", "codir"],
    ]
    unknown = choices.loc[choices["dont_know"]]
    assert unknown[["participant_id", "question_id"]].values.tolist() == [[2, "ctx_outils"]]
    assert unknown["option_id"].isna().all()


def test_no_answer_at_all_gives_empty_frames_and_unanswered_items() -> None:
    data = tidy([], [person(1)])
    assert data.items.empty and data.grids.empty and data.rankings.empty
    stats = item_stats(data.items, MINI)
    assert stats["n"].tolist() == [0, 0]
    assert stats["score"].isna().all()


PEOPLE = pd.DataFrame(
    [
        person(1, "epci", 1, "dgs", submitted=True),
        person(2, "epci", 1, "dst", submitted=False, started=True),
        person(3, "commune", 10, "dgs", submitted=False, started=False),
        person(4, "commune", 11, "dgs", submitted=True),
        person(5, "commune", 11, "dst", submitted=True),
    ]
)


def test_participation_overall() -> None:
    row = participation(PEOPLE).iloc[0]
    # 5 invited; started = 3 submitted + 1 in progress = 4; submitted 3
    assert (row["invited"], row["started"], row["submitted"]) == (5, 4, 3)
    assert row["share_submitted"] == pytest.approx(3 / 5)


def test_participation_per_structure_puts_the_epci_first() -> None:
    out = participation(PEOPLE, by="structure")
    assert out["structure_id"].tolist() == [1, 10, 11]
    assert out[["invited", "started", "submitted"]].values.tolist() == [
        [2, 2, 1],
        [1, 0, 0],
        [2, 2, 2],
    ]
    assert out["share_started"].tolist() == [1.0, 0.0, 1.0]


def test_participation_per_role() -> None:
    out = participation(PEOPLE, by="role").set_index("role")
    assert out.loc["dgs", ["invited", "submitted"]].tolist() == [3, 2]
    assert out.loc["dst", ["invited", "submitted"]].tolist() == [2, 1]


def test_participation_counts_submitted_as_started() -> None:
    people = pd.DataFrame([person(1, started=False, submitted=True)])
    assert participation(people).iloc[0]["started"] == 1
