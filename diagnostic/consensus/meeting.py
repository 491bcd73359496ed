"""The consensus meeting (CAF method): items in order of divergence, agreed levels recorded."""

from __future__ import annotations

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.comparison.benchmark import refresh_campaign
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import AnswerError, clean_text
from diagnostic.store import consensus as consensus_store
from diagnostic.store.engine import session_scope

MAX_RATIONALE = 2000


def record(
    engine: Engine,
    actor: Actor,
    questionnaire: Questionnaire,
    *,
    campaign_id: int,
    question_id: str,
    level: int,
    target: int | None,
    rationale: str,
) -> None:
    """Store the level the group agreed for one item, with its rationale (checked first)."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    question = questionnaire.question(question_id)
    if not question.scored:
        raise AnswerError("seuls les items notés reçoivent un niveau de consensus")
    values = questionnaire.scale_of(question).values
    if level not in values or (target is not None and target not in values):
        raise AnswerError(f"niveau hors de l'échelle ({values[0]} à {values[-1]})")
    if target is not None and question.type != "current_target":
        target = None
    text = clean_text(rationale or "", MAX_RATIONALE)
    with session_scope(engine) as s:
        consensus_store.save_consensus(
            s,
            campaign_id=campaign_id,
            question_id=question_id,
            level=level,
            target=target,
            rationale=text or None,
            user_id=actor.user_id,
            actor=actor.label(),
        )
        refresh_campaign(s, campaign_id=campaign_id, questionnaire=questionnaire)


def forget(engine: Engine, actor: Actor, *, campaign_id: int, question_id: str) -> None:
    """Remove an agreed level: the item goes back to the individual answers."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as s:
        consensus_store.delete_consensus(
            s, campaign_id=campaign_id, question_id=question_id, actor=actor.label()
        )
        refresh_campaign(s, campaign_id=campaign_id)


def rationale_of(engine: Engine, actor: Actor, *, campaign_id: int, question_id: str) -> str:
    """The recorded rationale of an item ("" when none)."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as s:
        frame = consensus_store.consensus_frame(s, campaign_id=campaign_id)
    row = frame.loc[frame["question_id"] == question_id]
    return "" if row.empty or row.iloc[0]["rationale"] is None else str(row.iloc[0]["rationale"])
