"""The one engine factory, session scope and schema migration (Alembic) of the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
READ_ONLY = "diagnostic_read_only"  # execution option of read_scope's connections
POOL_SIZE, POOL_OVERFLOW = 20, 10  # PostgreSQL connections kept open, and allowed beyond
# The sizes the next PostgreSQL engine is built with (settings DB_POOL_SIZE, DB_POOL_OVERFLOW,
# set by configure_pool before the app or a command opens its base).
_POOL = {"size": POOL_SIZE, "overflow": POOL_OVERFLOW}
# Key of the PostgreSQL advisory lock held while migrating: processes started together (the
# units of deploy/systemd, a restart of all of them) migrate one after the other.
MIGRATION_LOCK = 0x44474F56  # "DGOV"


def configure_pool(size: int, overflow: int) -> None:
    """Set the connection pool of the PostgreSQL engines built from now on (per process)."""
    if size < 1 or overflow < 0:
        raise ValueError("pool size must be at least 1 and overflow at least 0")
    _POOL.update(size=size, overflow=overflow)


def build_engine(url: str) -> Engine:
    """Create an engine tuned for the backend: SQLite in WAL with immediate writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": 5, "check_same_thread": False}, pool_pre_ping=False
        )
        _tune_sqlite(engine)
        return engine
    # PostgreSQL: one Streamlit process runs every session's script in a thread of its own
    # (150 in a seminar room). With SQLAlchemy's default pool (5 kept + 10 overflow) the
    # connections beyond 5 are closed as soon as they are handed back, so a busy room opens
    # and closes server connections all the time (a new backend process each, the costliest
    # thing on the page's path); POOL_SIZE keeps enough of them open. Two app processes use
    # 2 x (POOL_SIZE + POOL_OVERFLOW) = 60 of the server's default 100 connections; a hosted
    # deployment sizes it with DB_POOL_SIZE / DB_POOL_OVERFLOW (README « Hébergement »).
    # pool_pre_ping (one round trip per checkout) keeps a restarted server transparent.
    return create_engine(
        url, pool_pre_ping=True, pool_size=_POOL["size"], max_overflow=_POOL["overflow"]
    )


def _tune_sqlite(engine: Engine) -> None:
    # A room of respondents saving at once: WAL lets readers go on while one writes, the busy
    # timeout makes writers wait rather than fail, and BEGIN IMMEDIATE takes the write lock
    # up front so that a read-then-write transaction never fails to upgrade its lock.
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # A read-only scope (read_scope) starts a deferred transaction instead: in WAL mode a
        # reader then neither waits for a writer nor makes one wait (150 phones polling).
        deferred = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL for the life of the process."""
    return build_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A short transaction: commit on success, roll back on error, always close."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@lru_cache(maxsize=8)
def _reader(engine: Engine) -> Engine:
    if engine.dialect.name == "postgresql":
        # In PostgreSQL's default READ COMMITTED each statement of a transaction sees its own
        # snapshot anyway: reading in autocommit changes nothing to what is read and saves the
        # BEGIN and ROLLBACK round trips (the connection is set back when returned to the pool).
        return engine.execution_options(**{READ_ONLY: True, "isolation_level": "AUTOCOMMIT"})
    return engine.execution_options(**{READ_ONLY: True})


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A short read-only transaction for frequent polling reads; it must not write.

    On SQLite it takes no write lock (see _tune_sqlite); on PostgreSQL it reads in autocommit
    (see _reader). Closing hands the connection back to the pool, which rolls the transaction
    back; loaded objects keep their values."""
    session = Session(_reader(engine), expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A plain connection for the hottest polling reads (a live workshop's 150 phones): no ORM
    session around plain-row queries, the same read-only rules as `read_scope`."""
    with _reader(engine).connect() as connection:
        yield connection


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def schema_revision(engine: Engine) -> str | None:
    """The migration the base is at (None: a base never migrated)."""
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(conn).get_current_revision()
    conn.rollback()
    return revision


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the latest migration (run at every start; cheap when current).

    Returns the revision before and after, so that start-up can redo what a migration asks
    (recompute the comparison table after 0008). On PostgreSQL an advisory lock makes
    processes that start together migrate one after the other: the second finds the schema
    current and does nothing. (SQLite serves one machine: the migration's write transaction
    makes a second process wait, for 5 s at most.)"""
    if engine.dialect.name != "postgresql":
        before = schema_revision(engine)
        command.upgrade(alembic_config(engine), "head")
        return before, schema_revision(engine)
    # One connection holds the lock (a session-level lock: the migrations' commits keep it)
    # and runs the migrations, so that a pool of one connection is enough.
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
        conn.commit()
        try:
            before = _revision(conn)
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            return before, _revision(conn)
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
            conn.commit()
