"""Live workshop refresh under a seminar room's load, through the real server's websocket.

One `streamlit run app.py` on loopback; a workshop on the 4 demo territories; N phones
(participants' pages, `?atelier=CODE&p=TOKEN`) and one projector (`?ecran=TOKEN`) are simulated
by websocket clients speaking Streamlit's own protocol, as a browser tab does: a first full run,
then the fragment reruns that `st.fragment(run_every=…)` asks for, at the server's interval.
Each refresh is timed from the request to the `script_finished` message; the server's CPU time
and memory are read from /proc over the steady window (after every client has joined).

The floor is the same load against a bare app whose fragment only prints the time (no database,
no domain code), measured in the same run: the ratio says what the workshop itself costs.

    .venv/bin/python bench/workshop_refresh.py                      # 150 phones, 6 s, 45 s
    .venv/bin/python bench/workshop_refresh.py --phones 150 --refresh 6 --seconds 45 \
        --step chantiers --database postgresql --processes 2

After the steady window, the facilitator's moves are made in the database as the console
makes them (a post highlighted, a pause, the next step), each timed until every page it
concerns shows it: the server pushes them (`WORKSHOP_PUSH_SECONDS`, pages/_push.py); `--push
0` measures the timed refresh alone.

Loopback only; bounded in clients and time; servers and throwaway databases removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds, database, memory_mib, percentile, questions_folder  # noqa: E402
from diagnostic.accounts.access import actor_for_user  # noqa: E402
from diagnostic.demo import load_demo  # noqa: E402
from diagnostic.store import accounts  # noqa: E402
from diagnostic.store.engine import build_engine, migrate, session_scope  # noqa: E402
from diagnostic.workshop import live, programme_for, service  # noqa: E402
from tests.live import Server, running  # noqa: E402

MAX_PHONES = 400
DEBUG = False
MAX_SECONDS = 300
FLOOR_APP = """
import time
import streamlit as st

st.title("Plancher")


@st.fragment(run_every={interval})
def tick():
    st.markdown(time.strftime("%H:%M:%S"))


tick()
"""
NAMES = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules"]


@dataclass
class Client:
    """One simulated browser tab."""

    query: str  # the address it sends (the page may write in it, as in a browser)
    full_ms: float | None = None
    interval: float = 0.0  # what the server's auto_rerun message asks for
    reloads: list[float] = field(default_factory=list)  # full reruns a refresh asked for
    refresh_ms: list[float] = field(default_factory=list)
    runs: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of every run
    trace: list[tuple] = field(default_factory=list)  # DEBUG: (start, end, fragments, marked…)
    home: str = ""  # the address it was opened at

    def __post_init__(self) -> None:
        self.home = self.home or self.query

    # the move being timed: when it began, the text its new page shows, when the page was
    # drawn again after it (on a phone, its pushed fragment, not only the timed one inside:
    # pages/atelier_participant.py)
    since: float = float("inf")
    marker: str | None = None
    updated_at: float | None = None
    whole_at: float | None = None
    marked_at: float | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Measure:
    label: str
    clients: list[Client]
    window: float
    cpu_seconds: float
    rss_mb: float

    def line(self) -> str:
        times = [t for c in self.clients for t in c.refresh_ms]
        errors = sum(len(c.errors) for c in self.clients)
        firsts = [c.full_ms for c in self.clients if c.full_ms is not None]
        return (
            f"{self.label:<24} {len(times) / self.window:7.1f}/s  "
            f"p50 {percentile(times, 50):6.0f} ms  p95 {percentile(times, 95):6.0f} ms  "
            f"p99 {percentile(times, 99):6.0f} ms  "
            f"first load p50 {percentile(firsts, 50):6.0f} ms  "
            f"CPU {100 * self.cpu_seconds / self.window:5.0f} % of a core  "
            f"RSS {self.rss_mb:5.0f} MB  errors {errors}"
        )

    def per_refresh_cpu_ms(self) -> float:
        count = sum(len(c.refresh_ms) for c in self.clients)
        return 1000 * self.cpu_seconds / count if count else float("nan")


async def _tab(
    port: int, client: Client, start: float, loaded: asyncio.Queue, stop: asyncio.Event
) -> None:
    """A browser tab: the first full run, then the fragment reruns at the server's interval;
    meanwhile, the runs the server pushes (a change in the room) are read as they come."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    tab = {"fragment": None, "page": "", "sent": None, "started": None}
    run = {"marked": False}
    first = asyncio.Event()

    async def read(ws) -> None:  # every message, asked for or pushed
        while True:
            forward = ForwardMsg()
            try:
                forward.ParseFromString(await ws.recv())
            except websockets.ConnectionClosed:
                return
            kind = forward.WhichOneof("type")
            now = time.perf_counter()
            if kind == "new_session":
                tab["started"] = now
                run["marked"] = False
            elif kind == "navigation":
                tab["page"] = forward.navigation.page_script_hash
            elif kind == "page_info_changed":  # the page wrote its address: a browser keeps it
                client.query = forward.page_info_changed.query_string
            elif kind == "auto_rerun":
                # a new step can place the fragment elsewhere on the page: a new id, learnt
                # from the run's auto_rerun message, as a browser learns it
                tab["fragment"] = forward.auto_rerun.fragment_id
                client.interval = forward.auto_rerun.interval
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                shape = element.WhichOneof("type")
                if shape == "exception":
                    client.errors.append(element.exception.message)
                elif client.marker and shape in {"heading", "markdown"}:
                    run["marked"] |= client.marker in getattr(element, shape).body.lower()
            elif kind == "script_finished":
                # Streamlit may mark a fragment's run « finished early » when another run
                # follows at once, its elements all sent: every end counts. A run of the whole
                # page after the first is the push's fallback (st.rerun(scope="app")).
                ran = tuple(forward.metadata.run.fragment_ids)  # none: the whole page
                early = forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
                begun = tab["started"] or now
                client.runs.append((begun, now))
                if DEBUG:
                    mine = tab["fragment"]
                    kinds = ["tick" if f == mine else f[:6] for f in ran] or ["page"]
                    client.trace.append((begun, now, kinds, run["marked"], early))
                if not ran and not early and first.is_set():
                    client.reloads.append(now)
                # Since the move: the page drawn again (on a phone, its pushed fragment, not
                # only the timed one inside) and the marker shown. Streamlit drops from its
                # queue what a run drew inside a fragment that the next run (the timed one,
                # queued meanwhile) draws again: the marker may come with that next run.
                whole = not ran or "&p=" not in client.home  # the screen is one fragment
                whole = whole or any(f != tab["fragment"] for f in ran)
                if begun > client.since:
                    if whole and client.whole_at is None:
                        client.whole_at = now
                    if (run["marked"] or not client.marker) and client.marked_at is None:
                        client.marked_at = now
                    if client.whole_at is not None and client.marked_at is not None:
                        client.updated_at = client.updated_at or now
                if early and not ran:
                    continue  # the whole page cut short for another run: wait for that one
                sent = tab["sent"]
                tab["sent"] = None
                if sent is None:
                    continue  # a run the server pushed
                elapsed = 1000 * (now - sent)
                if not first.is_set():
                    client.full_ms = elapsed
                    first.set()
                elif not stop.is_set():  # refreshes ending after the window: out
                    client.refresh_ms.append(elapsed)

    async def ask(fragment: str | None) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = client.query
        state.page_script_hash = tab["page"]
        if fragment:
            state.fragment_id = fragment
            state.is_auto_rerun = True
        tab["sent"] = time.perf_counter()
        await ws.send(msg.SerializeToString())

    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{port}",
            max_size=None,
            open_timeout=60,
        ) as ws:
            reader = asyncio.create_task(read(ws))
            try:
                await ask(None)
                await asyncio.wait_for(first.wait(), timeout=120)
            finally:
                loaded.put_nowait(client)
            if tab["fragment"] is None:
                client.errors.append("pas de fragment à rafraîchir")
                reader.cancel()
                return
            interval = client.interval or 5.0
            await asyncio.sleep(random.uniform(0, interval))  # tabs opened at different times
            while not stop.is_set():
                tick = time.perf_counter()
                await ask(tab["fragment"])
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))
                if reader.done():
                    reader.result()  # the connection dropped: say why
            reader.cancel()
    except Exception as exc:  # a refused or dropped connection is a finding, not a crash
        client.errors.append(f"{type(exc).__name__}: {exc}")


@dataclass
class Change:
    """A change in the room (a post highlighted, the next step) and how long each phone took
    to show it: its live head (with the new step's title) and its form both drawn again."""

    label: str
    updated: list[float]  # seconds from the change to each phone's page showing it
    phones: int
    cpu_seconds: float
    window: float
    screen: list[float] = field(default_factory=list)  # the same for the projection
    reloaded: int = 0  # phones that ran their whole page again (the push's fallback)
    others: int = -1  # phones not concerned and redrawn all the same (-1: every one concerned)

    def line(self) -> str:
        times = self.updated
        median = statistics.median(times) if times else float("nan")
        screen = f"{self.screen[0]:.2f} s" if self.screen else "non à jour"
        return (
            f"{self.label} : {len(times)}/{self.phones} téléphone(s) concerné(s) à jour, médiane "
            f"{median:.2f} s, p95 {percentile(times, 95):.2f} s, "
            f"dernier {percentile(times, 100):.2f} s ; écran {screen} ; "
            f"page entière relancée : {self.reloaded} ; "
            + (f"autres téléphones redessinés : {self.others} ; " if self.others >= 0 else "")
            + "CPU "
            f"{100 * self.cpu_seconds / self.window:.0f} % d'un cœur pendant {self.window:.0f} s"
        )


@dataclass(frozen=True)
class Move:
    """A facilitator's action to time; `marker`: a text the pages must show after it (the new
    step's title, « en pause »); `only`: the one phone it concerns (the author of a post
    highlighted: the other phones show nothing of it and must not be redrawn)."""

    label: str
    act: Callable[[], None]
    marker: str | None = None
    only: str | None = None


def concerned_of(phones: list[Client], move: Move) -> list[Client]:
    """The phones a move must reach (all of them, or its `only` one)."""
    return [c for c in phones if move.only in (None, c.home)]


def _updated(clients: list[Client], t0: float) -> list[float]:
    """Seconds from the move to each page drawn again (showing the marker)."""
    return [c.updated_at - t0 for c in clients if c.updated_at is not None]


def drive(
    servers: Server | list[Server],
    clients: list[Client],
    ramp: float,
    seconds: float,
    moves: tuple[Move, ...] = (),
) -> tuple[Measure, list[Change]]:
    """Open the tabs over `ramp` seconds; once every tab has loaded (and every refresh phase
    has started), measure `seconds` of steady refreshing; then make each move in turn and
    time how long the phones take to show it. With several servers (processes on the same
    database), the tabs are dealt out in turn, as the proxy's sticky cookie does
    (deploy/nginx); their CPU and memory are added up."""
    servers = servers if isinstance(servers, list) else [servers]
    pids = [s.proc.pid for s in servers]

    def cpu() -> float:
        return sum(cpu_seconds(pid) for pid in pids)

    async def main() -> tuple[float, float, list[Change]]:
        loaded: asyncio.Queue = asyncio.Queue()
        stop = asyncio.Event()
        now = time.perf_counter()
        tasks = [
            asyncio.create_task(
                _tab(
                    servers[i % len(servers)].port,
                    c,
                    now + ramp * i / len(clients),
                    loaded,
                    stop,
                )
            )
            for i, c in enumerate(clients)
        ]
        for _ in clients:
            await loaded.get()
        await asyncio.sleep(max(c.interval for c in clients) + 1)
        for c in clients:  # only the steady window counts
            c.refresh_ms.clear()
        cpu0 = cpu()
        await asyncio.sleep(seconds)
        cpu1 = cpu()
        steady = [list(c.refresh_ms) for c in clients]  # the window only, not the changes
        changes = []
        phones = [c for c in clients if "&p=" in c.home]
        window = 2 * max(c.interval for c in clients) + 2  # a timed refresh would get there
        screens = [c for c in clients if "ecran=" in c.home]
        for move in moves:
            c0, t0 = cpu(), time.perf_counter()
            for c in clients:
                c.since, c.updated_at, c.whole_at, c.marked_at = t0, None, None, None
                c.marker = move.marker.lower() if move.marker else None
            await asyncio.to_thread(move.act)
            await asyncio.sleep(window)
            if DEBUG:
                counts = sorted(sum(1 for b, _ in c.runs if b > t0) for c in phones)
                print(f"  {move.label}: runs per phone after it {counts[:5]} … {counts[-5:]}")
                missed = [c for c in concerned_of(phones, move) if c.updated_at is None]
                if missed:
                    await asyncio.sleep(20)  # does a fallback come later?
                for c in missed:
                    runs = [
                        (round(b - t0, 2), round(e - t0, 2), k, m, x)
                        for b, e, k, m, x in c.trace
                        if e > t0 - 7
                    ]
                    print(f"   pas à jour : {c.query[:40]}… updated {c.updated_at}")
                    print(f"     whole {c.whole_at} marked {c.marked_at} runs {runs}")
            used = cpu() - c0
            concerned = concerned_of(phones, move)
            change = Change(move.label, _updated(concerned, t0), len(concerned), used, window)
            change.screen = _updated(screens, t0)
            change.reloaded = sum(1 for c in phones if c.reloads and c.reloads[-1] > t0)
            change.others = len(_updated([c for c in phones if c not in concerned], t0))
            changes.append(change)
            for c in clients:
                c.since = float("inf")
        stop.set()
        await asyncio.gather(*tasks)
        for c, times in zip(clients, steady, strict=True):
            c.refresh_ms[:] = times
        return cpu0, cpu1, changes

    cpu0, cpu1, changes = asyncio.run(main())
    memory = sum(memory_mib(pid) for pid in pids)
    return Measure("", clients, seconds, cpu1 - cpu0, memory), changes


def prepare(
    url: str, questions: Path, phones: int, step_id: str, posts: int
) -> tuple[list[str], tuple[Move, ...]]:
    """The demo, a workshop on its 4 territories at `step_id`, N seats: the tabs' queries, and
    the facilitator's clicks to time (a post highlighted when the step has posts, then
    « Suivante → »)."""
    engine = build_engine(url)
    migrate(engine)
    load_demo(engine, questions)
    with session_scope(engine) as s:
        user = accounts.create_user(
            s, email="animation@bench.fr", name="Animation", password="animation-bench"
        )
        user_id = user.id
    actor = actor_for_user(engine, user_id)
    assert actor is not None and actor.is_user
    with session_scope(engine) as s:
        from diagnostic.store.territories import root_territories

        for t in root_territories(s):
            accounts.grant(s, user_id=user_id, territory_id=t.id, role="facilitator", actor="b")
    actor = actor_for_user(engine, user_id)
    places = service.runnable_campaigns(engine, actor)  # type: ignore[arg-type]
    # one campaign per territory (the demo has two on the Val de Loir)
    places = list({p.territory_id: p for p in places}.values())
    made = service.create(
        engine,
        actor,  # type: ignore[arg-type]
        title="Banc d'essai",
        campaign_ids=[p.campaign_id for p in places],
        controlled=False,
    )
    programme = programme_for(questions)
    step = programme.index_of(step_id)
    queries = []
    seats = []
    for i in range(phones):
        place = places[i % len(places)]
        seat, token = service.join(
            engine,
            made.code,
            nickname=f"{NAMES[i % len(NAMES)]} {i}",
            territory_id=place.territory_id,
            role="dgs",
        )
        seats.append(seat)
        queries.append(f"atelier={made.code}&p={token}")
    service.go_to(engine, actor, made.workshop_id, step, programme)  # type: ignore[arg-type]
    shared = []
    if programme.steps[step].posts:
        for i in range(posts):
            created = service.post(
                engine,
                seats[i % len(seats)],
                programme,
                step=step,
                text=f"Contribution {i} : une conférence des DGS, un tableau de bord partagé.",
                share=True,
            )
            shared.append(created.id)
    engine.dispose()

    def highlight() -> None:
        eng = build_engine(url)
        service.moderate(eng, actor, made.workshop_id, shared[0], live.HIGHLIGHTED)  # type: ignore[arg-type]
        eng.dispose()

    def next_step() -> None:
        eng = build_engine(url)
        service.go_to(eng, actor, made.workshop_id, step + 1, programme)  # type: ignore[arg-type]
        eng.dispose()

    def pause() -> None:
        eng = build_engine(url)
        service.pause_timer(eng, actor, made.workshop_id)  # type: ignore[arg-type]
        eng.dispose()

    author = queries[0]  # the first post's (service.post above: seats[0])
    moves = (Move("mise en avant", highlight, only=author),) if shared else ()
    moves += (Move("pause", pause, marker="en pause"),)
    title = programme.steps[step + 1].title  # in the phone's head and on the screen
    moves += (Move("changement d'étape", next_step, marker=title),)
    return [f"ecran={made.screen_token}", *queries], moves


def query_floor(url: str, queries: list[str], rounds: int = 300) -> tuple[float, float]:
    """The database work of one phone refresh, without Streamlit: (live_state, wall) in ms."""
    engine = build_engine(url)
    code = queries[1].split("&")[0].split("=")[1]
    info = service.find(engine, code)
    assert info is not None
    state = service.live_state(engine, info.id)
    assert state is not None
    place = info.places[0]
    t = time.perf_counter()
    for _ in range(rounds):
        service.live_state(engine, info.id)
    live_ms = 1000 * (time.perf_counter() - t) / rounds
    t = time.perf_counter()
    for _ in range(rounds):
        service.wall(engine, info.id, step=state.step, territory_id=place.territory_id)
    wall_ms = 1000 * (time.perf_counter() - t) / rounds
    engine.dispose()
    return live_ms, wall_ms


def report_errors(clients: list[Client]) -> None:
    """Each distinct error once, with how many tabs met it."""
    seen: dict[str, int] = {}
    for c in clients:
        for e in c.errors:
            seen[e[:200]] = seen.get(e[:200], 0) + 1
    for message, count in seen.items():
        print(f"  erreur ×{count} : {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--phones", type=int, default=150)
    parser.add_argument("--refresh", type=int, default=6, help="WORKSHOP_REFRESH_SECONDS")
    parser.add_argument("--seconds", type=float, default=45, help="steady window measured")
    parser.add_argument("--ramp", type=float, default=20, help="seconds to open every tab")
    parser.add_argument(
        "--push", type=float, default=0.25, help="WORKSHOP_PUSH_SECONDS (0: timed refresh only)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        choices=range(1, 5),
        help="app processes on the same database, the tabs dealt out in turn (a proxy's)",
    )
    parser.add_argument("--step", default="chantiers", help="step id of questions/atelier.yaml")
    parser.add_argument("--posts", type=int, default=60, help="shared posts on the wall")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--post-script-gc",
        choices=["config", "true", "false"],
        default="config",
        help="runner.postScriptGC of the app server (config: .streamlit/config.toml)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= MAX_PHONES or not 5 <= args.seconds <= MAX_SECONDS:
        parser.error(f"1 à {MAX_PHONES} téléphones, 5 à {MAX_SECONDS} secondes")

    work = Path(tempfile.mkdtemp(prefix="bench-atelier-"))
    try:
        questions = questions_folder(work, demo=True)  # the demo's 4 territories
        with database(args.database, work) as url:
            t = time.perf_counter()
            queries, moves = prepare(url, questions, args.phones, args.step, args.posts)
            print(f"préparation : {time.perf_counter() - t:.1f} s ({args.phones} places)")
            live_ms, wall_ms = query_floor(url, queries)
            refresh = {
                "WORKSHOP_REFRESH_SECONDS": str(args.refresh),
                "WORKSHOP_PUSH_SECONDS": str(args.push),
            }
            print(
                f"{args.phones} téléphones (toutes les {args.refresh} s) + 1 écran "
                f"(toutes les {max(1, min(3, args.refresh / 2)):g} s), étape « {args.step} », "
                f"{args.database}, {args.processes} processus, fenêtre mesurée "
                f"{args.seconds:g} s, envoi immédiat "
                + (f"toutes les {args.push:g} s" if args.push else "coupé")
            )
            gc = args.post_script_gc
            server = {
                "timeout": 60,
                "args": () if gc == "config" else ("--runner.postScriptGC", gc),
            }
            with contextlib.ExitStack() as stack:
                live = [
                    stack.enter_context(
                        running(url, questions, work / f"app{i}.log", settings=refresh, **server)
                    )
                    for i in range(args.processes)
                ]
                screen = Client(queries[0])
                phones = [Client(q) for q in queries[1:]]
                app, changes = drive(live, [screen, *phones], args.ramp, args.seconds, moves)
            app.label = f"atelier (GC {args.post_script_gc})"
            print(app.line())
            phone_times = sorted(t for c in phones for t in c.refresh_ms)
            screen_times = sorted(screen.refresh_ms)
            if phone_times and screen_times:
                print(
                    f"  téléphones : médiane {statistics.median(phone_times):.0f} ms ; "
                    f"écran : médiane {statistics.median(screen_times):.0f} ms "
                    f"({len(screen_times)} rafraîchissements)"
                )
            print(
                f"  CPU serveur par rafraîchissement : {app.per_refresh_cpu_ms():.1f} ms ; "
                f"requêtes seules : état {live_ms:.2f} ms, mur {wall_ms:.2f} ms"
            )
            for change in changes:
                print("  " + change.line())
            report_errors([screen, *phones])
            if not args.no_floor:
                floor_script = work / "floor.py"
                floor_script.write_text(FLOOR_APP.format(interval=args.refresh))
                log = work / "floor.log"
                with running(url, None, log, script=floor_script, **server) as live:
                    clients = [Client("") for _ in range(args.phones + 1)]
                    floor, _ = drive(live, clients, args.ramp, args.seconds)
                floor.label = f"plancher (GC {args.post_script_gc})"
                print(floor.line())
                report_errors(clients)
                print(
                    f"  rapport CPU par rafraîchissement atelier / plancher : "
                    f"{app.per_refresh_cpu_ms() / floor.per_refresh_cpu_ms():.1f}"
                )
    finally:
        if DEBUG:
            print(f"journaux gardés : {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
