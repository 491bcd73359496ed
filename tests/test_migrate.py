"""Migrating a base: the `migrate` command, processes that migrate at the same moment
(PostgreSQL's advisory lock), and the connection pool's size as a setting."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect

from diagnostic.cli import main
from diagnostic.settings import get_settings
from diagnostic.store import engine as engines
from diagnostic.store.engine import build_engine, configure_pool, migrate, schema_revision


def head(url: str) -> str | None:
    eng = build_engine(url)
    try:
        return schema_revision(eng)
    finally:
        eng.dispose()


def test_the_migrate_command_brings_a_new_base_to_the_latest_schema_then_says_it_is_current(
    capsys, app_env
):
    assert main(["migrate"]) == 0
    first = capsys.readouterr().out.strip()
    revision = head(app_env)
    assert revision is not None
    assert first == f"Schéma de la base mis à jour : migration aucune → {revision}."
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Schéma de la base déjà à jour (migration {revision})."
    )


@pytest.mark.postgres
def test_processes_starting_together_on_postgresql_migrate_one_after_the_other(postgres_url):
    """Four engines (four processes' worth) migrate a new base at the same moment: every one
    returns, the schema is complete, and only one of them saw it empty."""
    engines_ = [build_engine(postgres_url) for _ in range(4)]
    results: list[tuple[str | None, str | None]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines_))

    def run(eng) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            results.append(migrate(eng))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines_]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        assert len(results) == 4
        afters = {after for _, after in results}
        assert len(afters) == 1 and None not in afters
        assert [before for before, _ in results].count(None) == 1
        assert "answer" in inspect(engines_[0]).get_table_names()
    finally:
        for e in engines_:
            e.dispose()


@pytest.mark.postgres
def test_a_pool_of_one_connection_is_enough_to_migrate_and_the_size_is_a_setting(
    postgres_url, monkeypatch
):
    monkeypatch.setenv("DB_POOL_SIZE", "1")
    monkeypatch.setenv("DB_POOL_OVERFLOW", "0")
    get_settings.cache_clear()
    saved = dict(engines._POOL)
    try:
        settings = get_settings()
        assert (settings.db_pool_size, settings.db_pool_overflow) == (1, 0)
        configure_pool(settings.db_pool_size, settings.db_pool_overflow)
        eng = build_engine(postgres_url)
        try:
            assert (eng.pool.size(), eng.pool._max_overflow) == (1, 0)
            before, after = migrate(eng)  # the lock and the migrations share one connection
            assert before is None and after is not None
        finally:
            eng.dispose()
    finally:
        engines._POOL.update(saved)
        get_settings.cache_clear()


def test_a_pool_must_hold_a_connection():
    with pytest.raises(ValueError):
        configure_pool(0, 10)
    with pytest.raises(ValueError):
        configure_pool(5, -1)
