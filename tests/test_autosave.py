"""record_answer's one-statement autosave keeps save_answer's rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from diagnostic.permissions import Actor
from diagnostic.questionnaire import load_questionnaire
from diagnostic.respondent import record_answer
from diagnostic.store import answers, campaigns
from diagnostic.store.answers import SubmittedError
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Answer, Participant
from diagnostic.store.territories import StoreError
from tests.conftest import FIXTURES
from tests.factories import make_world

Q = load_questionnaire(FIXTURES / "mini.yaml")


def actor(world, i: int = 0) -> Actor:
    p = world.participants[i]
    return Actor(kind="respondent", participant_id=p.id, campaign_id=world.campaign_id)


def test_insert_then_update_keeps_one_row_with_version_and_start(engine):
    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    record_answer(engine, actor(world), Q, pid, "ins_codir", {"current": 2, "target": 4})
    with session_scope(engine) as s:
        started = s.get(Participant, pid).started_at
        assert started is not None
    record_answer(engine, actor(world), Q, pid, "ins_codir", {"current": 3, "target": 5})
    with session_scope(engine) as s:
        rows = s.exec(select(Answer).where(Answer.participant_id == pid)).all()
        assert len(rows) == 1
        row = rows[0]
        assert row.value == {"current": 3, "target": 5, "importance": None}
        assert (row.level, row.target, row.questionnaire_id, row.questionnaire_version) == (
            3,
            5,
            "mini",
            "1",
        )
        assert s.get(Participant, pid).started_at == started  # set once, at the first answer
        assert s.get(Participant, world.participants[1].id).started_at is None


def test_refused_after_submission_and_when_the_campaign_is_closed(engine):
    world = make_world(engine, n_participants=2)
    first, second = (p.id for p in world.participants)
    with session_scope(engine) as s:
        campaigns.mark_submitted(s, participant_id=first)
    with pytest.raises(SubmittedError, match="ont été envoyées"):
        record_answer(engine, actor(world, 0), Q, first, "ins_debat", {"level": 2})
    with session_scope(engine) as s:
        campaigns.set_status(s, campaign_id=world.campaign_id, status="closed", actor="test")
    with pytest.raises(StoreError, match="la campagne est close"):
        record_answer(engine, actor(world, 1), Q, second, "ins_debat", {"level": 2})
    with session_scope(engine) as s:
        assert s.exec(select(Answer)).all() == []


def test_many_respondents_at_once_lose_nothing(engine):
    world = make_world(engine, n_participants=8)
    errors: list[BaseException] = []

    def respondent(i: int) -> None:
        pid = world.participants[i].id
        try:
            for k in range(20):
                record_answer(engine, actor(world, i), Q, pid, "ins_debat", {"level": 1 + k % 5})
                record_answer(engine, actor(world, i), Q, pid, "act_libre", {"text": f"n° {k}"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=respondent, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as s:
        for p in world.participants:
            assert answers.answers_of(s, participant_id=p.id) == {
                "ins_debat": {"level": 5},
                "act_libre": {"text": "n° 19"},
            }
