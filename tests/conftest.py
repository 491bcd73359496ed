"""Shared fixtures: isolated settings, SQLite and PostgreSQL engines, small factories."""

from __future__ import annotations

import os
import runpy
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from diagnostic.questionnaire import registry
from diagnostic.settings import get_settings
from diagnostic.store.engine import build_engine, get_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Invitation links derive from a fixed secret in the tests (never a file in the repository's
# data/ folder); tests of the secret itself pass their own settings.
os.environ.setdefault("LINK_SECRET", "secret-fixe-des-tests-pour-deriver-les-liens")


@pytest.fixture(autouse=True)
def _fresh_failure_counters() -> Iterator[None]:
    """The in-memory counters of wrong passwords and workshop codes start empty in each test."""
    from diagnostic.store.accounts import SIGN_IN_FAILURES
    from diagnostic.workshop.throttle import JOIN_FAILURES

    SIGN_IN_FAILURES.clear()
    JOIN_FAILURES.clear()
    yield
    SIGN_IN_FAILURES.clear()
    JOIN_FAILURES.clear()


def _reset_caches() -> None:
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()


@pytest.fixture
def questions_dir(tmp_path: Path) -> Path:
    """A questions folder holding the small test questionnaire, the demo territories and the
    fiche du territoire."""
    folder = tmp_path / "questions"
    (folder / "questionnaires").mkdir(parents=True)
    shutil.copy(FIXTURES / "mini.yaml", folder / "questionnaires" / "mini.yaml")
    shutil.copytree(ROOT / "questions" / "demo", folder / "demo")
    shutil.copy(ROOT / "questions" / "fiche.yaml", folder / "fiche.yaml")
    shutil.copy(ROOT / "questions" / "invitation.md", folder / "invitation.md")
    return folder


@pytest.fixture
def app_env(tmp_path: Path, questions_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Settings pointing at a fresh SQLite file and the test questionnaire; no demo."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))
    monkeypatch.setenv("LOAD_DEMO", "false")
    monkeypatch.setenv("PUBLIC_URL", "http://testserver")
    _reset_caches()
    yield url
    _reset_caches()


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2
        ):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> bool:
    return _postgres_available()


@pytest.fixture
def postgres_url(postgres_server: bool) -> Iterator[str]:
    """A throwaway PostgreSQL database, created for the test and dropped after it."""
    if not postgres_server:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(
                "REQUIRE_POSTGRES est défini mais aucun serveur ne répond sur 127.0.0.1:5432"
            )
        pytest.skip("aucun serveur PostgreSQL ne répond sur 127.0.0.1:5432")
    import psycopg

    name = f"diag_test_{uuid.uuid4().hex[:12]}"
    dsn = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on SQLite and on PostgreSQL (each test runs on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = build_engine(url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def served(monkeypatch):
    """Every run goes through app.py, as on the server.

    A served app's first st.navigation turns off Streamlit's pages/ folder mode for the
    process; AppTest turns it on again at every run (app.py sits next to pages/), and then
    runs a page it switched to without the router. Here every run starts at app.py."""
    from streamlit.runtime.scriptrunner import script_runner

    monkeypatch.setattr(
        script_runner, "_mpa_v1", lambda path: runpy.run_path(path, run_name="__main__")
    )
