"""Free-text answers the roadmap may quote, and the coordinator's choice for each (quotechoice)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.models import Answer, Participant, QuoteChoice, now


def free_texts(
    session: Session, *, campaign_id: int, question_ids: Iterable[str]
) -> list[tuple[int, int, str, Any, bool]]:
    """The answers to the given questions of a campaign's submitted questionnaires:
    (answer id, participant id, question id, stored value, quoted), by answer id."""
    ids = list(question_ids)
    if not ids:
        return []
    stmt = (
        select(Answer.id, Answer.participant_id, Answer.question_id, Answer.value, QuoteChoice)
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .outerjoin(QuoteChoice, col(QuoteChoice.answer_id) == col(Answer.id))
        .where(
            Participant.campaign_id == campaign_id,
            col(Participant.submitted_at).is_not(None),
            col(Answer.question_id).in_(ids),
        )
        .order_by(col(Answer.id))
    )
    return [
        (int(aid), int(pid), qid, value, choice is None or bool(choice.quoted))
        for aid, pid, qid, value, choice in session.exec(stmt)
    ]


def choices_fingerprint(session: Session, *, campaign_id: int) -> tuple[object, ...]:
    """Count and latest change of a campaign's quote choices (what a cache of them keys on)."""
    return tuple(
        session.exec(
            select(func.count(col(QuoteChoice.id)), func.max(QuoteChoice.updated_at)).where(
                QuoteChoice.campaign_id == campaign_id
            )
        ).one()
    )


def set_quoted(
    session: Session,
    *,
    campaign_id: int,
    answer_id: int,
    question_id: str,
    quoted: bool,
    user_id: int | None,
    actor: str,
) -> None:
    """Record whether an answer of this campaign is quoted; an answer of another campaign, or
    to another question, is refused as not found (nobody learns which answers exist)."""
    found = session.exec(
        select(Answer.id)
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(
            Answer.id == answer_id,
            Answer.question_id == question_id,
            Participant.campaign_id == campaign_id,
        )
    ).first()
    if found is None:
        raise StoreError("réponse introuvable")
    row = session.exec(select(QuoteChoice).where(QuoteChoice.answer_id == answer_id)).first()
    if row is None:
        row = QuoteChoice(campaign_id=campaign_id, answer_id=answer_id)
    row.quoted, row.updated_by, row.updated_at = quoted, user_id, now()
    session.add(row)
    action = "roadmap.quote" if quoted else "roadmap.quote_left_out"
    # The audit names the answer by number and its question, never its text nor its author.
    record_on_campaign(
        session, actor, action, campaign_id, answer_id=answer_id, question_id=question_id
    )
    session.flush()


def forget_choices(session: Session, *, answer_ids: Any) -> None:
    """Delete the choices about these answers (an id list or a select of ids), before the
    answers themselves are erased."""
    session.exec(delete(QuoteChoice).where(col(QuoteChoice.answer_id).in_(answer_ids)))
