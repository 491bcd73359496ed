"""Answers: one row per participant and question, written by one statement (upsert_answer).

Every answer — the questionnaire's autosave, a paper import, the demo, the tests — is written
by the same INSERT … SELECT … ON CONFLICT statement, which checks in the base itself that the
participant may still answer. A person's first answer sets participant.started_at through the
trigger of migration 0004, inside that same statement: the trigger stays because without it
the autosave would need a second statement in its transaction (SQLite has no data-modifying
CTE), and on SQLite every write transaction holds the base's single write lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.questionnaire.codecs import NormalizedAnswer
from diagnostic.store.models import (
    Answer,
    Campaign,
    CampaignStatus,
    ConsensusScore,
    Participant,
    now,
)


class SubmittedError(StoreError):
    """The respondent already submitted: answers are read-only until reopened."""


@lru_cache(maxsize=1)
def _answers_statement() -> Any:
    """Built once: the questionnaire reads a person's answers at every click."""
    a = Answer.__table__.c  # type: ignore[attr-defined]
    return core_select(a.question_id, a.value).where(a.participant_id == bindparam("pid"))


def answers_of(session: Session, *, participant_id: int) -> dict[str, dict[str, Any]]:
    """A participant's answers by question id (plain rows)."""
    rows = session.connection().execute(_answers_statement(), {"pid": participant_id})
    return {qid: value for qid, value in rows}


def last_answered(session: Session, *, participant_id: int) -> str | None:
    """The question a participant answered (or changed) last, or None before any answer."""
    stmt = (
        select(Answer.question_id)
        .where(Answer.participant_id == participant_id)
        .order_by(col(Answer.updated_at).desc(), col(Answer.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def campaign_answers(session: Session, *, campaign_id: int) -> pd.DataFrame:
    """All answers of one campaign in long format (one territory: small enough in memory)."""
    stmt = (
        select(
            Answer.participant_id,
            Answer.question_id,
            Answer.questionnaire_version,
            Answer.value,
            Answer.dont_know,
            Answer.level,
            Answer.target,
            Answer.importance,
            Answer.updated_at,
        )
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
        .order_by(col(Answer.participant_id), col(Answer.question_id))
    )
    rows = session.exec(stmt).all()
    columns = [
        "participant_id",
        "question_id",
        "questionnaire_version",
        "value",
        "dont_know",
        "level",
        "target",
        "importance",
        "updated_at",
    ]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def campaign_fingerprint(session: Session, *, campaign_id: int) -> tuple[object, ...]:
    """Counts and latest timestamps of a campaign's answers, submissions and consensus."""
    answers = session.exec(
        select(func.count(col(Answer.id)), func.max(Answer.updated_at))
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
    ).one()
    people = session.exec(
        select(func.count(col(Participant.id)), func.count(col(Participant.submitted_at))).where(
            Participant.campaign_id == campaign_id
        )
    ).one()
    agreed = session.exec(
        select(func.count(col(ConsensusScore.id)), func.max(ConsensusScore.updated_at)).where(
            ConsensusScore.campaign_id == campaign_id
        )
    ).one()
    return (*answers, *people, *agreed)


def upsert_answer(
    bind: Connection | Session,
    *,
    participant_id: int,
    question_id: str,
    answer: NormalizedAnswer,
) -> None:
    """Store one answer (insert or replace) in one INSERT … ON CONFLICT statement.

    The row is written only while the participant has not submitted, has not been erased and
    the campaign is open; otherwise nothing is written and the reason is raised (StoreError,
    SubmittedError). The questionnaire id and version are the campaign's, set at the first
    write. A seminar room saves hundreds of answers a second: nothing is read back, only the
    count of rows written is kept. Given a session, the statement runs in its transaction,
    after its pending changes are flushed (a paper import stores all its answers or none).
    """
    if isinstance(bind, Session):
        bind.flush()
        conn = bind.connection()
    else:
        conn = bind
    params = {
        "participant_id": participant_id,
        "question_id": question_id,
        "value": answer.value,
        "dont_know": answer.dont_know,
        "level": answer.level,
        "target": answer.target,
        "importance": answer.importance,
        "updated_at": now(),
        "open": CampaignStatus.OPEN.value,
    }
    if conn.execute(_autosave_statement(conn.dialect.name), params).rowcount != 1:
        _refusal(conn, participant_id)


# How long an autosave waits for its turn before going to SQLite's own busy handler anyway.
TURN_TIMEOUT_S = 1.0
_TURNS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


@contextmanager
def autosave_connection(engine: Engine) -> Iterator[Connection]:
    """The connection an autosave writes through (upsert_answer: one statement).

    SQLite: a BEGIN IMMEDIATE transaction, taken in turn (autosave_turn). PostgreSQL: the
    statement in autocommit, as its own transaction (the trigger of migration 0004 runs inside
    it), which spares the separate BEGIN and COMMIT round trips of a transaction block.
    """
    if engine.dialect.name == "sqlite":
        with autosave_turn(engine), engine.begin() as conn:
            yield conn
        return
    with _GUARD:
        autocommit = _AUTOCOMMIT.get(engine)
        if autocommit is None:
            autocommit = _AUTOCOMMIT[engine] = engine.execution_options(
                isolation_level="AUTOCOMMIT"
            )
    with autocommit.connect() as conn:
        yield conn


@contextmanager
def autosave_turn(engine: Engine) -> Iterator[None]:
    """On SQLite, this process's autosaves take the base's write lock one at a time.

    SQLite has one write lock per base; a writer that finds it taken sleeps in SQLite's busy
    handler for 1, 2, 5, 10… ms before it looks again, even when the lock was freed a few
    microseconds later. With a room of respondents saving at once (one thread per session in
    a Streamlit process) those sleeps, not the writes, make the slow answers. Waiting here
    instead, on a lock of the process, wakes the next autosave as soon as the previous one has
    committed. Other writers (other pages, other processes) still meet SQLite's busy handler,
    as before; after TURN_TIMEOUT_S the autosave goes on without its turn (the base is then
    held elsewhere and the busy timeout applies).
    """
    with _GUARD:
        turn = _TURNS.setdefault(engine, threading.Lock())
    got = turn.acquire(timeout=TURN_TIMEOUT_S)
    try:
        yield
    finally:
        if got:
            turn.release()


_VALUES = ("value", "dont_know", "level", "target", "importance", "updated_at")
_STATEMENTS: dict[str, Any] = {}


def _autosave_statement(dialect: str) -> Any:
    """Built once per dialect: building an upsert costs more than running it."""
    if dialect not in _STATEMENTS:
        table = Answer.__table__  # type: ignore[attr-defined]
        c = table.c
        source = (
            core_select(
                bindparam("participant_id", type_=c.participant_id.type),
                bindparam("question_id", type_=c.question_id.type),
                col(Campaign.questionnaire_id),
                col(Campaign.questionnaire_version),
                *(bindparam(k, type_=c[k].type) for k in _VALUES),
            )
            .select_from(Participant)
            .join(Campaign, col(Campaign.id) == col(Participant.campaign_id))
            .where(
                col(Participant.id) == bindparam("participant_id"),
                col(Participant.submitted_at).is_(None),
                col(Participant.revoked_at).is_(None),
                col(Campaign.status) == bindparam("open"),
            )
        )
        names = ["participant_id", "question_id", "questionnaire_id", "questionnaire_version"]
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table).from_select([*names, *_VALUES], source)
        _STATEMENTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["participant_id", "question_id"],
            set_={k: stmt.excluded[k] for k in _VALUES},
        ).execution_options(preserve_rowcount=True)  # an INSERT's count is dropped otherwise
    return _STATEMENTS[dialect]


def _refusal(conn: Connection, participant_id: int) -> None:
    row = conn.execute(
        core_select(
            col(Participant.submitted_at), col(Participant.revoked_at), col(Campaign.status)
        )
        .join(Campaign, col(Campaign.id) == col(Participant.campaign_id))
        .where(col(Participant.id) == participant_id)
    ).first()
    if row is None or row.status != CampaignStatus.OPEN.value:
        raise StoreError("la campagne est close : les réponses ne sont plus modifiables")
    if row.revoked_at is not None:
        raise StoreError("vos réponses ont été effacées : ce lien n'est plus valable")
    raise SubmittedError("vos réponses ont été envoyées : elles ne sont plus modifiables")
