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
        --step chantiers --database postgresql

Loopback only; bounded in clients and time; servers and throwaway databases removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
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
from diagnostic.workshop import programme_for, service  # noqa: E402
from tests.live import Server, running  # noqa: E402

MAX_PHONES = 400
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

    query: str
    full_ms: float | None = None
    interval: float = 0.0  # what the server's auto_rerun message asks for
    reloads: list[float] = field(default_factory=list)  # full reruns a refresh asked for
    refresh_ms: list[float] = field(default_factory=list)
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
    """A browser tab: the first full run, then the fragment reruns at the server's interval."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{port}",
            max_size=None,
            open_timeout=60,
        ) as ws:

            async def run(fragment: str | None, page: str) -> tuple[str | None, str]:
                msg = BackMsg()
                state = msg.rerun_script
                state.query_string = client.query
                state.page_script_hash = page
                if fragment:
                    state.fragment_id = fragment
                    state.is_auto_rerun = True
                sent = time.perf_counter()
                await ws.send(msg.SerializeToString())
                found = fragment
                reloaded = False
                while True:
                    forward = ForwardMsg()
                    forward.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
                    kind = forward.WhichOneof("type")
                    if kind == "navigation":
                        page = forward.navigation.page_script_hash
                    elif kind == "auto_rerun":
                        found = forward.auto_rerun.fragment_id
                        client.interval = forward.auto_rerun.interval
                    elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                        if forward.delta.new_element.WhichOneof("type") == "exception":
                            client.errors.append(forward.delta.new_element.exception.message)
                    elif kind == "script_finished":
                        if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            reloaded = True  # st.rerun(scope="app"): the new step is coming
                            continue
                        if reloaded:
                            client.reloads.append(time.perf_counter())
                        elapsed = 1000 * (time.perf_counter() - sent)
                        if fragment is None:
                            client.full_ms = elapsed
                        elif not stop.is_set():  # refreshes ending after the window: out
                            client.refresh_ms.append(elapsed)
                        return found, page

            try:
                fragment, page = await run(None, "")
            finally:
                loaded.put_nowait(client)
            if fragment is None:
                client.errors.append("pas de fragment à rafraîchir")
                return
            interval = client.interval or 5.0
            await asyncio.sleep(random.uniform(0, interval))  # tabs opened at different times
            while not stop.is_set():
                tick = time.perf_counter()
                # a new step can place the fragment elsewhere on the page: a new id, learnt from
                # the run's auto_rerun message, as a browser learns it
                fragment, page = await run(fragment, page)
                await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))
    except Exception as exc:  # a refused or dropped connection is a finding, not a crash
        client.errors.append(f"{type(exc).__name__}: {exc}")


@dataclass
class Change:
    """The room moving to the next step: every phone reruns its whole page once."""

    updated: list[float]  # seconds from the move to each phone's new page
    phones: int
    cpu_seconds: float
    window: float

    def line(self) -> str:
        times = self.updated
        median = statistics.median(times) if times else float("nan")
        return (
            f"changement d'étape : {len(times)}/{self.phones} téléphones à jour, médiane "
            f"{median:.1f} s, p95 {percentile(times, 95):.1f} s, "
            f"dernier {percentile(times, 100):.1f} s ; CPU "
            f"{100 * self.cpu_seconds / self.window:.0f} % d'un cœur pendant {self.window:.0f} s"
        )


def drive(
    server: Server,
    clients: list[Client],
    ramp: float,
    seconds: float,
    change: Callable[[], None] | None = None,
) -> tuple[Measure, Change | None]:
    """Open the tabs over `ramp` seconds; once every tab has loaded (and every refresh phase
    has started), measure `seconds` of steady refreshing; then, with `change`, move the room
    to another step and time how long the phones take to show it."""
    port, pid = server.port, server.proc.pid

    async def main() -> tuple[float, float]:
        loaded: asyncio.Queue = asyncio.Queue()
        stop = asyncio.Event()
        now = time.perf_counter()
        tasks = [
            asyncio.create_task(_tab(port, c, now + ramp * i / len(clients), loaded, stop))
            for i, c in enumerate(clients)
        ]
        for _ in clients:
            await loaded.get()
        await asyncio.sleep(max(c.interval for c in clients) + 1)
        for c in clients:  # only the steady window counts
            c.refresh_ms.clear()
        cpu0 = cpu_seconds(pid)
        await asyncio.sleep(seconds)
        cpu1 = cpu_seconds(pid)
        steady = [list(c.refresh_ms) for c in clients]  # the window only, not the step change
        moved = None
        if change is not None:
            window = 2 * max(c.interval for c in clients) + 2
            c0, t0 = cpu_seconds(pid), time.perf_counter()
            await asyncio.to_thread(change)
            await asyncio.sleep(window)
            phones = [c for c in clients if "&p=" in c.query]
            updated = [c.reloads[-1] - t0 for c in phones if c.reloads and c.reloads[-1] > t0]
            moved = Change(updated, len(phones), cpu_seconds(pid) - c0, window)
        stop.set()
        await asyncio.gather(*tasks)
        for c, times in zip(clients, steady, strict=True):
            c.refresh_ms[:] = times
        return cpu0, cpu1, moved

    cpu0, cpu1, moved = asyncio.run(main())
    return Measure("", clients, seconds, cpu1 - cpu0, memory_mib(pid)), moved


def prepare(
    url: str, questions: Path, phones: int, step_id: str, posts: int
) -> tuple[list[str], Callable[[], None]]:
    """The demo, a workshop on its 4 territories at `step_id`, N seats: the tabs' queries, and
    the facilitator's click on « Suivante → » for the step-change measure."""
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
    if programme.steps[step].posts:
        for i in range(posts):
            service.post(
                engine,
                seats[i % len(seats)],
                programme,
                step=step,
                text=f"Contribution {i} : une conférence des DGS, un tableau de bord partagé.",
                share=True,
            )
    engine.dispose()

    def next_step() -> None:
        eng = build_engine(url)
        service.go_to(eng, actor, made.workshop_id, step + 1, programme)  # type: ignore[arg-type]
        eng.dispose()

    return [f"ecran={made.screen_token}", *queries], next_step


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
            queries, next_step = prepare(url, questions, args.phones, args.step, args.posts)
            print(f"préparation : {time.perf_counter() - t:.1f} s ({args.phones} places)")
            live_ms, wall_ms = query_floor(url, queries)
            refresh = {"WORKSHOP_REFRESH_SECONDS": str(args.refresh)}
            print(
                f"{args.phones} téléphones (toutes les {args.refresh} s) + 1 écran "
                f"(toutes les {max(1, min(3, args.refresh / 2)):g} s), étape « {args.step} », "
                f"{args.database}, fenêtre mesurée {args.seconds:g} s"
            )
            gc = args.post_script_gc
            server = {
                "timeout": 60,
                "args": () if gc == "config" else ("--runner.postScriptGC", gc),
            }
            with running(url, questions, work / "app.log", settings=refresh, **server) as live:
                screen = Client(queries[0])
                phones = [Client(q) for q in queries[1:]]
                app, moved = drive(live, [screen, *phones], args.ramp, args.seconds, next_step)
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
            if moved is not None:
                print("  " + moved.line())
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
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
