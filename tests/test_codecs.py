"""One codec per question type: the questionnaire's widgets show a stored answer and give it
back, untouched widgets make a valid unanswered answer, and widget keys never collide."""

from __future__ import annotations

import pytest

from diagnostic.questionnaire import QuestionType, load_questionnaire
from diagnostic.questionnaire.codecs import CODECS, codec_for, is_answered, normalize
from tests.conftest import FIXTURES, ROOT

MINI = load_questionnaire(FIXTURES / "mini.yaml")
SHIPPED = [
    load_questionnaire(path) for path in sorted((ROOT / "questions" / "questionnaires").glob("*"))
]
STORED = {
    "ctx_structure": {"choice": "epci"},
    "ctx_outils": {"choices": ["pacte", "codir"]},
    "ins_codir": {"current": 2, "target": 4, "importance": 3},
    "ins_debat": {"level": 3},
    "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
    "act_grille": {
        "rows": {"departement": {"current": 1, "desired": 3}, "region": {"current": "nsp"}}
    },
    "act_libre": {"text": "Une remarque."},
}


def test_every_question_type_has_its_codec():
    assert set(CODECS) == set(QuestionType)
    assert all(c.label for c in CODECS.values())


@pytest.mark.parametrize("qid", [*STORED, "dk:ins_codir", "dk:ins_debat"])
def test_the_widgets_show_a_stored_answer_and_give_it_back(qid):
    qid, raw = (qid[3:], {"dont_know": True}) if qid.startswith("dk:") else (qid, STORED[qid])
    question = MINI.question(qid)
    codec = codec_for(question)
    stored = normalize(MINI, question, raw).value
    assert is_answered(question, stored) or qid == "act_grille"  # a grid cell left empty
    again = codec.answer(question, codec.widgets(question, stored))
    assert normalize(MINI, question, again).value == stored


@pytest.mark.parametrize("question", MINI.questions(), ids=lambda q: q.type.value)
def test_untouched_widgets_make_a_valid_unanswered_answer(question):
    codec = codec_for(question)
    untouched = {key: None for key in codec.widgets(question, {})}
    stored = normalize(MINI, question, codec.answer(question, untouched)).value
    assert not is_answered(question, stored)


@pytest.mark.parametrize("questionnaire", [MINI, *SHIPPED], ids=lambda q: q.id)
def test_widget_keys_are_unique_in_a_questionnaire(questionnaire):
    keys = [k for q in questionnaire.questions() for k in codec_for(q).widgets(q, {})]
    assert len(keys) == len(set(keys))


def test_a_grid_row_takes_the_answer_of_the_row_above_only_when_it_has_one():
    grid = MINI.question("act_grille")
    codec = codec_for(grid)
    first, second, *_ = [r.id for r in grid.rows or []]
    key = codec.key
    widgets = codec.widgets(grid, {"rows": {first: {"current": 1, "desired": 3}}})
    assert codec.same_as_previous(grid, widgets, second) == {
        key(grid, second, "current"): 1,
        key(grid, second, "desired"): 3,
    }
    assert codec.same_as_previous(grid, widgets, first) == {}  # no row above the first
    half = codec.widgets(grid, {"rows": {first: {"current": 1}}})
    assert codec.same_as_previous(grid, half, second) == {}  # the row above is not complete
    copied = {**widgets, **codec.same_as_previous(grid, widgets, second)}
    assert normalize(MINI, grid, codec.answer(grid, copied)).value == {
        "rows": {first: {"current": 1, "desired": 3}, second: {"current": 1, "desired": 3}}
    }


def test_the_desired_column_takes_today_only_where_it_is_empty_and_today_is_a_level():
    grid = MINI.question("act_grille")
    codec = codec_for(grid)
    key = codec.key
    stored = {"rows": {"departement": {"current": 2}, "region": {"current": "nsp"}}}
    assert codec.desired_as_current(grid, codec.widgets(grid, stored)) == {
        key(grid, "departement", "desired"): 2  # « nsp » today is not copied
    }
    kept = {"rows": {"departement": {"current": 2, "desired": 4}, "region": {"current": 1}}}
    assert codec.desired_as_current(grid, codec.widgets(grid, kept)) == {
        key(grid, "region", "desired"): 1  # a desired level already given is kept
    }
