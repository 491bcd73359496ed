"""Crossed views between groups, the small-group privacy rule and angles morts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    STATUS_MASKED,
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_SUPPRESSED,
    blind_spots,
    compare_dimensions,
    compare_groups,
    protect,
    status_label,
    tidy_responses,
)
from diagnostic.analytics.frames import Responses
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")


def build(
    people: list[tuple[int, str, int, str, Any]], codir: dict[int, int] | None = None
) -> Responses:
    """people: (participant, kind, structure, role, ins_debat level or "nsp")."""
    participants = pd.DataFrame(
        [
            {
                "participant_id": p,
                "role": role,
                "structure_id": sid,
                "structure_name": f"Commune {sid}" if kind == "commune" else "CC",
                "structure_kind": kind,
                "started": True,
                "submitted": True,
            }
            for p, kind, sid, role, _ in people
        ]
    )
    rows = [
        {
            "participant_id": p,
            "question_id": "ins_debat",
            "questionnaire_version": "1",
            "value": {"dont_know": True} if level == "nsp" else {"level": level},
            "dont_know": level == "nsp",
        }
        for p, _, _, _, level in people
    ]
    rows += [
        {
            "participant_id": p,
            "question_id": "ins_codir",
            "questionnaire_version": "1",
            "value": {"current": c, "target": 5, "importance": 2},
            "dont_know": False,
        }
        for p, c in (codir or {}).items()
    ]
    return tidy_responses(pd.DataFrame(rows), participants, MINI)


# EPCI: 4, 4, 5. Commune 10 (two respondents): 2, 3. Commune 11: 2, 2, 2. Commune 12: 1, 2, 3.
TERRITORY = build(
    [
        (1, "epci", 1, "dgs", 4),
        (2, "epci", 1, "dga", 4),
        (3, "epci", 1, "dst", 5),
        (4, "commune", 10, "dgs", 2),
        (5, "commune", 10, "dst", 3),
        (6, "commune", 11, "dgs", 2),
        (7, "commune", 11, "dgs", 2),
        (8, "commune", 11, "dgs", 2),
        (9, "commune", 12, "dgs", 1),
        (10, "commune", 12, "dgs", 2),
        (11, "commune", 12, "dgs", 3),
    ],
    codir={1: 3, 2: 3, 3: 4},  # only the EPCI answered ins_codir
)


def cell(frame: pd.DataFrame, question: str, group: Any) -> pd.Series:
    return frame.set_index(["question_id", "group"]).loc[(question, group)]


def test_communes_vs_epci_by_hand() -> None:
    out = compare_groups(TERRITORY, MINI, "structure_kind", min_group_size=3)
    epci, communes = cell(out, "ins_debat", "epci"), cell(out, "ins_debat", "commune")
    assert (epci["status"], epci["group_label"], epci["group_size"]) == (
        "ok",
        "Intercommunalité",
        3,
    )
    assert epci["score"] == pytest.approx((13 / 3 - 1) * 25)  # mean 4.33 -> 83.33
    # communes: 2+3+2+2+2+1+2+3 = 17 over 8 -> 2.125 -> 28.125
    assert communes["score"] == pytest.approx(28.125)
    assert epci["others_score"] == pytest.approx(28.125)  # the others of the EPCI: communes
    assert epci["difference"] == pytest.approx(83.3333 - 28.125, abs=1e-3)
    assert epci["blind_spot"] and communes["blind_spot"]


def test_no_data_is_not_a_small_group() -> None:
    out = compare_groups(TERRITORY, MINI, "structure_kind", min_group_size=3)
    communes = cell(out, "ins_codir", "commune")
    assert (communes["status"], communes["status_label"]) == (STATUS_NO_DATA, "aucune donnée")
    epci = cell(out, "ins_codir", "epci")
    assert epci["status"] == STATUS_OK and epci["mean"] == pytest.approx(10 / 3)
    # nobody else answered: no "others" to compare with, hence no angle mort
    assert math.isnan(epci["others_score"]) and not epci["blind_spot"]


def test_each_commune_vs_the_rest_with_suppression_and_masking() -> None:
    out = compare_groups(TERRITORY, MINI, "structure_id", min_group_size=3)
    assert sorted(out["group"].unique()) == [10, 11, 12]  # the EPCI is the other view
    small, masked, shown = (cell(out, "ins_debat", g) for g in (10, 11, 12))
    assert (small["status"], small["status_label"]) == (STATUS_SUPPRESSED, "moins de 3 réponses")
    assert math.isnan(small["mean"]) and pd.isna(small["n"])
    # only one commune suppressed: the smallest shown one (11, first of two tied at 3) is
    # masked, otherwise total - 11 - 12 would give commune 10's answers
    assert (masked["status"], masked["status_label"]) == (
        STATUS_MASKED,
        "masqué pour protéger un petit groupe",
    )
    assert math.isnan(masked["score"]) and math.isnan(masked["others_score"])
    # commune 12: 1, 2, 3 -> 25; the rest: 4+4+5+2+3+2+2+2 = 24 over 8 = 3 -> 50
    assert shown["status"] == STATUS_OK and shown["group_label"] == "Commune 12"
    assert (shown["score"], shown["others_score"], shown["difference"]) == (25, 50, -25)
    assert shown["blind_spot"]  # |-25| >= 25 points: one level on a 1-5 scale


def test_threshold_is_a_setting() -> None:
    out = compare_groups(TERRITORY, MINI, "structure_id", min_group_size=2)
    assert cell(out, "ins_debat", 10)["status"] == STATUS_OK
    assert cell(out, "ins_debat", 11)["status"] == STATUS_OK
    out = compare_groups(TERRITORY, MINI, "structure_kind", min_group_size=5)
    assert cell(out, "ins_debat", "epci")["status_label"] == "moins de 5 réponses"


def test_roles_with_labels_and_a_lone_role() -> None:
    out = compare_groups(
        TERRITORY, MINI, "role", min_group_size=3, labels={"dgs": "DGS", "dga": "DGA"}
    )
    debat = out.loc[out["question_id"] == "ins_debat"].set_index("group")
    assert debat.loc["dgs", "group_label"] == "DGS" and debat.loc["dst", "group_label"] == "dst"
    # dga (1) and dst (2) are suppressed: two cells already protect each other, dgs is shown
    assert debat["status"].to_dict() == {
        "dgs": STATUS_OK,
        "dga": STATUS_SUPPRESSED,
        "dst": STATUS_SUPPRESSED,
    }


def test_group_of_dont_know_is_shown_and_one_level_among_three_is_not() -> None:
    data = build(
        [
            (1, "epci", 1, "dgs", "nsp"),
            (2, "epci", 1, "dgs", "nsp"),
            (3, "epci", 1, "dgs", "nsp"),
            (4, "commune", 10, "dgs", 2),
            (5, "commune", 10, "dgs", "nsp"),
            (6, "commune", 10, "dgs", "nsp"),
            (7, "commune", 11, "dgs", 3),
            (8, "commune", 11, "dgs", 3),
            (9, "commune", 11, "dgs", 4),
        ]
    )
    kinds = compare_groups(data, MINI, "structure_kind", min_group_size=3)
    epci = cell(kinds, "ins_debat", "epci")
    # three "Je ne sais pas": shown (nobody's level is exposed), no score
    assert epci["status"] == STATUS_OK and epci["share_dont_know"] == 1.0
    assert math.isnan(epci["score"])
    by_commune = compare_groups(data, MINI, "structure_id", min_group_size=3)
    # commune 10: three answers but a single level: that level would be exposed
    assert cell(by_commune, "ins_debat", 10)["status"] == STATUS_SUPPRESSED
    assert cell(by_commune, "ins_debat", 11)["status"] == STATUS_MASKED


@pytest.mark.parametrize(
    ("answers", "statuses"),
    [
        ([1, 4, 6], [STATUS_SUPPRESSED, STATUS_MASKED, STATUS_OK]),
        ([0, 4, 6], [STATUS_NO_DATA, STATUS_OK, STATUS_OK]),
        ([1, 2, 6], [STATUS_SUPPRESSED, STATUS_SUPPRESSED, STATUS_OK]),
        ([6, 1, 4], [STATUS_OK, STATUS_SUPPRESSED, STATUS_MASKED]),
        ([3, 3, 3], [STATUS_OK, STATUS_OK, STATUS_OK]),
    ],
)
def test_protect_primary_and_secondary_rule(answers: list[int], statuses: list[str]) -> None:
    frame = pd.DataFrame(
        {"item": "x", "group": ["a", "b", "c"], "n": answers, "mean": [1.0, 2.0, 3.0]}
    )
    out = protect(
        frame, cell=["item"], n_values="n", n_answers="n", hidden=["mean"], min_group_size=3
    )
    assert out["status"].tolist() == statuses
    assert out["mean"].notna().tolist() == [s == STATUS_OK for s in statuses]


def test_status_labels() -> None:
    assert status_label(STATUS_SUPPRESSED, 3) == "moins de 3 réponses"
    assert status_label(STATUS_NO_DATA, 3) == "aucune donnée"
    assert status_label(STATUS_OK, 3) == ""


def test_blind_spots_widest_first() -> None:
    out = compare_groups(TERRITORY, MINI, "structure_kind", min_group_size=3)
    spots = blind_spots(out)
    assert spots["group"].tolist() == ["epci", "commune"]  # equal widths: group order kept
    assert spots["difference"].abs().tolist() == pytest.approx([55.2083] * 2, abs=1e-3)


def test_dimension_scores_per_group_use_only_shown_items() -> None:
    kinds = compare_groups(TERRITORY, MINI, "structure_kind", min_group_size=3)
    dims = compare_dimensions(kinds, MINI, min_group_size=3)
    inst = dims.loc[dims["dimension_id"] == "instances"].set_index("group")
    # EPCI: ins_debat 83.33 and ins_codir (10/3 - 1) x 25 = 58.33 -> 70.83
    assert inst.loc["epci", "score"] == pytest.approx((250 / 3 + 175 / 3) / 2)
    # communes: ins_codir has no data, so the dimension is ins_debat's 28.125
    assert inst.loc["commune", ["score", "n_items_scored"]].tolist() == [28.125, 1]
    assert inst.loc["commune", "group_label"] == "Communes"
    communes = compare_groups(TERRITORY, MINI, "structure_id", min_group_size=3)
    dims = compare_dimensions(communes, MINI, min_group_size=3)
    inst = dims.loc[dims["dimension_id"] == "instances"].set_index("group")
    assert inst["status"].to_dict() == {
        10: STATUS_SUPPRESSED,
        11: STATUS_MASKED,
        12: STATUS_OK,
    }
    assert inst.loc[10, "status_label"] == "moins de 3 réponses"
    assert math.isnan(inst.loc[10, "score"]) and inst.loc[12, "score"] == 25


def test_a_gap_of_exactly_one_level_is_an_angle_mort() -> None:
    """EPCI 1, 1, 3 (mean 5/3) against communes 1, 2, 5 (mean 8/3): one level, 25 points, which
    float scores give as 24.999999999999996 (issue 13.4)."""
    data = build(
        [
            (1, "epci", 1, "dgs", 1),
            (2, "epci", 1, "dga", 1),
            (3, "epci", 1, "dst", 3),
            (4, "commune", 10, "dgs", 1),
            (5, "commune", 11, "dgs", 2),
            (6, "commune", 12, "dgs", 5),
        ]
    )
    out = compare_groups(data, MINI, "structure_kind", min_group_size=3)
    epci, communes = cell(out, "ins_debat", "epci"), cell(out, "ins_debat", "commune")
    assert epci["difference"] == pytest.approx(-25) and communes["difference"] == pytest.approx(25)
    assert epci["blind_spot"] and communes["blind_spot"]
    assert len(blind_spots(out)) == 2
