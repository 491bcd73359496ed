"""Bulk write of imported paper answers: all of them in the caller's transaction, or none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from diagnostic.answering.paper import (
    ImportedAnswer,
    ImportedIdentity,
    ParticipantState,
    Place,
    Structures,
)
from diagnostic.errors import StoreError
from diagnostic.store.answers import upsert_answer
from diagnostic.store.audit import record, record_on_campaign
from diagnostic.store.models import (
    Campaign,
    CampaignStatus,
    Participant,
    RespondentRole,
    Territory,
    now,
)
from diagnostic.store.territories import structures as structures_of


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
            started=p.started_at is not None,
            role=p.role,
            structure_id=p.structure_id,
        )
        for p in rows
        if p.id is not None
    }


def campaign_structures(session: Session, *, campaign: Campaign) -> Structures:
    """The campaign's territory and its member communes, for the `_structure` lines."""
    places = [
        Place(t.id, t.name, t.code)
        for t in structures_of(session, territory_id=campaign.territory_id)
        if t.id is not None
    ]
    root = next((p for p in places if p.id == campaign.territory_id), None)
    if root is None:
        raise StoreError(f"territoire de la campagne {campaign.id} introuvable")
    return Structures(root, tuple(p for p in places if p.id != root.id))


def import_answers(
    session: Session,
    *,
    campaign_id: int,
    answers: Sequence[ImportedAnswer],
    actor: str,
    source: str,
    submit: bool = False,
    identities: Sequence[ImportedIdentity] = (),
) -> int:
    """Store validated answers (insert or replace) and the functions and structures written on
    blank forms; with `submit`, mark their authors submitted.

    Every participant is checked again (same campaign and not erased here, not submitted by
    upsert_answer, the one write of answers; not started for a new function or structure):
    any refusal raises and the caller's transaction stores nothing.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError(f"campagne {campaign_id} introuvable")
    if campaign.status == CampaignStatus.CLOSED:
        raise StoreError(
            f"la campagne {campaign_id} est close : rouvrez-la (page « Campagnes ») avant "
            "d'importer des réponses"
        )
    named = [a.participant_id for a in answers] + [i.participant_id for i in identities]
    states = participant_states(session, ids=named)
    for pid in sorted(set(named)):
        state = states.get(pid)
        if state is None or state.campaign_id != campaign_id or state.erased:
            raise StoreError(f"participant·e {pid} absent·e de la campagne {campaign_id}")
    # Before the answers: the first answer marks the participant as started.
    for identity in identities:
        _identify(session, campaign, identity, actor=actor, source=source)
    for item in answers:
        upsert_answer(
            session,
            participant_id=item.participant_id,
            question_id=item.question_id,
            answer=item.answer,
        )
    people = sorted({a.participant_id for a in answers})
    identified = {i.participant_id for i in identities}
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
        identified=len(identified),
        submitted=submit,
    )
    session.flush()
    return len(answers)


def _identify(
    session: Session, campaign: Campaign, identity: ImportedIdentity, *, actor: str, source: str
) -> None:
    """Give a participant who has not started the function or structure of a blank form."""
    participant = session.get(Participant, identity.participant_id)
    assert participant is not None
    if participant.started_at is not None or participant.submitted_at is not None:
        raise StoreError(f"participant·e {participant.id} a déjà commencé à répondre")
    if identity.role is not None:
        if identity.role not in set(RespondentRole):
            raise StoreError(f"fonction inconnue : {identity.role}")
        change = {"role": [participant.role, identity.role]}
        participant.role = identity.role
    else:
        place = session.get(Territory, identity.structure_id)
        if place is None or campaign.territory_id not in (place.id, place.parent_id):
            raise StoreError(
                "la structure doit être le territoire de la campagne ou l'une de ses communes"
            )
        change = {"structure_id": [participant.structure_id, place.id]}
        participant.structure_id = place.id
    session.add(participant)
    record(  # as the invitation: the function, never a name
        session,
        actor=actor,
        action="participant.identify",
        target=f"participant:{participant.id}",
        campaign_id=campaign.id,
        source=source,
        line=identity.line,
        **change,
    )
