"""Campaigns and their participants (invitation tokens are stored hashed only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from diagnostic.accounts.security import hash_token, looks_like_token, new_token
from diagnostic.errors import StoreError
from diagnostic.store.audit import record, record_on_campaign
from diagnostic.store.invitations import issue_link
from diagnostic.store.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Participant,
    RespondentRole,
    Territory,
    now,
)
from diagnostic.store.rows import inserted
from diagnostic.store.territories import clean_label


def create_campaign(
    session: Session,
    *,
    territory_id: int,
    title: str,
    questionnaire_id: str,
    questionnaire_version: str,
    open_now: bool = True,
    named_answers: bool = False,
) -> Campaign:
    """Create a campaign on a territory for one questionnaire version (answers pseudonymous
    unless `named_answers`: see `set_named_answers`)."""
    title = clean_label(title, max_length=200, what="le titre de la campagne")
    if not title:
        raise StoreError("le titre de la campagne est obligatoire")
    if session.get(Territory, territory_id) is None:
        raise StoreError("territoire introuvable")
    campaign = Campaign(
        territory_id=territory_id,
        title=title,
        questionnaire_id=questionnaire_id,
        questionnaire_version=questionnaire_version,
        status=CampaignStatus.OPEN if open_now else CampaignStatus.DRAFT,
        opened_at=now() if open_now else None,
        named_answers=named_answers,
    )
    return inserted(session, campaign)


def get_campaign(session: Session, *, campaign_id: int) -> Campaign | None:
    return session.get(Campaign, campaign_id)


def campaigns_of(session: Session, *, territory_ids: set[int] | None = None) -> list[Campaign]:
    """Campaigns of the given territories (all when None), newest first."""
    stmt = select(Campaign)
    if territory_ids is not None:
        if not territory_ids:
            return []
        stmt = stmt.where(col(Campaign.territory_id).in_(territory_ids))
    return list(session.exec(stmt.order_by(col(Campaign.created_at).desc(), col(Campaign.id))))


def set_status(session: Session, *, campaign_id: int, status: str, actor: str) -> Campaign:
    """Open or close a campaign (closing ends every invitation link)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    if status not in set(CampaignStatus):
        raise StoreError(f"statut inconnu : {status}")
    campaign.status = status
    if status == CampaignStatus.OPEN and campaign.opened_at is None:
        campaign.opened_at = now()
    if status == CampaignStatus.CLOSED:
        campaign.closed_at = now()
    session.add(campaign)
    record_on_campaign(session, actor, f"campaign.{status}", campaign_id)
    return campaign


NAMED_ANSWERS_FIXED = (
    "des réponses ont déjà été données dans cette campagne : le choix entre réponses "
    "pseudonymes et nominatives ne peut plus changer, car il a été annoncé aux répondant·es "
    "avant qu'ils et elles ne répondent. Pour un autre choix, créez une nouvelle campagne"
)


def has_answers(session: Session, *, campaign_id: int) -> bool:
    """Whether anybody has answered anything in the campaign (even one unsent answer)."""
    stmt = (
        select(Answer.id)
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
        .limit(1)
    )
    return session.exec(stmt).first() is not None


def set_named_answers(session: Session, *, campaign_id: int, named: bool, actor: str) -> Campaign:
    """Choose whether the coordination sees names beside the answers; refused once anybody has
    answered. One conditional UPDATE, so that a first answer cannot slip in between."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    if campaign.named_answers == named:
        return campaign
    answered = (
        select(Answer.id)
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
        .exists()
    )
    done = session.execute(
        update(Campaign)
        .where(col(Campaign.id) == campaign_id, ~answered)
        .values(named_answers=named)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StoreError(NAMED_ANSWERS_FIXED)
    session.refresh(campaign)
    record_on_campaign(session, actor, "campaign.named_answers", campaign_id, named=named)
    return campaign


def add_participant(
    session: Session,
    *,
    campaign_id: int,
    role: str,
    structure_id: int,
    name: str | None = None,
    email: str | None = None,
    secret: bytes | None = None,
) -> tuple[Participant, str]:
    """Invite a respondent; returns the participant and the clear token.

    With the link `secret`, the token derives from it (version 1: a reminder can carry it
    again, recomputed); without it, a random token is shown once (the demo, older callers).
    `email` comes checked and normalised by the caller."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    if role not in set(RespondentRole):
        raise StoreError(f"fonction inconnue : {role}")
    structure = session.get(Territory, structure_id)
    if structure is None or campaign.territory_id not in (structure.id, structure.parent_id):
        raise StoreError(
            "la structure doit être le territoire de la campagne ou l'une de ses communes"
        )
    name = clean_label(name, max_length=120, what="le nom") or None
    token = new_token()
    participant = Participant(
        campaign_id=campaign_id,
        role=role,
        structure_id=structure_id,
        name=name,
        email=email or None,
        token_hash=hash_token(token),
    )
    inserted(session, participant)
    if secret is not None:
        token = issue_link(participant, secret)
        session.add(participant)
    return participant, token


def reissue_token(
    session: Session, *, participant_id: int, actor: str, secret: bytes | None = None
) -> str:
    """Replace a participant's link: the old one stops working at once. With the link `secret`
    the new link is the next version (derived, recomputable); without it, a random one."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    if participant.revoked_at is not None:  # erased or purged: the person is gone for good
        raise StoreError(
            "les données de cette personne ont été effacées : invitez-la de nouveau si besoin"
        )
    if secret is not None:
        token = issue_link(participant, secret)
    else:
        token = new_token()
        participant.token_hash = hash_token(token)
        participant.link_version = None
        participant.link_issued_at = now()
        participant.opened_at = None
    session.add(participant)
    record(
        session, actor=actor, action="participant.reissue", target=f"participant:{participant_id}"
    )
    return token


def participant_by_token(session: Session, *, token: str | None) -> Participant | None:
    """The participant a link opens, or None when unknown, revoked or its campaign is closed.

    The lookup goes through the SHA-256 of the token (indexed, unique), so a wrong token
    reveals nothing about the right ones.
    """
    if not looks_like_token(token):
        return None
    assert token is not None
    stmt = select(Participant).where(Participant.token_hash == hash_token(token))
    participant = session.exec(stmt).first()
    if participant is None or participant.revoked_at is not None:
        return None
    campaign = session.get(Campaign, participant.campaign_id)
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return None
    return participant


@dataclass(frozen=True, slots=True)
class LinkHolder:
    """The participant a link opens, as read at every run of the questionnaire: plain values
    (no ORM entity: the page reads it at every click, bench/RESULTS.md § 2.2)."""

    id: int
    campaign_id: int
    structure_id: int
    role: str
    submitted_at: datetime | None
    opened_at: datetime | None


@dataclass(frozen=True, slots=True)
class LinkCampaign:
    """The campaign of a link, as the questionnaire shows it."""

    id: int
    territory_id: int
    title: str
    questionnaire_id: str
    questionnaire_version: str
    named_answers: bool


@dataclass(frozen=True, slots=True)
class LinkPlace:
    """A territory of a link: the campaign's, or the participant's structure."""

    id: int
    name: str
    kind: str


@lru_cache(maxsize=1)
def _invitation_statement() -> Any:
    """Built once (constructing this four-table select costs more than running it); columns
    of the tables, read as plain rows."""
    p, c = Participant.__table__.c, Campaign.__table__.c  # type: ignore[attr-defined]
    territory = Territory.__table__.alias("territory_of_campaign")  # type: ignore[attr-defined]
    structure = Territory.__table__.alias("structure_of_participant")  # type: ignore[attr-defined]
    return (
        sa_select(
            p.id,
            p.campaign_id,
            p.structure_id,
            p.role,
            p.submitted_at,
            p.opened_at,
            c.territory_id,
            c.title,
            c.questionnaire_id,
            c.questionnaire_version,
            c.named_answers,
            territory.c.name,
            territory.c.kind,
            structure.c.name,
            structure.c.kind,
        )
        .join(Campaign.__table__, c.id == p.campaign_id)  # type: ignore[attr-defined]
        .join(territory, territory.c.id == c.territory_id)
        .join(structure, structure.c.id == p.structure_id)
        .where(
            p.token_hash == bindparam("token_hash"),
            p.revoked_at.is_(None),
            c.status == CampaignStatus.OPEN.value,
        )
    )


def invitation_by_token(
    session: Session, *, token: str | None
) -> tuple[LinkHolder, LinkCampaign, LinkPlace, LinkPlace] | None:
    """What a link opens — the participant, their campaign, its territory and the participant's
    structure — in one statement, or None under the same rules as `participant_by_token`:
    unknown or revoked link (an erased respondent's link is revoked), campaign not open."""
    if not looks_like_token(token):
        return None
    assert token is not None
    row = (
        session.connection()
        .execute(_invitation_statement(), {"token_hash": hash_token(token)})
        .first()
    )
    if row is None:
        return None
    (pid, cid, sid, role, submitted, opened, tid, title, qid, qversion, named) = row[:11]
    t_name, t_kind, s_name, s_kind = row[11:]
    return (
        LinkHolder(pid, cid, sid, role, submitted, opened),
        LinkCampaign(cid, tid, title, qid, qversion, bool(named)),
        LinkPlace(tid, t_name, t_kind),
        LinkPlace(sid, s_name, s_kind),
    )


def participants_of(session: Session, *, campaign_id: int) -> list[Participant]:
    stmt = (
        select(Participant)
        .where(Participant.campaign_id == campaign_id)
        .order_by(col(Participant.id))
    )
    return list(session.exec(stmt))


def mark_submitted(session: Session, *, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    if participant.submitted_at is None:
        participant.submitted_at = now()
        session.add(participant)
    return participant


def reopen(session: Session, *, participant_id: int, actor: str) -> Participant:
    """Let a respondent change their answers again after submitting."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    participant.submitted_at = None
    session.add(participant)
    record(
        session, actor=actor, action="participant.reopen", target=f"participant:{participant_id}"
    )
    return participant


def participants_frame(session: Session, *, campaign_id: int) -> pd.DataFrame:
    """Participants of a campaign with their structure, for the analytics (no names, no tokens).

    `structure_kind` is "epci" for the campaign's own territory and "commune" for its members.
    """
    campaign = session.get(Campaign, campaign_id)
    columns = [
        "participant_id",
        "role",
        "structure_id",
        "structure_name",
        "structure_kind",
        "started",
        "submitted",
    ]
    if campaign is None:
        return pd.DataFrame(columns=columns)
    places = dict(  # id and name only: a territory row also carries its whole fiche
        session.exec(
            select(Territory.id, Territory.name).where(
                (Territory.id == campaign.territory_id)
                | (Territory.parent_id == campaign.territory_id)
            )
        ).all()
    )
    people = session.exec(  # the columns read, not whole participant rows
        select(
            Participant.id,
            Participant.role,
            Participant.structure_id,
            Participant.started_at,
            Participant.submitted_at,
        )
        .where(Participant.campaign_id == campaign_id)
        .order_by(col(Participant.id))
    ).all()
    rows = [
        (
            pid,
            role,
            structure_id,
            places.get(structure_id, "?"),
            "epci" if structure_id == campaign.territory_id else "commune",
            started_at is not None,
            submitted_at is not None,
        )
        for pid, role, structure_id, started_at, submitted_at in people
    ]
    return pd.DataFrame(rows, columns=columns)
