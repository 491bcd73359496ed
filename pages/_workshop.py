"""Streamlit-only helpers of the three workshop pages: links, refresh rates, static styles,
the countdown, and the facilitator's actions (a refusal is shown, never raised)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from diagnostic.accounts.permissions import PAGES, Actor
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.workshop import Place, Programme, Step, WorkshopError, live, service
from diagnostic.workshop.codes import join_link, qr_svg
from diagnostic.workshop.live import clock
from diagnostic.workshop.service import Live, WorkshopInfo
from diagnostic.workshop.shared import Shared
from pages import _push as push
from pages._shell import engine, plain, settings

CODE_PARAM = "atelier"  # ?atelier=CODE : the participants' page (no account)
SEAT_PARAM = "p"  # &p=TOKEN : a participant's seat, kept in the URL so that a reload resumes
SCREEN_PARAM = "ecran"  # ?ecran=TOKEN : the read-only screen for a projector
STYLES = Path(__file__).resolve().parent / "styles"


def _path(key: str) -> str:
    return next(p.path for p in PAGES if p.key == key)


def link_page() -> str | None:
    """The page a workshop link opens (app.py routes it like an invitation link), or None."""
    if st.query_params.get(SCREEN_PARAM):
        return _path("projection")
    if st.query_params.get(CODE_PARAM) is not None:
        return _path("participer")
    return None


def phone_refresh() -> float:
    """Seconds between two refreshes of a phone (WORKSHOP_REFRESH_SECONDS): 150 of them."""
    return float(settings().workshop_refresh_seconds)


def screen_refresh() -> float:
    """The screen and the console follow the room twice as closely (3 s at most)."""
    return max(1.0, min(3.0, phone_refresh() / 2))


REVISIONS = "ws_programme_rev"  # workshop id -> revision of the programme this page was built on


def programme(info: WorkshopInfo | None = None) -> Programme:
    """The workshop's steps: its own programme when edited on the console, else the shipped
    one (questions/atelier.yaml); the page redraws when the facilitator edits it (`following`)."""
    if info is not None:
        now = service.live_state(engine(), info.id)  # before the programme: never a newer rev
        st.session_state.setdefault(REVISIONS, {})[info.id] = now.revision if now else 0
    return service.programme_of(engine(), info, settings().questions_dir)


WALLS: Shared[list[live.Post]] = Shared(ttl=3.0)


def territory_wall(
    workshop_id: int, step: int, territory_id: int | None, changes: int
) -> list[live.Post]:
    """The posts a territory's phones show at a step, read once for all of them: by the room's
    change counter (a post shown, hidden or grouped: read again at once) and for 3 seconds at
    most (a participant's new post, which does not count as a change of the room)."""
    return WALLS.get(
        (engine().url, workshop_id, step, territory_id, changes),
        lambda: service.wall(engine(), workshop_id, step=step, territory_id=territory_id),
    )


def participant_link(code: str) -> str:
    return join_link(settings().public_url, code)


def screen_link(token: str) -> str:
    return f"{settings().public_url}/?{SCREEN_PARAM}={token}"


@st.cache_data(max_entries=32, show_spinner=False)
def qr_image(link: str) -> str:
    """The QR code of a link as SVG text (st.image shows it inline, stable across refreshes)."""
    return qr_svg(link)


def reload_if_stale(now: Live, info: WorkshopInfo) -> None:
    """A territory's campaign was erased since this page was built: build it again without
    that territory (once per change, so that a mismatch can never loop). The same when the
    facilitator edited the programme (its revision is recorded again by `programme`)."""
    if now.stale(info):
        mark = (info.id, now.territories)
        if st.session_state.get("ws_reloaded") != mark:
            st.session_state["ws_reloaded"] = mark
            st.rerun(scope="app")
    if now.revision != st.session_state.get(REVISIONS, {}).get(info.id, now.revision):
        st.rerun(scope="app")  # the facilitator edited the programme: redraw with it


def following(info: WorkshopInfo, *, shared: bool = False) -> Live | None:
    """The workshop's state for a live refresh (None once it is gone), the page built again
    first when a territory has left it since. `shared`: a read-only page of the room (phone,
    projection) may take the state the process's push watcher read a moment ago (the same
    for all of them) instead of reading it again."""
    now = push.latest(info.id) if shared else None
    if now is None:
        now = service.live_state(engine(), info.id)
    if now is not None:
        reload_if_stale(now, info)
    return now


def style(name: str) -> None:
    """Apply one of the static style sheets of pages/styles/ (never any user text)."""
    st.html(STYLES / f"{name}.css")


def names(places: tuple[Place, ...]) -> dict[int, str]:
    """Territory id -> name, for the territories of a workshop."""
    return {p.territory_id: p.territory_name for p in places}


def countdown(now: Live, step: Step, *, over: str = "ws_clock") -> None:
    """The step's countdown in large type (`over`: the style key once it reaches zero)."""
    left = service.seconds_left(now, step.seconds)
    with st.container(key="ws_clock" if left else over):
        st.markdown(clock(left))
    if now.timer.paused:
        with st.container(key="ws_paused"):
            st.markdown("En pause")


def attempt(
    actor: Actor,
    action: Callable[..., Any],
    *args: Any,
    refusal: str = "Action refusée : {}.",
    **kwargs: Any,
) -> None:
    """Run a facilitator action from a widget callback; a refusal is shown by `refused`."""
    try:
        action(engine(), actor, *args, **kwargs)
    except (AccessDenied, WorkshopError, AnswerError) as exc:
        st.session_state["ws_error"] = refusal.format(plain(exc))


def refused() -> None:
    """The refusal of the last action, once."""
    error = st.session_state.pop("ws_error", None)
    if error:
        st.error(error)
