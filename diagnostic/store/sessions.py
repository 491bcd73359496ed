"""Accounts' server-side sessions: opened at sign-in, touched, ended (see `UserSession`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from diagnostic.store.models import UserSession, now
from diagnostic.store.rows import inserted


def aware(moment: datetime) -> datetime:
    """A stored moment as a timezone-aware UTC datetime (SQLite returns naive ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def open_session(session: Session, *, user_id: int, id_hash: str) -> UserSession:
    return inserted(session, UserSession(user_id=user_id, id_hash=id_hash))


def by_hash(session: Session, *, id_hash: str) -> UserSession | None:
    return session.exec(select(UserSession).where(UserSession.id_hash == id_hash)).first()


def touch(session: Session, row: UserSession, *, at: datetime) -> None:
    row.last_seen_at = at
    session.add(row)


def end(session: Session, row: UserSession, *, reason: str, at: datetime | None = None) -> None:
    """End one session (kept, with when and why, until it is purged with its account)."""
    if row.revoked_at is None:
        row.revoked_at = at or now()
        row.reason = reason
        session.add(row)


def end_all(session: Session, *, user_id: int, reason: str) -> int:
    """End every open session of an account (password changed, account deactivated)."""
    result = session.execute(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now(), reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_sessions(session: Session, *, user_id: int) -> list[UserSession]:
    """The sessions of an account that were not ended (expired ones included)."""
    stmt = select(UserSession).where(
        UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
    )
    return list(session.exec(stmt))


def purge(session: Session, *, before: datetime) -> int:
    """Forget the sessions ended, or last used, before `before` (of every account)."""
    result = session.execute(
        delete(UserSession).where(
            or_(col(UserSession.revoked_at) < before, col(UserSession.last_seen_at) < before)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
