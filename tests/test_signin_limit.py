"""Sign-in: one answer for every failure, in the same time; lockout per account and address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.accounts import access, ratelimit
from diagnostic.settings import get_settings
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope
from diagnostic.store.models import User
from tests.conftest import ROOT
from tests.factories import PASSWORD, make_user
from tests.markdown_check import flat, visible
from tests.test_access import admin_actor, engine, events

HERE = "203.0.113.7"  # the owner's address
THERE = "198.51.100.9"  # someone else's
REFUSED = "adresse ou mot de passe incorrect (ou trop d'essais : réessayez dans quelques minutes)"


@pytest.fixture
def clock(monkeypatch):
    """The time the sign-in sees (the store's `now`), moved by the test."""
    current = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(accounts, "now", lambda: current[0])
    accounts.SIGN_IN_FAILURES.clear()
    yield current
    accounts.SIGN_IN_FAILURES.clear()


@pytest.fixture
def hashes(monkeypatch):
    """Counts the argon2 verifications the sign-in runs."""
    calls: list[str] = []
    real = accounts.verify_password

    def counted(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counted)
    return calls


def refusal(email: str, password: str, source: str | None = HERE) -> str:
    with pytest.raises(accounts.SignInError) as caught:
        access.sign_in_user(engine(), get_settings(), email=email, password=password, source=source)
    return str(caught.value)


def signs_in(email: str, password: str = PASSWORD, source: str | None = HERE) -> int:
    return access.sign_in_user(
        engine(), get_settings(), email=email, password=password, source=source
    )


def lock(email: str, source: str | None = HERE) -> None:
    for _ in range(get_settings().max_failed_logins):
        refusal(email, "faux-mot-de-passe", source)


def test_every_failure_gets_the_same_answer_after_one_argon2_check(app_env, clock, hashes):
    user = make_user(engine())
    inactive = make_user(engine(), "parti@exemple.fr")
    with session_scope(engine()) as s:
        s.get(User, inactive.id).is_active = False
    messages = {}

    def attempt(kind: str, email: str, password: str) -> None:
        hashes.clear()
        messages[kind] = refusal(email, password)
        assert len(hashes) == 1, kind  # exactly one argon2 verification, whatever the case

    attempt("inconnu", "personne@exemple.fr", PASSWORD)
    attempt("mauvais mot de passe", user.email, "faux-mot-de-passe")
    attempt("désactivé", inactive.email, PASSWORD)
    lock(user.email)
    attempt("verrouillé, bon mot de passe", user.email, PASSWORD)
    assert hashes == [user.password_hash]  # the locked account pays for its own real check
    assert set(messages.values()) == {REFUSED}


def test_the_sign_in_page_shows_one_message(app_env, clock, monkeypatch):
    from pages import _shell

    monkeypatch.setattr(_shell, "client_address", lambda: HERE)
    user = make_user(engine())
    lock(user.email)

    def page_error(email: str, password: str) -> str:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
        at.text_input(key="login_email").input(email)
        at.text_input(key="login_password").input(password)
        at.button[0].click().run()
        assert not at.exception
        return flat(visible(at.error[0].value)[1])  # as read, escapes resolved

    shown = {page_error(user.email, PASSWORD), page_error("inconnu@exemple.fr", PASSWORD)}
    assert shown == {f"Connexion refusée : {REFUSED}."}
    monkeypatch.setattr(_shell, "client_address", lambda: THERE)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.text_input(key="login_email").input(user.email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["Mes territoires"]


def test_failures_from_one_address_do_not_lock_the_owner_elsewhere(app_env, clock):
    user = make_user(engine())
    lock(user.email, THERE)  # someone else, from their own address
    assert refusal(user.email, PASSWORD, THERE) == REFUSED  # locked there, right password too
    assert signs_in(user.email, source=HERE) == user.id  # the owner, from elsewhere
    assert refusal(user.email, PASSWORD, THERE) == REFUSED  # still locked there
    assert len(events("user.locked")) == 1
    clock[0] += timedelta(minutes=get_settings().lockout_minutes)
    assert signs_in(user.email, source=THERE) == user.id  # the lock has ended


def test_failures_below_the_limit_are_forgotten_after_a_success(app_env, clock):
    user = make_user(engine())
    for _ in range(get_settings().max_failed_logins - 1):
        refusal(user.email, "faux-mot-de-passe")
    assert signs_in(user.email) == user.id
    for _ in range(get_settings().max_failed_logins - 1):
        refusal(user.email, "faux-mot-de-passe")
    assert signs_in(user.email) == user.id


def test_old_failures_leave_the_window(app_env, clock):
    user = make_user(engine())
    for _ in range(get_settings().max_failed_logins - 1):
        refusal(user.email, "faux-mot-de-passe")
    clock[0] += timedelta(minutes=get_settings().lockout_minutes, seconds=1)
    refusal(user.email, "faux-mot-de-passe")  # one recent failure only
    assert signs_in(user.email) == user.id


def test_an_unknown_address_shares_a_higher_ceiling_per_account(app_env, clock):
    user = make_user(engine())
    limit = get_settings().max_failed_logins * ratelimit.UNKNOWN_SOURCE_FACTOR
    for _ in range(limit - 1):
        refusal(user.email, "faux-mot-de-passe", None)
    assert signs_in(user.email, source=None) == user.id
    for _ in range(limit):
        refusal(user.email, "faux-mot-de-passe", None)
    assert refusal(user.email, PASSWORD, None) == REFUSED
    assert signs_in(user.email, source=HERE) == user.id  # a known address is not concerned


def test_the_admin_sees_and_lifts_the_lock(app_env, clock):
    admin = make_user(engine(), "admin@exemple.fr", admin=True)
    user = make_user(engine())
    lock(user.email, THERE)
    views = access.accounts_overview(engine(), admin_actor(admin))
    assert next(v for v in views if v.id == user.id).locked_until is not None
    access.unlock_account(engine(), admin_actor(admin), user_id=user.id)
    assert signs_in(user.email, source=THERE) == user.id


def test_an_unlock_from_another_process_lifts_the_lock(app_env, clock):
    """The command line (another process) clears the base: the server's memory follows."""
    user = make_user(engine())
    lock(user.email, THERE)
    with session_scope(engine()) as s:
        row = s.get(User, user.id)
        row.locked_until = None  # what `reset-password` / `unlock` write, seen from here
    assert signs_in(user.email, source=THERE) == user.id


def test_the_counters_are_bounded_in_memory():
    windows = ratelimit.KeyedWindows(max_keys=50)
    for i in range(1_000):
        windows.failed(f"k{i}", float(i), limit=3, window=600)
    assert len(windows) == 50
    for _ in range(100):
        windows.failed("k999", 1_000.0, limit=3, window=600)
    assert windows.retry_after("k999", 1_000.0, limit=3, window=600) == 600.0
    assert len(windows._times["k999"]) == 3


def test_addresses_are_read_strictly():
    assert ratelimit.source_of("203.0.113.7") == "203.0.113.7"
    assert ratelimit.source_of(" 203.0.113.7 ") == "203.0.113.7"
    assert ratelimit.source_of("::ffff:203.0.113.7") == "203.0.113.7"
    # an IPv6 connection holds a whole /64: its neighbours count as the same address
    assert ratelimit.source_of("2001:db8:1:2::5") == ratelimit.source_of("2001:db8:1:2:ffff::1")
    assert ratelimit.source_of("2001:db8:1:2::5") != ratelimit.source_of("2001:db8:1:3::5")
    for unknown in (None, "", "localhost", "pas une adresse", 42, object()):
        assert ratelimit.source_of(unknown) is None


def test_the_shell_reads_the_connection_address(app_env, monkeypatch):
    from pages import _shell

    class Context:
        ip_address = "2001:db8::1"

    monkeypatch.setattr(_shell.st, "context", Context())
    assert _shell.client_address() == "2001:db8::/64"
    monkeypatch.setattr(_shell.st, "context", object())  # no address at all
    assert _shell.client_address() is None


def test_a_lock_is_journaled_without_the_address(app_env, clock):
    user = make_user(engine())
    lock(user.email, THERE)
    (event,) = events("user.locked")
    assert event.actor == user.email and THERE not in str(event.details)
