"""Personal data in storage: erasing a respondent or a campaign, purging expired campaigns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from diagnostic.accounts.security import hash_token, new_token
from diagnostic.errors import StoreError
from diagnostic.store import followup as followup_store
from diagnostic.store import invitations as invitation_store
from diagnostic.store import quotes as quote_store
from diagnostic.store import workshops as workshop_store
from diagnostic.store.audit import record, record_on_campaign
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


def participant_answers(session: Session, *, participant_id: int) -> list[Answer]:
    """A participant's stored answer rows (value, version, last change)."""
    stmt = select(Answer).where(Answer.participant_id == participant_id)
    return list(session.exec(stmt.order_by(col(Answer.question_id))))


def _anonymize(participant: Participant) -> None:
    """Remove the name and the address and make the link unusable for good (a fresh random hash
    replaces it, and no version can be recomputed into it)."""
    participant.name = None
    participant.email = None
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
    quote_store.forget_choices(session, answer_ids=[row.id for row in answers])
    for row in answers:
        session.delete(row)
    invitation_store.forget_messages(session, participant_ids=[participant_id])
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
    workshop_seats: int = 0  # seats (pseudonyms) of the campaign's territory in its workshops
    workshop_posts: int = 0
    workshop_votes: int = 0


def delete_campaign(session: Session, *, campaign_id: int, actor: str) -> CampaignErasure:
    """Delete a campaign and everything attached to it, in one transaction."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    people = select(Participant.id).where(Participant.campaign_id == campaign_id)
    items = [
        int(i)
        for i in session.exec(select(RoadmapItem.id).where(RoadmapItem.campaign_id == campaign_id))
    ]
    workshop = workshop_store.forget_campaign(session, campaign_id=campaign_id, detach=True)
    workshop_store.detach_roadmap_items(session, item_ids=items)
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
        roadmap=len(items),
        workshop_seats=workshop.seats,
        workshop_posts=workshop.posts,
        workshop_votes=workshop.votes,
    )
    answer_ids = select(Answer.id).where(col(Answer.participant_id).in_(people))
    quote_store.forget_choices(session, answer_ids=answer_ids)
    session.exec(delete(Answer).where(col(Answer.participant_id).in_(people)))
    invitation_store.forget_messages(session, participant_ids=people)
    session.exec(delete(Participant).where(col(Participant.campaign_id) == campaign_id))
    session.exec(delete(ConsensusScore).where(col(ConsensusScore.campaign_id) == campaign_id))
    followup_store.forget(session, item_ids=items)
    session.exec(delete(RoadmapItem).where(col(RoadmapItem.campaign_id) == campaign_id))
    session.exec(delete(WorkshopCampaign).where(col(WorkshopCampaign.campaign_id) == campaign_id))
    session.exec(delete(WorkshopVote).where(col(WorkshopVote.campaign_id) == campaign_id))
    session.exec(delete(BenchmarkScore).where(col(BenchmarkScore.campaign_id) == campaign_id))
    territory_id = campaign.territory_id
    session.delete(campaign)
    target = f"campaign:{campaign_id}"
    details = {"territory_id": territory_id, **asdict(counts)}  # every count of the erasure
    record(session, actor=actor, action="campaign.erase", target=target, **details)
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


@dataclass(frozen=True)
class CampaignPurge:
    """What the retention purge did (or would do) to one expired campaign."""

    participants: int  # anonymised
    workshop: workshop_store.WorkshopErasure


def purge_campaign(
    session: Session, *, campaign_id: int, actor: str, dry_run: bool
) -> CampaignPurge:
    """Remove names and links of a campaign's participants not purged yet (answers stay), and
    erase its territory's seats, pseudonyms, posts and votes in the workshops that show it.

    With `dry_run`, nothing changes and the counts say what would be done.
    """
    stmt = select(Participant).where(
        Participant.campaign_id == campaign_id,
        (col(Participant.name).is_not(None))
        | (col(Participant.email).is_not(None))
        | (col(Participant.revoked_at).is_(None)),
    )
    people = list(session.exec(stmt))
    workshop = workshop_store.forget_campaign(
        session, campaign_id=campaign_id, detach=False, dry_run=dry_run
    )
    done = CampaignPurge(len(people), workshop)
    if dry_run or not (people or workshop.total):
        return done
    invitation_store.forget_messages(session, participant_ids=[p.id for p in people if p.id])
    for participant in people:
        _anonymize(participant)
        session.add(participant)
    details: dict[str, int] = {"participants": len(people)}
    if workshop.total:
        details |= {
            "workshop_seats": workshop.seats,
            "workshop_posts": workshop.posts,
            "workshop_votes": workshop.votes,
        }
    record_on_campaign(session, actor, "campaign.purge", campaign_id, **details)
    session.flush()
    return done


def purge_orphans(session: Session, *, actor: str, dry_run: bool) -> workshop_store.WorkshopErasure:
    """Workshop data whose campaign was erased by an older version, erased in turn."""
    done = workshop_store.sweep_orphans(session, dry_run=dry_run)
    if done.total and not dry_run:
        record(
            session,
            actor=actor,
            action="workshop.purge",
            target="ateliers",
            workshop_seats=done.seats,
            workshop_posts=done.posts,
            workshop_votes=done.votes,
        )
    return done
