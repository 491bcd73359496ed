"""Invitation links by version, e-mail addresses, the message template and the sending log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from diagnostic.accounts.security import derived_token, hash_token
from diagnostic.errors import StoreError
from diagnostic.store.audit import record, record_on_campaign
from diagnostic.store.models import (
    Campaign,
    InvitationMessage,
    MessageKind,
    MessageStatus,
    Participant,
    now,
)

REASON_LENGTH = 500


def issue_link(participant: Participant, secret: bytes) -> str:
    """Give the participant the next link (version + 1; the first for a new or a legacy random
    link) and return its token. The previous link stops working: its hash is replaced. The
    participant needs an id (flushed) and is not added to the session here."""
    assert participant.id is not None
    participant.link_version = (participant.link_version or 0) + 1
    token = derived_token(secret, participant.id, participant.link_version)
    participant.token_hash = hash_token(token)
    participant.link_issued_at = now()
    participant.opened_at = None  # the new link has not been opened yet
    return token


def current_token(participant: Participant, secret: bytes) -> str | None:
    """The token of the link in force, recomputed; None for a random link issued before
    migration 0010 (it cannot be recomputed: only a new link can be sent)."""
    if participant.link_version is None or participant.id is None:
        return None
    return derived_token(secret, participant.id, participant.link_version)


def adopt_next_link(session: Session, *, participant_id: int, secret: bytes) -> str | None:
    """Replace a legacy random link by the first derived one, only if it is still the legacy
    one (one conditional UPDATE: a link re-issued meanwhile is left alone). Returns the new
    token, or None when the participant's link was changed in between."""
    token = derived_token(secret, participant_id, 1)
    done = session.execute(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.link_version).is_(None))
        .values(link_version=1, token_hash=hash_token(token), link_issued_at=now(), opened_at=None)
    )
    return token if done.rowcount == 1 else None  # type: ignore[attr-defined]


def mark_opened(session: Session, *, participant_id: int) -> None:
    """Note the first opening of the link in force (no write once it is noted)."""
    session.execute(
        update(Participant)
        .where(col(Participant.id) == participant_id, col(Participant.opened_at).is_(None))
        .values(opened_at=now())
    )


def set_email(session: Session, *, participant_id: int, email: str | None, actor: str) -> None:
    """Set or remove a participant's address (already checked and normalised by the caller)."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    if participant.revoked_at is not None:
        raise StoreError("les données de cette personne ont été effacées")
    participant.email = email or None
    session.add(participant)
    record(  # never the address itself: the audit log is not a directory
        session,
        actor=actor,
        action="participant.email",
        target=f"participant:{participant_id}",
        campaign_id=participant.campaign_id,
        email=bool(email),
    )


def set_invitation_text(
    session: Session,
    *,
    campaign_id: int,
    template: str | None,
    deadline: date | None,
    actor: str,
) -> Campaign:
    """Keep the campaign's message (None: the default text) and its answer deadline."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    campaign.invitation_template = template
    campaign.answer_deadline = deadline
    session.add(campaign)
    record_on_campaign(session, actor, "campaign.invitation_text", campaign_id)
    return campaign


def log_message(
    session: Session,
    *,
    participant_id: int,
    kind: str,
    link_version: int | None,
    failure: str | None = None,
) -> InvitationMessage:
    """Log a message: sent (no failure) or refused with the server's reply."""
    if kind not in set(MessageKind):
        raise StoreError(f"type de message inconnu : {kind}")
    row = InvitationMessage(
        participant_id=participant_id,
        kind=kind,
        link_version=link_version,
        status=MessageStatus.FAILED if failure is not None else MessageStatus.SENT,
        reason=None if failure is None else failure[:REASON_LENGTH],
    )
    session.add(row)
    session.flush()
    return row


def sent_before(
    session: Session,
    *,
    participant_id: int,
    kind: str,
    link_version: int | None,
    since: datetime | None = None,
) -> bool:
    """Whether a message of this kind carrying this link went out (after `since` if given)."""
    stmt = select(InvitationMessage.id).where(
        InvitationMessage.participant_id == participant_id,
        InvitationMessage.kind == kind,
        InvitationMessage.status == MessageStatus.SENT,
        InvitationMessage.link_version == link_version,
    )
    if since is not None:
        stmt = stmt.where(col(InvitationMessage.at) >= since)
    return session.exec(stmt.limit(1)).first() is not None


def messages_of(session: Session, *, campaign_id: int) -> list[InvitationMessage]:
    """Every message logged for the campaign's participants, oldest first."""
    stmt = (
        select(InvitationMessage)
        .join(Participant, col(Participant.id) == col(InvitationMessage.participant_id))
        .where(Participant.campaign_id == campaign_id)
        .order_by(col(InvitationMessage.at), col(InvitationMessage.id))
    )
    return list(session.exec(stmt))


def forget_messages(session: Session, *, participant_ids: Any) -> None:
    """Delete the log of these participants (a list of ids or a select of them): erasure and
    purge, since a server's reply may quote the address."""
    session.execute(
        delete(InvitationMessage).where(col(InvitationMessage.participant_id).in_(participant_ids))
    )
