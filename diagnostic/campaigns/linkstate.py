"""What the participation table says of each link and of each e-mail (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from diagnostic.exports import DATE_FORMAT, local_time
from diagnostic.store.models import InvitationMessage, MessageKind, MessageStatus, Participant

REASON_SHOWN = 120


def _when(stamp: datetime) -> str:
    return local_time(stamp).strftime(DATE_FORMAT)


def link_state(p: Participant) -> str:
    """« ouvert le … », « renouvelé le … » or « créé le … » (the link in force); « — » once
    the person's data were erased (the link is dead)."""
    if p.revoked_at is not None:
        return "—"
    if p.opened_at is not None:
        return f"ouvert le {_when(p.opened_at)}"
    issued = p.link_issued_at or p.created_at
    if p.link_version is not None and p.link_version > 1:
        return f"renouvelé le {_when(issued)}"
    return f"créé le {_when(issued)}"


def mail_state(p: Participant, last: InvitationMessage | None) -> str:
    """The last e-mail: « invitation envoyée le … », « relancé·e le … », « échec d'envoi :
    <server's reply> »; « pas d'adresse » or « — » (an address, nothing sent yet)."""
    if p.revoked_at is not None:
        return "—"
    if last is None:
        return "—" if p.email else "pas d'adresse"
    if last.status == MessageStatus.FAILED:
        reason = last.reason or "raison inconnue"
        if len(reason) > REASON_SHOWN:
            reason = reason[: REASON_SHOWN - 1] + "…"
        return f"échec d'envoi : {reason}"
    if last.kind == MessageKind.REMINDER:
        return f"relancé·e le {_when(last.at)}"
    return f"invitation envoyée le {_when(last.at)}"


def last_messages(rows: Iterable[InvitationMessage]) -> dict[int, InvitationMessage]:
    """The latest message of each participant (rows oldest first, as the store returns them)."""
    return {row.participant_id: row for row in rows}
