"""The push of a workshop's changes: the change counter in the store (both databases), the
watcher's rules, and the Streamlit internals pages/_push.py relies on, pinned on the
installed version; and a phone that never asks for a refresh shown the next step by the
server alone (the room of 150 phones is timed by bench/workshop_refresh.py)."""

from __future__ import annotations

import inspect
import shutil
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.workshop import live, programme_for, service
from diagnostic.workshop.push import Follower, Watcher
from diagnostic.workshop.shared import Shared
from tests.conftest import ROOT
from tests.factories import make_workshop


@pytest.fixture
def room(engine, questions_dir: Path):
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    alpha, _, actor, made = make_workshop(engine)
    return alpha, actor, made, programme_for(questions_dir)


def counters(engine, workshop_id: int, seat) -> tuple[int, int, int]:
    """(every change, those the phones show, those of the seat's own posts)."""
    state = service.live_state(engine, workshop_id)
    assert state is not None
    mine = service.seat_changes(engine, [seat.participant_id])[seat.participant_id]
    return state.changes, state.phone_changes, mine


def test_each_change_counts_once_for_the_pages_that_show_it(engine, room):
    alpha, actor, made, prog = room
    wid = made.workshop_id
    seat, _ = service.join(
        engine, made.code, nickname="Alice", territory_id=alpha.territory.id, role="dgs"
    )
    other, _ = service.join(
        engine, made.code, nickname="Bruno", territory_id=alpha.territory.id, role="dst"
    )
    collective = next(i for i, s in enumerate(prog.steps) if s.kind == "collective")
    a, p, _ = counters(engine, wid, seat)
    service.go_to(engine, actor, wid, collective, prog)  # everyone
    assert counters(engine, wid, seat) == (a + 1, p + 1, 0)
    post = service.post(engine, seat, prog, step=collective, text="Un chantier", share=True)
    assert counters(engine, wid, seat) == (a + 1, p + 1, 0)  # a participant's own write: none
    service.moderate(engine, actor, wid, post.id, live.HIGHLIGHTED)  # the screen, its author
    service.set_group(engine, actor, wid, post.id, "Pilotage")
    assert counters(engine, wid, seat) == (a + 3, p + 1, 2)
    assert counters(engine, wid, other)[2] == 0  # another phone is not concerned
    service.moderate(engine, actor, wid, post.id, live.HIDDEN)  # off every wall: every phone
    service.set_focus(engine, actor, wid, alpha.territory.id)  # the screen only
    service.pause_timer(engine, actor, wid)  # everyone
    assert counters(engine, wid, seat) == (a + 6, p + 3, 3)
    assert service.live_states(engine, [wid, wid + 1000]) == {wid: service.live_state(engine, wid)}
    service.end(engine, actor, wid, prog, ROOT / "questions")
    assert counters(engine, wid, seat)[:2] == (a + 7, p + 4)


def test_the_store_counts_shown_posts_as_the_domain_does():
    from diagnostic.store import workshops

    assert workshops.SHOWN_STATUSES == live.SHOWN


class Room:
    """A fake database and a fake Streamlit: states by workshop, reruns recorded."""

    def __init__(self) -> None:
        self.states: dict[int, live_state] = {}
        self.seats: dict[int, int] = {}
        self.reads = 0
        self.reruns: list[str] = []
        self.gone: set[str] = set()
        self.now = 100.0

    def read(self, ids, seat_ids):
        self.reads += 1
        states = {i: s for i, s in self.states.items() if i in set(ids)}
        return states, {i: n for i, n in self.seats.items() if i in set(seat_ids)}

    def rerun(self, follower: Follower) -> bool:
        if follower.session_id in self.gone:
            return False
        self.reruns.append(follower.session_id)
        return True

    def at(self, changes: int, phones: int = 0) -> service.Live:
        return service.Live(0, None, "open", False, None, changes=changes, phone_changes=phones)


live_state = service.Live


def watcher(room: Room, **kwargs) -> Watcher:
    return Watcher(room.read, room.rerun, clock=lambda: room.now, **kwargs)


def test_a_change_is_pushed_once_to_each_page_that_follows_the_workshop():
    room = Room()
    w = watcher(room)
    assert w.poll() == 0 and room.reads == 0  # nobody follows: no query at all
    room.states = {1: room.at(5, 3), 2: room.at(9)}
    room.seats = {10: 0, 11: 0}
    w.follow("phone-a", 1, (3, 0), target=None, seat_id=10)
    w.follow("phone-b", 1, (3, 0), target=None, seat_id=11)
    w.follow("screen-1", 1, (5,), target=None)
    w.follow("screen-2", 2, (9,), target=None)
    assert w.poll() == 0  # nothing changed since they were drawn
    assert w.latest(1, max_age=1) == room.at(5, 3) and w.seat_counter(10, max_age=1) == 0
    room.states[1] = room.at(6, 4)  # the next step: every page of workshop 1
    assert w.poll() == 3 and sorted(room.reruns) == ["phone-a", "phone-b", "screen-1"]
    assert w.poll() == 0  # being drawn: not pushed the same change again
    room.now += 10  # … unless the page never drew it (its push was lost): once more
    assert w.poll() == 3
    w.follow("phone-a", 1, (4, 0), target=None, seat_id=10)  # drawn: it says so
    w.follow("phone-b", 1, (4, 0), target=None, seat_id=11)
    w.follow("screen-1", 1, (6,), target=None)
    room.reruns.clear()
    room.states[1], room.seats[10] = room.at(7, 4), 1  # phone-a's post highlighted
    assert w.poll() == 2 and sorted(room.reruns) == ["phone-a", "screen-1"]  # not phone-b
    assert w.pushed == 8
    w.stop()


def test_pages_gone_are_forgotten_and_a_workshop_gone_gets_one_last_push():
    room = Room()
    w = watcher(room)
    room.states = {1: room.at(1), 2: room.at(1)}
    w.follow("left", 1, (1,), target=None)
    w.follow("stays", 2, (1,), target=None)
    room.gone.add("left")
    room.states[1] = room.at(2)
    assert w.poll() == 0 and w.following() == 1  # its session is gone: forgotten
    del room.states[2]  # the workshop was erased: the page is told once (it says so)
    assert w.poll() == 1 and w.following() == 0
    w.stop()


def test_the_latest_state_is_shared_only_while_fresh():
    room = Room()
    w = watcher(room, interval=0.25)
    room.states = {1: room.at(3)}
    w.follow("phone", 1, (3,), target=None)
    w.poll()
    assert w.latest(1, max_age=0.5) == room.at(3)
    room.now += 0.6
    assert w.latest(1, max_age=0.5) is None  # the watcher stalled: pages read the database
    assert w.latest(7, max_age=0.5) is None
    w.stop()


def test_the_watcher_survives_a_database_that_refuses_a_read():
    room = Room()
    calls = threading.Event()

    def read(ids, seat_ids):
        calls.set()
        raise RuntimeError("base indisponible")

    w = Watcher(read, room.rerun, interval=0.01)
    w.follow("phone", 1, (0,), target=None)  # starts the thread
    assert calls.wait(2)
    w.stop()
    with pytest.raises(ValueError):
        Watcher(read, room.rerun, interval=0)


def test_shared_reads_are_kept_for_their_time_by_key_and_bounded():
    now = [0.0]
    shared: Shared[int] = Shared(ttl=3, max_entries=2, clock=lambda: now[0])
    made = []

    def compute(value: int):
        return lambda: made.append(value) or value

    assert shared.get("a", compute(1)) == 1
    assert shared.get("a", compute(2)) == 1  # within its time: read once for all
    now[0] = 3.5
    assert shared.get("a", compute(3)) == 3
    shared.get("b", compute(4))
    shared.get("c", compute(5))  # a third key: the oldest goes
    assert shared.get("a", compute(6)) == 6
    assert made == [1, 3, 4, 5, 6]


def test_the_streamlit_internals_the_push_relies_on_are_there():
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession

    assert callable(Runtime.get_app_session)
    assert callable(AppSession.request_rerun) and callable(AppSession.has_fragment)
    assert "self._event_loop" in inspect.getsource(AppSession.__init__)
    fields = set(ClientState.DESCRIPTOR.fields_by_name)
    assert {"query_string", "page_script_hash", "fragment_id", "is_auto_rerun"} <= fields


FRAGMENT_SCRIPT = """
import streamlit as st
from pages._push import fragment_id

st.markdown(f"dehors : {fragment_id()}")


@st.fragment
def part():
    st.markdown(f"dedans : {fragment_id()}")


part()
"""


def test_a_fragment_knows_its_id_and_the_push_is_off_outside_a_server(tmp_path: Path):
    script = tmp_path / "page.py"
    script.write_text(FRAGMENT_SCRIPT)
    at = AppTest.from_file(str(script))
    at.run()
    assert not at.exception
    outside, inside = (m.value for m in at.markdown)
    assert outside == "dehors : None"
    assert inside.startswith("dedans : ") and inside != "dedans : None"
    from pages import _push

    assert _push._runtime() is None  # AppTest's stand-in runtime: nothing to push to


def _socket(port: int):  # noqa: ANN202
    """A browser tab's websocket to the app, as Streamlit's frontend opens it."""
    import websockets

    return websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{port}",
        max_size=None,
    )


async def _phone_sees(port: int, query: str, change, marker: str) -> tuple[float, int]:
    """A phone's tab over the app's websocket that never asks for a refresh after its first
    run: (seconds until the server's own run shows `marker` after `change`, runs of the whole
    page since)."""
    import asyncio
    import time

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with _socket(port) as ws:

        async def until(predicate) -> None:
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await ws.recv())
                if predicate(forward):
                    return

        def finished(forward) -> bool:
            return forward.WhichOneof("type") == "script_finished"

        ask = BackMsg()
        ask.rerun_script.query_string = query
        await ws.send(ask.SerializeToString())
        await asyncio.wait_for(until(finished), 60)
        await asyncio.sleep(1)  # the page has registered with the process's watcher
        whole = 0

        def shows(forward) -> bool:
            nonlocal whole
            kind = forward.WhichOneof("type")
            if kind == "script_finished" and not forward.metadata.run.fragment_ids:
                whole += 1
            if kind != "delta" or forward.delta.WhichOneof("type") != "new_element":
                return False
            element = forward.delta.new_element
            shape = element.WhichOneof("type")
            return shape in {"heading", "markdown"} and marker in getattr(element, shape).body

        started = time.perf_counter()
        await asyncio.to_thread(change)
        await asyncio.wait_for(until(shows), 20)
        return time.perf_counter() - started, whole


def test_the_next_step_reaches_a_phone_that_never_asks(
    engine, room, questions_dir: Path, tmp_path: Path
):
    """The phone's own refresh is set to a minute: only the server's push can bring the new
    step within seconds, and it redraws the step alone, not the whole page."""
    import asyncio

    from tests.live import running

    alpha, actor, made, prog = room
    _, token = service.join(
        engine, made.code, nickname="Alice", territory_id=alpha.territory.id, role="dgs"
    )
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # the server's own connections only (SQLite: one writer at a time)
    following_step = prog.steps[1].title
    slow = {"WORKSHOP_REFRESH_SECONDS": "60", "WORKSHOP_PUSH_SECONDS": "0.25"}
    with running(url, questions_dir, tmp_path / "app.log", settings=slow) as server:
        delay, whole = asyncio.run(
            _phone_sees(
                server.port,
                f"atelier={made.code}&p={token}",
                lambda: service.go_to(engine, actor, made.workshop_id, 1, prog),
                following_step,
            )
        )
    assert delay < 5, delay  # a timed refresh would take up to a minute
    assert whole == 0  # the step's fragment only: nothing typed elsewhere is redrawn


async def _refreshing_tab(port: int, query: str, *, keeps_address: bool, seconds: float) -> int:
    """A phone's tab that asks for its timed refresh as the server says (auto_rerun), sending
    the address the page wrote (`keeps_address`, as a browser does) or the one it was opened
    at (as if the page's last drawing never reached it); returns how many times the server
    ran the whole page after the first run."""
    import asyncio
    import time

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    tab = {"query": query, "fragment": None, "interval": 1.0, "page": "", "runs": 0, "whole": 0}
    async with _socket(port) as ws:

        async def read() -> None:
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await ws.recv())
                kind = forward.WhichOneof("type")
                if kind == "page_info_changed" and keeps_address:
                    tab["query"] = forward.page_info_changed.query_string
                elif kind == "navigation":
                    tab["page"] = forward.navigation.page_script_hash
                elif kind == "auto_rerun":
                    tab["fragment"] = forward.auto_rerun.fragment_id
                    tab["interval"] = forward.auto_rerun.interval
                elif kind == "script_finished":
                    tab["runs"] += 1
                    if tab["runs"] > 1 and not forward.metadata.run.fragment_ids:
                        tab["whole"] += 1

        async def ask(fragment: str | None) -> None:
            msg = BackMsg()
            msg.rerun_script.query_string = tab["query"]
            msg.rerun_script.page_script_hash = tab["page"]
            if fragment:
                msg.rerun_script.fragment_id = fragment
                msg.rerun_script.is_auto_rerun = True
            await ws.send(msg.SerializeToString())

        reader = asyncio.create_task(read())
        await ask(None)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            await asyncio.sleep(tab["interval"])
            if tab["fragment"]:
                await ask(tab["fragment"])
        reader.cancel()
    return tab["whole"]


def test_a_phone_that_never_received_its_step_is_drawn_again_in_full(
    engine, room, questions_dir: Path, tmp_path: Path
):
    """Streamlit can drop a run's messages when another request of the tab starts a new
    runner before its server loop handled them (seen while 150 phones are redrawn at once):
    the server believes the step drawn, the phone still shows the old one. The page writes
    what it drew in its address (`etat`), which the browser sends back with each refresh: an
    address still naming an older drawing after a whole interval has the page run in full.
    A tab that keeps its address, as every browser does, is never redrawn in full."""
    import asyncio

    from tests.live import running

    alpha, actor, made, prog = room
    tokens = [
        service.join(engine, made.code, nickname=n, territory_id=alpha.territory.id, role="dgs")[1]
        for n in ("Alice", "Bruno")
    ]
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    fast = {"WORKSHOP_REFRESH_SECONDS": "2", "WORKSHOP_PUSH_SECONDS": "0.25"}  # phones: 2 s
    with running(url, questions_dir, tmp_path / "app.log", settings=fast) as server:

        async def both() -> list[int]:
            return await asyncio.gather(
                *(
                    _refreshing_tab(
                        server.port, f"atelier={made.code}&p={t}", keeps_address=k, seconds=9
                    )
                    for t, k in zip(tokens, (True, False), strict=True)
                )
            )

        browser, lost = asyncio.run(both())
    assert browser == 0
    assert lost >= 1
