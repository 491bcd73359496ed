"""Backups: SQLite through the online backup API, PostgreSQL through pg_dump / pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from diagnostic.errors import DiagnosticError
from diagnostic.store.engine import MIGRATIONS, build_engine, migrate
from diagnostic.store.faults import is_unavailable


class BackupError(DiagnosticError):
    """A backup or restore that cannot be done (French message, no traceback)."""


class ToolMissing(BackupError):
    """pg_dump / pg_restore is not installed: the message holds the command to run by hand."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    revision: str | None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("une base SQLite en mémoire ne peut pas être sauvegardée")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (for the command line) and the password environment."""
    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
    )
    return plain.render_as_string(hide_password=False), env


def backup(url: str, dest: Path) -> BackupReport:
    """Write a consistent copy of the database at `url` to `dest` (safe while the app writes)."""
    if is_sqlite(url):
        return _backup_sqlite(_sqlite_path(url), dest)
    return _backup_postgres(url, dest)


def _backup_sqlite(source: Path, dest: Path) -> BackupReport:
    if not source.is_file():
        raise BackupError(f"la base {source} n'existe pas")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partie")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)  # read-write open: a WAL base needs its -shm
    out = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, i.e. one read snapshot. In WAL mode the
        # writers go on meanwhile; every transaction committed before the call is in the copy.
        src.backup(out, pages=-1)
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        revision = _revision(out)
    finally:
        out.close()
        src.close()
    os.replace(partial, dest)  # never leave a half-written file under the requested name
    return BackupReport(dest, dest.stat().st_size, revision)


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def pg_dump_command(url: str, dest: Path) -> list[str]:
    target, _ = _libpq(url)
    return ["pg_dump", "--format=custom", "--no-owner", "--file", str(dest), target]


def pg_restore_command(url: str, source: Path) -> list[str]:
    target, _ = _libpq(url)
    # --clean --if-exists: the tables an empty, already migrated base may hold are replaced
    return [
        "pg_restore",
        "--no-owner",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--dbname",
        target,
        str(source),
    ]


def _run_tool(cmd: list[str], url: str, what: str) -> str:
    if shutil.which(cmd[0]) is None:
        password = " (mot de passe dans la variable PGPASSWORD)" if make_url(url).password else ""
        raise ToolMissing(
            f"{cmd[0]} est introuvable sur cette machine : la {what} d'une base PostgreSQL "
            f"passe par les outils de PostgreSQL. Installez-les (paquet postgresql-client) ou "
            f"lancez vous-même{password} :\n  {' '.join(cmd)}"
        )
    _, env = _libpq(url)
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise BackupError(f"{cmd[0]} a échoué : {detail}")
    return done.stdout


def _backup_postgres(url: str, dest: Path) -> BackupReport:
    dest.parent.mkdir(parents=True, exist_ok=True)
    _run_tool(pg_dump_command(url, dest), url, "sauvegarde")
    return BackupReport(dest, dest.stat().st_size, None)


def known_revisions() -> set[str]:
    script = ScriptDirectory(str(MIGRATIONS))
    return {rev.revision for rev in script.walk_revisions()}


def check_sqlite_backup(path: Path) -> str:
    """The schema revision of a backup file, or BackupError when it is not one of this app."""
    if not path.is_file():
        raise BackupError(f"le fichier {path} n'existe pas")
    with path.open("rb") as fh:
        magic = fh.read(16)
    if magic != b"SQLite format 3\x00":
        raise BackupError(f"{path} n'est pas une base SQLite (ni une sauvegarde de l'application)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{path} est une base SQLite endommagée")
        revision = _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} est illisible : {exc}") from None
    finally:
        conn.close()
    if revision is None:
        raise BackupError(
            f"{path} est une base SQLite mais pas une sauvegarde de cette application "
            "(pas de table alembic_version)"
        )
    if revision not in known_revisions():
        raise BackupError(
            f"{path} vient d'une version plus récente de l'application (schéma {revision}) : "
            "mettez l'application à jour avant de restaurer"
        )
    return revision


def check_postgres_backup(url: str, path: Path) -> None:
    """Refuse a file that is not a pg_dump archive of this app (it must hold alembic_version)."""
    if not path.is_file():
        raise BackupError(f"le fichier {path} n'existe pas")
    try:
        listing = _run_tool(["pg_restore", "--list", str(path)], url, "restauration")
    except ToolMissing:
        raise
    except BackupError:
        raise BackupError(
            f"{path} n'est pas une sauvegarde PostgreSQL (archive pg_dump --format=custom)"
        ) from None
    if " TABLE " not in listing or "alembic_version" not in listing:
        raise BackupError(
            f"{path} est une archive PostgreSQL mais pas une sauvegarde de cette application "
            "(pas de table alembic_version)"
        )


def has_data(url: str) -> bool:
    """Whether the database holds any row of the app (an empty or missing base holds none)."""
    if is_sqlite(url) and not _sqlite_path(url).exists():
        return False
    from sqlalchemy import func, inspect, select, table

    engine = build_engine(url)
    try:
        names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
        with engine.connect() as conn:
            return any(
                conn.execute(select(func.count()).select_from(table(n))).scalar() for n in names
            )
    except Exception as exc:
        _unreachable(exc)
        raise
    finally:
        engine.dispose()


def _unreachable(exc: BaseException) -> None:
    if is_unavailable(exc):
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise BackupError(f"la base de destination ne répond pas ({detail})") from None


def restore(url: str, source: Path, *, force: bool = False) -> str | None:
    """Replace the database at `url` by the backup `source`, then migrate it to the latest schema.

    Refuses a non-empty target unless `force`. Returns the backup's schema revision (SQLite).
    """
    if not force and has_data(url):
        raise BackupError(
            "la base de destination contient déjà des données : ajoutez --force pour la "
            "remplacer par la sauvegarde (faites d'abord une sauvegarde de son état actuel)"
        )
    revision: str | None = None
    if is_sqlite(url):
        revision = check_sqlite_backup(source)
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        out = sqlite3.connect(target, timeout=30)
        try:
            # The backup API writes through SQLite's own locking: an app that has the base open
            # sees the restored content at its next transaction, and no -wal file goes stale.
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode=WAL")
        finally:
            out.close()
            src.close()
    else:
        check_postgres_backup(url, source)
        _run_tool(pg_restore_command(url, source), url, "restauration")
    engine = build_engine(url)
    try:
        migrate(engine)
    except Exception as exc:
        _unreachable(exc)
        raise
    finally:
        engine.dispose()
    return revision
