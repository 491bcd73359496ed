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
