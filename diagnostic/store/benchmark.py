"""The precomputed benchmark table: reading the numbers it is built from, writing and reading it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import case, delete, func, insert, literal_column, select, update
from sqlmodel import Session

from diagnostic.store.models import (
    Answer,
    BenchmarkScore,
    Campaign,
    ConsensusScore,
    Participant,
    Territory,
    now,
)

TABLE_COLUMNS = [
    "campaign_id",
    "dimension_id",
    "territory_id",
    "questionnaire_id",
    "questionnaire_version",
    "kind",
    "population",
    "population_band",
    "consent",
    "n_respondents",
    "n_items",
    "n_consensus",
    "score",
    "target_score",
    "agreement",
]
_T = BenchmarkScore.__table__  # type: ignore[attr-defined]


def _frame(session: Session, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    rows = session.connection().execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def campaign_facts(session: Session, *, campaign_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Campaigns with their territory's kind and population, and their submitted count.

    Columns: campaign_id, territory_id, questionnaire_id, questionnaire_version, consent,
    kind, population, n_respondents. All campaigns when campaign_ids is None.
    """
    counted = select(Participant.campaign_id, func.count().label("n")).where(
        Participant.submitted_at.is_not(None)  # type: ignore[union-attr]
    )
    if campaign_ids is not None:  # one campaign's refresh must not count the whole country
        counted = counted.where(Participant.campaign_id.in_(list(campaign_ids)))  # type: ignore[attr-defined]
    submitted = counted.group_by(Participant.campaign_id).subquery()
    stmt = (
        select(
            Campaign.id,
            Campaign.territory_id,
            Campaign.questionnaire_id,
            Campaign.questionnaire_version,
            Campaign.benchmark_consent,
            Territory.kind,
            Territory.population,
            func.coalesce(submitted.c.n, 0),
        )
        .join(Territory, Territory.id == Campaign.territory_id)  # type: ignore[arg-type]
        .outerjoin(submitted, submitted.c.campaign_id == Campaign.id)
        .order_by(Campaign.id)
    )
    if campaign_ids is not None:
        stmt = stmt.where(Campaign.id.in_(list(campaign_ids)))  # type: ignore[union-attr]
    columns = [
        "campaign_id",
        "territory_id",
        "questionnaire_id",
        "questionnaire_version",
        "consent",
        "kind",
        "population",
        "n_respondents",
    ]
    frame = _frame(session, stmt, columns)
    frame["consent"] = frame["consent"].astype(bool)
    return frame


def submitted_answers(session: Session, *, campaign_ids: Sequence[int]) -> pd.DataFrame:
    """The numbers of the answers of submitted respondents (no JSON, no names).

    Columns: campaign_id, participant_id, question_id, dont_know, level, target.
    """
    stmt = (
        select(
            Participant.campaign_id,
            Answer.participant_id,
            Answer.question_id,
            Answer.dont_know,
            Answer.level,
            Answer.target,
        )
        .join(Participant, Participant.id == Answer.participant_id)  # type: ignore[arg-type]
        .where(
            Participant.campaign_id.in_(list(campaign_ids)),  # type: ignore[attr-defined]
            Participant.submitted_at.is_not(None),  # type: ignore[union-attr]
        )
    )
    columns = ["campaign_id", "participant_id", "question_id", "dont_know", "level", "target"]
    return _frame(session, stmt, columns)


def consensus_rows(session: Session, *, campaign_ids: Sequence[int]) -> pd.DataFrame:
    """Agreed levels of the campaigns: campaign_id, question_id, level, target."""
    stmt = select(
        ConsensusScore.campaign_id,
        ConsensusScore.question_id,
        ConsensusScore.level,
        ConsensusScore.target,
    ).where(ConsensusScore.campaign_id.in_(list(campaign_ids)))  # type: ignore[attr-defined]
    return _frame(session, stmt, ["campaign_id", "question_id", "level", "target"])


def replace_rows(session: Session, *, campaign_ids: Sequence[int], rows: pd.DataFrame) -> None:
    """Replace the benchmark rows of these campaigns by `rows` (TABLE_COLUMNS)."""
    ids = list(campaign_ids)
    if ids:
        session.connection().execute(delete(_T).where(_T.c.campaign_id.in_(ids)))
    if rows.empty:
        return
    stamp = now()
    records = [
        {k: _plain(v) for k, v in zip(TABLE_COLUMNS, values, strict=True)} | {"refreshed_at": stamp}
        for values in rows[TABLE_COLUMNS].itertuples(index=False, name=None)
    ]
    session.connection().execute(insert(_T), records)


def _plain(value: Any) -> Any:
    """Python scalars for the driver: numpy numbers unboxed, NaN and NA as NULL."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def delete_rows(session: Session, *, campaign_id: int) -> None:
    """Forget a campaign's rows (the campaign is erased, or cannot be scored any more)."""
    session.connection().execute(delete(_T).where(_T.c.campaign_id == campaign_id))


def set_consent(session: Session, *, campaign_id: int, consent: bool) -> int:
    """Copy a campaign's consent onto its rows at once; returns the rows changed."""
    result = session.connection().execute(
        update(_T)
        .where(_T.c.campaign_id == campaign_id)
        .values(consent=consent, refreshed_at=now())
    )
    return int(result.rowcount or 0)


def read_table(session: Session) -> pd.DataFrame:
    """The whole benchmark table (one row per campaign x dimension), TABLE_COLUMNS."""
    stmt = select(*[_T.c[c] for c in TABLE_COLUMNS]).order_by(_T.c.campaign_id, _T.c.dimension_id)
    frame = _frame(session, stmt, TABLE_COLUMNS)
    frame["consent"] = frame["consent"].astype(bool)
    for column in ("score", "target_score", "agreement"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    frame["population"] = frame["population"].astype("Int64")
    return frame


def fingerprint(session: Session) -> tuple[object, ...]:
    """Rows, consenting rows and last refresh: changes whenever a row or a consent does."""
    stmt = select(
        func.count(),
        func.sum(case((_T.c.consent, 1), else_=0)),
        func.max(_T.c.refreshed_at),
    )
    return tuple(session.connection().execute(stmt).one())


def all_campaign_ids(session: Session) -> list[int]:
    return list(session.connection().execute(select(Campaign.id).order_by(Campaign.id)).scalars())


def sql_dimension_scores(session: Session, *, dimensions: dict[str, str]) -> pd.DataFrame:
    """The database's own GROUP BY campaign x dimension (mean level of submitted answers).

    Not what the app shows (no item weighting, no consensus, no scale check): the floor that
    `bench/comparison_bench.py` compares a full rebuild with. `dimensions`: question -> dimension.
    """
    dim = case(dimensions, value=Answer.question_id, else_=literal_column("NULL"))
    stmt = (
        select(
            Participant.campaign_id,
            dim.label("dimension_id"),
            func.avg(Answer.level * 1.0),
            func.count(Answer.level),
        )
        .join(Participant, Participant.id == Answer.participant_id)  # type: ignore[arg-type]
        .where(Participant.submitted_at.is_not(None), dim.is_not(None))  # type: ignore[union-attr]
        .group_by(Participant.campaign_id, dim)
    )
    return _frame(session, stmt, ["campaign_id", "dimension_id", "mean", "n"])


def territory_names(session: Session, *, ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Territory.id, Territory.name).where(Territory.id.in_(list(ids)))  # type: ignore[union-attr]
    return {int(i): str(n) for i, n in session.connection().execute(stmt).all()}


def campaign_titles(session: Session, *, ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Campaign.id, Campaign.title).where(Campaign.id.in_(list(ids)))  # type: ignore[union-attr]
    return {int(i): str(t) for i, t in session.connection().execute(stmt).all()}
