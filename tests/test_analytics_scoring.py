"""Item statistics, dimension scores, distributions, consensus precedence, own profile."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    SOURCE_CONSENSUS,
    SOURCE_INDIVIDUAL,
    action_candidates,
    apply_consensus,
    choice_distribution,
    collective_choices,
    collective_values,
    dimension_scores,
    item_stats,
    level_distribution,
    respondent_profile,
    respondent_scores,
    tidy_responses,
    to_score,
)
from diagnostic.analytics.frames import Responses
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")


def person(pid: int, kind: str = "commune", structure: int = 10) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "role": "dgs",
        "structure_id": structure,
        "structure_name": f"Structure {structure}",
        "structure_kind": kind,
        "started": True,
        "submitted": True,
    }


def answer(pid: int, qid: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "question_id": qid,
        "questionnaire_version": "1",
        "value": value,
        "dont_know": bool(value.get("dont_know")),
    }


def tidy(rows: list[dict[str, Any]], pids: list[int]) -> Responses:
    return tidy_responses(pd.DataFrame(rows), pd.DataFrame([person(p) for p in pids]), MINI)


def ct(current: int, target: int, importance: int) -> dict[str, int]:
    return {"current": current, "target": target, "importance": importance}


# ins_debat: levels 2, 3, 3, 5 and one "Je ne sais pas"; ins_codir: three respondents.
EXAMPLE = tidy(
    [
        answer(1, "ins_debat", {"level": 2}),
        answer(2, "ins_debat", {"level": 3}),
        answer(3, "ins_debat", {"level": 3}),
        answer(4, "ins_debat", {"level": 5}),
        answer(5, "ins_debat", {"dont_know": True}),
        answer(1, "ins_codir", ct(2, 4, 3)),
        answer(2, "ins_codir", ct(3, 4, 2)),
        answer(3, "ins_codir", ct(1, 4, 1)),
    ],
    [1, 2, 3, 4, 5],
)
STATS = item_stats(EXAMPLE.items, MINI).set_index("question_id")


def test_to_score_maps_levels_one_to_five_onto_0_to_100() -> None:
    assert [to_score(level, 1, 5) for level in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert to_score(2, 0, 4) == 50  # (2 - 0) / 4 x 100 on the 0-4 intensity scale


def test_item_statistics_by_hand() -> None:
    debat = STATS.loc["ins_debat"]
    assert debat["n_respondents"] == 5  # 4 levels + 1 "Je ne sais pas"
    assert (debat["n"], debat["n_dont_know"]) == (4, 1)
    assert debat["share_dont_know"] == pytest.approx(1 / 5)
    assert debat["median"] == 3  # 2, 3, 3, 5
    assert debat["mean"] == pytest.approx(13 / 4)  # (2 + 3 + 3 + 5) / 4
    # population variance: (1.25² + 0.25² + 0.25² + 1.75²) / 4 = 4.75 / 4
    assert debat["sd"] == pytest.approx(math.sqrt(4.75 / 4))
    assert (debat["min"], debat["max"]) == (2, 5)
    assert debat["score"] == pytest.approx(56.25)  # (3.25 - 1) x 25
    assert debat["nearest_level"] == 3 and debat["level_label"] == "Formalisé"
    # counts per level [0, 1, 2, 0, 1]: A = 3/4 x 1/9 + 1/4 x 1 = 1/3 (see agreement tests)
    assert debat["agreement"] == pytest.approx(1 / 3)
    assert debat["agreement_tag"] == "partagé"
    assert debat["target_n"] == 0 and math.isnan(debat["gap"])


def test_gap_and_priority_index_by_hand() -> None:
    codir = STATS.loc["ins_codir"]
    assert codir["mean"] == 2 and codir["target_mean"] == 4  # (2+3+1)/3 and (4+4+4)/3
    assert codir["score"] == 25 and codir["target_score"] == 75
    assert codir["gap"] == 2  # 4 - 2
    assert codir["importance_mean"] == 2  # (3 + 2 + 1) / 3
    assert codir["priority_index"] == 4  # gap 2 x importance 2
    assert codir["sd"] == pytest.approx(math.sqrt(2 / 3))  # levels 1, 2, 3
    assert codir["target_sd"] == 0


def test_dimension_score_is_the_mean_of_item_scores() -> None:
    dims = dimension_scores(item_stats(EXAMPLE.items, MINI), MINI).set_index("dimension_id")
    inst = dims.loc["instances"]
    assert inst["score"] == pytest.approx((25 + 56.25) / 2)  # 40.625
    assert inst["nearest_level"] == 3  # 1 + 40.625 / 25 = 2.625 -> 3
    assert inst["level_label"] == "Formalisé"
    assert inst["target_score"] == 75 and inst["gap"] == 2  # ins_codir only has a target
    assert (inst["n_items"], inst["n_items_scored"], inst["n_consensus"]) == (2, 2, 0)
    # "Je ne sais pas": 1 of 8 answers (5 on ins_debat + 3 on ins_codir), shown, not scored
    assert inst["share_dont_know"] == pytest.approx(1 / 8)
    assert dims["position"].tolist() == [0, 1]
    assert math.isnan(dims.loc["acteurs", "score"])  # no ordinal item in this section


def test_one_respondent() -> None:
    data = tidy([answer(1, "ins_debat", {"level": 4})], [1])
    stats = item_stats(data.items, MINI).set_index("question_id")
    debat = stats.loc["ins_debat"]
    assert (debat["n"], debat["mean"], debat["sd"], debat["score"]) == (1, 4, 0, 75)
    assert math.isnan(debat["agreement"]) and debat["agreement_tag"] is None
    dims = dimension_scores(stats.reset_index(), MINI).set_index("dimension_id")
    # ins_codir is unanswered: left out, so the dimension is ins_debat's 75
    assert dims.loc["instances", "score"] == 75
    assert dims.loc["instances", "n_items_scored"] == 1


def test_all_dont_know() -> None:
    rows = [
        answer(p, q, {"dont_know": True}) for p in (1, 2, 3) for q in ("ins_debat", "ins_codir")
    ]
    stats = item_stats(tidy(rows, [1, 2, 3]).items, MINI)
    assert stats["n"].tolist() == [0, 0]
    assert stats["n_dont_know"].tolist() == [3, 3]
    assert stats["share_dont_know"].tolist() == [1.0, 1.0]
    assert stats["score"].isna().all() and stats["agreement"].isna().all()
    dims = dimension_scores(stats, MINI).set_index("dimension_id")
    assert math.isnan(dims.loc["instances", "score"])
    assert dims.loc["instances", "share_dont_know"] == 1.0


def test_unanswered_item_is_listed_with_no_data() -> None:
    stats = item_stats(tidy([answer(1, "ins_debat", {"level": 2})], [1]).items, MINI)
    codir = stats.set_index("question_id").loc["ins_codir"]
    assert (codir["n_respondents"], codir["n"], codir["n_dont_know"]) == (0, 0, 0)
    assert math.isnan(codir["share_dont_know"]) and math.isnan(codir["score"])


def test_item_stats_per_group_keep_every_group() -> None:
    stats = item_stats(EXAMPLE.items, MINI, by="structure_kind", groups=["commune", "epci"])
    assert stats[["question_id", "structure_kind"]].values.tolist() == [
        ["ins_codir", "commune"],
        ["ins_codir", "epci"],
        ["ins_debat", "commune"],
        ["ins_debat", "epci"],
    ]
    assert stats["n"].tolist() == [3, 0, 4, 0]  # nobody from the EPCI answered


def test_action_candidates_top_quartile_and_gap_of_one_level() -> None:
    stats = pd.DataFrame(
        {
            "question_id": ["a", "b", "c", "d", "e"],
            "position": [0, 1, 2, 3, 4],
            "priority_index": [6.0, 4.0, 2.0, 1.0, float("nan")],
            "gap": [2.0, 0.5, 1.0, 1.0, float("nan")],
        }
    )
    out = action_candidates(stats)
    # 75th percentile of 1, 2, 4, 6 (linear) = 4 + 0.25 x (6 - 4) = 4.5: only "a" (gap 2)
    assert out["question_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert out["candidate"].tolist() == [True, False, False, False, False]


def test_level_distribution_counts_every_level() -> None:
    dist = level_distribution(EXAMPLE.items, MINI)
    debat = dist.loc[dist["question_id"] == "ins_debat"]
    assert debat["level"].tolist() == [1, 2, 3, 4, 5]
    assert debat["count"].tolist() == [0, 1, 2, 0, 1]
    assert debat["share"].tolist() == [0, 0.25, 0.5, 0, 0.25]  # over 4 levels, not 5 answers
    assert debat["n_dont_know"].unique().tolist() == [1]


def test_choice_distribution_and_most_frequent_answer() -> None:
    rows = [
        answer(1, "ctx_structure", {"choice": "commune"}),
        answer(2, "ctx_structure", {"choice": "epci"}),
        answer(3, "ctx_structure", {"choice": "commune"}),
        answer(4, "ctx_structure", {"choice": "epci"}),
        answer(1, "ctx_outils", {"choices": ["pacte", "codir"]}),
        answer(2, "ctx_outils", {"choices": ["pacte"]}),
        answer(3, "ctx_outils", {"dont_know": True}),
    ]
    data = tidy(rows, [1, 2, 3, 4])
    dist = choice_distribution(data.choices, MINI).set_index(["question_id", "option_id"])
    assert dist.loc[("ctx_outils", "pacte"), ["count", "n", "n_dont_know"]].tolist() == [2, 2, 1]
    assert dist.loc[("ctx_outils", "codir"), "share"] == 0.5  # 1 of the 2 who answered
    assert dist.loc[("ctx_outils", "conference"), "count"] == 0
    best = collective_choices(data.choices, MINI).set_index("question_id")
    # 2 epci, 2 commune: a tie, resolved by questionnaire order (epci is listed first)
    assert best.loc["ctx_structure", ["option_id", "count", "n", "tied"]].tolist() == [
        "epci",
        2,
        4,
        True,
    ]


CONSENSUS = pd.DataFrame(
    [
        {"question_id": "ins_debat", "level": 2, "target": 4},  # maturity: no target, dropped
        {"question_id": "ins_codir", "level": None, "target": 5},  # only a target agreed
        {"question_id": "disparue", "level": 3, "target": None},  # unknown item: ignored
    ]
)


def test_consensus_takes_precedence_in_scores_and_says_so() -> None:
    used = apply_consensus(item_stats(EXAMPLE.items, MINI), MINI, CONSENSUS)
    used = used.set_index("question_id")
    assert used.loc["ins_debat", "source"] == SOURCE_CONSENSUS
    assert used.loc["ins_debat", "score_used"] == 25  # agreed level 2 instead of mean 3.25
    assert used.loc["ins_codir", "source"] == SOURCE_INDIVIDUAL  # no agreed current level
    assert used.loc["ins_codir", "target_source"] == SOURCE_CONSENSUS
    assert used.loc["ins_codir", "gap_used"] == 3  # agreed target 5 - mean current 2
    dims = dimension_scores(item_stats(EXAMPLE.items, MINI), MINI, consensus=CONSENSUS)
    inst = dims.set_index("dimension_id").loc["instances"]
    assert inst["score"] == 25  # (25 for ins_codir + 25 agreed for ins_debat) / 2
    assert inst["n_consensus"] == 1


def test_collective_value_is_consensus_else_median() -> None:
    stats = item_stats(EXAMPLE.items, MINI)
    plain = collective_values(stats, MINI).set_index("question_id")
    assert plain.loc["ins_debat", ["current", "source"]].tolist() == [3, SOURCE_INDIVIDUAL]
    agreed = collective_values(stats, MINI, CONSENSUS).set_index("question_id")
    assert agreed.loc["ins_debat", ["current", "source"]].tolist() == [2, SOURCE_CONSENSUS]
    codir = agreed.loc["ins_codir"]
    # current: median of 2, 3, 1 = 2 (individual); target: agreed 5; gap 3
    assert (codir["current"], codir["target"], codir["gap"]) == (2, 5, 3)
    assert (codir["source"], codir["target_source"]) == (SOURCE_INDIVIDUAL, SOURCE_CONSENSUS)


def test_consensus_level_off_the_scale_is_ignored() -> None:
    bad = pd.DataFrame([{"question_id": "ins_debat", "level": 7, "target": None}])
    used = apply_consensus(item_stats(EXAMPLE.items, MINI), MINI, bad).set_index("question_id")
    assert used.loc["ins_debat", "source"] == SOURCE_INDIVIDUAL


def test_respondent_scores_and_profile() -> None:
    own = respondent_scores(EXAMPLE.items, MINI).set_index("participant_id")
    # respondent 1: ins_debat 2 -> 25, ins_codir 2 -> 25; respondent 4: ins_debat 5 -> 100
    assert own.loc[1, "score"] == 25 and own.loc[1, "n_items"] == 2
    assert own.loc[4, "score"] == 100 and own.loc[4, "n_items"] == 1
    profile = respondent_profile(EXAMPLE, MINI, 4, min_group_size=3).set_index("dimension_id")
    inst = profile.loc["instances"]
    assert inst["status"] == "ok"
    assert inst["own_score"] == 100 and inst["territory_score"] == pytest.approx(40.625)
    assert inst["difference"] == pytest.approx(59.375)


def test_profile_hides_the_territory_below_the_threshold() -> None:
    data = tidy(
        [answer(1, "ins_debat", {"level": 4}), answer(2, "ins_debat", {"level": 2})], [1, 2]
    )
    profile = respondent_profile(data, MINI, 1, min_group_size=3).set_index("dimension_id")
    inst = profile.loc["instances"]
    assert inst["own_score"] == 75  # their own answers are always shown
    assert math.isnan(inst["territory_score"])
    assert (inst["status"], inst["status_label"]) == ("suppressed", "moins de 3 réponses")
