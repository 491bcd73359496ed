"""A seminar room through the hosted deployment: nginx (deploy/'s template) in front of N app
processes on one PostgreSQL base, driven by the websocket client; what one session costs.

nginx is started as tests/test_deploy_proxy.py starts it (its own prefix, configuration, pid
and logs in a temporary folder, a throwaway certificate, test ports, the site rendered from
deploy/nginx/diagnostic.conf.in), in front of `--processes` `streamlit run serve.py` (default
2) on one throwaway PostgreSQL base. Each respondent does what a browser does: an HTTPS GET of
their link through nginx, which sets the sticky cookie `diagnostic_route`; then the page's
WebSocket (wss://, the cookie and the Origin sent) through nginx; the questionnaire opened,
started, then `--answers` answers, one every `--pace` seconds (people out of step). All sessions
are open at once before anyone answers.

Measured per app process, from /proc (bench/common.py): the memory (RSS) after a warm-up
session and with every session open and answered (per-session memory = ΔRSS / sessions), the
CPU seconds of the opening (link + start) per session and of one answer, the click → page
latency p50 / p95, errors; also nginx's and PostgreSQL's CPU, the base's peak connection count,
the client's own CPU. Each session's process is read from nginx's access log (a request with
its cookie before the run) and checked again afterwards (the WebSocket went where the cookie
says). Afterwards every answer must be in the base.

    .venv/bin/python bench/proxy_load.py --sessions 10              # a quick check
    .venv/bin/python bench/proxy_load.py --sessions 150 --pace 5    # bench/RESULTS.md § 12

Loopback only, never port 80/443; nginx, the app processes and the base are removed at the end.
Needs nginx (apt-get install nginx) and the PostgreSQL server of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import ssl
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import cpu_seconds, database, memory_mib, percentile, questions_folder  # noqa: E402
from bench.load_test import Planned, answer_plan  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store import answers as answer_store  # noqa: E402
from diagnostic.store.engine import build_engine, migrate, session_scope  # noqa: E402
from tests.factories import make_world  # noqa: E402
from tests.live import free_port, start_server, stop  # noqa: E402

ROUTE_COOKIE = re.compile(r"diagnostic_route=([^;,\s]+)")


# ---------------------------------------------------------------- pure helpers (tested)


def route_cookie(set_cookie_headers: Iterable[str]) -> str | None:
    """The value of nginx's sticky cookie among a response's Set-Cookie headers."""
    for header in set_cookie_headers:
        found = ROUTE_COOKIE.search(header)
        if found:
            return found.group(1)
    return None


def upstream_counts(access_log: str, path: str) -> Counter[int]:
    """How many requests for `path` each app port served, from nginx's access log (the
    `diagnostic` format of deploy/'s template: `"GET /path" … upstream=127.0.0.1:PORT`). A
    request retried on another process counts for the one that answered (the last address)."""
    counts: Counter[int] = Counter()
    for line in access_log.splitlines():
        if f' {path}" ' not in line or "upstream=" not in line:
            continue
        ports = re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=", 1)[1])
        if ports:
            counts[int(ports[-1])] += 1
    return counts


def per_unit(total: float, units: int) -> float:
    """`total` shared by `units` (nan when there are none)."""
    return total / units if units else float("nan")


def french(x: float, digits: int = 1) -> str:
    """A number as the French write it (decimal comma), « — » for nan."""
    if x != x:  # nan
        return "—"
    return f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


# ---------------------------------------------------------------- measurements


@dataclass
class Process:
    port: int
    pid: int
    sessions: int = 0
    rss_before: float = 0.0  # MiB, after the warm-up session
    rss_open: float = 0.0  # every session open (link + start), before the answers
    rss_answered: float = 0.0  # every session open and answered
    rss_closed: float = 0.0  # a few seconds after they closed
    hwm: float = 0.0  # peak RSS
    cpu: list[float] = field(default_factory=list)  # warm, opened, answered
    first_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def sample_cpu(self) -> None:
        self.cpu.append(cpu_seconds(self.pid))


@dataclass
class Run:
    sessions: int
    answers: int
    processes: dict[int, Process]
    nginx_cpu: float = 0.0
    postgres_cpu: float = 0.0
    postgres_peak_connections: int = 0
    client_cpu: float = 0.0
    open_wall_s: float = 0.0
    answer_wall_s: float = 0.0
    load_start: float = 0.0
    load_end: float = 0.0
    stored: int = 0
    missing: int = 0
    misrouted: int = 0

    def table(self) -> list[str]:
        head = (
            "| processus | sessions | RSS avant → ouvertes → répondu (Mio) | Mio / session | "
            "CPU ouverture / session | CPU / réponse | clic → page p50 / p95 | erreurs |"
        )
        lines = [head, "|---|---|---|---|---|---|---|---|"]
        rows = list(self.processes.values())
        for p in rows:
            lines.append(self._row(f":{p.port}", [p]))
        lines.append(self._row("ensemble", rows))
        return lines

    def _row(self, name: str, rows: list[Process]) -> str:
        sessions = sum(p.sessions for p in rows)
        before = sum(p.rss_before for p in rows)
        opened = sum(p.rss_open for p in rows)
        answered = sum(p.rss_answered for p in rows)
        cpu_open = sum(p.cpu[1] - p.cpu[0] for p in rows)
        cpu_answers = sum(p.cpu[2] - p.cpu[1] for p in rows)
        answers = [s for p in rows for s in p.answer_s]
        errors = sum(len(p.errors) for p in rows)
        p50 = statistics.median(answers) * 1000 if answers else float("nan")
        p95 = percentile(answers, 95) * 1000
        return (
            f"| {name} | {sessions} | {french(before, 0)} → {french(opened, 0)} → "
            f"{french(answered, 0)} | {french(per_unit(answered - before, sessions), 2)} | "
            f"{french(per_unit(cpu_open, sessions) * 1000, 0)} ms | "
            f"{french(per_unit(cpu_answers, len(answers)) * 1000, 0)} ms | "
            f"{french(p50, 0)} / {french(p95, 0)} ms | {errors} |"
        )


def nginx_cpu(master: int) -> float:
    """CPU seconds of nginx's master and workers (its children, from /proc)."""
    total = cpu_seconds(master)
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        with contextlib.suppress(OSError):  # a worker that just exited
            total += cpu_seconds(int(pid))
    return total


class PostgresWatch:
    """The base's server processes: their CPU seconds and the peak number of connections,
    sampled every half second from pg_stat_activity and /proc."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cpu: dict[int, float] = {}
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PostgresWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        import psycopg

        from bench.common import PG_ADMIN

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            while not self._stop.is_set():
                self.sample(conn)
                self._stop.wait(0.5)

    def sample(self, conn: object) -> None:
        rows = conn.execute(  # type: ignore[attr-defined]
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
        ).fetchall()
        self.peak = max(self.peak, len(rows))
        for (pid,) in rows:
            with contextlib.suppress(OSError):
                self.cpu[pid] = cpu_seconds(pid)

    def total(self) -> float:
        return sum(self.cpu.values())


# ---------------------------------------------------------------- the run


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def route_of(proxy_url: str, token: str, access_log: Path) -> tuple[str, int]:
    """What a browser's first request does: GET the link through nginx, which answers with
    the sticky cookie; then which process that cookie leads to (one more request with it,
    read back from the access log)."""
    context = unverified()
    with urllib.request.urlopen(f"{proxy_url}/?t={token}", context=context) as answer:
        cookie = route_cookie(answer.headers.get_all("Set-Cookie") or [])
    if cookie is None:
        raise RuntimeError("nginx n'a pas posé le cookie diagnostic_route")
    before = upstream_counts(access_log.read_text(), "/_stcore/host-config")
    request = urllib.request.Request(
        f"{proxy_url}/_stcore/host-config", headers={"Cookie": f"diagnostic_route={cookie}"}
    )
    with urllib.request.urlopen(request, context=context) as answer:
        answer.read()
    deadline = time.time() + 5
    while time.time() < deadline:  # nginx writes the line as it finishes the request
        after = upstream_counts(access_log.read_text(), "/_stcore/host-config")
        grown = [port for port in after if after[port] > before.get(port, 0)]
        if grown:
            return cookie, grown[0]
        time.sleep(0.01)
    raise RuntimeError("la requête n'apparaît pas dans le journal de nginx")


class Gate:
    """Let everybody through once all sessions have arrived (failed ones count as arrived)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.event = asyncio.Event()

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.event.set()


async def respondent(
    proxy_url: str,
    token: str,
    cookie: str,
    plan: list[Planned],
    process: Process,
    opened: Gate,
    go: asyncio.Event,
    answered: Gate,
    release: asyncio.Event,
    timeout_s: float,
    pace_s: float,
) -> None:
    from bench.ws_client import StreamlitSession

    session = StreamlitSession(
        0,
        f"t={token}",
        base_url=proxy_url.replace("https://", "wss://"),
        ssl=unverified(),
        headers={"Cookie": f"diagnostic_route={cookie}", "Origin": proxy_url},
    )
    step = "ouverture du lien"
    is_open = False
    try:
        t0 = time.perf_counter()
        await asyncio.wait_for(session.open(), timeout_s)
        session.widget("start")
        step = "Commencer le questionnaire"
        await asyncio.wait_for(session.click("start"), timeout_s)
        process.first_s.append(time.perf_counter() - t0)
        is_open = True
        opened.arrive()
        await go.wait()  # every session is open before anyone answers
        begin = time.perf_counter() + random.uniform(0, pace_s)
        for k, item in enumerate(plan, start=1):
            await asyncio.sleep(max(0.0, begin + (k - 1) * pace_s - time.perf_counter()))
            step = f"réponse {k} ({item.question_id})"
            elapsed = await asyncio.wait_for(
                session.choose(f"q_{item.question_id}", item.label), timeout_s
            )
            process.answer_s.append(elapsed)
    except Exception as exc:  # one failed session is reported, the others go on
        first = str(exc).splitlines()[0] if str(exc) else ""
        process.errors.append(f"{token[:8]}… — {step} : {type(exc).__name__}: {first}")
    finally:
        if not is_open:
            opened.arrive()
        answered.arrive()
        await release.wait()  # open until the memory of every process is read
        with contextlib.suppress(Exception):
            await session.close()


async def warm(port: int, token: str, plan: list[Planned]) -> None:
    """One session straight to a process (not through nginx): its first page pays the
    imports and the loading of the questionnaire; a seminar server is warm."""
    from bench.ws_client import StreamlitSession

    session = StreamlitSession(port, f"t={token}")
    try:
        await asyncio.wait_for(session.open(), 120)
        await asyncio.wait_for(session.click("start"), 120)
        await asyncio.wait_for(session.choose(f"q_{plan[0].question_id}", plan[0].label), 60)
    finally:
        await session.close()


async def settled(procs: list[Process], seconds: float = 30) -> None:
    """Wait until no process's memory moves by 1 MiB over 3 s (after the warm-up, Streamlit
    and serve.py's background imports free some; the baseline is taken once they are done)."""
    history: list[list[float]] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        history.append([memory_mib(p.pid) for p in procs])
        last = history[-4:]
        if len(last) == 4 and all(
            max(h[i] for h in last) - min(h[i] for h in last) < 1 for i in range(len(procs))
        ):
            return
        await asyncio.sleep(1)


async def drive(
    run: Run,
    proxy_url: str,
    routes: list[tuple[str, str, int]],
    plans: list[list[Planned]],
    warmers: dict[int, str],
    nginx_pid: int,
    pg: PostgresWatch,
    timeout_s: float,
    pace_s: float,
) -> None:
    await asyncio.gather(*(warm(port, token, plans[0]) for port, token in warmers.items()))
    procs = run.processes
    await settled(list(procs.values()))
    for p in procs.values():
        p.rss_before = memory_mib(p.pid)
        p.sample_cpu()
    nginx0, pg0, client0 = nginx_cpu(nginx_pid), dict(pg.cpu), time.process_time()
    run.load_start = os.getloadavg()[0]
    opened, answered = Gate(len(routes)), Gate(len(routes))
    go, release = asyncio.Event(), asyncio.Event()
    t0 = time.perf_counter()
    tasks = [
        asyncio.create_task(
            respondent(
                proxy_url, token, cookie, plan, procs[port], opened, go, answered,
                release, timeout_s, pace_s,
            )
        )
        for (token, cookie, port), plan in zip(routes, plans, strict=True)
    ]  # fmt: skip
    await asyncio.wait_for(opened.event.wait(), timeout_s)
    run.open_wall_s = time.perf_counter() - t0
    for p in procs.values():
        p.sample_cpu()
        p.rss_open = memory_mib(p.pid)
    go.set()  # everyone is in: answer
    t1 = time.perf_counter()
    await asyncio.wait_for(answered.event.wait(), timeout_s + pace_s * run.answers)
    run.answer_wall_s = time.perf_counter() - t1
    for p in procs.values():
        p.sample_cpu()
        p.rss_answered = memory_mib(p.pid)
        p.hwm = memory_mib(p.pid, "VmHWM")
    run.nginx_cpu = nginx_cpu(nginx_pid) - nginx0
    run.postgres_cpu = sum(c - pg0.get(pid, 0.0) for pid, c in dict(pg.cpu).items())
    run.client_cpu = time.process_time() - client0
    run.load_end = os.getloadavg()[0]
    release.set()
    await asyncio.gather(*tasks)
    await asyncio.sleep(5)
    for p in procs.values():
        p.rss_closed = memory_mib(p.pid)


def run_proxy_load(
    *, sessions: int, answers: int, processes: int, pace_s: float, timeout_s: float, folder: Path
) -> Run:
    from tests.test_deploy_proxy import NGINX, nginx

    if not Path(NGINX).exists():
        raise SystemExit("nginx est absent : apt-get install nginx")
    questions = questions_folder(folder)
    q = default_questionnaire(questions)
    plans = [answer_plan(q, i, answers) for i in range(sessions)]
    with database("postgresql", folder) as url:
        engine = build_engine(url)
        migrate(engine)
        world = make_world(
            engine, questionnaire=(q.id, q.version), n_participants=sessions + processes
        )
        engine.dispose()
        ports = [free_port() for _ in range(processes)]
        http_port, https_port = free_port(), free_port()
        proxy_url = f"https://127.0.0.1:{https_port}"
        servers = []
        try:
            for port in ports:  # one after the other: two imports at once take as long
                servers.append(
                    start_server(
                        url, questions, folder / f"app-{port}.log", port=port, timeout=120,
                        settings={"PUBLIC_URL": proxy_url},
                    )
                )  # fmt: skip
            run = Run(sessions, answers, {s.port: Process(s.port, s.proc.pid) for s in servers})
            with nginx(folder, ports, http_port, https_port) as proxy:
                routes = []
                for token in world.tokens[:sessions]:
                    cookie, port = route_of(proxy.url, token, proxy.access_log)
                    routes.append((token, cookie, port))
                    run.processes[port].sessions += 1
                warmers = dict(zip(ports, world.tokens[sessions:], strict=True))
                name = url.rsplit("/", 1)[1]
                with PostgresWatch(name) as pg:
                    asyncio.run(
                        drive(
                            run, proxy.url, routes, plans, warmers, proxy.proc.pid, pg,
                            timeout_s, pace_s,
                        )
                    )  # fmt: skip
                run.postgres_peak_connections = pg.peak
                deadline = time.time() + 10  # nginx logs a WebSocket when it closes
                expected = Counter(port for _, _, port in routes)
                while time.time() < deadline:
                    streams = upstream_counts(proxy.access_log.read_text(), "/_stcore/stream")
                    if sum(streams.values()) >= sessions:
                        break
                    time.sleep(0.2)
                run.misrouted = sum((expected - streams).values())
        finally:
            for server in servers:
                stop(server)
        engine = build_engine(url)
        try:
            with session_scope(engine) as s:
                for participant, plan in zip(world.participants[:sessions], plans, strict=True):
                    got = answer_store.answers_of(s, participant_id=participant.id)
                    ok = sum(got.get(i.question_id) == i.expected for i in plan)
                    run.stored += ok
                    run.missing += len(plan) - ok
        finally:
            engine.dispose()
    return run


def report(run: Run, pace_s: float) -> list[str]:
    answers = run.sessions * run.answers
    interactions = sum(len(p.answer_s) for p in run.processes.values())
    first = [s for p in run.processes.values() for s in p.first_s]
    lines = [
        f"Charge à travers nginx : {run.sessions} sessions sur {len(run.processes)} processus, "
        f"PostgreSQL, {run.answers} réponses par session, une toutes les {french(pace_s, 0)} s",
        f"  charge de la machine (moyenne 1 min) : début {french(run.load_start)}, "
        f"fin {french(run.load_end)}",
        f"  ouverture de toutes les sessions : {french(run.open_wall_s)} s ; lien → questionnaire "
        f"commencé p50 {french(statistics.median(first) if first else float('nan'), 2)} s, "
        f"p95 {french(percentile(first, 95), 2)} s ; réponses : {french(run.answer_wall_s)} s",
        "",
        *run.table(),
        "",
        "  après fermeture (5 s) : "
        + ", ".join(
            f":{p.port} {french(p.rss_closed, 0)} Mio (pic {french(p.hwm, 0)})"
            for p in run.processes.values()
        ),
        f"  nginx : {french(run.nginx_cpu, 2)} s de CPU "
        f"({french(per_unit(run.nginx_cpu, interactions) * 1000, 1)} ms par réponse, "
        f"ouvertures comprises) ; PostgreSQL : {french(run.postgres_cpu, 2)} s de CPU, "
        f"au plus {run.postgres_peak_connections} connexions ; "
        f"client : {french(run.client_cpu, 1)} s de CPU",
        f"  réponses attendues {answers}, en base {run.stored}, manquantes ou fausses "
        f"{run.missing} ; WebSockets hors de leur processus (cookie) : {run.misrouted}",
    ]
    for p in run.processes.values():
        lines += [f"  erreur :{p.port} : {e}" for e in p.errors[:5]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=150)
    parser.add_argument("--answers", type=int, default=4, help="réponses par session (≤ 5)")
    parser.add_argument("--processes", type=int, default=2, help="processus d'application")
    parser.add_argument("--pace", type=float, default=5.0, help="une réponse toutes les N s")
    parser.add_argument("--timeout", type=float, default=300, help="délai par phase (s)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200:  # nginx's test configuration: 512 connections
        parser.error("--sessions : entre 1 et 200")
    with tempfile.TemporaryDirectory(prefix="diag-proxy-load-") as tmp:
        run = run_proxy_load(
            sessions=args.sessions,
            answers=args.answers,
            processes=args.processes,
            pace_s=args.pace,
            timeout_s=args.timeout,
            folder=Path(tmp),
        )
    for line in report(run, args.pace):
        print(line)
    errors = sum(len(p.errors) for p in run.processes.values())
    ok = not errors and not run.missing and not run.misrouted
    print("  résultat : " + ("toutes les réponses sont en base" if ok else "ÉCHEC"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
