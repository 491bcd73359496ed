"""The access check of every service: an action on a campaign, looked up and checked at once."""

from __future__ import annotations

from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.errors import AccessDenied
from diagnostic.store import campaigns as campaign_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign, Participant

CAMPAIGN_NOT_FOUND = "campagne introuvable ou inaccessible"
PARTICIPANT_NOT_FOUND = "participant introuvable ou inaccessible"


def require_campaign(engine: Engine, actor: Actor, action: Action, campaign_id: int) -> Campaign:
    """The campaign if the actor may do `action` on its territory; AccessDenied otherwise.

    A campaign that does not exist and one the actor may not touch give the same message, so
    that nobody learns which campaign numbers exist elsewhere.
    """
    with session_scope(engine) as session:
        campaign = campaign_store.get_campaign(session, campaign_id=campaign_id)
    if campaign is None:
        raise AccessDenied(CAMPAIGN_NOT_FOUND)
    require(actor, action, territory_id=campaign.territory_id, message=CAMPAIGN_NOT_FOUND)
    return campaign


def require_participant(
    engine: Engine, actor: Actor, action: Action, participant_id: int
) -> Participant:
    """The participant if the actor may do `action` on their campaign (require_campaign).

    A missing participant gets PARTICIPANT_NOT_FOUND and another territory's the campaign's
    refusal, as the services always said.
    """
    with session_scope(engine) as session:
        participant = session.get(Participant, participant_id)
    if participant is None:
        raise AccessDenied(PARTICIPANT_NOT_FOUND)
    require_campaign(engine, actor, action, participant.campaign_id)
    return participant
