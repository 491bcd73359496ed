"""Wrong join codes are limited per browser session and per address; the server-wide ceiling
never refuses the right code to a new phone."""

from __future__ import annotations

import shutil

import pytest

from diagnostic.accounts.access import actor_for_user
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
    """A clock the test moves, empty counters, and the phone's address (`address[0]`)."""
    from pages import _shell

    now = [1_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: now[0])
    monkeypatch.setattr(_shell, "client_address", lambda: ADDRESS[0])
    ADDRESS[0] = PHONE
    throttle.JOIN_FAILURES.clear()
    yield now
    throttle.JOIN_FAILURES.clear()


PHONE, SCRIPT, OTHER = "203.0.113.7", "198.51.100.9", "192.0.2.44"
ADDRESS: list[str | None] = [PHONE]  # the address the next page run comes from


def from_address(address: str | None, **params: str):
    ADDRESS[0] = address
    return app(**params)


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
    assert throttle.JOIN_FAILURES.count(PHONE, clock[0]) == 5
    assert [t.value for t in from_address(PHONE, atelier=code).title] == ["Séminaire"]
    clock[0] += 600  # the first failures have left the window
    at.run()
    assert [t.value for t in at.title] == ["Séminaire"]


def test_a_script_locks_only_its_own_address(seminar, clock):
    code, territory_id = seminar
    _, token = service.join(engine(), code, nickname="Alice", territory_id=territory_id, role="dgs")
    for _ in range(throttle.SOURCE_MAX_FAILURES):  # a script, a new session for each code
        throttle.JOIN_FAILURES.failed(SCRIPT, clock[0])
    clock[0] += 60
    script = from_address(SCRIPT, atelier=code)  # its address waits, the right code included
    assert "réessayez dans 9 minutes" in script.error[0].value
    assert not script.text_input
    seated = from_address(SCRIPT, atelier=code, p=token)  # a seat link is never held back
    assert "Alice" in "\n".join(c.value for c in seated.caption)
    elsewhere = from_address(SCRIPT, atelier="ABC DEF", p=token)  # …but opens no other code
    assert "réessayez dans 9 minutes" in elsewhere.error[0].value
    phone = from_address(PHONE, atelier=code)  # a new phone elsewhere joins at once
    assert [t.value for t in phone.title] == ["Séminaire"] and not phone.error
    clock[0] += 541
    assert [t.value for t in from_address(SCRIPT, atelier=code).title] == ["Séminaire"]


def test_the_server_ceiling_never_refuses_the_right_code_to_a_new_phone(seminar, clock):
    code, _ = seminar
    before = from_address(PHONE, atelier=code)  # a phone that opened the workshop before
    assert [t.value for t in before.title] == ["Séminaire"]
    for i in range(throttle.PROCESS_MAX_FAILURES * 5):  # wrong codes from many addresses
        throttle.JOIN_FAILURES.failed(f"10.0.{i // 250}.{i % 250}", clock[0])
    for _ in range(throttle.PROCESS_MAX_FAILURES):  # …and from unknown ones
        throttle.JOIN_FAILURES.failed(None, clock[0])
    assert throttle.JOIN_FAILURES.under_pressure(clock[0])
    for address in (OTHER, None):  # a new phone, its address known or not
        fresh = from_address(address, atelier=code)
        assert [t.value for t in fresh.title] == ["Séminaire"] and not fresh.error
    wrong = from_address(OTHER, atelier=WRONG[0])  # a wrong code is still looked up, refused
    assert "Ce code ne correspond à aucun atelier" in wrong.error[0].value
    before.run()  # the phone that joined before keeps following
    assert [t.value for t in before.title] == ["Séminaire"] and not before.error


def test_under_pressure_an_address_gets_fewer_wrong_codes(clock):
    limiter = throttle.JoinThrottle()
    for _ in range(throttle.SOURCE_MAX_FAILURES_UNDER_PRESSURE):
        limiter.failed(SCRIPT, clock[0])
    assert limiter.retry_after(SCRIPT, clock[0]) == 0.0  # a normal day: 30 allowed
    for i in range(throttle.PROCESS_MAX_FAILURES):
        limiter.failed(f"10.1.{i // 250}.{i % 250}", clock[0])
    assert limiter.retry_after(SCRIPT, clock[0]) == 600.0  # under pressure: 15
    assert limiter.retry_after(OTHER, clock[0]) == 0.0  # a clean address: never
    assert limiter.retry_after(None, clock[0]) == 0.0  # an unknown one: the session limit only
    clock[0] += 600
    assert not limiter.under_pressure(clock[0])


def test_the_address_counters_are_bounded(clock):
    limiter = throttle.JoinThrottle(max_sources=100)
    for i in range(5_000):
        limiter.failed(f"10.2.{i // 250}.{i % 250}", clock[0])
    assert len(limiter.sources) == 100
