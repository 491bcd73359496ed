"""Streamlit-only helpers shared by the pages: cached engine, current actor, guards, text."""

from __future__ import annotations

import re
import time
from typing import Any

import streamlit as st

from diagnostic.bootstrap import prepare_database
from diagnostic.permissions import ANONYMOUS, Actor, page_allowed, pages_for
from diagnostic.references import Library, load_library
from diagnostic.respondent import Invitation, open_invitation
from diagnostic.settings import Settings, get_settings
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope

TOKEN_PARAM = "t"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _engine_for(url: str, questions_dir: str, load_demo: bool) -> Any:
    return prepare_database(get_settings())


def engine() -> Any:
    """The app's engine, created and migrated once per process and database URL."""
    s = settings()
    return _engine_for(s.effective_database_url, str(s.questions_dir), s.load_demo)


def library() -> Library:
    """The references and actions of the questions folder (loaded once per process)."""
    return load_library(settings().questions_dir)


def plain(text: object) -> str:
    """Escape Markdown so that text a user typed is shown exactly as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def invitation() -> Invitation | None:
    """The respondent's invitation, from the link's token (kept in the URL for reloads)."""
    token = st.query_params.get(TOKEN_PARAM)
    if not token:
        return None
    return open_invitation(engine(), settings().questions_dir, token)


def link_was_given() -> bool:
    return bool(st.query_params.get(TOKEN_PARAM))


def sign_in(user_id: int) -> None:
    st.session_state["user_id"] = user_id
    st.session_state["last_seen"] = time.time()


def sign_out(message: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["flash"] = message


def current_actor() -> Actor:
    """Who is using this browser session: a respondent's link, a signed-in account, or nobody."""
    inv = invitation()
    if inv is not None:
        return inv.actor()
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return ANONYMOUS
    timeout = settings().session_timeout_minutes * 60
    if time.time() - st.session_state.get("last_seen", 0) > timeout:
        sign_out("Votre session a expiré après une période d'inactivité : reconnectez-vous.")
        return ANONYMOUS
    st.session_state["last_seen"] = time.time()
    with session_scope(engine()) as session:
        actor = accounts.actor_for(session, user_id=user_id)
    if actor is None:
        sign_out()
        return ANONYMOUS
    return actor


def guard(page_key: str) -> Actor:
    """Stop the page unless the current actor may open it (pages check again)."""
    actor = current_actor()
    if not page_allowed(actor, page_key):
        allowed = pages_for(actor)
        if allowed and not link_was_given():
            # e.g. just signed in on the sign-in page, or signed out elsewhere
            st.switch_page(allowed[0].path)
        st.error("Cette page ne vous est pas accessible.")
        st.stop()
    return actor


def flash() -> None:
    """Show and forget a message left by the previous run."""
    message = st.session_state.pop("flash", None)
    if message:
        st.info(message)
