"""Bulk write of imported paper answers: all of them in the caller's transaction, or none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from diagnostic.answering.paper import ImportedAnswer, ParticipantState
from diagnostic.errors import StoreError
from diagnostic.store.answers import upsert_answer
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.models import Campaign, CampaignStatus, Participant, now


def participant_states(session: Session, *, ids: Iterable[int]) -> dict[int, ParticipantState]:
    """Campaign, submission and erasure of the participants named in an import file."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(Participant).where(col(Participant.id).in_(wanted)))
    return {
        p.id: ParticipantState(
            campaign_id=p.campaign_id,
            submitted=p.submitted_at is not None,
            erased=p.revoked_at is not None,
        )
        for p in rows
        if p.id is not None
    }


def import_answers(
    session: Session,
    *,
    campaign_id: int,
    answers: Sequence[ImportedAnswer],
    actor: str,
    source: str,
    submit: bool = False,
) -> int:
    """Store validated answers (insert or replace); with `submit`, mark their authors submitted.

    Every participant is checked again (same campaign and not erased here, not submitted by
    upsert_answer, the one write of answers): any refusal raises and the caller's transaction
    stores nothing.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError(f"campagne {campaign_id} introuvable")
    if campaign.status == CampaignStatus.CLOSED:
        raise StoreError(
            f"la campagne {campaign_id} est close : rouvrez-la (page « Campagnes ») avant "
            "d'importer des réponses"
        )
    states = participant_states(session, ids=[a.participant_id for a in answers])
    for pid in sorted({a.participant_id for a in answers}):
        state = states.get(pid)
        if state is None or state.campaign_id != campaign_id or state.erased:
            raise StoreError(f"participant·e {pid} absent·e de la campagne {campaign_id}")
    for item in answers:
        upsert_answer(
            session,
            participant_id=item.participant_id,
            question_id=item.question_id,
            answer=item.answer,
        )
    people = sorted({a.participant_id for a in answers})
    if submit:
        for pid in people:
            participant = session.get(Participant, pid)
            assert participant is not None
            participant.submitted_at = now()
            session.add(participant)
    record_on_campaign(
        session,
        actor,
        "answers.import",
        campaign_id,
        source=source,
        answers=len(answers),
        participants=len(people),
        submitted=submit,
    )
    session.flush()
    return len(answers)
