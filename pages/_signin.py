"""An account's session in this browser: sign-in and sign-out, single sign-on, inactivity.

Also the visitor's network address, as the sign-in and workshop throttles count it. Pages
import these through `pages._shell`.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

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


def sign_in(user_id: int) -> None:
    st.session_state["user_id"] = user_id
    st.session_state["last_seen"] = time.time()


def sign_out(message: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["flash"] = message


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
    sign_in(user_id)
    st.session_state["sso"] = True
    return user_id


def account_actor(engine: Any) -> Actor:
    """The signed-in account of this browser session (single sign-on included), or nobody."""
    user_id = st.session_state.get("user_id")
    if user_id is not None:
        timeout = get_settings().session_timeout_minutes * 60
        if time.time() - st.session_state.get("last_seen", 0) > timeout:
            used_sso = st.session_state.get("sso", False)
            sign_out("Votre session a expiré après une période d'inactivité : reconnectez-vous.")
            if used_sso:  # else the provider's cookie would sign the session in again at once
                st.logout()
            return ANONYMOUS
        st.session_state["last_seen"] = time.time()
        actor = actor_for_user(engine, user_id)
        if actor is not None:
            return actor
        sign_out(  # deactivated (or deleted) since the sign-in: refused at the next rerun
            "Votre session a été fermée : ce compte n'est plus actif. Adressez-vous à un·e "
            "administrateur·rice."
        )
    user_id = _sso_sign_in(engine)
    if user_id is None:
        return ANONYMOUS
    return actor_for_user(engine, user_id) or ANONYMOUS
