"""Personal data in storage: erasing a respondent or a campaign, purging expired campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from diagnostic.security import hash_token, new_token
from diagnostic.store.audit import record
from diagnostic.store.models import (
    Answer,
    BenchmarkScore,
    Campaign,
    CampaignStatus,
    ConsensusScore,
    Participant,
    RoadmapItem,
    WorkshopCampaign,
    WorkshopVote,
    now,
)
from diagnostic.store.territories import StoreError


def participant_answers(session: Session, *, participant_id: int) -> list[Answer]:
    """A participant's stored answer rows (value, version, last change)."""
    stmt = select(Answer).where(Answer.participant_id == participant_id)
    return list(session.exec(stmt.order_by(col(Answer.question_id))))


def _anonymize(participant: Participant) -> None:
    """Remove the name and make the link unusable for good (a fresh random hash replaces it)."""
    participant.name = None
    participant.token_hash = hash_token(new_token())
    participant.revoked_at = now()


def erase_participant(session: Session, *, participant_id: int, actor: str, action: str) -> int:
    """Delete a respondent's answers and anonymise their row; returns the answers deleted.

    The row itself stays (role and structure, without name nor link) so that the campaign's
    invitation count remains true; the audit event names the participant by number only.
    """
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    answers = session.exec(select(Answer).where(Answer.participant_id == participant_id)).all()
    for row in answers:
        session.delete(row)
    _anonymize(participant)
    participant.started_at = None
    participant.submitted_at = None
    session.add(participant)
    record(
        session,
        actor=actor,
        action=action,
        target=f"participant:{participant_id}",
        campaign_id=participant.campaign_id,
        answers=len(answers),
    )
    session.flush()
    return len(answers)


@dataclass(frozen=True)
class CampaignErasure:
    """What deleting a campaign removed."""

    participants: int
    answers: int
    consensus: int
    roadmap: int


def delete_campaign(session: Session, *, campaign_id: int, actor: str) -> CampaignErasure:
    """Delete a campaign and everything attached to it, in one transaction."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    people = select(Participant.id).where(Participant.campaign_id == campaign_id)
    counts = CampaignErasure(
        participants=len(session.exec(people).all()),
        answers=len(
            session.exec(select(Answer.id).where(col(Answer.participant_id).in_(people))).all()
        ),
        consensus=len(
            session.exec(
                select(ConsensusScore.id).where(ConsensusScore.campaign_id == campaign_id)
            ).all()
        ),
        roadmap=len(
            session.exec(select(RoadmapItem.id).where(RoadmapItem.campaign_id == campaign_id)).all()
        ),
    )
    session.exec(delete(Answer).where(col(Answer.participant_id).in_(people)))
    session.exec(delete(Participant).where(col(Participant.campaign_id) == campaign_id))
    session.exec(delete(ConsensusScore).where(col(ConsensusScore.campaign_id) == campaign_id))
    session.exec(delete(RoadmapItem).where(col(RoadmapItem.campaign_id) == campaign_id))
    session.exec(delete(WorkshopCampaign).where(col(WorkshopCampaign.campaign_id) == campaign_id))
    session.exec(delete(WorkshopVote).where(col(WorkshopVote.campaign_id) == campaign_id))
    session.exec(delete(BenchmarkScore).where(col(BenchmarkScore.campaign_id) == campaign_id))
    territory_id = campaign.territory_id
    session.delete(campaign)
    record(
        session,
        actor=actor,
        action="campaign.erase",
        target=f"campaign:{campaign_id}",
        territory_id=territory_id,
        participants=counts.participants,
        answers=counts.answers,
        consensus=counts.consensus,
        roadmap=counts.roadmap,
    )
    session.flush()
    return counts


def expired_campaigns(session: Session, *, closed_before: datetime) -> list[Campaign]:
    """Closed campaigns whose closing date is older than `closed_before`, oldest first."""
    stmt = (
        select(Campaign)
        .where(
            Campaign.status == CampaignStatus.CLOSED,
            col(Campaign.closed_at).is_not(None),
            col(Campaign.closed_at) < closed_before,
        )
        .order_by(col(Campaign.closed_at), col(Campaign.id))
    )
    return list(session.exec(stmt))


def purge_campaign(session: Session, *, campaign_id: int, actor: str, dry_run: bool) -> int:
    """Remove names and links of a campaign's participants not purged yet; answers stay.

    Returns how many participants were (or, with `dry_run`, would be) anonymised.
    """
    stmt = select(Participant).where(
        Participant.campaign_id == campaign_id,
        (col(Participant.name).is_not(None)) | (col(Participant.revoked_at).is_(None)),
    )
    people = list(session.exec(stmt))
    if dry_run or not people:
        return len(people)
    for participant in people:
        _anonymize(participant)
        session.add(participant)
    record(
        session,
        actor=actor,
        action="campaign.purge",
        target=f"campaign:{campaign_id}",
        participants=len(people),
    )
    session.flush()
    return len(people)
