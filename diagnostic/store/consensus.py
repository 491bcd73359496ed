"""Consensus levels agreed by a campaign's group (the CAF consensus meeting)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from diagnostic.store.audit import record_on_campaign
from diagnostic.store.models import ConsensusScore, now


def consensus_frame(session: Session, *, campaign_id: int) -> pd.DataFrame:
    """Agreed values of a campaign: question_id, level, target, rationale, updated_at."""
    rows = session.exec(select(ConsensusScore).where(ConsensusScore.campaign_id == campaign_id))
    columns = ["question_id", "level", "target", "rationale", "updated_at"]
    return pd.DataFrame(
        [(r.question_id, r.level, r.target, r.rationale, r.updated_at) for r in rows],
        columns=columns,
    )


def save_consensus(
    session: Session,
    *,
    campaign_id: int,
    question_id: str,
    level: int | None,
    target: int | None,
    rationale: str | None,
    user_id: int | None,
    actor: str,
) -> ConsensusScore:
    """Record (or replace) the group's agreed level for one item."""
    row = session.exec(
        select(ConsensusScore).where(
            ConsensusScore.campaign_id == campaign_id, ConsensusScore.question_id == question_id
        )
    ).first()
    if row is None:
        row = ConsensusScore(campaign_id=campaign_id, question_id=question_id)
    row.level, row.target, row.rationale = level, target, rationale
    row.updated_by, row.updated_at = user_id, now()
    session.add(row)
    record_on_campaign(session, actor, "consensus.save", campaign_id, question_id=question_id)
    session.flush()
    return row


def delete_consensus(session: Session, *, campaign_id: int, question_id: str, actor: str) -> None:
    """Forget an agreed level: results go back to the individual answers for that item."""
    for row in session.exec(
        select(ConsensusScore).where(
            ConsensusScore.campaign_id == campaign_id, ConsensusScore.question_id == question_id
        )
    ):
        session.delete(row)
    record_on_campaign(session, actor, "consensus.delete", campaign_id, question_id=question_id)
