"""The benchmark table kept current: refresh of one campaign, full rebuild, consent changes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.analytics.bulk_scores import (
    LevelCounts,
    dimension_rows,
    dimension_scores,
    population_band,
    scored_items,
)
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.registry import UnknownQuestionnaireError, get_questionnaire
from diagnostic.settings import get_settings
from diagnostic.store import benchmark as store
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.engine import read_scope, session_scope
from diagnostic.store.models import Campaign, now


def _rows(
    facts: pd.DataFrame,
    counts: LevelCounts,
    consensus: pd.DataFrame | None,
    questionnaire: Questionnaire,
) -> pd.DataFrame:
    """Benchmark rows (store.TABLE_COLUMNS) of campaigns that all answer `questionnaire`.

    `facts`: store.campaign_facts() rows of those campaigns; `counts`: their level counts
    (store.answer_counts); `consensus`: their agreed levels.
    """
    ids = [int(i) for i in facts["campaign_id"]]
    rows = dimension_rows(
        counts,
        questionnaire,
        campaign_ids=ids,
        consensus=consensus,
        min_answers=get_settings().min_group_size,
    )
    per_campaign = len(scored_items(questionnaire).dimensions)
    repeat = {column: np.repeat(facts[column].to_numpy(), per_campaign) for column in _FACTS}
    bands = np.repeat([population_band(p) for p in facts["population"]], per_campaign)
    return rows.assign(**repeat, population_band=bands)[store.TABLE_COLUMNS]


_FACTS = [
    "territory_id",
    "questionnaire_id",
    "questionnaire_version",
    "kind",
    "population",
    "consent",
    "n_respondents",
]


def _consensus(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=store.CONSENSUS_COLUMNS)


def refresh_campaign(
    session: Session,
    *,
    campaign_id: int,
    questionnaire: Questionnaire | None = None,
    questions_dir: Path | None = None,
) -> int:
    """Recompute one campaign's rows inside the caller's transaction; returns the rows written.

    Called when a respondent submits or is reopened or erased, when a consensus changes, and
    by the demo loader. Without `questionnaire`, it is loaded from `questions_dir` (default:
    the QUESTIONS_DIR setting); a campaign whose questionnaire cannot be found loses its rows
    (it cannot be scored, so it must not linger in any aggregate), and so does a campaign
    without any submitted questionnaire (left after a reopening or an erasure).

    It runs on every submission, so it stays small: given the questionnaire, one query reads
    the campaign and its level counts (one GROUP BY), a second its consensus if it has one;
    numpy computes the figures; one statement writes the rows on PostgreSQL (an upsert that
    also deletes the rows gone), a delete and an insert on SQLite — no answer row, no frame.
    """
    session.flush()  # the store reads through the connection: pending ORM changes first
    rows_read: list[tuple[Any, ...]] | None = None  # the counts, when read with the facts
    if questionnaire is None:
        fact = store.campaign_fact(session, campaign_id=campaign_id)
    else:  # the questionnaire expected: its facts and counts in one round trip
        fact, rows_read = store.fact_and_counts(
            session, campaign_id=campaign_id, values=scored_items(questionnaire).values
        )
    if fact is None or not fact["n_respondents"]:  # nothing submitted (any more): no rows
        store.delete_rows(session, campaign_id=campaign_id)
        return 0
    if questionnaire is None or (questionnaire.id, questionnaire.version) != (
        fact["questionnaire_id"],
        fact["questionnaire_version"],
    ):
        rows_read = None  # counted on another questionnaire's scale values
        try:
            questionnaire = get_questionnaire(
                questions_dir or get_settings().questions_dir,
                str(fact["questionnaire_id"]),
                str(fact["questionnaire_version"]),
            )
        except UnknownQuestionnaireError:
            store.delete_rows(session, campaign_id=campaign_id)
            return 0
    values = scored_items(questionnaire).values
    if rows_read is None:
        rows_read = store.answer_counts(session, values=values, campaign_ids=[campaign_id])
    counts = LevelCounts.from_rows(rows_read, values)
    agreed = None
    if fact["n_agreed"]:
        agreed = _consensus(store.consensus_rows(session, campaign_ids=[campaign_id]))
    rows: dict[str, Any] = dimension_scores(
        counts,
        questionnaire,
        campaign_ids=[campaign_id],
        consensus=agreed,
        min_answers=get_settings().min_group_size,  # the agreement index's privacy rule
    )
    n = len(rows["campaign_id"])
    rows |= {column: [fact[column]] * n for column in _FACTS}
    rows["population_band"] = [population_band(fact["population"])] * n
    rows["consent"] = [bool(fact["consent"])] * n
    store.replace_rows(session, campaign_ids=[campaign_id], rows=rows)
    return n


def refresh(engine: Engine, campaign_id: int, questions_dir: Path | None = None) -> int:
    """refresh_campaign in its own transaction (right after a change made elsewhere)."""
    with session_scope(engine) as session:
        return refresh_campaign(session, campaign_id=campaign_id, questions_dir=questions_dir)


@dataclass(frozen=True)
class RebuildReport:
    campaigns: int
    rows: int
    skipped: list[str]  # questionnaires not found
    seconds: float
    written: int = 0  # rows inserted, updated or deleted (0: the table was already current)


def rebuild(engine: Engine, questions_dir: Path) -> RebuildReport:
    """Recompute the whole table in one pass: one GROUP BY over every submitted answer.

    The database counts the levels of every campaign x question (store.answer_counts) in a
    read-only transaction (on SQLite it holds no write lock meanwhile); the scores, van der
    Eijk's A and the consensus are then computed from those counts for all the campaigns of a
    questionnaire at once; a short write transaction writes the rows that differ
    (store.sync_rows): readers see the old rows or the new ones, never none. A campaign
    refreshed meanwhile keeps its newer rows; one whose questionnaire cannot be found, or
    without any submitted questionnaire, has none (as refresh_campaign leaves them).
    """
    started, since = time.perf_counter(), now()
    with read_scope(engine) as session:
        facts = store.campaign_facts(session)
        found: dict[tuple[str, str], Questionnaire] = {}
        skipped: list[str] = []
        versions = facts[["questionnaire_id", "questionnaire_version"]].drop_duplicates()
        for qid, version in versions.itertuples(index=False, name=None):
            try:
                found[(qid, version)] = get_questionnaire(questions_dir, str(qid), str(version))
            except UnknownQuestionnaireError:
                skipped.append(f"{qid} {version}")
        values = sorted({v for q in found.values() for v in scored_items(q).values})
        counts = LevelCounts.from_rows(store.answer_counts(session, values=values), values)
        consensus = _consensus(store.consensus_rows(session))
    parts = []
    submitted = facts.loc[facts["n_respondents"] > 0]  # the others have no rows (as refreshed)
    for (qid, version), group in submitted.groupby(_VERSION, sort=False):
        questionnaire = found.get((qid, version))
        if questionnaire is None:
            continue
        ids = [int(i) for i in group["campaign_id"]]
        mine = counts.of_campaigns(ids).narrowed(scored_items(questionnaire).values)
        agreed = consensus.loc[consensus["campaign_id"].isin(group["campaign_id"])]
        parts.append(_rows(group, mine, agreed, questionnaire))
    rows = pd.concat(parts, ignore_index=True) if parts else _empty_rows()
    with session_scope(engine) as session:
        written = store.sync_rows(
            session,
            campaign_ids=[int(i) for i in facts["campaign_id"]],
            rows=rows,
            computed_since=since,
        )
    seconds = time.perf_counter() - started
    return RebuildReport(len(facts), len(rows), sorted(skipped), seconds, written)


_VERSION = ["questionnaire_id", "questionnaire_version"]


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in store.TABLE_COLUMNS})


def set_consent(engine: Engine, actor: Actor, *, campaign_id: int, consent: bool) -> None:
    """Opt a campaign in to (or out of) anonymous benchmarking; takes effect at once.

    Only the territory's coordination may decide. The benchmark rows change in the same
    transaction, so a withdrawn territory leaves every peer aggregate immediately.
    """
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.benchmark_consent == consent:  # None: erased meanwhile
            return
        campaign.benchmark_consent = consent
        session.add(campaign)
        session.flush()
        if store.set_consent(session, campaign_id=campaign_id, consent=consent) == 0 and consent:
            refresh_campaign(session, campaign_id=campaign_id)
        record_on_campaign(session, actor.label(), "campaign.consent", campaign_id, consent=consent)


def table(engine: Engine) -> pd.DataFrame:
    """The benchmark table, for the comparison page (behind its cache)."""
    with session_scope(engine) as session:
        return store.read_table(session)


def version(engine: Engine) -> tuple[object, ...]:
    """A cheap fingerprint of the table: pages key their cache on it."""
    with session_scope(engine) as session:
        return store.fingerprint(session)
