"""The official list of EPCI and communes (reference data, replaced whole by a refresh)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from diagnostic.store.models import OfficialTerritory

_T = OfficialTerritory.__table__  # type: ignore[attr-defined]
COLUMNS = [
    "level",
    "code",
    "name",
    "kind",
    "epci_code",
    "departement",
    "population",
    "population_year",
    "source",
]
CHUNK = 5000


def replace_all(session: Session, *, records: Iterable[Mapping[str, Any]]) -> int:
    """Replace the whole list by `records` (COLUMNS plus search_key); returns the rows written."""
    conn = session.connection()
    conn.execute(delete(_T))
    batch: list[dict[str, Any]] = []
    count = 0
    for record in records:
        batch.append(dict(record))
        if len(batch) == CHUNK:
            conn.execute(insert(_T), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(insert(_T), batch)
        count += len(batch)
    return count


def _frame(session: Session, stmt: Any) -> pd.DataFrame:
    rows = session.connection().execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
    for column in ("population", "population_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _select() -> Any:
    return select(*[_T.c[c] for c in COLUMNS])


def epci_list(session: Session) -> pd.DataFrame:
    """Every EPCI of the list, by name (COLUMNS)."""
    return _frame(session, _select().where(_T.c.level == "epci").order_by(_T.c.search_key))


def communes_of(session: Session, *, epci_code: str) -> pd.DataFrame:
    """The member communes of an EPCI, by name (COLUMNS)."""
    stmt = _select().where(_T.c.level == "commune", _T.c.epci_code == epci_code)
    return _frame(session, stmt.order_by(_T.c.search_key))


def search_communes(session: Session, *, key: str, limit: int = 30) -> pd.DataFrame:
    """Communes whose name (without accents) contains `key`, or whose INSEE code starts with it."""
    pattern = key.replace("\\", "").replace("%", "").replace("_", "")
    stmt = _select().where(
        _T.c.level == "commune",
        _T.c.search_key.contains(pattern) | _T.c.code.startswith(pattern),
    )
    return _frame(session, stmt.order_by(func.length(_T.c.name), _T.c.search_key).limit(limit))


def summary(session: Session) -> dict[str, Any]:
    """How many EPCI and communes the list holds, and where they come from."""
    counts = dict(
        session.connection().execute(select(_T.c.level, func.count()).group_by(_T.c.level)).all()
    )
    sources = sorted(
        s for s in session.connection().execute(select(_T.c.source).distinct()).scalars() if s
    )
    years = sorted(
        y
        for y in session.connection().execute(select(_T.c.population_year).distinct()).scalars()
        if y
    )
    return {
        "epci": int(counts.get("epci", 0)),
        "communes": int(counts.get("commune", 0)),
        "sources": sources,
        "population_years": years,
    }


def sources(session: Session) -> list[str]:
    """The distinct sources of the stored list (empty: no list imported)."""
    stmt = select(_T.c.source).distinct()
    return sorted(s for s in session.connection().execute(stmt).scalars() if s)


def epci_row(session: Session, *, code: str) -> dict[str, Any] | None:
    """The EPCI of this SIREN in the list (COLUMNS), or None."""
    frame = _frame(session, _select().where(_T.c.level == "epci", _T.c.code == code))
    return None if frame.empty else frame.iloc[0].to_dict()


def epci_of_communes(session: Session, *, codes: Iterable[str]) -> dict[str, str | None]:
    """The SIREN of the EPCI of each of these communes (INSEE codes) found in the list."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    stmt = select(_T.c.code, _T.c.epci_code).where(_T.c.level == "commune", _T.c.code.in_(wanted))
    return {code: epci for code, epci in session.connection().execute(stmt).all()}


def has_list(session: Session) -> bool:
    """Whether a list is stored (one indexed row read, not a count)."""
    stmt = select(_T.c.id).where(_T.c.level == "epci").limit(1)
    return session.connection().execute(stmt).first() is not None
