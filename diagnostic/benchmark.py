"""The benchmark table kept current: refresh of one campaign, full rebuild, consent changes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from diagnostic.analytics.benchmark import campaign_dimension_rows, population_band
from diagnostic.permissions import Action, Actor, can
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.registry import UnknownQuestionnaireError, get_questionnaire
from diagnostic.respondent import AccessDenied
from diagnostic.settings import get_settings
from diagnostic.store import benchmark as store
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign

REBUILD_CHUNK = 200  # campaigns scored together: bounded memory at national scale


def _rows(session: Session, facts: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Benchmark rows of campaigns that all answer `questionnaire` (store.TABLE_COLUMNS)."""
    ids = [int(i) for i in facts["campaign_id"]]
    answers = store.submitted_answers(session, campaign_ids=ids)
    consensus = store.consensus_rows(session, campaign_ids=ids)
    rows = campaign_dimension_rows(answers, questionnaire, campaign_ids=ids, consensus=consensus)
    facts = facts.assign(population_band=[population_band(p) for p in facts["population"]])
    return rows.merge(facts, on="campaign_id", how="left")[store.TABLE_COLUMNS]


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
    (it cannot be scored, so it must not linger in any aggregate).
    """
    session.flush()  # the store reads through the connection: pending ORM changes first
    facts = store.campaign_facts(session, campaign_ids=[campaign_id])
    if facts.empty:
        store.delete_rows(session, campaign_id=campaign_id)
        return 0
    fact = facts.iloc[0]
    if questionnaire is None or (questionnaire.id, questionnaire.version) != (
        fact["questionnaire_id"],
        fact["questionnaire_version"],
    ):
        try:
            questionnaire = get_questionnaire(
                questions_dir or get_settings().questions_dir,
                str(fact["questionnaire_id"]),
                str(fact["questionnaire_version"]),
            )
        except UnknownQuestionnaireError:
            store.delete_rows(session, campaign_id=campaign_id)
            return 0
    rows = _rows(session, facts, questionnaire)
    store.replace_rows(session, campaign_ids=[campaign_id], rows=rows)
    return len(rows)


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


def rebuild(engine: Engine, questions_dir: Path, *, chunk: int = REBUILD_CHUNK) -> RebuildReport:
    """Recompute the whole table, questionnaire by questionnaire, `chunk` campaigns at a time.

    Each chunk is replaced in its own transaction: readers see old or new rows, never none.
    """
    started = time.perf_counter()
    with session_scope(engine) as session:
        facts = store.campaign_facts(session)
    rows_written, skipped = 0, []
    for (qid, version), group in facts.groupby(["questionnaire_id", "questionnaire_version"]):
        try:
            questionnaire = get_questionnaire(questions_dir, str(qid), str(version))
        except UnknownQuestionnaireError:
            skipped.append(f"{qid} {version}")
            with session_scope(engine) as session:
                for campaign_id in group["campaign_id"]:
                    store.delete_rows(session, campaign_id=int(campaign_id))
            continue
        for start in range(0, len(group), chunk):
            part = group.iloc[start : start + chunk]
            with session_scope(engine) as session:
                rows = _rows(session, part, questionnaire)
                ids = [int(i) for i in part["campaign_id"]]
                store.replace_rows(session, campaign_ids=ids, rows=rows)
            rows_written += len(rows)
    return RebuildReport(len(facts), rows_written, skipped, time.perf_counter() - started)


def set_consent(engine: Engine, actor: Actor, *, campaign_id: int, consent: bool) -> None:
    """Opt a campaign in to (or out of) anonymous benchmarking; takes effect at once.

    Only the territory's coordination may decide. The benchmark rows change in the same
    transaction, so a withdrawn territory leaves every peer aggregate immediately.
    """
    with session_scope(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or not can(
            actor, Action.TERRITORY_MANAGE, territory_id=campaign.territory_id
        ):
            raise AccessDenied("campagne introuvable ou inaccessible")
        if campaign.benchmark_consent == consent:
            return
        campaign.benchmark_consent = consent
        session.add(campaign)
        session.flush()
        if store.set_consent(session, campaign_id=campaign_id, consent=consent) == 0 and consent:
            refresh_campaign(session, campaign_id=campaign_id)
        record(
            session,
            actor=actor.label(),
            action="campaign.consent",
            target=f"campaign:{campaign_id}",
            consent=consent,
        )


def table(engine: Engine) -> pd.DataFrame:
    """The benchmark table, for the comparison page (behind its cache)."""
    with session_scope(engine) as session:
        return store.read_table(session)


def version(engine: Engine) -> tuple[object, ...]:
    """A cheap fingerprint of the table: pages key their cache on it."""
    with session_scope(engine) as session:
        return store.fingerprint(session)
