"""An account's session in this browser: sign-in and sign-out, single sign-on, inactivity.

A sign-in opens a server-side session (diagnostic.accounts.sessions) whose random id the
browser keeps in an HttpOnly cookie, set by the cookie route of serve.py: a reload or a new tab
finds the account again until sign-out, the inactivity timeout, a password change or the
account's deactivation. Without that route (`streamlit run app.py`, AppTest) the session lasts
as long as the tab's connection. Also the visitor's network address, as the sign-in and
workshop throttles count it. Pages import these through `pages._shell`.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from diagnostic.accounts import sessions
from diagnostic.accounts.access import actor_for_user, sign_in_sso
from diagnostic.accounts.permissions import ANONYMOUS, Actor
from diagnostic.accounts.ratelimit import source_of
from diagnostic.errors import SignInError
from diagnostic.settings import get_settings


def client_address() -> str | None:
    """The visitor's network address as the throttles count it (None when unknown).

    Streamlit reads it from the connection (`st.context.ip_address`: None for a local
    connection); behind a reverse proxy, the server takes it from X-Forwarded-For only when
    the proxy's address is trusted (uvicorn's FORWARDED_ALLOW_IPS, 127.0.0.1 by default).
    Headers are never read here: a visitor could write any address in them.
    """
    try:
        value = st.context.ip_address
    except Exception:  # no connection (bare mode, tests)
        return None
    return source_of(value)


SESSION_KEY = "session_key"  # the stored form of this browser's server-side session id
_RUN_CHECK = "_session_check_of_this_run"  # (run marker, key, SessionCheck)
SIGNED_OUT = "Vous êtes déconnecté·e."
EXPIRED = "Votre session a expiré après une période d'inactivité : reconnectez-vous."
ENDED = {
    sessions.SessionEnd.SIGN_OUT: "Vous avez été déconnecté·e (depuis un autre onglet).",
    sessions.SessionEnd.TIMEOUT: EXPIRED,
    sessions.SessionEnd.PASSWORD: "Le mot de passe de ce compte a changé : reconnectez-vous.",
    sessions.SessionEnd.DEACTIVATED: (
        "Votre session a été fermée : ce compte n'est plus actif. Adressez-vous à un·e "
        "administrateur·rice."
    ),
}
SIGN_OUT_PARAM = "session"  # ?session=fin: the cookie route's way home after a sign-out


def _send_browser_to(url: str) -> None:
    """Load `url` in the browser (a path of this server), as st.login does."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    ctx.enqueue(message)


def _cookie() -> str | None:
    """The session cookie the browser sent when this tab connected (None: none, or not the
    shape of a session id)."""
    try:
        value = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # no connection (bare mode, tests)
        return None
    return value if isinstance(value, str) and sessions.looks_like_token(value) else None


def sign_in(engine: Any, user_id: int, *, remember: bool = True) -> bool:
    """Sign this browser session in and open its server-side session. With `remember`, and
    when serve.py serves the cookie route, the browser is sent there to receive the cookie that
    keeps it signed in (and comes back home): True, the caller stops its run."""
    session_id = sessions.open_session(engine, user_id)
    st.session_state["user_id"] = user_id
    st.session_state["last_seen"] = time.time()
    st.session_state[SESSION_KEY] = sessions.session_key(session_id)
    route = sessions.cookie_route()
    if not remember or route is None:
        return False
    _send_browser_to(f"{route}?ticket={sessions.TICKETS.issue(sessions.OPEN, session_id)}")
    return True


def sign_out(message: str | None = None) -> None:
    """Forget this browser session's account (the server-side session is ended by the caller:
    `end_this_session`)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["flash"] = message


def end_this_session(engine: Any) -> bool:
    """Sign-out: end this browser's server-side session, forget the account and, when the
    browser holds the cookie, send it to the cookie route to clear it (True: the caller stops
    its run; the page comes back home with « Vous êtes déconnecté·e »)."""
    key = st.session_state.get(SESSION_KEY)
    cookie = _cookie()
    if key is not None:
        sessions.end_session(engine, key)
    if cookie is not None:
        cookie_key = sessions.session_key(cookie)
        if cookie_key != key:  # e.g. signed in again in another tab since
            sessions.end_session(engine, cookie_key)
    sign_out(SIGNED_OUT)
    route = sessions.cookie_route()
    if cookie is None or route is None:
        return False
    _send_browser_to(f"{route}?ticket={sessions.TICKETS.issue(sessions.CLOSE)}")
    return True


def sso_configured() -> bool:
    """Single sign-on (st.login) is offered when OIDC_ENABLED says so, or else as soon as
    .streamlit/secrets.toml has an [auth] section (the domain never reads st.secrets)."""
    forced = get_settings().oidc_enabled
    if forced is not None:
        return forced
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # an unreadable secrets file: no single sign-on rather than a crash
        return False


def sso_logged_in() -> bool:
    """The identity provider vouches for this browser (st.user), when SSO is configured."""
    return sso_configured() and bool(st.user.get("is_logged_in", False))


def _sso_sign_in(engine: Any) -> int | None:
    """Sign the session in as the active account of st.user's address, if there is one.

    A refusal (unknown address, inactive account) is kept for the sign-in page to explain
    and not tried again in this session; no account is ever created here."""
    if not sso_logged_in():
        return None
    email = str(st.user.get("email") or "")
    refused = st.session_state.get("sso_refused")
    if refused and refused[0] == email:
        return None
    verified = st.user.get("email_verified")
    try:
        user_id = sign_in_sso(engine, email=email, verified=verified is not False)
    except SignInError as exc:
        st.session_state["sso_refused"] = (email, str(exc))
        return None
    sign_in(engine, user_id, remember=False)  # the provider's cookie keeps it across reloads
    st.session_state["sso"] = True
    return user_id


def _checked(engine: Any, key: str) -> sessions.SessionCheck:
    """The server-side session's state, read once per script run (the router, the page's guard
    and the page all ask for the actor)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "cursors", None) if ctx is not None else None
    memo = st.session_state.get(_RUN_CHECK)
    if run is not None and memo is not None and memo[0] is run and memo[1] == key:
        return memo[2]
    timeout = get_settings().session_timeout_minutes
    return _remember(key, sessions.check_session(engine, key, timeout_minutes=timeout))


def _remember(key: str, check: sessions.SessionCheck) -> sessions.SessionCheck:
    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "cursors", None) if ctx is not None else None
    if run is not None:
        st.session_state[_RUN_CHECK] = (run, key, check)
    return check


def _expire() -> Actor:
    used_sso = st.session_state.get("sso", False)
    sign_out(EXPIRED)
    if used_sso:  # else the provider's cookie would sign the session in again at once
        st.logout()
    return ANONYMOUS


def _from_cookie(engine: Any) -> int | None:
    """Sign this browser session in from the session cookie (a reload, a new tab), if the
    server-side session is still open; an expired one says so once."""
    timeout = get_settings().session_timeout_minutes
    key, check = sessions.check_cookie(engine, _cookie(), timeout_minutes=timeout)
    if check.expired:
        st.session_state["flash"] = EXPIRED
    if key is None or check.user_id is None:
        return None
    _remember(key, check)
    st.session_state["user_id"] = check.user_id
    st.session_state["last_seen"] = time.time()
    st.session_state[SESSION_KEY] = key
    return check.user_id


def account_actor(engine: Any) -> Actor:
    """The signed-in account of this browser session (single sign-on included), or nobody."""
    if st.query_params.get(SIGN_OUT_PARAM) == "fin":  # back from the cookie route
        del st.query_params[SIGN_OUT_PARAM]
        st.session_state["flash"] = SIGNED_OUT
    user_id = st.session_state.get("user_id")
    if user_id is None:
        user_id = _from_cookie(engine)
    if user_id is not None:
        key = st.session_state.get(SESSION_KEY)
        if key is not None:  # the server-side session decides
            check = _checked(engine, key)
            if check.expired:
                return _expire()
            if not check.valid:
                used_sso = st.session_state.get("sso", False)
                sign_out(ENDED.get(check.ended or "", SIGNED_OUT))
                if used_sso:
                    st.logout()
                return ANONYMOUS
        else:  # a session without a server-side one (signed in by a test)
            timeout = get_settings().session_timeout_minutes * 60
            if time.time() - st.session_state.get("last_seen", 0) > timeout:
                return _expire()
        st.session_state["last_seen"] = time.time()
        actor = actor_for_user(engine, user_id)
        if actor is not None:
            return actor
        sign_out(ENDED[sessions.SessionEnd.DEACTIVATED])  # deactivated (or deleted) since
    user_id = _sso_sign_in(engine)
    if user_id is None:
        return ANONYMOUS
    return actor_for_user(engine, user_id) or ANONYMOUS
