"""The one write of answers (store.answers.upsert_answer, one statement) keeps its rules, on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.answering.respondent import record_answer
from diagnostic.errors import StoreError
from diagnostic.privacy import service as privacy
from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import answers, campaigns
from diagnostic.store.answers import SubmittedError
from diagnostic.store.engine import alembic_config, session_scope
from diagnostic.store.models import Answer, Participant
from tests.conftest import FIXTURES
from tests.factories import make_world, store_answers

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


def test_an_erased_respondent_is_refused_and_stays_not_started(engine):
    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 2})
    assert privacy.erase_my_data(engine, actor(world), pid) == 1
    # a page left open on another device still holds the old actor
    with pytest.raises(StoreError, match="vos réponses ont été effacées"):
        record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 3})
    with session_scope(engine) as s:
        assert s.exec(select(Answer)).all() == []
        assert s.get(Participant, pid).started_at is None


# --- the trigger of migration 0004: participant.started_at at the first answer -------------


def trigger_names(engine) -> set[str]:
    if engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'answer'"
    else:
        sql = (
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'answer'::regclass AND NOT tgisinternal"
        )
    with engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


def started_at(engine, pid: int):
    with session_scope(engine) as s:
        return s.get(Participant, pid).started_at


def test_the_trigger_is_there_at_head_and_goes_with_a_downgrade(engine):
    assert trigger_names(engine) == {"answer_starts_participant"}
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0003")
    assert trigger_names(engine) == set()
    command.upgrade(cfg, "head")
    assert trigger_names(engine) == {"answer_starts_participant"}


def test_the_first_inserted_answer_sets_started_at_to_its_own_time(engine):
    """Any insert of an answer starts the person (the app's one write, a bare INSERT), with
    the answer's updated_at; later inserts and updates leave the date alone."""
    world = make_world(engine, n_participants=2)
    pid, other = (p.id for p in world.participants)
    assert started_at(engine, pid) is None
    record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 2})
    with session_scope(engine) as s:
        first = s.exec(select(Answer).where(Answer.participant_id == pid)).one().updated_at
    assert started_at(engine, pid) == first
    record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 4})  # an update
    record_answer(engine, actor(world), Q, pid, "act_libre", {"text": "plus tard"})  # an insert
    assert started_at(engine, pid) == first
    assert started_at(engine, other) is None  # only the author's row
    with engine.begin() as conn:  # a bare INSERT, outside the app, starts the person too
        conn.execute(
            Answer.__table__.insert().values(
                participant_id=other,
                question_id="ins_debat",
                questionnaire_id="mini",
                questionnaire_version="1",
                value={"level": 1},
                dont_know=False,
                updated_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            )
        )
    assert started_at(engine, other) == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_refused_answers_do_not_start_anyone(engine):
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    with session_scope(engine) as s:
        campaigns.set_status(s, campaign_id=world.campaign_id, status="closed", actor="test")
    with pytest.raises(StoreError, match="la campagne est close"):
        record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 2})
    assert started_at(engine, pid) is None


def test_one_person_answering_from_several_tabs_at_once_is_started_once(engine):
    """Concurrent first answers of one person (several tabs): no deadlock, no error, every
    answer stored, and the person started."""
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def tab(text_: str) -> None:
        try:
            barrier.wait()
            record_answer(engine, actor(world), Q, pid, "act_libre", {"text": text_})
            record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 3})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tab, args=(f"onglet {i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as s:
        rows = s.exec(select(Answer).where(Answer.participant_id == pid)).all()
        assert sorted(r.question_id for r in rows) == ["act_libre", "ins_debat"]
        assert s.get(Participant, pid).started_at is not None


def test_connections_go_back_to_the_pool_transactional(engine):
    """On PostgreSQL the autosave runs its one statement in autocommit: the pooled connection
    must come back as it was, so that every other transaction is still rolled back whole."""
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    for level in range(1, 6):
        record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": level})
    with pytest.raises(RuntimeError, match="annulé"), session_scope(engine) as s:
        store_answers(s, Q, pid, {"act_libre": {"text": "brouillon"}})
        s.flush()
        raise RuntimeError("annulé")
    with session_scope(engine) as s:
        assert answers.answers_of(s, participant_id=pid) == {"ins_debat": {"level": 5}}


def test_resume_section_is_the_part_of_the_answer_written_last(engine):
    """A new visit opens the part of the question answered (or changed) last, by the time the
    autosave wrote it; only the respondent may ask."""
    from diagnostic.answering.respondent import resume_section
    from diagnostic.errors import AccessDenied

    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    assert resume_section(engine, actor(world), Q, pid) is None
    record_answer(engine, actor(world), Q, pid, "ctx_structure", {"choice": "epci"})
    record_answer(engine, actor(world), Q, pid, "act_libre", {"text": "plus loin"})
    assert resume_section(engine, actor(world), Q, pid) == "acteurs"
    record_answer(engine, actor(world), Q, pid, "ins_debat", {"level": 2})
    assert resume_section(engine, actor(world), Q, pid) == "instances"
    record_answer(engine, actor(world), Q, pid, "act_libre", {"text": "changé"})  # an update
    assert resume_section(engine, actor(world), Q, pid) == "acteurs"
    assert resume_section(engine, actor(world, 1), Q, world.participants[1].id) is None
    with pytest.raises(AccessDenied):
        resume_section(engine, actor(world, 1), Q, pid)
