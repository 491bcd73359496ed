"""Streamlit-only helpers shared by the pages: cached engine, current actor, guards, text."""

from __future__ import annotations

import re
import time
from contextlib import suppress
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from diagnostic.accounts.access import actor_for_user, sign_in_sso
from diagnostic.accounts.permissions import ANONYMOUS, Action, Actor, can, page_allowed, pages_for
from diagnostic.accounts.ratelimit import source_of
from diagnostic.answering.respondent import Invitation, open_invitation
from diagnostic.bootstrap import prepare_database
from diagnostic.campaigns.coordination import campaigns, my_territories
from diagnostic.exports import unlinked
from diagnostic.privacy.service import notice
from diagnostic.results.service import (
    CampaignResults,
    compute_results,
    counted_respondents,
    data_version,
    read_campaign_data,
    require_results_access,
    restrict,
)
from diagnostic.roadmap.references import Library, load_library
from diagnostic.settings import Settings, get_settings
from diagnostic.store.accounts import SignInError
from diagnostic.store.models import Campaign
from diagnostic.workshop import Place
from pages import _router  # noqa: F401  (first visit of a fresh server: through app.py)

TOKEN_PARAM = "t"
_RUN_INVITATION = "_invitation_of_this_run"  # (run marker, token, Invitation | None)
_RUN_ENGINE = "_engine_of_this_run"  # (run marker, settings, engine)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&])")


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _engine_for(url: str, questions_dir: str, load_demo: bool) -> Any:
    return prepare_database(get_settings())


def engine() -> Any:
    """The app's engine, created and migrated once per process and database URL (and looked
    up in Streamlit's resource cache once per run: a page asks for it many times)."""
    s = settings()
    run = _this_run()
    memo = st.session_state.get(_RUN_ENGINE) if run is not None else None
    if memo is not None and memo[0] is run and memo[1] is s:
        return memo[2]
    eng = _engine_for(s.effective_database_url, str(s.questions_dir), s.load_demo)
    if run is not None:
        st.session_state[_RUN_ENGINE] = (run, s, eng)
    return eng


def library() -> Library:
    """The references and actions of the questions folder (loaded once per process)."""
    return load_library(settings().questions_dir)


@st.cache_data(max_entries=64, show_spinner="Calcul des résultats…")
def _results(
    campaign_id: int, version: tuple[object, ...], min_group: int, subset: tuple
) -> CampaignResults | None:
    data = restrict(
        read_campaign_data(engine(), campaign_id, settings().questions_dir), **dict(subset)
    )
    if counted_respondents(data) < min_group:
        return None
    return compute_results(data, min_group_size=min_group)


def campaign_results(actor: Actor, campaign_id: int, **subset: object) -> CampaignResults | None:
    """Results of a campaign the actor may read (checked on every call), cached until an
    answer or a consensus changes; None when the filtered group is too small to be shown."""
    require_results_access(engine(), actor, campaign_id)
    version = data_version(engine(), campaign_id)
    key = tuple(sorted((k, v) for k, v in subset.items() if v is not None))
    return _results(campaign_id, version, settings().min_group_size, key)


def workshop_results(place: Place) -> CampaignResults | None:
    """Aggregated results of a campaign linked to a workshop, from the same cache.

    `place` comes from a workshop opened through its code, its screen link or its
    facilitator's account: the room sees its campaigns' aggregates, never an answer."""
    version = data_version(engine(), place.campaign_id)
    return _results(place.campaign_id, version, settings().min_group_size, ())


CHART_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "diagnostic-graphique"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def show_chart(fig: Any, table: Any, *, key: str) -> None:
    """A chart (the camera icon downloads it as PNG) and its data as a table, for everyone."""
    st.plotly_chart(fig, config=CHART_CONFIG, key=f"chart_{key}")
    with st.expander("Données du graphique (tableau)"):
        st.dataframe(table, hide_index=True)


def campaign_picker(actor: Actor, action: Action, *, key: str) -> Campaign | None:
    """Territory then campaign selectors limited to what the actor may do; None when empty."""
    territories = [
        t for t in my_territories(engine(), actor) if can(actor, action, territory_id=t.id)
    ]
    if not territories:
        st.info("Aucun territoire accessible pour l'instant.")
        return None
    names = {t.id: t.name for t in territories}
    territory_id = st.selectbox(
        "Territoire", list(names), format_func=names.get, key=f"{key}_territory"
    )
    rows = campaigns(engine(), actor, territory_id)
    if not rows:
        st.info("Ce territoire n'a pas encore de campagne de diagnostic.")
        return None
    by_id = {c.id: c for c in rows}
    campaign_id = st.selectbox(
        "Campagne", list(by_id), format_func=lambda i: by_id[i].title, key=f"{key}_campaign"
    )
    return by_id[campaign_id]


def plain(text: object) -> str:
    """The one way a text a user typed goes into Markdown (bodies, captions, titles, labels):
    shown exactly as typed, never as markup nor a link. Markdown is escaped (`=` too: a line of
    them under a text would make it a heading; `&`: no entity is decoded) and bare addresses
    and e-mails are broken for Streamlit's autolinks (see `unlinked`)."""
    text = unlinked(str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def _this_run() -> object | None:
    """An object that identifies the current script run, or None outside a run.

    Streamlit gives its run context a new `cursors` dict at the start of every run (rerun,
    page switch, fragment rerun): the memo below keeps a reference to it, so that an object
    of a finished run can never be taken for the current one."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "cursors", None) if ctx is not None else None


def invitation() -> Invitation | None:
    """The respondent's invitation, from the link's token (kept in the URL for reloads).

    Opened once per script run — the router, the page's guard and the page itself share it —
    and again at every run: a link revoked, erased or whose campaign was closed, or a
    questionnaire submitted, is seen at the next run (one read transaction, see
    `open_invitation`)."""
    token = st.query_params.get(TOKEN_PARAM)
    if not token:
        return None
    run = _this_run()
    memo = st.session_state.get(_RUN_INVITATION)
    if run is not None and memo is not None and memo[0] is run and memo[1] == token:
        return memo[2]
    inv = open_invitation(engine(), settings().questions_dir, token)
    if run is not None:
        st.session_state[_RUN_INVITATION] = (run, token, inv)
    return inv


_NOTICE: dict[bool | None, tuple[Settings, str]] = {}  # the settings object and its notice


def privacy_notice(named: bool | None = None) -> str:
    """The privacy notice with the settings in force (« Qui voit quoi » for a named or a
    pseudonymous campaign, or for both when None), built once per settings object (the file is
    part of the code; tests that change the settings get a new object)."""
    s = settings()
    if named not in _NOTICE or _NOTICE[named][0] is not s:
        _NOTICE[named] = (s, notice(s, named=named))
    return _NOTICE[named][1]


def link_was_given() -> bool:
    return bool(st.query_params.get(TOKEN_PARAM))


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
    forced = settings().oidc_enabled
    if forced is not None:
        return forced
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # an unreadable secrets file: no single sign-on rather than a crash
        return False


def sso_logged_in() -> bool:
    """The identity provider vouches for this browser (st.user), when SSO is configured."""
    return sso_configured() and bool(st.user.get("is_logged_in", False))


def _sso_sign_in() -> int | None:
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
        user_id = sign_in_sso(engine(), email=email, verified=verified is not False)
    except SignInError as exc:
        st.session_state["sso_refused"] = (email, str(exc))
        return None
    sign_in(user_id)
    st.session_state["sso"] = True
    return user_id


def current_actor() -> Actor:
    """Who is using this browser session: a respondent's link, a signed-in account, or nobody."""
    inv = invitation()
    if inv is not None:
        return inv.actor()
    user_id = st.session_state.get("user_id")
    if user_id is not None:
        timeout = settings().session_timeout_minutes * 60
        if time.time() - st.session_state.get("last_seen", 0) > timeout:
            used_sso = st.session_state.get("sso", False)
            sign_out("Votre session a expiré après une période d'inactivité : reconnectez-vous.")
            if used_sso:  # else the provider's cookie would sign the session in again at once
                st.logout()
            return ANONYMOUS
        st.session_state["last_seen"] = time.time()
        actor = actor_for_user(engine(), user_id)
        if actor is not None:
            return actor
        sign_out(  # deactivated (or deleted) since the sign-in: refused at the next rerun
            "Votre session a été fermée : ce compte n'est plus actif. Adressez-vous à un·e "
            "administrateur·rice."
        )
    user_id = _sso_sign_in()
    if user_id is None:
        return ANONYMOUS
    return actor_for_user(engine(), user_id) or ANONYMOUS


def guard(page_key: str) -> Actor:
    """Stop the page unless the current actor may open it (pages check again)."""
    actor = current_actor()
    if not page_allowed(actor, page_key):
        allowed = pages_for(actor)
        if allowed and not link_was_given():
            # e.g. just signed in on the sign-in page, or signed out elsewhere
            with suppress(StreamlitAPIException):  # a page run outside app.py's menu
                st.switch_page(allowed[0].path)
        st.error("Cette page ne vous est pas accessible.")
        st.stop()
    return actor


def flash() -> None:
    """Show and forget a message left by the previous run."""
    message = st.session_state.pop("flash", None)
    if message:
        st.info(message)
