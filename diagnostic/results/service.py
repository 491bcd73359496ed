"""A campaign's results: access checked, read once from the store, privacy rule applied.

`results_for` is the one entry of the screens of results; the computation is pure (model.py).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from diagnostic.accounts.guard import CAMPAIGN_NOT_FOUND, require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.results.model import (
    CampaignData,
    CampaignResults,
    TooFewRespondents,
    shown_results,
)
from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import consensus as consensus_store
from diagnostic.store.engine import read_scope, session_scope
from diagnostic.store.models import Campaign, Territory


def data_version(engine: Engine, campaign_id: int) -> tuple[object, ...]:
    """A cheap fingerprint that changes whenever an answer, a submission or a consensus does.

    Pages key their cache on it, so that a new answer invalidates the cached results.
    """
    with read_scope(engine) as s:  # asked at every page run: never wait for a writer
        return answer_store.campaign_fingerprint(s, campaign_id=campaign_id)


def require_results_access(engine: Engine, actor: Actor, campaign_id: int) -> Campaign:
    """The campaign when the actor may read its results; the same refusal otherwise."""
    return require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)


def results_for(
    engine: Engine, actor: Actor, campaign_id: int, **subset: object
) -> CampaignResults | TooFewRespondents:
    """The results of a campaign the actor may read, limited to `subset` (structure_kind,
    structure_id, role; none: everybody), or TooFewRespondents below the settings' minimum
    group size. AccessDenied when the actor may not read them."""
    require_results_access(engine, actor, campaign_id)
    return campaign_results(engine, campaign_id, **subset)


def campaign_results(
    engine: Engine, campaign_id: int, **subset: object
) -> CampaignResults | TooFewRespondents:
    """`results_for` WITHOUT the access check, for a caller that already holds the right (a
    workshop's place, opened through its code, its screen link or its facilitator)."""
    settings = get_settings()
    data = read_campaign_data(engine, campaign_id, settings.questions_dir)
    return shown_results(data, min_group_size=settings.min_group_size, **subset)


def read_campaign_data(engine: Engine, campaign_id: int, questions_dir: Path) -> CampaignData:
    """The raw material of a campaign WITHOUT a permission check: callers check first
    (`require_results_access`)."""
    with session_scope(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise AccessDenied(CAMPAIGN_NOT_FOUND)
        territory = s.get(Territory, campaign.territory_id)
        assert territory is not None
        answers = answer_store.campaign_answers(s, campaign_id=campaign_id)
        participants = campaign_store.participants_frame(s, campaign_id=campaign_id)
        consensus = consensus_store.consensus_frame(s, campaign_id=campaign_id)
    questionnaire = get_questionnaire(
        questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
    )
    return CampaignData(campaign, territory, questionnaire, answers, participants, consensus)
