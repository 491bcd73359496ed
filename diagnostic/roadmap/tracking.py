"""The follow-up of a campaign's roadmap through the mandate (service): read the kept actions
with their history and links, record a status change, choose the items an action should move.

Reading follows the results' right (whoever reads the plan); writing, the roadmap's (the
coordination of the territory), as planning.edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action as Permission
from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.questionnaire.registry import UnknownQuestionnaireError, get_questionnaire
from diagnostic.questionnaire.schema import QuestionType
from diagnostic.roadmap.followup import ActionFollowUp, clean_change, clean_links, follow_up
from diagnostic.roadmap.model import KEPT
from diagnostic.settings import get_settings
from diagnostic.store import followup as followup_store
from diagnostic.store import roadmap as roadmap_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign

FIELDS = {"status", "on", "progress", "indicator_value", "comment"}


def follow_ups(engine: Engine, actor: Actor, campaign_id: int) -> list[ActionFollowUp]:
    """The kept actions of the campaign's roadmap (KEPT), in the plan's order, each with its
    history (oldest first) and the items it should move."""
    require_campaign(engine, actor, Permission.RESULTS_VIEW, campaign_id)
    with session_scope(engine) as s:
        items = roadmap_store.plan_items(s, campaign_id=campaign_id)
        changes = followup_store.history(s, campaign_id=campaign_id)
    return [follow_up(item, changes.get(item.id or 0, ())) for item in items if item.status in KEPT]


def _kept_item(engine: Engine, campaign_id: int, item_id: int) -> None:
    with session_scope(engine) as s:
        found = {i.id: i for i in roadmap_store.plan_items(s, campaign_id=campaign_id)}
    item = found.get(item_id)
    if item is None:
        raise AnswerError("action introuvable dans cette feuille de route")
    if item.status not in KEPT:
        raise AnswerError("seules les actions retenues par le collectif se suivent")


def record(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    item_id: int,
    *,
    today: date | None = None,
    **fields: Any,
) -> int:
    """Add a status change to a kept action (status, on, progress, indicator_value, comment);
    the previous ones stay in its history. Returns the new change's id."""
    require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    unknown = set(fields) - FIELDS
    if unknown:
        raise AnswerError(f"champ inconnu : {sorted(unknown)[0]}")
    if "status" not in fields:
        raise AnswerError("le statut est obligatoire")
    change = clean_change(
        status=fields["status"],
        on=fields.get("on") or date.today(),
        today=today or date.today(),
        progress=fields.get("progress"),
        indicator_value=fields.get("indicator_value"),
        comment=fields.get("comment"),
    )
    _kept_item(engine, campaign_id, item_id)
    with session_scope(engine) as s:
        return followup_store.record_status(
            s,
            campaign_id=campaign_id,
            item_id=item_id,
            status=change.status,
            on=change.on,
            progress=change.progress,
            indicator_value=change.indicator_value,
            comment=change.comment,
            actor=actor.label(),
            user_id=actor.user_id if actor.is_user else None,
        )


def linkable_items(
    engine: Engine, actor: Actor, campaign_id: int, questions_dir: str | Path | None = None
) -> dict[str, str]:
    """The items of the campaign's questionnaire an action can be linked to (every question
    but free texts and those describing the respondent), key → wording, in questionnaire
    order."""
    campaign = require_campaign(engine, actor, Permission.RESULTS_VIEW, campaign_id)
    return _linkable(campaign, questions_dir)


def _linkable(campaign: Campaign, questions_dir: str | Path | None) -> dict[str, str]:
    folder = Path(questions_dir or get_settings().questions_dir)
    try:
        q = get_questionnaire(folder, campaign.questionnaire_id, campaign.questionnaire_version)
    except UnknownQuestionnaireError:
        return {}
    return {
        question.id: question.text
        for question in q.questions()
        if question.type != QuestionType.TEXT and not question.identifying
    }


def link(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    item_id: int,
    links: list[str] | None,
    questions_dir: str | Path | None = None,
) -> None:
    """Choose the items a kept action should move (None: back to its trigger evidence); only
    items of the campaign's questionnaire are accepted."""
    campaign = require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    known = _linkable(campaign, questions_dir)
    cleaned = clean_links(links, known or None)
    _kept_item(engine, campaign_id, item_id)
    with session_scope(engine) as s:
        followup_store.set_links(
            s, campaign_id=campaign_id, item_id=item_id, links=cleaned, actor=actor.label()
        )
