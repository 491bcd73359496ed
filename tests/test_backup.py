"""Backups: `backup` while the app writes, `restore` with its refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.answering.respondent import record_answer
from diagnostic.cli import main
from diagnostic.questionnaire import load_questionnaire
from diagnostic.settings import get_settings
from diagnostic.store.engine import build_engine, get_engine, migrate, session_scope
from tests.conftest import FIXTURES, _reset_caches
from tests.factories import make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")
# one distinct (participant, question) key per write, so "committed before" is exact
QUESTIONS = [
    ("ctx_structure", lambda i: {"choice": "epci" if i % 2 else "commune"}),
    ("ins_debat", lambda i: {"level": 1 + i % 5}),
    ("ins_codir", lambda i: {"current": 1 + i % 5, "target": 5, "importance": 1 + i % 3}),
    ("act_libre", lambda i: {"text": f"réponse n° {i}"}),
]


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def use_database(monkeypatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    _reset_caches()


def stored_answers(url: str) -> dict[tuple[int, str], dict]:
    engine = build_engine(url)
    try:
        from diagnostic.store.models import Answer

        with session_scope(engine) as s:
            return {(a.participant_id, a.question_id): a.value for a in s.exec(select(Answer))}
    finally:
        engine.dispose()


def test_backup_while_the_app_writes_then_restore_keeps_every_committed_answer(
    app_env, tmp_path, capsys, monkeypatch
):
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    world = make_world(engine, n_participants=41)
    committed: list[tuple[int, str, dict]] = []
    extra: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:  # a room of respondents, one answer after the other through the app
        try:
            for n, p in enumerate(world.participants[:-1]):
                actor = Actor(kind="respondent", participant_id=p.id, campaign_id=world.campaign_id)
                for qid, make in QUESTIONS:
                    if stop.is_set():
                        return
                    record_answer(engine, actor, Q, p.id, qid, make(n))
                    committed.append((p.id, qid, make(n)))
                    time.sleep(0.002)
            last = world.participants[-1]
            actor = Actor(kind="respondent", participant_id=last.id, campaign_id=world.campaign_id)
            while not stop.is_set():  # keep the base busy until the test is done with it
                record_answer(engine, actor, Q, last.id, "act_libre", {"text": str(time.time())})
                extra.append(1)
                time.sleep(0.002)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.time() + 20
    while len(committed) < 40 and time.time() < deadline:
        time.sleep(0.01)
    before = list(committed)  # every answer committed before the backup starts
    backup_file = tmp_path / "sauvegarde.db"
    code, out, _ = cli(capsys, "backup", "-o", str(backup_file))
    during = len(committed) + len(extra) - len(before)
    time.sleep(0.05)
    still_writing = thread.is_alive() and not errors
    stop.set()
    thread.join(timeout=60)
    assert errors == []
    assert code == 0 and f"Sauvegarde écrite : {backup_file}" in out
    assert still_writing, "the writer should still be saving answers when the backup ends"
    assert len(committed) + len(extra) > len(before) + during

    fresh = f"sqlite:///{tmp_path / 'restauree' / 'app.db'}"
    use_database(monkeypatch, fresh)
    code, out, _ = cli(capsys, "restore", str(backup_file))
    assert code == 0 and "Base restaurée" in out
    restored = stored_answers(fresh)
    missing = [(pid, qid) for pid, qid, value in before if restored.get((pid, qid)) != value]
    assert missing == []
    assert len(before) >= 40
    # the backup is one self-contained file (no -wal needed) and a valid base of the app
    with sqlite3.connect(backup_file) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_restore_refuses_a_non_empty_base_without_force(app_env, tmp_path, capsys, monkeypatch):
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    world = make_world(engine, n_participants=1)
    with session_scope(engine) as s:
        pid = world.participants[0].id
        store_answers(s, Q, pid, {"ins_debat": {"level": 4}})
    backup_file = tmp_path / "b.db"
    assert cli(capsys, "backup", "-o", str(backup_file))[0] == 0

    other = f"sqlite:///{tmp_path / 'autre.db'}"
    use_database(monkeypatch, other)
    other_engine = build_engine(other)
    migrate(other_engine)
    make_world(other_engine, name="CC Autre", n_participants=2)
    other_engine.dispose()
    code, _, err = cli(capsys, "restore", str(backup_file))
    assert code == 1
    assert "contient déjà des données" in err and "--force" in err
    assert cli(capsys, "restore", str(backup_file), "--force")[0] == 0
    assert stored_answers(other) == {(pid, "ins_debat"): {"level": 4}}


def test_restore_refuses_files_that_are_not_backups_of_the_app(app_env, tmp_path, capsys):
    text = tmp_path / "notes.db"
    text.write_text("pas une base", encoding="utf-8")
    foreign = tmp_path / "autre-appli.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path, message in (
        (text, "n'est pas une base SQLite"),
        (foreign, "pas de table alembic_version"),
        (tmp_path / "absent.db", "n'existe pas"),
    ):
        code, _, err = cli(capsys, "restore", str(path))
        assert code == 1, err
        assert message in err


def test_backup_of_a_missing_base_fails_in_one_line(tmp_path, capsys, monkeypatch):
    use_database(monkeypatch, f"sqlite:///{tmp_path / 'rien.db'}")
    code, _, err = cli(capsys, "backup", "-o", str(tmp_path / "x.db"))
    assert code == 1 and "n'existe pas" in err
    _reset_caches()


@pytest.mark.postgres
def test_postgres_backup_and_restore_through_pg_dump(postgres_url, tmp_path, capsys, monkeypatch):
    import shutil

    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump absent")
    engine = build_engine(postgres_url)
    migrate(engine)
    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    with session_scope(engine) as s:
        store_answers(s, Q, pid, {"act_libre": {"text": "sauvegardé"}})
    engine.dispose()
    use_database(monkeypatch, postgres_url)
    dump = tmp_path / "base.dump"
    code, out, _ = cli(capsys, "backup", "-o", str(dump))
    assert code == 0 and dump.stat().st_size > 0
    # the same base still holds data: refused without --force, replaced with it
    code, _, err = cli(capsys, "restore", str(dump))
    assert code == 1 and "--force" in err
    assert cli(capsys, "restore", str(dump), "--force")[0] == 0
    assert stored_answers(postgres_url) == {(pid, "act_libre"): {"text": "sauvegardé"}}
    sqlite_file = tmp_path / "x.db"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    code, _, err = cli(capsys, "restore", str(sqlite_file), "--force")
    assert code == 1 and "n'est pas une sauvegarde PostgreSQL" in err
    _reset_caches()


def test_postgres_without_pg_dump_prints_the_command_and_exits_2(tmp_path, capsys, monkeypatch):
    import diagnostic.store.backup as backup_module

    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    use_database(monkeypatch, "postgresql+psycopg://diag:secret@db.example:5433/diagnostic")
    code, _, err = cli(capsys, "backup", "-o", str(tmp_path / "base.dump"))
    assert code == 2
    assert "pg_dump est introuvable" in err
    assert "pg_dump --format=custom --no-owner --file" in err
    assert "postgresql://diag@db.example:5433/diagnostic" in err
    assert "secret" not in err and "PGPASSWORD" in err
    _reset_caches()


def test_restore_into_an_unreachable_base_fails_in_one_line(tmp_path, capsys, monkeypatch):
    backup_file = tmp_path / "b.db"
    with sqlite3.connect(backup_file) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    use_database(monkeypatch, "postgresql+psycopg://postgres@127.0.0.1:1/absente")
    code, _, err = cli(capsys, "restore", str(backup_file))
    assert code == 1 and "la base de destination ne répond pas" in err
    _reset_caches()
