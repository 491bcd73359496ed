"""Audit log of sensitive actions."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from diagnostic.store.models import AuditEvent


def record(
    session: Session, *, actor: str, action: str, target: str | None = None, **details: Any
) -> None:
    """Add an audit event to the current transaction."""
    session.add(AuditEvent(actor=actor, action=action, target=target, details=details))


def recent_events(session: Session, *, limit: int = 200) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.at).desc()).limit(limit)
    return list(session.exec(stmt))
