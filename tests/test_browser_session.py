"""A coordinator's session in Chromium: it survives a reload and a new tab, ends at sign-out (in
every tab, and the old cookie no longer opens it) and after the inactivity timeout; the cookie
is HttpOnly, SameSite=Lax, Path=/, forgotten with the browser, and Secure behind HTTPS.

One demo server for the whole module: the `demo` and `browser` fixtures of
tests/test_browser_accessibility.py. Screenshots go to test-artifacts/session/."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from diagnostic.accounts.sessions import COOKIE_NAME, session_key
from diagnostic.store import accounts, sessions
from diagnostic.store.engine import build_engine, session_scope
from diagnostic.store.models import SessionEnd, UserSession, now
from tests.conftest import ROOT
from tests.live import BROWSER, drawn, sign_in
from tests.test_browser_accessibility import browser, demo  # noqa: F401  (module fixtures)

pytestmark = BROWSER
ARTIFACTS = ROOT / "test-artifacts" / "session"
COORD = "coordination@demo.fr"
SIGN_IN = "Connexion des coordinateur·rices"


def home(page) -> None:
    expect(page.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)


def sign_in_page(page) -> None:
    expect(page.get_by_text(SIGN_IN)).to_be_visible(timeout=30000)


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def stored(url: str, value: str) -> UserSession | None:
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            key = session_key(value)
            return s.exec(select(UserSession).where(UserSession.id_hash == key)).first()
    finally:
        engine.dispose()


def idle(url: str, email: str, minutes: float) -> None:
    """Every open session of the account looks idle for `minutes` (the server's clock)."""
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            user = accounts.user_by_email(s, email=email)
            for row in sessions.open_sessions(s, user_id=user.id):
                row.last_seen_at = now() - timedelta(minutes=minutes)
                s.add(row)
    finally:
        engine.dispose()


def test_reload_new_tab_and_sign_out(demo, browser):  # noqa: F811
    server, _, url, _, _ = demo
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        sign_in(page, server.url, COORD)
        cookie = session_cookie(context)
        assert cookie is not None
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
        assert (cookie["secure"], cookie["expires"]) == (False, -1)  # plain HTTP; until closed
        assert COOKIE_NAME not in page.evaluate("document.cookie")  # no script of the page
        row = stored(url, cookie["value"])
        assert row is not None and cookie["value"] not in row.id_hash  # only its hash is kept
        assert "ticket" not in page.url

        page.reload()
        drawn(page)
        home(page)
        page.screenshot(path=str(ARTIFACTS / "apres-rechargement.png"))
        other = context.new_page()
        other.goto(server.url)
        drawn(other)
        home(other)

        page.get_by_role("link", name="Se déconnecter").click()
        sign_in_page(page)
        drawn(page)
        expect(page.get_by_text("Vous êtes déconnecté·e.")).to_be_visible()
        assert "session=fin" not in page.url
        page.screenshot(path=str(ARTIFACTS / "deconnexion.png"))
        assert session_cookie(context) is None
        assert stored(url, cookie["value"]).reason == SessionEnd.SIGN_OUT

        other.reload()  # the other tab: signed out too
        drawn(other)
        sign_in_page(other)
        context.add_cookies([cookie])  # the old cookie, put back, no longer opens anything
        other.reload()
        drawn(other)
        sign_in_page(other)
    finally:
        context.close()


def test_expired_session_says_so_once(demo, browser):  # noqa: F811
    server, _, url, _, _ = demo
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        sign_in(page, server.url, COORD)
        idle(url, COORD, minutes=61)  # SESSION_TIMEOUT_MINUTES: 60 by default
        page.reload()
        drawn(page)
        sign_in_page(page)
        expect(page.get_by_text("Votre session a expiré")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "session-expiree.png"))
        page.reload()
        drawn(page)
        sign_in_page(page)
        expect(page.get_by_text("Votre session a expiré")).to_have_count(0)
    finally:
        context.close()


def test_cookie_is_secure_behind_https(demo, browser):  # noqa: F811
    """Behind a reverse proxy that says the visitor came over HTTPS (X-Forwarded-Proto, from
    127.0.0.1: trusted by uvicorn), the cookie is Secure."""
    server, _, _, _, _ = demo
    context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
    try:
        page = context.new_page()
        sign_in(page, server.url, COORD)
        cookie = session_cookie(context)
        assert cookie is not None and cookie["secure"] and cookie["httpOnly"]
        page.reload()
        drawn(page)
        home(page)
    finally:
        context.close()
