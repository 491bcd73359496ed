"""Database faults during autosave: retried, kept while unavailable, never silently dropped."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

import diagnostic.answering.respondent as respondent
from diagnostic.accounts.permissions import Actor
from diagnostic.answering.respondent import AnswerNotSaved, record_answer
from diagnostic.questionnaire import load_questionnaire
from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, get_engine, migrate, session_scope
from diagnostic.store.faults import UNAVAILABLE_MESSAGE
from tests.conftest import FIXTURES, _reset_caches
from tests.factories import field_data, make_world, send_text
from tests.pages_kit import APP, app, started, stored

Q = load_questionnaire(FIXTURES / "mini.yaml")
BUSY_MS = 100


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(respondent, "SAVE_BACKOFF_S", (0.1, 0.3))


def short_busy_timeout(engine) -> list[BaseException]:
    """Make the engine give up on a lock after BUSY_MS; returns the errors it meets."""
    errors: list[BaseException] = []

    @event.listens_for(engine, "connect")
    def _busy(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")

    @event.listens_for(engine, "handle_error")
    def _seen(context):
        errors.append(context.original_exception)

    engine.dispose()  # pooled connections made before the listener are replaced
    return errors


class Lock:
    """Another process's connection holding the write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def via_router(at):
    """Run through app.py, as a real server does on every run. (AppTest reruns the page file
    of the previous run directly, which would skip the router's database guard.)"""
    return at.switch_page(APP).run()


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def base(app_env):
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    world = make_world(engine, n_participants=2)
    return engine, world, app_env


def actor_of(world, i: int = 0) -> Actor:
    p = world.participants[i]
    return Actor(kind="respondent", participant_id=p.id, campaign_id=world.campaign_id)


def test_a_write_locked_longer_than_the_busy_timeout_is_retried_and_stored(base):
    engine, world, url = base
    errors = short_busy_timeout(engine)
    pid = world.participants[0].id
    lock = Lock(sqlite_path(url))
    threading.Timer(0.45, lock.release).start()  # held through the first two attempts
    t0 = time.perf_counter()
    record_answer(engine, actor_of(world), Q, pid, "ins_debat", {"level": 3})
    elapsed = time.perf_counter() - t0
    assert elapsed >= 0.45
    # at least one attempt met the lock and was retried (how many depends on the machine's
    # speed), and the last one went through
    assert 1 <= sum("locked" in str(e) for e in errors) < respondent.SAVE_ATTEMPTS
    with session_scope(engine) as s:
        assert answer_store.answers_of(s, participant_id=pid) == {"ins_debat": {"level": 3}}


def test_a_base_locked_through_every_attempt_raises_a_french_domain_error(base):
    engine, world, url = base
    errors = short_busy_timeout(engine)
    lock = Lock(sqlite_path(url))
    try:
        with pytest.raises(AnswerNotSaved, match="votre réponse est gardée sur cette page"):
            record_answer(engine, actor_of(world), Q, world.participants[0].id, "ins_debat", {})
    except AssertionError:
        raise
    finally:
        lock.release()
    assert len(errors) == respondent.SAVE_ATTEMPTS


def test_refusals_are_not_retried(base):
    engine, world, _ = base
    errors = short_busy_timeout(engine)
    from diagnostic.questionnaire.codecs import AnswerError

    with pytest.raises(AnswerError):
        record_answer(
            engine, actor_of(world), Q, world.participants[0].id, "ins_debat", {"level": 9}
        )
    assert errors == []


# --- the questionnaire page ------------------------------------------------------------------


def failing_saves(monkeypatch, times: int) -> list[int]:
    """The next `times` writes fail as a locked SQLite base would."""
    calls: list[int] = []
    real = answer_store.upsert_answer

    def flaky(conn, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("INSERT INTO answer", {}, sqlite3.OperationalError("locked"))
        return real(conn, **kwargs)

    monkeypatch.setattr(answer_store, "upsert_answer", flaky)
    return calls


def test_page_keeps_an_unsaved_answer_and_sends_it_again(base, monkeypatch):
    _, world, _ = base
    pid = world.participants[0].id
    at = started(world.tokens[0])
    calls = failing_saves(monkeypatch, times=3)  # every attempt of the autosave fails
    at.radio(key="q_ctx_structure").set_value("commune").run()
    assert not at.exception
    assert len(calls) == 3  # retried, and not tried a 4th time in the same run
    assert "La base de données ne répond pas pour le moment : 1 réponse pas encore" in (
        at.warning[0].value
    )
    assert not at.error
    assert at.radio(key="q_ctx_structure").value == "commune"  # the widget keeps the answer
    assert stored(pid) == {}
    at.button(key="retry_pending").click().run()  # « Réessayer »: the base is back
    assert not at.exception
    assert stored(pid) == {"ctx_structure": {"choice": "commune"}}
    assert not [w for w in at.warning if "pas encore enregistrée" in w.value]
    assert not at.error
    assert at.radio(key="q_ctx_structure").value == "commune"


def test_free_text_typed_during_an_outage_is_kept_and_the_field_says_so(base, monkeypatch):
    _, world, _ = base
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.selectbox(key="section_picker").set_value(2).run()
    failing_saves(monkeypatch, times=3)
    send_text(at, "q_act_libre_texte", "Écrit pendant la panne")
    assert not at.exception
    assert field_data(at, "q_act_libre_texte")["state"] == "pending"
    assert "1 réponse pas encore enregistrée" in at.warning[0].value
    assert stored(pid) == {}
    at.button(key="retry_pending").click().run()  # the base is back
    assert stored(pid) == {"act_libre": {"text": "Écrit pendant la panne"}}
    assert field_data(at, "q_act_libre_texte")["state"] == "saved"


def test_page_sends_a_waiting_answer_with_the_next_change(base, monkeypatch):
    _, world, _ = base
    pid = world.participants[0].id
    at = started(world.tokens[0])
    failing_saves(monkeypatch, times=3)
    at.radio(key="q_ctx_structure").set_value("commune").run()
    at.multiselect(key="q_ctx_outils").select("pacte").run()
    assert not at.exception
    assert stored(pid) == {
        "ctx_structure": {"choice": "commune"},
        "ctx_outils": {"choices": ["pacte"]},
    }
    assert not [w for w in at.warning if "pas encore enregistrée" in w.value]


def test_page_survives_a_base_locked_for_the_whole_run(base):
    engine, world, url = base
    short_busy_timeout(engine)
    pid = world.participants[0].id
    at = started(world.tokens[0])
    lock = Lock(sqlite_path(url))
    try:
        at.radio(key="q_ctx_structure").set_value("epci")
        via_router(at)
    finally:
        lock.release()
    assert not at.exception
    # The page's reads take no write lock (WAL): it is drawn, the answer kept waiting.
    assert "1 réponse pas encore enregistrée" in at.warning[0].value
    assert at.radio(key="q_ctx_structure").value == "epci"
    assert stored(pid) == {}
    at.button(key="retry_pending").click().run()
    assert not at.exception
    assert stored(pid) == {"ctx_structure": {"choice": "epci"}}
    assert at.radio(key="q_ctx_structure").value == "epci"
    assert not [w for w in at.warning if "pas encore enregistrée" in w.value]


def test_unreachable_postgresql_gives_a_french_message_not_a_traceback(monkeypatch, app_env):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/absente")
    _reset_caches()
    at = app("un-lien")  # a respondent's link: the page reads the base at once
    assert not at.exception
    assert at.error[0].value == UNAVAILABLE_MESSAGE
    assert at.button(key="db_retry").label == "Réessayer"


@pytest.mark.postgres
def test_postgresql_lost_mid_survey_keeps_the_answer_waiting(monkeypatch, app_env, postgres_url):
    import psycopg

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    _reset_caches()
    engine = get_engine(postgres_url)
    migrate(engine)
    world = make_world(engine, n_participants=1)
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("commune").run()
    assert stored(world.participants[0].id) == {"ctx_structure": {"choice": "commune"}}
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # the server loses the base
    at.multiselect(key="q_ctx_outils").select("codir")
    via_router(at)
    assert not at.exception
    assert at.error[0].value == UNAVAILABLE_MESSAGE
    assert "1 réponse pas encore enregistrée" in at.warning[0].value
    assert at.session_state["pending_answers"] == {"ctx_outils": {"choices": ["codir"]}}
    engine.dispose()


# --- two tabs on the same link ----------------------------------------------------------------


def test_two_tabs_last_write_wins_and_each_tab_shows_the_other_after_a_rerun(base):
    _, world, _ = base
    pid = world.participants[0].id
    a = started(world.tokens[0])
    a.button(key="next").click().run()
    a.radio(key="q_ins_debat").set_value(2).run()
    b = app(world.tokens[0])  # opens where the person last answered: the second part
    assert b.radio(key="q_ins_debat").value == 2
    b.radio(key="q_ins_debat").set_value(4).run()
    b.radio(key="q_ins_codir_current").set_value(3).run()
    a.run()  # tab A's next rerun shows what tab B saved
    assert a.radio(key="q_ins_debat").value == 4
    assert a.radio(key="q_ins_codir_current").value == 3
    a.radio(key="q_ins_debat").set_value(5).run()  # and its own later write wins
    assert stored(pid)["ins_debat"] == {"level": 5}
    b.run()
    assert b.radio(key="q_ins_debat").value == 5
    assert not a.exception and not b.exception


def test_sqlite_engine_is_built_with_a_busy_timeout(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()
