"""The facts of a territory's fiche: one row per territory and fact id, changes audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.store.audit import record
from diagnostic.store.models import OfficialTerritory, Territory, TerritoryFact, User


@dataclass(frozen=True)
class StoredFact:
    """A fact as the database holds it (value as JSON), with the name of who changed it."""

    fact_id: str
    value: Any
    source: str | None
    updated_on: date
    updated_by: str | None


@dataclass(frozen=True)
class FactWrite:
    """A fact to write: JSON-ready value (None: unknown), source, date of the change."""

    value: Any
    source: str | None
    updated_on: date


def facts_of(session: Session, *, territory_id: int) -> dict[str, StoredFact]:
    """The stored facts of a territory, by fact id."""
    stmt = (
        select(TerritoryFact, User.name)
        .join(User, col(User.id) == col(TerritoryFact.updated_by), isouter=True)
        .where(TerritoryFact.territory_id == territory_id)
    )
    return {
        row.fact_id: StoredFact(row.fact_id, row.value, row.source, row.updated_on, name)
        for row, name in session.exec(stmt)
    }


def save_facts(
    session: Session,
    *,
    territory_id: int,
    changes: Mapping[str, FactWrite],
    user_id: int | None,
    actor: str | None,
) -> None:
    """Write the changed facts of a territory (one row each) and audit them in one event
    (`actor` None: the demo's data, loaded by nobody, like its answers).

    Two people saving the same new fact at the same moment: the second gets a StoreError
    (PostgreSQL; SQLite takes the write lock first and never sees it)."""
    if not changes:
        return
    existing = {
        row.fact_id: row
        for row in session.exec(
            select(TerritoryFact).where(
                TerritoryFact.territory_id == territory_id,
                col(TerritoryFact.fact_id).in_(list(changes)),
            )
        )
    }
    for fact_id, write in changes.items():
        row = existing.get(fact_id) or TerritoryFact(
            territory_id=territory_id, fact_id=fact_id, updated_on=write.updated_on
        )
        row.value, row.source = write.value, write.source
        row.updated_on, row.updated_by = write.updated_on, user_id
        session.add(row)
    if actor is not None:
        record(
            session,
            actor=actor,
            action="territory.facts",
            target=f"territory:{territory_id}",
            facts=sorted(changes),
        )
    try:
        session.flush()
    except IntegrityError:
        raise StoreError(
            "la fiche vient d'être modifiée par quelqu'un d'autre : rechargez la page et "
            "recommencez"
        ) from None


def official_population(
    session: Session, *, code: str | None
) -> tuple[int, int | None, str] | None:
    """An EPCI's population in the official list (population, vintage, source), if listed."""
    if not code:
        return None
    row = session.exec(
        select(OfficialTerritory).where(
            OfficialTerritory.level == "epci", OfficialTerritory.code == code
        )
    ).first()
    if row is None or row.population is None:
        return None
    return row.population, row.population_year, row.source


def root_territory(session: Session, *, territory_id: int) -> Territory | None:
    """The diagnosed territory of this id (a member commune has no fiche of its own)."""
    territory = session.get(Territory, territory_id)
    return territory if territory is not None and territory.parent_id is None else None
