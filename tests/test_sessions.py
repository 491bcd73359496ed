"""Accounts' server-side sessions: store and service (SQLite and PostgreSQL), one-time tickets,
the cookie route's answer, and the pages under AppTest (a reload is a new AppTest whose
browser sends the cookie). The browser side: tests/test_browser_session.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from diagnostic.accounts import access, sessions
from diagnostic.accounts.sessions import (
    CLOSE,
    NOBODY,
    OPEN,
    CookieAnswer,
    Tickets,
    check_cookie,
    check_session,
    cookie_answer,
    end_session,
    open_session,
    session_key,
)
from diagnostic.cli import main
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope
from diagnostic.store.models import SessionEnd, UserSession, now
from tests.factories import make_user
from tests.markdown_check import flat, visible
from tests.pages_kit import app, engine, signed_in, titles

SIGN_IN_TITLE = "Diagnostic de la gouvernance administrative du territoire"


def stored(eng, session_id: str) -> UserSession:
    with session_scope(eng) as s:
        row = s.exec(select(UserSession).where(UserSession.id_hash == session_key(session_id)))
        return row.one()


def age_sessions(eng, user_id: int, minutes: float) -> None:
    """Make every open session of the account look idle for `minutes`."""
    with session_scope(eng) as s:
        for row in s.exec(select(UserSession).where(UserSession.user_id == user_id)):
            row.last_seen_at = now() - timedelta(minutes=minutes)
            s.add(row)


# --- store and service ------------------------------------------------------------------------


def test_a_session_is_stored_hashed_and_finds_its_account(engine):
    user = make_user(engine)
    session_id = open_session(engine, user.id)
    row = stored(engine, session_id)
    assert row.id_hash == session_key(session_id) != session_id
    assert row.user_id == user.id and row.revoked_at is None
    assert check_session(engine, row.id_hash, timeout_minutes=60).user_id == user.id
    assert check_cookie(engine, session_id, timeout_minutes=60) == (
        row.id_hash,
        sessions.SessionCheck(user.id),
    )
    assert check_session(engine, session_key("x" * 43), timeout_minutes=60) == NOBODY
    for junk in (None, "", "court", "a" * 43 + "'; --", "a/b" * 15):
        assert check_cookie(engine, junk, timeout_minutes=60) == (None, NOBODY)


def test_last_seen_is_written_at_most_once_a_minute(engine):
    user = make_user(engine)
    session_id = open_session(engine, user.id)
    opened = stored(engine, session_id).last_seen_at
    key = session_key(session_id)
    check_session(engine, key, timeout_minutes=60, at=now() + timedelta(seconds=30))
    assert stored(engine, session_id).last_seen_at == opened
    later = now() + timedelta(seconds=90)
    check_session(engine, key, timeout_minutes=60, at=later)
    assert abs(sessions.store.aware(stored(engine, session_id).last_seen_at) - later) < timedelta(
        seconds=1
    )


def test_inactivity_ends_the_session_once_and_activity_keeps_it(engine):
    user = make_user(engine)
    key = session_key(open_session(engine, user.id))
    start = now()
    # used every 50 minutes: still open after 150 minutes with a timeout of 60
    for minutes in (50, 100, 150):
        at = start + timedelta(minutes=minutes)
        assert check_session(engine, key, timeout_minutes=60, at=at).user_id == user.id
    late = start + timedelta(minutes=150 + 61)
    first = check_session(engine, key, timeout_minutes=60, at=late)
    assert first == sessions.SessionCheck(None, ended=SessionEnd.TIMEOUT, expired=True)
    again = check_session(engine, key, timeout_minutes=60, at=late)
    assert again == sessions.SessionCheck(None, ended=SessionEnd.TIMEOUT)  # said once


def test_sign_out_ends_only_that_session(engine):
    user = make_user(engine)
    here, there = open_session(engine, user.id), open_session(engine, user.id)
    end_session(engine, session_key(here))
    assert stored(engine, here).reason == SessionEnd.SIGN_OUT
    assert check_session(engine, session_key(here), timeout_minutes=60).ended == "deconnexion"
    assert check_session(engine, session_key(there), timeout_minutes=60).valid


def test_password_change_and_deactivation_end_every_session_of_the_account(engine):
    admin = make_user(engine, "admin@exemple.fr", admin=True)
    coord = make_user(engine, "coord@exemple.fr")
    with session_scope(engine) as s:
        admin_actor = accounts.actor_for(s, user_id=admin.id)
    mine = open_session(engine, admin.id)
    first, second = open_session(engine, coord.id), open_session(engine, coord.id)
    access.reset_password(engine, admin_actor, user_id=coord.id, password="un-autre-mot-de-passe")
    assert {stored(engine, sid).reason for sid in (first, second)} == {SessionEnd.PASSWORD}
    assert stored(engine, mine).revoked_at is None  # another account: untouched
    third = open_session(engine, coord.id)  # signed in again with the new password
    access.set_account_active(engine, admin_actor, user_id=coord.id, active=False)
    assert stored(engine, third).reason == SessionEnd.DEACTIVATED
    assert stored(engine, first).reason == SessionEnd.PASSWORD  # an ended one keeps its reason
    assert not check_session(engine, session_key(third), timeout_minutes=60).valid


def test_the_command_line_ends_sessions_too(app_env, monkeypatch):
    eng = engine()
    coord = make_user(eng, "coord@exemple.fr")
    session_id = open_session(eng, coord.id)
    monkeypatch.setenv("NEW_PASSWORD", "encore-un-mot-de-passe")
    assert (
        main(["reset-password", "--email", "coord@exemple.fr", "--password-env", "NEW_PASSWORD"])
        == 0
    )
    assert stored(eng, session_id).reason == SessionEnd.PASSWORD
    session_id = open_session(eng, coord.id)
    assert main(["deactivate", "--email", "coord@exemple.fr"]) == 0
    assert stored(eng, session_id).reason == SessionEnd.DEACTIVATED


def test_old_sessions_are_forgotten_at_a_sign_in(engine):
    user = make_user(engine)
    ended, idle, recent = (open_session(engine, user.id) for _ in range(3))
    end_session(engine, session_key(ended))
    with session_scope(engine) as s:
        for sid in (ended, idle):
            row = s.exec(select(UserSession).where(UserSession.id_hash == session_key(sid))).one()
            row.last_seen_at = row.revoked_at = now() - timedelta(days=31)
            s.add(row)
    with session_scope(engine) as s:  # idle: never ended, only its last use is old
        row = s.exec(select(UserSession).where(UserSession.id_hash == session_key(idle))).one()
        row.revoked_at = None
        s.add(row)
    open_session(engine, user.id)
    with session_scope(engine) as s:
        left = {r.id_hash for r in s.exec(select(UserSession))}
    assert session_key(recent) in left and len(left) == 2
    assert not left & {session_key(ended), session_key(idle)}


# --- tickets and the cookie route -------------------------------------------------------------


def test_a_ticket_is_good_once_and_for_a_minute():
    box = Tickets(ttl=60)
    ticket = box.issue(OPEN, "identifiant", at=0)
    assert sessions.looks_like_token(ticket) and "identifiant" not in ticket
    assert box.redeem(ticket, at=59) == (OPEN, "identifiant")
    assert box.redeem(ticket, at=59) == ("", None)  # spent
    late = box.issue(CLOSE, at=0)
    assert box.redeem(late, at=61) == ("", None)  # expired
    for junk in (None, "", "../../etc", "x" * 43):
        assert box.redeem(junk, at=0) == ("", None)


def test_pending_tickets_never_grow_without_bound(monkeypatch):
    monkeypatch.setattr(Tickets, "MAX_PENDING", 5)
    box = Tickets(ttl=60)
    tickets = [box.issue(OPEN, str(i), at=0) for i in range(8)]
    assert len(box._pending) == 5
    assert box.redeem(tickets[0], at=1) == ("", None)  # the oldest went first
    assert box.redeem(tickets[-1], at=1) == (OPEN, "7")
    box.issue(CLOSE, at=120)  # the expired ones are forgotten
    assert len(box._pending) == 1


def test_the_cookie_route_sets_clears_or_ignores():
    box = Tickets()
    home = "/"
    opening = box.issue(OPEN, "identifiant")
    assert cookie_answer(
        opening, home=home, https=False, fetch_site="same-origin", tickets=box
    ) == CookieAnswer("/", value="identifiant")
    assert cookie_answer(opening, home=home, https=False, fetch_site=None, tickets=box) == (
        CookieAnswer("/")  # spent: nothing set
    )
    secure = box.issue(OPEN, "identifiant")
    answer = cookie_answer(secure, home="/diag/", https=True, fetch_site=None, tickets=box)
    assert answer == CookieAnswer("/diag/", value="identifiant", secure=True)
    # a sign-in ticket followed from another site (a link in a message) sets nothing
    foreign = box.issue(OPEN, "identifiant")
    assert cookie_answer(foreign, home=home, https=False, fetch_site="cross-site", tickets=box) == (
        CookieAnswer("/")
    )
    closing = box.issue(CLOSE)
    assert cookie_answer(closing, home=home, https=False, fetch_site=None, tickets=box) == (
        CookieAnswer("/?session=fin", clear=True)
    )
    assert cookie_answer("inconnu" * 5, home=home, https=False, fetch_site=None, tickets=box) == (
        CookieAnswer("/")
    )


# --- pages (AppTest): a reload is a new AppTest whose browser sends the cookie ----------------


@pytest.fixture
def browser_cookie(monkeypatch):
    """The value of the session cookie the (simulated) browser sends; None: no cookie."""
    from pages import _signin

    jar: dict[str, str | None] = {"value": None}
    monkeypatch.setattr(_signin, "_cookie", lambda: jar["value"])
    return jar


def test_reload_with_the_cookie_stays_signed_in(app_env, browser_cookie):
    eng = engine()
    coord = make_user(eng)
    browser_cookie["value"] = open_session(eng, coord.id)  # what the cookie route set
    at = app()
    assert titles(at) == ["Mes territoires"]
    browser_cookie["value"] = "x" * 43  # an unknown session
    assert titles(app()) == [SIGN_IN_TITLE]


def test_signed_in_tab_sees_the_session_end_elsewhere(app_env):
    eng = engine()
    admin = make_user(eng, "admin@exemple.fr", admin=True)
    make_user(eng, "coord@exemple.fr")
    at = signed_in("coord@exemple.fr")
    assert titles(at) == ["Mes territoires"]
    with session_scope(eng) as s:
        admin_actor = accounts.actor_for(s, user_id=admin.id)
        coord_id = accounts.user_by_email(s, email="coord@exemple.fr").id
    access.reset_password(eng, admin_actor, user_id=coord_id, password="un-autre-mot-de-passe")
    at.run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert flat(visible(at.info[0].value)[1]) == (
        "Le mot de passe de ce compte a changé : reconnectez-vous."
    )


def test_an_idle_session_expires_once_and_says_so(app_env, browser_cookie):
    eng = engine()
    coord = make_user(eng)
    at = signed_in("coord@exemple.fr")
    age_sessions(eng, coord.id, minutes=61)
    at.run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert "expiré" in at.info[0].value
    # a reload with a cookie whose session expired while the browser was away
    browser_cookie["value"] = open_session(eng, coord.id)
    age_sessions(eng, coord.id, minutes=61)
    at = app()
    assert titles(at) == [SIGN_IN_TITLE]
    assert "expiré" in at.info[0].value
    assert not app().info or "expiré" not in app().info[0].value  # said once


def test_sign_out_ends_the_server_side_session(app_env, browser_cookie):
    eng = engine()
    coord = make_user(eng)
    browser_cookie["value"] = open_session(eng, coord.id)
    at = app()
    assert titles(at) == ["Mes territoires"]
    at.switch_page("pages/deconnexion.py").run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert stored(eng, browser_cookie["value"]).reason == SessionEnd.SIGN_OUT
    assert titles(app()) == [SIGN_IN_TITLE]  # the same cookie no longer signs in
