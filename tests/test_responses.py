"""Answer validation, display conditions and progress (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostic.answering.responses import progress, visible_questions
from diagnostic.questionnaire import load_questionnaire
from diagnostic.questionnaire.codecs import (
    DONT_KNOW,
    AnswerError,
    clean_text,
    is_answered,
    normalize,
)

Q = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")


def norm(qid, raw):
    return normalize(Q, Q.question(qid), raw)


def test_maturity_level_is_stored_as_number():
    a = norm("ins_debat", {"level": 4})
    assert (a.value, a.level, a.dont_know) == ({"level": 4}, 4, False)


def test_current_target_keeps_partial_answers():
    a = norm("ins_codir", {"current": 2, "target": None, "importance": None})
    assert (a.level, a.target) == (2, None)
    assert not is_answered(Q.question("ins_codir"), a.value)
    full = norm("ins_codir", {"current": 2, "target": 4, "importance": 3})
    assert (full.level, full.target, full.importance) == (2, 4, 3)
    assert is_answered(Q.question("ins_codir"), full.value)


@pytest.mark.parametrize(
    ("qid", "raw", "message"),
    [
        ("ins_debat", {"level": 6}, "hors de l'échelle"),
        ("ins_debat", {"level": True}, "hors de l'échelle"),
        ("ins_codir", {"current": 2, "target": 0}, "niveau visé"),
        ("ins_codir", {"current": 2, "importance": 4}, "importance"),
        ("ctx_structure", {"choice": "mairie"}, "choix inconnu"),
        ("ctx_structure", {"dont_know": True}, "n'est pas proposé"),
        ("ctx_outils", {"choices": ["pacte", "pacte"]}, "deux fois"),
        (
            "act_priorites",
            {"ranking": ["mobilites", "habitat", "economie", "transition"]},
            "au plus 3",
        ),
        ("act_grille", {"rows": {"mairie": {"current": 1}}}, "ligne inconnue"),
        ("act_grille", {"rows": {"region": {"current": 9}}}, "hors de l'échelle"),
        ("act_libre", {"text": "x" * 501}, "dépasse 500"),
        ("act_libre", "pas un dictionnaire", "mal formée"),
    ],
)
def test_bad_answers_are_refused_in_french(qid, raw, message):
    with pytest.raises(AnswerError, match=message):
        norm(qid, raw)


def test_dont_know_is_counted_as_answered_but_carries_no_level():
    a = norm("ins_codir", {"dont_know": True})
    assert a.dont_know and a.level is None and a.target is None
    assert is_answered(Q.question("ins_codir"), a.value)


def test_grid_accepts_dont_know_cells_and_needs_every_row():
    a = norm("act_grille", {"rows": {"departement": {"current": 2, "desired": DONT_KNOW}}})
    assert not is_answered(Q.question("act_grille"), a.value)
    both = norm(
        "act_grille",
        {
            "rows": {
                "departement": {"current": 2, "desired": 3},
                "region": {"current": 0, "desired": 1},
            }
        },
    )
    assert is_answered(Q.question("act_grille"), both.value)


def test_clean_text_strips_control_characters_but_keeps_line_breaks():
    assert clean_text("  a\x00b\u200bc\nd\te  ", 100) == "abc\nd e"


def test_ranking_is_answered_when_top_n_chosen():
    assert not is_answered(Q.question("act_priorites"), {"ranking": ["habitat"]})
    assert is_answered(
        Q.question("act_priorites"), {"ranking": ["habitat", "mobilites", "economie"]}
    )


def test_show_if_hides_commune_size_for_epci_respondents():
    ids = [q.id for q in visible_questions(Q, {"ctx_structure": {"choice": "epci"}})]
    assert "ctx_commune_taille" not in ids
    ids = [q.id for q in visible_questions(Q, {"ctx_structure": {"choice": "commune"}})]
    assert "ctx_commune_taille" in ids
    assert "ctx_commune_taille" not in [q.id for q in visible_questions(Q, {})]


def test_progress_counts_shown_questions_and_missing_required():
    state = progress(Q, {})
    assert state.answered == 0
    assert state.total == len(Q.questions()) - 1  # the conditional question is hidden
    answers = {
        "ctx_structure": {"choice": "epci"},
        "ins_codir": {"current": 2, "target": 3, "importance": 2},
        "ins_debat": {"dont_know": True},
        "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
        "act_grille": {
            "rows": {
                "departement": {"current": 1, "desired": 2},
                "region": {"current": 0, "desired": 0},
            }
        },
    }
    state = progress(Q, answers)
    assert state.complete  # optional questions may stay empty
    assert state.answered == 5 and state.total == 7
    answers["ctx_structure"] = {"choice": "commune"}
    state = progress(Q, answers)
    assert [q.id for q in state.missing_required] == ["ctx_commune_taille"]
