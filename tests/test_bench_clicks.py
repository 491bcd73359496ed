"""bench/questionnaire_clicks.py: the grid clicks it plans, and the demo answers it replays."""

from __future__ import annotations

from sqlmodel import select

from bench.questionnaire_clicks import demo_profile, grid_steps
from diagnostic.demo import load_demo, load_demo_file
from diagnostic.questionnaire.codecs import normalize
from diagnostic.questionnaire.registry import default_questionnaire
from diagnostic.store import answers
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import Participant
from tests.conftest import ROOT
from tests.test_codecs import MINI

GRID = MINI.question("act_grille")  # rows departement, region; today and desired


def test_a_grid_without_shortcuts_is_one_click_per_cell():
    raw = {
        "rows": {
            "departement": {"current": 2, "desired": 2},
            "region": {"current": 2, "desired": 2},
        }
    }
    assert grid_steps(GRID, raw, shortcuts=False) == [
        ("cell", "departement", "current"),
        ("cell", "departement", "desired"),
        ("cell", "region", "current"),
        ("cell", "region", "desired"),
    ]


def test_a_row_equal_to_the_complete_row_above_takes_the_same_answer_in_one_click():
    raw = {
        "rows": {
            "departement": {"current": 1, "desired": 3},
            "region": {"current": 1, "desired": 3},
        }
    }
    assert grid_steps(GRID, raw, shortcuts=True) == [
        ("cell", "departement", "current"),
        ("cell", "departement", "desired"),
        ("same", "region"),
    ]


def test_two_desired_levels_equal_to_today_wait_for_the_desired_button():
    raw = {
        "rows": {
            "departement": {"current": 2, "desired": 2},
            "region": {"current": 1, "desired": 1},
        }
    }
    assert grid_steps(GRID, raw, shortcuts=True) == [
        ("cell", "departement", "current"),
        ("cell", "region", "current"),  # the row above is not complete: no « même réponse »
        ("desired",),
    ]
    once = {
        "rows": {
            "departement": {"current": 2, "desired": 2},
            "region": {"current": "nsp", "desired": "nsp"},
        }
    }
    assert ("desired",) not in grid_steps(GRID, once, shortcuts=True)  # one only, « nsp » is not


def test_the_replayed_profile_is_what_the_demo_stores_for_its_first_respondent(tmp_path):
    questions = ROOT / "questions"
    q = default_questionnaire(questions)
    who, raw = demo_profile(q, questions)
    person = load_demo_file(questions).territories[0].participants[0]
    assert person.name and who.startswith(person.name)
    engine = build_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    load_demo(engine, questions)
    with session_scope(engine) as session:
        participant = session.exec(select(Participant).where(Participant.name == person.name)).one()
        stored = answers.answers_of(session, participant_id=participant.id)
    engine.dispose()
    assert stored == {qid: normalize(q, q.question(qid), v).value for qid, v in raw.items()}
