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


def record_on_campaign(
    session: Session, actor: str, action: str, campaign_id: int | None, **details: Any
) -> None:
    """An audit event about one campaign (target « campaign:ID », as the log filters read it)."""
    record(session, actor=actor, action=action, target=f"campaign:{campaign_id}", **details)


def recent_events(
    session: Session, *, limit: int = 200, actions: list[str] | None = None
) -> list[AuditEvent]:
    """The latest audit events, newest first (only the given actions when `actions` is set)."""
    stmt = select(AuditEvent)
    if actions:
        stmt = stmt.where(col(AuditEvent.action).in_(actions))
    stmt = stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
    return list(session.exec(stmt))


def event_actions(session: Session) -> list[str]:
    """Every action name present in the log, sorted (for the log page's filter)."""
    stmt = select(AuditEvent.action).distinct().order_by(col(AuditEvent.action))
    return list(session.exec(stmt))
