"""An account's session that survives a reload and a new tab: a random id in a cookie.

At sign-in the app opens a server-side session (`open_session`): a random id, of which the
database keeps only the SHA-256. The id reaches the browser as an HttpOnly cookie set by a real
HTTP response: the page sends the browser to the cookie route with a one-time ticket
(`TICKETS`, valid one minute, kept in this process's memory only), and the route answers with
the cookie and a redirection home (see serve.py). Every script run then finds the account again
from the cookie (`check_session`): a session unknown, ended or idle for longer than the timeout
gives nobody. A session ends at sign-out, after the inactivity timeout, at a password change and
at the account's deactivation (the store ends them all: `store.sessions.end_all`).

Nothing here imports Streamlit nor Starlette: the page and the route call these functions.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from diagnostic.accounts.security import hash_token, looks_like_token
from diagnostic.store import sessions as store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import SessionEnd, now  # SessionEnd: also for the pages

COOKIE_NAME = "diagnostic_session"
ROUTE_NAME = "_session"  # the cookie route, under the server's base path
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
TICKET_SECONDS = 60.0
KEEP_ENDED = timedelta(days=30)  # sessions ended (or idle) for longer are deleted at a sign-in

OPEN = "ouvrir"  # a ticket that sets the cookie
CLOSE = "fermer"  # a ticket that clears it (after sign-out)


def session_key(session_id: str) -> str:
    """The stored form of a session id (the id has enough entropy for a plain SHA-256)."""
    return hash_token(session_id)


def open_session(engine: Engine, user_id: int) -> str:
    """Open a session for a signed-in account; returns its random id (for the cookie only).
    Sessions ended or idle for more than `KEEP_ENDED` are forgotten meanwhile."""
    session_id = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        store.purge(session, before=now() - KEEP_ENDED)
        store.open_session(session, user_id=user_id, id_hash=session_key(session_id))
    return session_id


@dataclass(frozen=True)
class SessionCheck:
    """What a session says at a script run: its account (None: nobody), or why it ended.

    `expired` is true only at the run that finds it idle for too long (and ends it): the next
    runs find it ended, so that the « session expired » message is shown once."""

    user_id: int | None
    ended: str | None = None  # a SessionEnd value; None for an unknown id
    expired: bool = False

    @property
    def valid(self) -> bool:
        return self.user_id is not None


NOBODY = SessionCheck(None)


def check_session(
    engine: Engine, key: str, *, timeout_minutes: int, at: datetime | None = None
) -> SessionCheck:
    """The account of the session stored under `key` (`session_key` of the id), if it is still
    open and was used within `timeout_minutes`; touches it (at most once a minute)."""
    at = at or now()
    with session_scope(engine) as session:
        row = store.by_hash(session, id_hash=key)
        if row is None:
            return NOBODY
        if row.revoked_at is not None:
            return SessionCheck(None, ended=row.reason)
        idle = at - store.aware(row.last_seen_at)
        if idle > timedelta(minutes=timeout_minutes):
            store.end(session, row, reason=SessionEnd.TIMEOUT, at=at)
            return SessionCheck(None, ended=SessionEnd.TIMEOUT, expired=True)
        if idle >= TOUCH_EVERY:
            store.touch(session, row, at=at)
        return SessionCheck(row.user_id)


def check_cookie(
    engine: Engine, session_id: str | None, *, timeout_minutes: int, at: datetime | None = None
) -> tuple[str | None, SessionCheck]:
    """`check_session` for the value of the cookie (any text a browser sent): its key and what
    it says; a value that cannot be a session id is nobody, without a query."""
    if not looks_like_token(session_id):
        return None, NOBODY
    assert session_id is not None
    key = session_key(session_id)
    return key, check_session(engine, key, timeout_minutes=timeout_minutes, at=at)


def end_session(engine: Engine, key: str, reason: str = SessionEnd.SIGN_OUT) -> None:
    """End the session stored under `key` (sign-out); an unknown or ended one is left alone."""
    with session_scope(engine) as session:
        row = store.by_hash(session, id_hash=key)
        if row is not None:
            store.end(session, row, reason=reason)


def end_user_sessions(engine: Engine, user_id: int, reason: str) -> int:
    """End every open session of an account; returns how many were open."""
    with session_scope(engine) as session:
        return store.end_all(session, user_id=user_id, reason=reason)


class Tickets:
    """One-time tickets from a script run to the cookie route, in this process's memory.

    A ticket is a random string that stands, for `ttl` seconds and once, for what the route
    must do: (OPEN, session id) sets the cookie, (CLOSE, None) clears it. The session id never
    appears in a URL; a ticket seen in a log or a history is already spent or expired."""

    MAX_PENDING = 10_000

    def __init__(self, ttl: float = TICKET_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[float, str, str | None]] = {}

    def issue(self, kind: str, value: str | None = None, *, at: float | None = None) -> str:
        at = time.monotonic() if at is None else at
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._forget_expired(at)
            if len(self._pending) >= self.MAX_PENDING:  # never grows without bound
                self._pending.pop(next(iter(self._pending)))
            self._pending[ticket] = (at + self.ttl, kind, value)
        return ticket

    def redeem(self, ticket: str | None, *, at: float | None = None) -> tuple[str, str | None]:
        """What the ticket stands for, once: (kind, value); ("", None) for an unknown, spent or
        expired ticket."""
        at = time.monotonic() if at is None else at
        if not looks_like_token(ticket):
            return "", None
        with self._lock:
            entry = self._pending.pop(str(ticket), None)
        if entry is None or entry[0] < at:
            return "", None
        return entry[1], entry[2]

    def _forget_expired(self, at: float) -> None:
        for ticket in [t for t, entry in self._pending.items() if entry[0] < at]:
            del self._pending[ticket]


TICKETS = Tickets()


@dataclass(frozen=True)
class CookieAnswer:
    """What the cookie route answers: where the browser goes next (303), and the cookie to set
    (`value`), to clear (`clear`) or neither."""

    target: str
    value: str | None = None
    clear: bool = False
    secure: bool = False


def cookie_answer(
    ticket: str | None,
    *,
    home: str,
    https: bool,
    fetch_site: str | None,
    tickets: Tickets = TICKETS,
) -> CookieAnswer:
    """The cookie route's answer to `ticket`. `https`: the request came over HTTPS (or the
    public address is https): the cookie is then Secure. `fetch_site`: the browser's
    Sec-Fetch-Site header; a sign-in ticket is honoured only from a page of the app itself
    (or from a browser that does not send the header), so that a link on another site cannot
    put someone else's session in a browser. Any other ticket: back home, nothing changed."""
    kind, value = tickets.redeem(ticket)
    if kind == OPEN and value and (fetch_site or "same-origin") == "same-origin":
        return CookieAnswer(home, value=value, secure=https)
    if kind == CLOSE:
        return CookieAnswer(f"{home}?session=fin", clear=True, secure=https)
    return CookieAnswer(home, secure=https)


class _Route:
    """Whether the cookie route is served by this process (serve.py mounts it), and where."""

    path: str | None = None


def mount_cookie_route(path: str) -> None:
    """Said by the server that serves the cookie route at `path` (serve.py)."""
    _Route.path = path


def cookie_route() -> str | None:
    """The cookie route's path, or None when the app runs without it (`streamlit run app.py`,
    tests): the session then lasts as long as the browser tab's connection."""
    return _Route.path
