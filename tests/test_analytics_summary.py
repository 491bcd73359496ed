"""The French text summary written from the numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    apply_consensus,
    compare_groups,
    format_number,
    item_stats,
    summary,
    summary_text,
    tidy_responses,
)
from diagnostic.analytics.frames import Responses
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")
DEBAT = "« Les instances laissent de la place au débat contradictoire »"
CODIR = "« Une instance régulière réunit les directeurs généraux des communes et de l'EPCI »"


def tidy(rows: list[tuple[int, str, str, dict[str, Any]]]) -> Responses:
    """rows: (participant, structure_kind, question, value)."""
    kinds = {p: k for p, k, _, _ in rows}
    people = pd.DataFrame(
        [
            {
                "participant_id": p,
                "role": "dgs",
                "structure_id": 1 if k == "epci" else 10,
                "structure_name": k,
                "structure_kind": k,
                "started": True,
                "submitted": True,
            }
            for p, k in kinds.items()
        ]
    )
    answers = pd.DataFrame(
        [
            {
                "participant_id": p,
                "question_id": q,
                "questionnaire_version": "1",
                "value": v,
                "dont_know": bool(v.get("dont_know")),
            }
            for p, _, q, v in rows
        ]
    )
    return tidy_responses(answers, people, MINI)


def ct(current: int) -> dict[str, int]:
    return {"current": current, "target": 4, "importance": 2}


# ins_debat: 2, 3, 3, 5 + one "Je ne sais pas" (score 56.25, A = 1/3: partagé)
# ins_codir: 1, 2, 3 (score 25; A = 0.5: consensus)
EXAMPLE = tidy(
    [
        (1, "commune", "ins_debat", {"level": 2}),
        (2, "commune", "ins_debat", {"level": 3}),
        (3, "commune", "ins_debat", {"level": 3}),
        (4, "commune", "ins_debat", {"level": 5}),
        (5, "commune", "ins_debat", {"dont_know": True}),
        (1, "commune", "ins_codir", ct(1)),
        (2, "commune", "ins_codir", ct(2)),
        (3, "commune", "ins_codir", ct(3)),
    ]
)
STATS = item_stats(EXAMPLE.items, MINI)


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (62.5, 0, "63"),  # halves go up
        (56.25, 0, "56"),
        (0.125, 2, "0,13"),
        (-5 / 12, 2, "-0,42"),
        (-0.001, 0, "0"),
        (1.0897, 1, "1,1"),
        (100.0, 0, "100"),
    ],
)
def test_format_number(value: float, digits: int, text: str) -> None:
    assert format_number(value, digits) == text


def test_summary_by_hand() -> None:
    sections = {s.key: s for s in summary(STATS, MINI, n_respondents=5, min_answers=3)}
    assert sections["intro"].lines == ("Synthèse établie à partir de 5 questionnaires envoyés.",)
    # two scored items: the better one is "best", the other "worst", never both
    assert sections["strongest"].lines == (
        f"{DEBAT} : 56/100 (4 réponses ; « Je ne sais pas » : 20 %).",
    )
    assert sections["weakest"].lines == (f"{CODIR} : 25/100 (3 réponses).",)
    assert sections["divergent"].lines == (
        f"{DEBAT} : avis partagé (indice d'accord A = 0,33 ; réponses du niveau 2 au niveau 5, "
        "écart-type 1,1).",
    )
    assert sections["blind_spots"].lines == (
        "Aucun groupe ne se distingue des autres de 25 points ou plus.",
    )


def test_summary_leaves_out_items_too_few_answered() -> None:
    sections = {s.key: s for s in summary(STATS, MINI, n_respondents=5, min_answers=5)}
    assert sections["strongest"].lines == ("Aucun item n'a encore reçu de niveau.",)
    assert sections["divergent"].lines == ("Aucun item ne fait apparaître de désaccord marqué.",)


def test_summary_says_when_a_consensus_value_is_used() -> None:
    agreed = pd.DataFrame([{"question_id": "ins_debat", "level": 2, "target": None}])
    used = apply_consensus(STATS, MINI, agreed)
    sections = {s.key: s for s in summary(used, MINI, n_respondents=5, min_answers=5)}
    # ins_debat's agreed level 2 -> 25 points; cited even if few answered: it is the team's
    assert sections["strongest"].lines == (f"{DEBAT} : 25/100 (valeur de consensus).",)


def test_an_item_settled_in_consensus_no_longer_counts_among_the_divergent() -> None:
    agreed = pd.DataFrame([{"question_id": "ins_debat", "level": 2, "target": None}])
    used = apply_consensus(STATS, MINI, agreed)
    sections = {s.key: s for s in summary(used, MINI, n_respondents=5, min_answers=3)}
    assert sections["divergent"].lines == (
        f"{DEBAT} : avis partagé au départ, tranché en réunion de consensus (niveau 2).",
    )


def test_summary_angles_morts() -> None:
    data = tidy(
        [(p, "epci", "ins_debat", {"level": 5}) for p in (1, 2, 3)]
        + [(p, "commune", "ins_debat", {"level": 2}) for p in (4, 5, 6)]
    )
    stats = item_stats(data.items, MINI)
    comparison = compare_groups(data, MINI, "structure_kind", min_group_size=3)
    sections = {
        s.key: s
        for s in summary(stats, MINI, n_respondents=6, min_answers=3, comparisons=[comparison])
    }
    # EPCI 5 -> 100, communes 2 -> 25: one line per item, not one per side
    assert sections["blind_spots"].lines == (
        f"{DEBAT} : Intercommunalité 100/100, autres répondants 25/100 (écart de 75 points).",
    )


def test_summary_text_layout() -> None:
    text = summary_text(summary(STATS, MINI, n_respondents=1, min_answers=1))
    assert text.startswith("Synthèse établie à partir de 1 questionnaire envoyé.\n\n")
    assert "\n\nLes items les mieux notés\n- « Les instances" in text
