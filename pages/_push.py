"""The push of a workshop's changes (diagnostic/workshop/push.py) wired to Streamlit: a live
fragment says which workshop it shows; when that workshop changes, the process's watcher asks
Streamlit to run the fragment again in that browser session, as the browser's own timed
refresh would, without waiting for it.

Streamlit has no public call for a rerun started by the server. This uses
`Runtime.get_app_session` (thread-safe), then `AppSession.has_fragment` and
`AppSession.request_rerun` on the server's event loop (`AppSession._event_loop`, internal), with
the fragment's id read from the script's context (`ThreadState`, internal since 1.5x;
`ctx.current_fragment_id` before). tests/test_push.py pins them on the installed version;
should one be missing, the push is off (logged once) and the timed refresh carries on alone.
A fragment rerun asked for this way never interrupts a run the person started (Streamlit
queues fragment runs behind a full run) and carries no widget value: nothing typed is lost.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import streamlit as st

from diagnostic.workshop import Live, service
from diagnostic.workshop.push import Follower, Watcher
from pages._shell import engine, settings

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """Where the page's live fragment lives: enough to ask for its rerun."""

    fragment: str
    query_string: str
    page_script_hash: str


def _runtime():  # -> streamlit.runtime.Runtime | None
    """The server's runtime; None outside a server (AppTest runs pages on a stand-in, whose
    sessions cannot be pushed anything: the pages keep their timed refresh there)."""
    try:
        from streamlit.runtime import Runtime
    except ImportError:  # pragma: no cover - pinned by tests/test_push.py
        return None
    found = Runtime.instance() if Runtime.exists() else None
    return found if type(found) is Runtime else None  # AppTest: a mock with its spec


def fragment_id() -> str | None:
    """The id of the fragment running now (None outside a fragment or when unknown)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    found = getattr(ctx, "current_fragment_id", None)  # Streamlit before 1.5x
    if found:
        return str(found)
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState
    except ImportError:
        return None
    return getattr(ThreadState.get(), "fragment_id", None)


def rerun(follower: Follower) -> bool:
    """Ask the follower's session to run its live fragment again; False when the session or
    the fragment is gone (the watcher then forgets it)."""
    from streamlit.proto.ClientState_pb2 import ClientState

    runtime = _runtime()
    target = follower.target
    if runtime is None or not isinstance(target, Target):
        return False
    session = runtime.get_app_session(follower.session_id)
    loop = getattr(session, "_event_loop", None)
    if session is None or loop is None or loop.is_closed():
        return False
    if not session.has_fragment(target.fragment):
        return False  # the person left the page (another page's run replaced its fragments)
    state = ClientState(
        query_string=target.query_string,
        page_script_hash=target.page_script_hash,
        fragment_id=target.fragment,
        is_auto_rerun=True,  # a fragment gone meanwhile is skipped quietly, like a timed one
    )
    loop.call_soon_threadsafe(session.request_rerun, state)  # on the server's event loop
    return True


_WATCHERS: dict[tuple[str, float], Watcher] = {}
_WATCHERS_LOCK = threading.Lock()


def watcher() -> Watcher | None:
    """This process's watcher (None when WORKSHOP_PUSH_SECONDS is 0 or outside a server):
    one per database and interval, looked up in a plain dictionary (a page asks for it a few
    times per run, 150 phones at once)."""
    seconds = settings().workshop_push_seconds
    if not seconds or _runtime() is None:
        return None
    eng = engine()
    key = (str(eng.url), seconds)
    found = _WATCHERS.get(key)
    if found is None:
        with _WATCHERS_LOCK:
            found = _WATCHERS.get(key)
            if found is None:
                found = _WATCHERS[key] = _watcher_for(eng, seconds)
    return found


def _watcher_for(eng: Any, seconds: float) -> Watcher:  # eng: the app's engine (store)
    def read(workshop_ids, seat_ids):  # noqa: ANN001, ANN202
        return service.live_states(eng, workshop_ids), service.seat_changes(eng, seat_ids)

    return Watcher(read, rerun, interval=seconds)


def seat_counter(seat_id: int) -> int:
    """The counter of a seat's posts changed by the facilitator (as the watcher last read it,
    else from the database)."""
    found = watcher()
    counter = found.seat_counter(seat_id, fresh(found)) if found is not None else None
    if counter is None:
        counter = service.seat_changes(engine(), [seat_id]).get(seat_id, 0)
    return counter


def latest(workshop_id: int) -> Live | None:
    """The workshop's state as this process's watcher last read it (a room's pages share it
    rather than each reading the database), or None when the push is off or the watcher has
    not read for a while (`fresh`)."""
    found = watcher()
    return found.latest(workshop_id, fresh(found)) if found is not None else None


def fresh(found: Watcher) -> float:
    """How old a reading of the watcher may be for the pages to share it: a few looks. While
    150 phones are redrawn at once the watcher's own thread waits its turn; a page that took
    a reading older than the last change is pushed again at the next look."""
    return max(2.0, 4 * found.interval)


def active() -> bool:
    """Whether this process pushes changes (else pages only have their timed refresh)."""
    return watcher() is not None


def follow(workshop_id: int, seen: tuple[int, ...], seat_id: int | None = None) -> None:
    """Called inside a page's live fragment (one per page): run it again as soon as the
    workshop changes after counters `seen` (what it has just drawn:
    `diagnostic.workshop.push.seen_by`; a phone gives its `seat_id`)."""
    found = watcher()
    if found is None:
        return
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    fid = fragment_id()
    if ctx is None or fid is None:
        if not st.session_state.get("ws_push_warned"):
            st.session_state["ws_push_warned"] = True
            LOGGER.warning("atelier : fragment introuvable, envoi immédiat inactif")
        return
    target = Target(fid, ctx.query_string, ctx.page_script_hash)
    found.follow(ctx.session_id, workshop_id, seen, target, seat_id)
