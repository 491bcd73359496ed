"""The whole analysis on the shipped questionnaires, with answers drawn at random."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    agreement_index,
    apply_consensus,
    borda,
    collective_choices,
    collective_values,
    compare_groups,
    dimension_scores,
    divergence,
    grid_gaps,
    grid_summary,
    item_catalogue,
    item_stats,
    participation,
    respondent_profile,
    summary,
    tidy_responses,
)
from diagnostic.questionnaire import Question, Questionnaire, QuestionType, load_questionnaire
from diagnostic.questionnaire.codecs import DONT_KNOW, normalize
from tests.conftest import ROOT

FULL = load_questionnaire(ROOT / "questions" / "questionnaires" / "gouvernance.yaml")
SHORT = load_questionnaire(ROOT / "questions" / "questionnaires" / "gouvernance-court.yaml")


def raw_answer(q: Questionnaire, question: Question, rng: random.Random) -> dict[str, Any]:
    if question.allow_dont_know and rng.random() < 0.08:
        return {"dont_know": True}
    values = q.scale_of(question).values if question.scale or question.scored else []
    options = [o.id for o in question.options or []]
    t = question.type
    if t == QuestionType.MATURITY:
        return {"level": rng.choice(values)}
    if t == QuestionType.CURRENT_TARGET:
        current = rng.choice(values)
        target = rng.choice([v for v in values if v >= current])
        return {"current": current, "target": target, "importance": rng.choice([1, 2, 3])}
    if t == QuestionType.SINGLE_CHOICE:
        return {"choice": rng.choice(values or options)}
    if t == QuestionType.MULTIPLE_CHOICE:
        return {"choices": rng.sample(options, rng.randint(1, len(options)))}
    if t == QuestionType.RANKING:
        return {"ranking": rng.sample(options, question.max_choices or len(options))}
    if t == QuestionType.GRID:
        cells = [*values, DONT_KNOW]
        columns = ("current", "desired") if question.desired else ("current",)
        return {
            "rows": {r.id: {c: rng.choice(cells) for c in columns} for r in question.rows or []}
        }
    return {"text": "Une remarque."}


def territory(q: Questionnaire, n: int = 20, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    people, rows = [], []
    for pid in range(1, n + 1):
        structure = 1 if pid <= 6 else 10 + pid % 4
        people.append(
            {
                "participant_id": pid,
                "role": ["dgs", "dga", "dst", "encadrant"][pid % 4],
                "structure_id": structure,
                "structure_name": "CC du Val" if structure == 1 else f"Commune {structure}",
                "structure_kind": "epci" if structure == 1 else "commune",
                "started": True,
                "submitted": pid < n,  # the last one is still answering
            }
        )
        for question in q.questions():
            stored = normalize(q, question, raw_answer(q, question, rng))
            rows.append(
                {
                    "participant_id": pid,
                    "question_id": question.id,
                    "questionnaire_version": q.version,
                    "value": stored.value,
                    "dont_know": stored.dont_know,
                    "level": stored.level,
                    "target": stored.target,
                    "importance": stored.importance,
                    "updated_at": None,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(people)


@pytest.fixture(scope="module")
def full() -> tuple[Any, pd.DataFrame]:
    answers, people = territory(FULL)
    return tidy_responses(answers, people, FULL), people


def test_every_ordinal_item_is_analysed(full: tuple[Any, pd.DataFrame]) -> None:
    data, _ = full
    stats = item_stats(data.items, FULL)
    assert len(stats) == len(item_catalogue(FULL))
    assert data.respondents["participant_id"].tolist() == list(range(1, 20))  # submitted only
    assert stats["n_respondents"].max() == 19
    assert stats["score"].between(0, 100).all()
    dims = dimension_scores(stats, FULL)
    assert dims["dimension_id"].tolist() == [s.id for s in FULL.dimensions]
    assert dims["score"].between(0, 100).all()


def test_every_view_runs_on_the_full_questionnaire(full: tuple[Any, pd.DataFrame]) -> None:
    data, people = full
    stats = item_stats(data.items, FULL)
    comparisons = [
        compare_groups(data, FULL, by, min_group_size=3)
        for by in ("structure_kind", "role", "structure_id")
    ]
    assert all(len(c) > 0 for c in comparisons)
    assert set(borda(data.rankings, FULL)["question_id"]) == {
        "d1_politiques_prioritaires",
        "d3_besoins_prioritaires",
    }
    gaps = grid_gaps(grid_summary(data.grids, FULL))
    assert set(gaps["question_id"]) == {"d2_modes_mutualisation", "d3_relations_acteurs"}
    assert divergence(data.items, FULL, min_group_size=3)["divergent"].dtype == bool
    agreed = pd.DataFrame([{"question_id": "d1_diagnostic_partage", "level": 2, "target": 4}])
    values = collective_values(stats, FULL, agreed).set_index("question_id")
    assert values.loc["d1_diagnostic_partage", "source"] == "consensus"
    assert "ctx_structure" in set(collective_choices(data.choices, FULL)["question_id"])
    assert participation(people, by="structure")["invited"].sum() == 20
    profile = respondent_profile(data, FULL, 3, min_group_size=3)
    assert (profile["status"] == "ok").all()
    sections = {
        s.key: s
        for s in summary(
            apply_consensus(stats, FULL, agreed),
            FULL,
            n_respondents=19,
            min_answers=3,
            comparisons=comparisons,
        )
    }
    best, worst = sections["strongest"].lines, sections["weakest"].lines
    assert len(best) == 5 and len(worst) == 5 and not set(best) & set(worst)


def test_agreement_statements_stay_out_of_the_maturity_score() -> None:
    # In the short questionnaire, "Culture" only has statements on the agreement scale: it has
    # no maturity score, and its agreement index stands on its own.
    answers, people = territory(SHORT, n=6)
    data = tidy_responses(answers, people, SHORT)
    stats = item_stats(data.items, SHORT)
    dims = dimension_scores(stats, SHORT).set_index("dimension_id")
    assert dims.loc["d6_culture", "n_items"] == 0
    assert pd.isna(dims.loc["d6_culture", "score"])
    assert dims.drop(index="d6_culture")["n_items"].gt(0).all()
    index = agreement_index(stats, SHORT, min_answers=3).set_index("dimension_id")
    assert list(index.index) == ["d6_culture"]
    assert index.loc["d6_culture", "n_statements"] == 2
    assert 0 <= index.loc["d6_culture", "share_agree"] <= 1


def test_a_campaign_without_any_answer() -> None:
    people = pd.DataFrame(
        columns=[
            "participant_id",
            "role",
            "structure_id",
            "structure_name",
            "structure_kind",
            "started",
            "submitted",
        ]
    )
    data = tidy_responses(pd.DataFrame(), people, FULL)
    stats = item_stats(data.items, FULL)
    assert (stats["n"] == 0).all()
    assert dimension_scores(stats, FULL)["score"].isna().all()
    for by in ("structure_kind", "role", "structure_id"):
        assert compare_groups(data, FULL, by, min_group_size=3).empty
    assert (borda(data.rankings, FULL)["points"] == 0).all()
    assert grid_gaps(grid_summary(data.grids, FULL))["gap"].isna().all()
    assert participation(people).iloc[0]["invited"] == 0
    lines = [line for s in summary(stats, FULL, n_respondents=0, min_answers=3) for line in s.lines]
    assert lines[0] == "Synthèse établie à partir de 0 questionnaire envoyé."
