"""bench/questionnaire_clicks.py: the grid clicks it plans, and the demo answers it replays."""

from __future__ import annotations

import pytest
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


CELL_D, CELL_R = ("cell", "departement"), ("cell", "region")


@pytest.mark.parametrize(
    ("departement", "region", "shortcuts", "steps"),
    [
        # without shortcuts: one click per cell
        (
            (2, 2),
            (2, 2),
            False,
            [
                (*CELL_D, "current"),
                (*CELL_D, "desired"),
                (*CELL_R, "current"),
                (*CELL_R, "desired"),
            ],
        ),
        # a row equal to the complete row above: « même réponse », one click
        ((1, 3), (1, 3), True, [(*CELL_D, "current"), (*CELL_D, "desired"), ("same", "region")]),
        # two desired levels equal to today wait for the desired button (so the row above is
        # not complete when the second row comes: no « même réponse »)
        ((2, 2), (1, 1), True, [(*CELL_D, "current"), (*CELL_R, "current"), ("desired",)]),
        # one only (« nsp » today is not copied): no desired button
        (
            (2, 2),
            ("nsp", "nsp"),
            True,
            [
                (*CELL_D, "current"),
                (*CELL_D, "desired"),
                (*CELL_R, "current"),
                (*CELL_R, "desired"),
            ],
        ),
    ],
)
def test_the_clicks_planned_for_a_grid(departement, region, shortcuts, steps):
    raw = {
        "rows": {
            "departement": dict(zip(("current", "desired"), departement, strict=True)),
            "region": dict(zip(("current", "desired"), region, strict=True)),
        }
    }
    assert grid_steps(GRID, raw, shortcuts=shortcuts) == steps


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
