"""Streamlit-only helpers shared by the pages: cached engine, current actor, guards, cached
results, text. Signing an account in and out lives in _signin (imported from here)."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from diagnostic.accounts.permissions import Actor, page_allowed, pages_for
from diagnostic.answering.respondent import Invitation, open_invitation
from diagnostic.bootstrap import prepare_database
from diagnostic.exports import unlinked
from diagnostic.privacy.service import notice
from diagnostic.results import service as results
from diagnostic.results import tables
from diagnostic.results.model import CampaignResults, TooFewRespondents
from diagnostic.roadmap.references import Library, load_library
from diagnostic.settings import Settings, get_settings
from diagnostic.workshop import Place
from pages import _router  # noqa: F401  (first visit of a fresh server: through app.py)
from pages._french import PLOTLY_LOCALE
from pages._signin import (  # noqa: F401  (the pages import the sign-in helpers from here)
    account_actor,
    client_address,
    end_this_session,
    sign_in,
    sign_out,
    sso_configured,
    sso_logged_in,
)

STYLES = Path(__file__).resolve().parent / "styles"  # resolved once, not at every run
ICON = str(STYLES / "icone.png")  # the tab's icon, a file the app serves
FOCUS_CSS = STYLES / "focus.css"
TOKEN_PARAM = "t"
_RUN_INVITATION = "_invitation_of_this_run"  # (run marker, token, Invitation | None)
_ENGINE: tuple[Settings, Any] | None = None  # the last settings object and its engine
T = TypeVar("T")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&])")


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner="Préparation de la base de données…")
def _engine_for(url: str, questions_dir: str, load_demo: bool) -> Any:
    return prepare_database(get_settings())


def engine() -> Any:
    """The app's engine, created and migrated once per process and database URL. Remembered
    beside the settings object it was made for: a page and its widgets' callbacks ask for it
    many times per run, and Streamlit's resource cache hashes its arguments at each lookup
    (tests that change the settings get a new settings object, hence a new lookup)."""
    global _ENGINE
    s = settings()
    memo = _ENGINE
    if memo is not None and memo[0] is s:
        return memo[1]
    eng = _engine_for(s.effective_database_url, str(s.questions_dir), s.load_demo)
    _ENGINE = (s, eng)
    return eng


def library() -> Library:
    """The references and actions of the questions folder (loaded once per process)."""
    return load_library(settings().questions_dir)


@st.cache_data(max_entries=64, show_spinner="Calcul des résultats…")
def _results(
    actor: Actor | None, campaign_id: int, version: tuple, min_group: int, subset: tuple
) -> CampaignResults | TooFewRespondents:
    if actor is None:  # a workshop's place: its right was checked when it was opened
        return results.campaign_results(engine(), campaign_id)
    return results.results_for(engine(), actor, campaign_id, **dict(subset))


def campaign_results(
    actor: Actor, campaign_id: int, **subset: object
) -> CampaignResults | TooFewRespondents:
    """`results_for` behind the cache, until an answer or a consensus changes (the data
    version), the settings' minimum group size or the actor (and so its right) does."""
    key = tuple(sorted((k, v) for k, v in subset.items() if v is not None))
    version = results.data_version(engine(), campaign_id)
    return session_memo(
        "results",
        (actor, campaign_id, version, settings().min_group_size, key),
        lambda: _results(actor, campaign_id, version, settings().min_group_size, key),
    )


def session_memo(name: str, key: object, compute: Callable[[], T]) -> T:
    """The value computed for `key`, kept in this browser session until the key changes: the
    reruns of one page (a click, an added action) reuse it instead of reading a copy out of
    Streamlit's data cache (which unpickles the whole object: ~20 ms for a campaign's
    results). One value per name; the key must hold everything the value depends on (the data
    version, the actor). Callers never modify the value."""
    memo = st.session_state.setdefault("_session_memo", {})
    kept = memo.get(name)
    if kept is not None and kept[0] == key:
        return kept[1]
    value = compute()
    memo[name] = (key, value)
    return value


def workshop_results(place: Place) -> CampaignResults | None:
    """Aggregated results of a campaign linked to a workshop; None below the minimum group size.

    `place` comes from a workshop opened through its code, its screen link or its
    facilitator's account: the room sees its campaigns' aggregates, never an answer."""
    version = results.data_version(engine(), place.campaign_id)
    shown = _results(None, place.campaign_id, version, settings().min_group_size, ())
    return shown if isinstance(shown, CampaignResults) else None


CHART_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "diagnostic-graphique"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    **PLOTLY_LOCALE,  # the toolbar's words and the numbers in French
}


def data_table(frame: Any, *, column_config: dict[str, Any] | None = None, **more: Any) -> None:
    """A table on screen as a person reads it: « — » where a figure is missing (Streamlit's
    grid would write « None »), figures with decimals written the French way (« 1,6 »: the
    browser's locale, French here)."""
    config = dict(column_config or {})
    for name in tables.decimal_columns(frame, keep=config):
        config[name] = st.column_config.NumberColumn(format="localized")
    if "Item" in getattr(frame, "columns", ()) and "Item" not in config:
        # An item's text is long: its column wide and kept in view when the others scroll.
        config["Item"] = st.column_config.TextColumn(width="large", pinned=True)
    st.dataframe(frame, column_config=config or None, placeholder=tables.MISSING, **more)


def show_chart(fig: Any, table: Any, *, key: str) -> None:
    """A chart (the camera icon downloads it as PNG) and its data as a table, for everyone."""
    st.plotly_chart(fig, config=CHART_CONFIG, key=f"chart_{key}")
    with st.expander("Données du graphique (tableau)"):
        data_table(table, hide_index=True)


def plain(text: object) -> str:
    """The one way a text a user typed goes into Markdown (bodies, captions, titles, labels):
    shown exactly as typed, never as markup nor a link. Markdown is escaped (`=` too: a line of
    them under a text would make it a heading; `&`: no entity is decoded) and bare addresses
    and e-mails are broken for Streamlit's autolinks (see `unlinked`)."""
    text = unlinked(str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def hand_over(name: str, value: object) -> None:
    """Keep `value` for a later part of this same script run (`taken`): never seen by another
    run, even one that starts before this one ends."""
    st.session_state[name] = (_this_run(), value)


def taken(name: str) -> Any:
    """What `hand_over` kept under `name` in this run (None otherwise); it is kept no longer."""
    found = st.session_state.pop(name, None)
    run = _this_run()
    return found[1] if found is not None and run is not None and found[0] is run else None


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


def current_actor() -> Actor:
    """Who is using this browser session: a respondent's link, a signed-in account, or nobody."""
    inv = invitation()
    return inv.actor() if inv is not None else account_actor(engine())


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
