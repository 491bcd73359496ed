"""Wrong join codes are limited: per browser session and per server process."""

from __future__ import annotations

import shutil

import pytest

from diagnostic.access import actor_for_user
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope
from diagnostic.workshop import service, throttle
from tests.conftest import ROOT
from tests.factories import make_user, make_world
from tests.test_workshop_pages import app, engine

WRONG = ["ZZZ ZZZ", "ZZZ ZZY", "ZZZ ZZX", "ZZZ ZZW", "ZZZ ZZV", "ZZZ ZZU", "ZZZ ZZT"]


# --- the sliding windows ------------------------------------------------------------------------


def test_retry_after_counts_only_the_failures_inside_the_window():
    assert throttle.retry_after([], 100.0, limit=3, window=60) == 0.0
    assert throttle.retry_after([10.0, 20.0], 30.0, limit=3, window=60) == 0.0
    # three in the window: wait until the oldest leaves it
    assert throttle.retry_after([10.0, 20.0, 30.0], 40.0, limit=3, window=60) == 30.0
    # the oldest has left: one more try
    assert throttle.retry_after([10.0, 20.0, 30.0], 70.0, limit=3, window=60) == 0.0
    # five failures, limit three: allowed again when only two are left, at 30 + 60
    assert throttle.retry_after([10.0, 20.0, 30.0, 40.0, 50.0], 55.0, limit=3, window=60) == 35.0


def test_remember_keeps_a_bounded_list():
    kept: list[float] = []
    for t in range(100):
        kept = throttle.remember(kept, float(t), limit=5, window=600)
    assert kept == [95.0, 96.0, 97.0, 98.0, 99.0]
    assert throttle.remember([1.0, 2.0], 700.0, limit=5, window=600) == [700.0]


def test_the_process_window_is_bounded_and_clears():
    window = throttle.ProcessWindow(limit=4, window=60)
    for t in range(3):
        window.failed(float(t))
        assert window.retry_after(float(t)) == 0.0
    window.failed(3.0)
    assert window.retry_after(10.0) == 50.0
    for t in range(1000):  # memory stays at `limit` times
        window.failed(float(t))
    assert len(window._times) == 4
    window.clear()
    assert window.retry_after(1000.0) == 0.0


def test_the_message_says_when_to_try_again_in_french():
    assert "Trop d'essais de code incorrects : réessayez dans 10 minutes." in (
        throttle.wait_message(570)
    )
    assert "réessayez dans 1 minute." in throttle.wait_message(12)
    assert "réessayez dans 2 minutes." in throttle.wait_message(61)


# --- on the participants' page ----------------------------------------------------------------


@pytest.fixture
def seminar(app_env, questions_dir):
    """An open workshop « Séminaire » on one territory: its code, territory id and actor."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    world = make_world(engine(), name="CC Alpha", n_participants=1)
    user = make_user(engine(), "animation@exemple.fr")
    with session_scope(engine()) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="facilitator", actor="t"
        )
    actor = actor_for_user(engine(), user.id)
    made = service.create(
        engine(), actor, title="Séminaire", campaign_ids=[world.campaign_id], controlled=False
    )
    return made.code, world.territory.id


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves, and an empty window for the whole process."""
    now = [1_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: now[0])
    throttle.JOIN_FAILURES.clear()
    yield now
    throttle.JOIN_FAILURES.clear()


def try_code(at, code: str):
    at.text_input(key="ws_code_input").input(code)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_a_browser_gets_five_wrong_codes_then_waits(seminar, clock):
    code, _ = seminar
    at = app(atelier=WRONG[0])  # the first wrong code: from the link
    assert "Ce code ne correspond à aucun atelier" in at.error[0].value
    at.run()  # a rerun with the same code is not a new try
    for wrong in WRONG[1:5]:
        try_code(at, wrong)
        assert "Ce code ne correspond à aucun atelier" in at.error[0].value
    clock[0] += 30
    at.query_params["atelier"] = code  # even the right code is not looked up now
    at.run()
    assert [t.value for t in at.title] == ["Rejoindre un atelier"]
    assert at.error[0].value.startswith(
        "Trop d'essais de code incorrects : réessayez dans 10 minutes."
    )
    assert not at.text_input  # no form to try more
    assert len(throttle.JOIN_FAILURES._times) == 5
    clock[0] += 600  # the first failures have left the window
    at.run()
    assert [t.value for t in at.title] == ["Séminaire"]


def test_the_server_limits_wrong_codes_from_all_sessions(seminar, clock):
    code, territory_id = seminar
    _, token = service.join(engine(), code, nickname="Alice", territory_id=territory_id, role="dgs")
    before = app(atelier=code)  # a phone that opened the workshop before the flood
    assert [t.value for t in before.title] == ["Séminaire"]
    for _ in range(throttle.PROCESS_MAX_FAILURES - 1):  # wrong codes from other sessions
        throttle.JOIN_FAILURES.failed(clock[0])
    last = app(atelier=WRONG[0])  # the 120th: still looked up, refused
    assert "Ce code ne correspond à aucun atelier" in last.error[0].value
    clock[0] += 60
    fresh = app(atelier=code)  # a new session, even with the right code, waits
    assert "réessayez dans 9 minutes" in fresh.error[0].value
    assert not fresh.text_input
    seated = app(atelier=code, p=token)  # a participant's own link is never held back
    assert "Alice" in "\n".join(c.value for c in seated.caption)
    elsewhere = app(atelier="ABC DEF", p=token)  # …but it opens no other code
    assert "réessayez dans 9 minutes" in elsewhere.error[0].value
    before.run()  # the phone that joined before keeps following
    assert [t.value for t in before.title] == ["Séminaire"] and not before.error
    clock[0] += 541
    assert [t.value for t in app(atelier=code).title] == ["Séminaire"]
