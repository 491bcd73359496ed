"""Answers: one upserted row per participant and question."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from diagnostic.responses import NormalizedAnswer
from diagnostic.store.models import Answer, Campaign, ConsensusScore, Participant, now
from diagnostic.store.territories import StoreError


class SubmittedError(StoreError):
    """The respondent already submitted: answers are read-only until reopened."""


def save_answer(
    session: Session,
    *,
    participant_id: int,
    question_id: str,
    answer: NormalizedAnswer,
) -> Answer:
    """Store one answer at once (insert or update), refusing changes after submission."""
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise StoreError("participant introuvable")
    if participant.submitted_at is not None:
        raise SubmittedError("vos réponses ont été envoyées : elles ne sont plus modifiables")
    campaign = session.get(Campaign, participant.campaign_id)
    assert campaign is not None
    stmt = select(Answer).where(
        Answer.participant_id == participant_id, Answer.question_id == question_id
    )
    row = session.exec(stmt).first()
    if row is None:
        row = Answer(
            participant_id=participant_id,
            question_id=question_id,
            questionnaire_id=campaign.questionnaire_id,
            questionnaire_version=campaign.questionnaire_version,
        )
    row.value = answer.value
    row.dont_know = answer.dont_know
    row.level = answer.level
    row.target = answer.target
    row.importance = answer.importance
    row.updated_at = now()
    session.add(row)
    if participant.started_at is None:
        participant.started_at = now()
        session.add(participant)
    session.flush()
    return row


def answers_of(session: Session, *, participant_id: int) -> dict[str, dict[str, Any]]:
    """A participant's answers by question id."""
    stmt = select(Answer.question_id, Answer.value).where(Answer.participant_id == participant_id)
    return {qid: value for qid, value in session.exec(stmt)}


def campaign_answers(session: Session, *, campaign_id: int) -> pd.DataFrame:
    """All answers of one campaign in long format (one territory: small enough in memory)."""
    stmt = (
        select(
            Answer.participant_id,
            Answer.question_id,
            Answer.questionnaire_version,
            Answer.value,
            Answer.dont_know,
            Answer.level,
            Answer.target,
            Answer.importance,
            Answer.updated_at,
        )
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
        .order_by(col(Answer.participant_id), col(Answer.question_id))
    )
    rows = session.exec(stmt).all()
    columns = [
        "participant_id",
        "question_id",
        "questionnaire_version",
        "value",
        "dont_know",
        "level",
        "target",
        "importance",
        "updated_at",
    ]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def campaign_fingerprint(session: Session, *, campaign_id: int) -> tuple[object, ...]:
    """Counts and latest timestamps of a campaign's answers, submissions and consensus."""
    answers = session.exec(
        select(func.count(col(Answer.id)), func.max(Answer.updated_at))
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .where(Participant.campaign_id == campaign_id)
    ).one()
    people = session.exec(
        select(func.count(col(Participant.id)), func.count(col(Participant.submitted_at))).where(
            Participant.campaign_id == campaign_id
        )
    ).one()
    agreed = session.exec(
        select(func.count(col(ConsensusScore.id)), func.max(ConsensusScore.updated_at)).where(
            ConsensusScore.campaign_id == campaign_id
        )
    ).one()
    return (*answers, *people, *agreed)
