"""The precomputed benchmark table: reading the numbers it is built from, writing and reading it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
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
    "share_agree",
]
_T = BenchmarkScore.__table__  # type: ignore[attr-defined]


def _frame(session: Session, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    rows = session.connection().execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _raw_rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """The rows of a statement through the driver's own cursor, for tens of thousands of rows
    of plain numbers and strings: SQLAlchemy's Row objects would cost more than the query.
    The statement's parameters must be numbers (they are written into the SQL)."""
    connection = session.connection()
    params = stmt.compile(dialect=connection.dialect).params.values()
    if not all(_number(v) for v in params):
        raise ValueError("only numbers may be written into the SQL")
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _number(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_number(v) for v in value)
    return value is None or isinstance(value, bool | int | float)


FACT_COLUMNS = [
    "campaign_id",
    "territory_id",
    "questionnaire_id",
    "questionnaire_version",
    "consent",
    "kind",
    "population",
    "n_respondents",
    "n_agreed",  # consensus rows of the campaign: a refresh reads them only if there are some
]


def campaign_facts(session: Session, *, campaign_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Campaigns with their territory's kind and population, and their submitted count.

    Columns: FACT_COLUMNS (campaign_id, territory_id, questionnaire_id,
    questionnaire_version, consent, kind, population, n_respondents, n_agreed). All
    campaigns when campaign_ids is None.
    """
    if campaign_ids is None:
        frame = _frame(session, _facts_statement(by_campaign=False), FACT_COLUMNS)
    else:
        rows = session.connection().execute(_FACTS_OF, {"ids": list(campaign_ids)}).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=FACT_COLUMNS)
    frame["consent"] = frame["consent"].astype(bool)
    return frame


def _facts_statement(*, by_campaign: bool) -> Any:
    counted = select(Participant.campaign_id, func.count().label("n")).where(
        Participant.submitted_at.is_not(None)  # type: ignore[union-attr]
    )
    ids = bindparam("ids", expanding=True)
    if by_campaign:  # one campaign's refresh must not count the whole country
        counted = counted.where(Participant.campaign_id.in_(ids))  # type: ignore[attr-defined]
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
            func.coalesce(submitted.c.n, 0).label("n_respondents"),
            select(func.count())
            .where(ConsensusScore.campaign_id == Campaign.id)
            .correlate(Campaign)
            .scalar_subquery()
            .label("n_agreed"),
        )
        .join(Territory, Territory.id == Campaign.territory_id)  # type: ignore[arg-type]
        .outerjoin(submitted, submitted.c.campaign_id == Campaign.id)
        .order_by(Campaign.id)
    )
    if by_campaign:
        stmt = stmt.where(Campaign.id.in_(ids))  # type: ignore[union-attr]
    return stmt


_FACTS_OF = _facts_statement(by_campaign=True)


def campaign_fact(session: Session, *, campaign_id: int) -> dict[str, Any] | None:
    """campaign_facts() of one campaign as a dict (None if it does not exist): a submission's
    refresh reads it, and a frame would cost more than the query."""
    row = session.connection().execute(_FACTS_OF, {"ids": [campaign_id]}).first()
    return None if row is None else dict(zip(FACT_COLUMNS, row, strict=True))


def answer_counts(
    session: Session, *, values: Sequence[int], campaign_ids: Sequence[int] | None = None
) -> list[tuple[Any, ...]]:
    """How many submitted respondents gave each level and each target, per campaign x question.

    One GROUP BY in the database; no answer row is read. "Je ne sais pas" answers are left
    out. Rows: (campaign_id, question_id, the counts of each of `values` as a level, then as a
    target). All campaigns when campaign_ids is None.
    """
    if campaign_ids is None:  # the whole country: tens of thousands of rows
        return _raw_rows(session, _counts_statement(tuple(values), by_campaign=False))
    stmt = _counts_statement(tuple(values), by_campaign=True)
    rows = session.connection().execute(stmt, {"ids": list(campaign_ids)}).all()
    return [tuple(r) for r in rows]


@lru_cache(maxsize=16)
def _counts_statement(values: tuple[int, ...], *, by_campaign: bool) -> Any:
    """answer_counts' statement, built once (a refresh runs it on every submission)."""
    levels = [
        func.count().filter(Answer.level == v).label(f"level_{i}") for i, v in enumerate(values)
    ]
    targets = [
        func.count().filter(Answer.target == v).label(f"target_{i}") for i, v in enumerate(values)
    ]
    stmt = (
        select(Participant.campaign_id, Answer.question_id, *levels, *targets)
        .join(Participant, Participant.id == Answer.participant_id)  # type: ignore[arg-type]
        .where(
            Participant.submitted_at.is_not(None),  # type: ignore[union-attr]
            Answer.dont_know.is_not(True),  # type: ignore[attr-defined]
            or_(Answer.level.is_not(None), Answer.target.is_not(None)),  # type: ignore[union-attr]
        )
        .group_by(Participant.campaign_id, Answer.question_id)
    )
    if by_campaign:
        ids = bindparam("ids", expanding=True)
        stmt = stmt.where(Participant.campaign_id.in_(ids))  # type: ignore[attr-defined]
    return stmt


def fact_and_counts(
    session: Session, *, campaign_id: int, values: Sequence[int]
) -> tuple[dict[str, Any] | None, list[tuple[Any, ...]]]:
    """campaign_fact() and answer_counts() of one campaign in one statement: a submission's
    refresh runs it, and on PostgreSQL every round trip costs about a millisecond. The counts
    are those of `values` (the questionnaire the caller expects: it checks the fact's)."""
    rows = session.connection().execute(
        _fact_counts_statement(tuple(values)), {"ids": [campaign_id]}
    )
    rows = rows.all()
    if not rows:
        return None, []
    width = len(FACT_COLUMNS)
    fact = dict(zip(FACT_COLUMNS, rows[0][:width], strict=True))
    counts = [(campaign_id, *row[width:]) for row in rows if row[width] is not None]
    return fact, counts


@lru_cache(maxsize=16)
def _fact_counts_statement(values: tuple[int, ...]) -> Any:
    """The campaign's facts, joined to each of its counted questions (NULL when none)."""
    fact = _FACTS_OF.subquery("fact")
    counts = _counts_statement(values, by_campaign=True).subquery("counts")
    return (
        select(*fact.c, *list(counts.c)[1:])
        .select_from(fact)
        .outerjoin(counts, counts.c.campaign_id == fact.c.id)
        .order_by(counts.c.question_id)
    )


def consensus_rows(
    session: Session, *, campaign_ids: Sequence[int] | None = None
) -> list[tuple[Any, ...]]:
    """Agreed levels of the campaigns (all when None): (campaign_id, question_id, level,
    target) rows."""
    stmt, params = _CONSENSUS, {}
    if campaign_ids is not None:
        stmt, params = _CONSENSUS_OF, {"ids": list(campaign_ids)}
    return [tuple(r) for r in session.connection().execute(stmt, params).all()]


CONSENSUS_COLUMNS = ["campaign_id", "question_id", "level", "target"]
_CONSENSUS = select(
    ConsensusScore.campaign_id,
    ConsensusScore.question_id,
    ConsensusScore.level,
    ConsensusScore.target,
)
_CONSENSUS_OF = _CONSENSUS.where(
    ConsensusScore.campaign_id.in_(bindparam("ids", expanding=True))  # type: ignore[attr-defined]
)


def replace_rows(session: Session, *, campaign_ids: Sequence[int], rows: Mapping[str, Any]) -> None:
    """Replace the benchmark rows of these campaigns by `rows`: TABLE_COLUMNS -> the column's
    values (a frame, or a dict of arrays or lists)."""
    ids = list(campaign_ids)
    values = [_plain_column(rows[c]) for c in TABLE_COLUMNS]
    connection = session.connection()
    if values[0] and connection.dialect.name == "postgresql":
        _upsert_postgresql(session, ids, values)  # one round trip instead of four
        return
    for start in range(0, len(ids), _CHUNK):
        connection.execute(_DELETE_OF, {"ids": ids[start : start + _CHUNK]})
    if not values[0]:
        return
    _bulk_insert(session, [*TABLE_COLUMNS, "refreshed_at"], [*values, [now()] * len(values[0])])


def _upsert_postgresql(session: Session, ids: list[int], values: list[list[Any]]) -> None:
    """replace_rows on PostgreSQL in one statement: the rows of `ids` not in `values` are
    deleted (a CTE) and those in `values` inserted or updated (INSERT … ON CONFLICT DO
    UPDATE). The deleted and the written rows are disjoint, so the two parts of the statement
    never touch the same row. The rows go as one array per column (unnest): the statement's
    text stays short and the same whatever the number of rows, so the driver parses it once
    and the server prepares it once."""
    connection = session.connection()
    dialect = connection.dialect
    columns = [*TABLE_COLUMNS, "refreshed_at"]
    processed = _processed(dialect, columns, [*values, [now()] * len(values[0])])
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_upsert_sql(dialect), [*processed, ids])
    finally:
        cursor.close()


@lru_cache(maxsize=4)
def _upsert_sql(dialect: Any) -> str:
    quote = dialect.identifier_preparer
    table = quote.format_table(_T)
    columns = [*TABLE_COLUMNS, "refreshed_at"]
    names = ", ".join(quote.quote(c) for c in columns)
    arrays = ", ".join(f"CAST(%s AS {_T.c[c].type.compile(dialect=dialect)}[])" for c in columns)
    keys = ", ".join(quote.quote(c) for c in _KEY)
    updates = ", ".join(
        f"{quote.quote(c)} = EXCLUDED.{quote.quote(c)}" for c in columns if c not in _KEY
    )
    return (
        f"WITH new AS (SELECT * FROM unnest({arrays}) AS new ({names})), "
        f"gone AS (DELETE FROM {table} WHERE {quote.quote('campaign_id')} = ANY(%s) "
        f"AND ({keys}) NOT IN (SELECT {keys} FROM new)) "
        f"INSERT INTO {table} ({names}) SELECT {names} FROM new "
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def _bulk_insert(session: Session, columns: list[str], values: list[list[Any]]) -> None:
    """Insert rows given column by column, through the driver: COPY on PostgreSQL, executemany
    on SQLite. The values go through the columns' own bind processors (as with insert()), but
    once per column rather than once per row: a rebuild writes about 12,000 rows."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - other databases
        records = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
        connection.execute(insert(_T), records)
        return
    rows = list(zip(*_processed(dialect, columns, values), strict=True))
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(c) for c in columns)
    table = quote.format_table(_T)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if hasattr(cursor, "copy"):  # psycopg 3
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            marks = ", ".join([mark] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def _bulk_update(
    session: Session, columns: list[str], values: list[list[Any]], keys: list[list[Any]]
) -> None:
    """UPDATE … WHERE campaign_id = ? AND dimension_id = ? for many rows, through the driver
    (see _bulk_insert)."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - other databases
        stmt = update(_T).where(
            _T.c.campaign_id == bindparam("key_campaign"),
            _T.c.dimension_id == bindparam("key_dimension"),
        )
        names = [*columns, "key_campaign", "key_dimension"]
        records = [dict(zip(names, r, strict=True)) for r in zip(*values, *keys, strict=True)]
        connection.execute(stmt, records)
        return
    processed = _processed(dialect, columns, values) + _processed(dialect, _KEY, keys)
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{quote.quote(c)} = {mark}" for c in columns)
    where = " AND ".join(f"{quote.quote(c)} = {mark}" for c in _KEY)
    sql = f"UPDATE {quote.format_table(_T)} SET {assignments} WHERE {where}"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, list(zip(*processed, strict=True)))
    finally:
        cursor.close()


def _processed(dialect: Any, columns: list[str], values: list[list[Any]]) -> list[list[Any]]:
    """Each column's values through that column's bind processor (as insert() would do)."""
    out = []
    for name, column in zip(columns, values, strict=True):
        process = _T.c[name].type.bind_processor(dialect)
        out.append([process(v) for v in column] if process else column)
    return out


_DELETE_OF = delete(_T).where(_T.c.campaign_id.in_(bindparam("ids", expanding=True)))
_CHUNK = 5_000  # campaign ids per DELETE: under every driver's limit on bound parameters


def _plain_column(values: Any) -> list[Any]:
    """Python scalars for the driver, NaN and NA as None, from a Series, an array or a list."""
    numbers = isinstance(values, pd.Series | np.ndarray) and values.dtype.kind in "biuf"
    if numbers and not pd.isna(values).any():
        return values.tolist()  # tolist() unboxes numpy numbers
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    return [_plain(v) for v in items]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):  # a numpy number in an object column
        item = value.item()
        return None if isinstance(item, float) and item != item else item
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
    rows = _raw_rows(session, stmt)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(TABLE_COLUMNS)
    return pd.DataFrame(
        {name: _column(name, values) for name, values in zip(TABLE_COLUMNS, columns, strict=True)}
    )


_TEXT = {"dimension_id", "questionnaire_id", "questionnaire_version", "kind", "population_band"}
_FIGURES = {"score", "target_score", "agreement", "share_agree"}


def _column(name: str, values: Sequence[Any]) -> Any:
    """One column of the table with its dtype: text, float figures (missing: NaN), bool
    consent, Int64 population (it may be missing), int64 ids and counts."""
    if name in _TEXT:
        return pd.array(values, dtype="str")
    if name in _FIGURES:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if name == "population":
        return pd.array(values, dtype="Int64")
    if name == "consent":
        return np.array(values, dtype=bool)
    return np.array(values, dtype=np.int64)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtypes of read_table() for rows computed in Python."""
    return pd.DataFrame({name: _column(name, frame[name].tolist()) for name in TABLE_COLUMNS})


def sync_rows(
    session: Session,
    *,
    campaign_ids: Sequence[int],
    rows: pd.DataFrame,
    computed_since: datetime | None = None,
) -> int:
    """Make the rows of these campaigns equal `rows` (TABLE_COLUMNS), writing only what differs:
    rows that changed are updated, new ones inserted, those gone deleted. Returns the number
    of rows written. A rebuild over a current table thus writes nothing, keeps the pages'
    caches, and pays no foreign-key check for rows that are already there.

    Campaigns refreshed after `computed_since` (a submission while `rows` were being
    computed) are left as they are: their rows are newer than `rows`.
    """
    ids = {int(i) for i in campaign_ids}
    if computed_since is not None:
        newer = select(_T.c.campaign_id).where(_T.c.refreshed_at > computed_since).distinct()
        ids -= {int(i) for i in session.connection().execute(newer).scalars()}
    current = read_table(session)
    current = current.loc[current["campaign_id"].isin(ids)]
    wanted = _typed(rows.loc[rows["campaign_id"].isin(ids), TABLE_COLUMNS].copy())
    merged = current.merge(wanted, on=_KEY, how="outer", suffixes=("_old", ""), indicator=True)
    gone = merged.loc[merged["_merge"] == "left_only", _KEY]
    both = merged.loc[merged["_merge"] == "both"]
    same = pd.Series(True, index=both.index)
    for column in _VALUES:
        old, new = both[f"{column}_old"], both[column]
        equal = (old == new).fillna(False).astype(bool) | (old.isna() & new.isna())
        same &= equal
    changed = both.loc[~same, TABLE_COLUMNS]
    new_rows = merged.loc[merged["_merge"] == "right_only", TABLE_COLUMNS]
    connection = session.connection()
    if not gone.empty:
        connection.execute(
            delete(_T).where(
                _T.c.campaign_id == bindparam("key_campaign"),
                _T.c.dimension_id == bindparam("key_dimension"),
            ),
            [
                {"key_campaign": int(c), "key_dimension": str(d)}
                for c, d in gone.itertuples(index=False, name=None)
            ],
        )
    stamp = now()
    if not changed.empty:
        values = [_plain_column(changed[c]) for c in _VALUES] + [[stamp] * len(changed)]
        keys = [_plain_column(changed[c]) for c in _KEY]
        _bulk_update(session, [*_VALUES, "refreshed_at"], values, keys)
    if not new_rows.empty:
        values = [_plain_column(new_rows[c]) for c in TABLE_COLUMNS] + [[stamp] * len(new_rows)]
        _bulk_insert(session, [*TABLE_COLUMNS, "refreshed_at"], values)
    return len(gone) + len(changed) + len(new_rows)


_KEY = ["campaign_id", "dimension_id"]
_VALUES = [c for c in TABLE_COLUMNS if c not in _KEY]


def fingerprint(session: Session) -> tuple[object, ...]:
    """Rows, consenting rows and last refresh: changes whenever a row or a consent does."""
    stmt = select(
        func.count(),
        func.sum(case((_T.c.consent, 1), else_=0)),
        func.max(_T.c.refreshed_at),
    )
    return tuple(session.connection().execute(stmt).one())


def territory_names(session: Session, *, ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Territory.id, Territory.name).where(Territory.id.in_(list(ids)))  # type: ignore[union-attr]
    return {int(i): str(n) for i, n in session.connection().execute(stmt).all()}


def campaign_titles(session: Session, *, ids: Iterable[int]) -> dict[int, str]:
    stmt = select(Campaign.id, Campaign.title).where(Campaign.id.in_(list(ids)))  # type: ignore[union-attr]
    return {int(i): str(t) for i, t in session.connection().execute(stmt).all()}


def campaign_days(session: Session, *, ids: Iterable[int]) -> dict[int, Any]:
    """When each campaign opened (its creation when never opened): the order of a territory's
    campaigns, whatever the order they were entered in."""
    day = func.coalesce(Campaign.opened_at, Campaign.created_at)
    stmt = select(Campaign.id, day).where(Campaign.id.in_(list(ids)))  # type: ignore[union-attr]
    return {int(i): d for i, d in session.connection().execute(stmt).all()}
