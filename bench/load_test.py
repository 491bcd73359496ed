"""A seminar room against the real server: N respondents at once, then every answer checked.

Each respondent opens their own invitation link, starts the questionnaire and answers a few
questions of its first part. Two clients: `websocket` (default) speaks Streamlit's own protocol
over `/_stcore/stream` as the browser does, without drawing (bench/ws_client.py), so that the
2 cores go to the server; `browser` opens one headless Chromium context per respondent and
clicks (the real client, but 50 pages rendering at once saturate 2 cores by themselves).
With the websocket client all sessions are open at the same time before anyone answers.
Afterwards every answer must be in the database: none lost, none altered.

    .venv/bin/python bench/load_test.py                       # 50 sessions x 4 answers, SQLite
    .venv/bin/python bench/load_test.py --sessions 150 --pace 5        # a seminar's pace
    .venv/bin/python bench/load_test.py --sessions 150 --database postgresql
    .venv/bin/python bench/load_test.py --client browser --sessions 20

Loopback only; the server, the browser and the throwaway databases are stopped and removed at
the end. The test suite runs a 10-session version (tests/test_browser_resilience.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import database, percentile, questions_folder  # noqa: E402
from diagnostic.questionnaire import Questionnaire, QuestionType  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store import answers as answer_store  # noqa: E402
from diagnostic.store.engine import build_engine, migrate, session_scope  # noqa: E402
from diagnostic.vocabulary import count as n_of  # noqa: E402
from tests.factories import make_world  # noqa: E402
from tests.live import CHROMIUM, CHROMIUM_ARGS, SCRIPT_IDLE, running  # noqa: E402


@dataclass(frozen=True)
class Planned:
    question_id: str
    label: str
    expected: dict


def answer_plan(q: Questionnaire, respondent: int, answers: int) -> list[Planned]:
    """Single-choice questions of the first part, always shown, whose option labels are unique
    on the screen (so a click on the label is unambiguous); the option varies by respondent."""
    section = q.sections[0]
    labels = [o.label for x in section.questions for o in (x.options or [])]
    plan = []
    for question in section.questions:
        if question.type != QuestionType.SINGLE_CHOICE or question.show_if or not question.options:
            continue
        if question.prefill is not None:  # answered from the invitation as the person starts
            continue
        unique = [o for o in question.options if labels.count(o.label) == 1]
        if not unique:
            continue
        option = unique[respondent % len(unique)]
        plan.append(Planned(question.id, option.label, {"choice": option.id}))
    if len(plan) < answers:
        raise SystemExit(f"la première partie n'offre que {len(plan)} questions à choix unique")
    return plan[:answers]


@dataclass
class Report:
    sessions: int
    answers_per_session: int
    first_render_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)
    wall_s: float = 0.0
    stored: int = 0

    @property
    def expected(self) -> int:
        return self.sessions * self.answers_per_session

    def lines(self) -> list[str]:
        r, a = self.first_render_s, self.answer_s
        return [
            f"sessions simultanées : {self.sessions}, réponses par session : "
            f"{self.answers_per_session}, durée totale : {self.wall_s:.1f} s",
            f"premier affichage (lien -> questionnaire) : médiane {statistics.median(r):.2f} s, "
            f"p95 {percentile(r, 95):.2f} s, max {max(r):.2f} s"
            if r
            else "premier affichage : aucun",
            f"clic -> réponse enregistrée et page à jour : médiane "
            f"{statistics.median(a) * 1000:.0f} ms, p95 {percentile(a, 95) * 1000:.0f} ms, "
            f"max {max(a) * 1000:.0f} ms"
            if a
            else "réponses : aucune",
            f"réponses attendues {self.expected}, en base {self.stored}, manquantes ou fausses "
            f"{len(self.missing)}, erreurs de session {len(self.errors)}",
        ]


async def _respondent(browser, link: str, plan: list[Planned], report: Report, timeout_ms: float):
    """One person: open the link, start, answer; each answer is done when the page, rerun by
    the server after saving it, shows the new count of answered questions."""
    from playwright.async_api import expect

    context = await browser.new_context(locale="fr-FR", viewport={"width": 1000, "height": 900})
    step = "ouverture du lien"
    try:
        page = await context.new_page()
        page.set_default_timeout(timeout_ms)
        t0 = time.perf_counter()
        await page.goto(link, timeout=timeout_ms)
        start = page.get_by_role("button", name="Commencer le questionnaire")
        await expect(start).to_be_visible(timeout=timeout_ms)
        report.first_render_s.append(time.perf_counter() - t0)
        step = "Commencer le questionnaire"
        await start.click()
        count = page.get_by_text("Questions obligatoires répondues", exact=False)
        await expect(count).to_be_visible(timeout=timeout_ms)
        # the invitation's function and structure (make_world: DGS, known structures) are
        # answered as the questionnaire starts; the counter then counts every answer
        before = int(re.search(r"· (\d+) réponses? en tout", await count.inner_text()).group(1))
        for k, item in enumerate(plan, start=1):
            step = f"réponse {k} ({item.question_id} : {item.label})"
            t1 = time.perf_counter()
            await page.get_by_text(item.label, exact=True).click()
            done = page.get_by_text(f"· {n_of(before + k, 'réponse')} en tout", exact=False)
            await expect(done).to_be_visible(timeout=timeout_ms)
            # and the rerun over (until then Streamlit may still show a stale copy of an
            # element beside its new one, which the next click would find twice)
            await page.wait_for_function(SCRIPT_IDLE, timeout=timeout_ms)
            report.answer_s.append(time.perf_counter() - t1)
    except Exception as exc:  # one failed session is reported, the others go on
        first = str(exc).splitlines()[0] if str(exc) else ""
        report.errors.append(f"{link} — {step} : {type(exc).__name__}: {first}")
    finally:
        await context.close()


async def _drive(
    links: list[str], plans: list[list[Planned]], report: Report, timeout_s: float, warmup: str
):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            # A server's first page pays the imports and the loading of the questionnaire and
            # the library (about 15 s on a busy 2-core machine): a seminar server is warm.
            await _respondent(browser, warmup, [], Report(0, 0), timeout_s * 1000)
            t0 = time.perf_counter()
            tasks = [
                _respondent(browser, link, plan, report, timeout_s * 1000 / 2)
                for link, plan in zip(links, plans, strict=True)
            ]
            try:
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout_s)
            finally:
                report.wall_s = time.perf_counter() - t0
        finally:
            await browser.close()


async def _ws_respondent(
    port: int,
    token: str,
    plan: list[Planned],
    report: Report,
    gate: _Gate,
    timeout_s: float,
    pace_s: float = 0.0,
):
    """One person over the websocket: open, start, wait until everyone is in, answer."""
    from bench.ws_client import StreamlitSession

    session = StreamlitSession(port, f"t={token}")
    step = "ouverture du lien"
    try:
        try:
            t0 = time.perf_counter()
            await asyncio.wait_for(session.open(), timeout_s)
            session.widget("start")
            report.first_render_s.append(time.perf_counter() - t0)
            step = "Commencer le questionnaire"
            await asyncio.wait_for(session.click("start"), timeout_s)
        finally:
            await gate.arrive()
        await gate.wait()  # every session is open at the same time before anyone answers
        begin = time.perf_counter() + random.uniform(0, pace_s)
        for k, item in enumerate(plan, start=1):
            if pace_s:  # a person answers every pace_s seconds, people out of step
                await asyncio.sleep(max(0.0, begin + (k - 1) * pace_s - time.perf_counter()))
            step = f"réponse {k} ({item.question_id} : {item.label})"
            elapsed = await asyncio.wait_for(
                session.choose(f"q_{item.question_id}", item.label), timeout_s
            )
            report.answer_s.append(elapsed)
    except Exception as exc:  # one failed session is reported, the others go on
        first = str(exc).splitlines()[0] if str(exc) else ""
        report.errors.append(f"{token[:8]}… — {step} : {type(exc).__name__}: {first}")
    finally:
        await session.close()


class _Gate:
    """Let everybody through once all sessions have arrived (failed ones count as arrived)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.event = asyncio.Event()

    async def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.event.set()

    async def wait(self) -> None:
        await self.event.wait()


async def _drive_ws(
    port: int,
    tokens: list[str],
    plans: list[list[Planned]],
    report: Report,
    timeout_s: float,
    pace_s: float,
):
    from bench.ws_client import StreamlitSession

    warm = StreamlitSession(port, f"t={tokens[-1]}")  # the server's first page pays its imports
    await asyncio.wait_for(warm.open(), timeout_s)
    await warm.close()
    gate = _Gate(len(plans))
    t0 = time.perf_counter()
    tasks = [
        _ws_respondent(port, token, plan, report, gate, timeout_s / 2, pace_s)
        for token, plan in zip(tokens, plans, strict=False)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout_s)
    finally:
        report.wall_s = time.perf_counter() - t0


def run_load(
    url: str,
    questions_dir: Path,
    workdir: Path,
    *,
    sessions: int,
    answers: int,
    timeout_s: float = 600,
    client: str = "browser",
    pace_s: float = 0.0,
) -> Report:
    """Seed one campaign with `sessions` respondents, drive them all at once, check the base."""
    q = default_questionnaire(questions_dir)
    engine = build_engine(url)
    migrate(engine)
    world = make_world(engine, questionnaire=(q.id, q.version), n_participants=sessions + 1)
    engine.dispose()
    plans = [answer_plan(q, i, answers) for i in range(sessions)]
    report = Report(sessions, answers)
    with running(url, questions_dir, workdir / "server.log") as server:
        links = [server.link(t) for t in world.tokens[:sessions]]
        warmup = server.link(world.tokens[sessions])
        # in a thread of its own: the caller may already run an event loop (sync Playwright)
        failure: list[BaseException] = []

        def drive() -> None:
            try:
                if client == "websocket":
                    coro = _drive_ws(server.port, world.tokens, plans, report, timeout_s, pace_s)
                else:
                    coro = _drive(links, plans, report, timeout_s, warmup)
                asyncio.run(coro)
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=drive)
        thread.start()
        thread.join()
        if failure and isinstance(failure[0], TimeoutError):
            report.errors.append(f"délai global de {timeout_s:.0f} s dépassé")
        elif failure:
            raise failure[0]
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            for participant, plan in zip(world.participants[:sessions], plans, strict=True):
                got = answer_store.answers_of(s, participant_id=participant.id)
                report.stored += sum(got.get(i.question_id) == i.expected for i in plan)
                report.missing += [
                    (participant.id, i.question_id)  # type: ignore[misc]
                    for i in plan
                    if got.get(i.question_id) != i.expected
                ]
    finally:
        engine.dispose()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--answers", type=int, default=4, help="réponses par session")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--timeout", type=float, default=600, help="délai global (s)")
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="websocket : une réponse toutes les N secondes par personne, décalées au hasard "
        "(0 : tout le monde répond en même temps, le pire cas)",
    )
    parser.add_argument(
        "--client",
        choices=["websocket", "browser"],
        default="websocket",
        help="websocket : le protocole de Streamlit sans navigateur (léger) ; browser : un "
        "contexte Chromium par session (le client réel, mais lourd sur 2 cœurs)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="diag-load-") as tmp:
        workdir = Path(tmp)
        questions = questions_folder(workdir)
        with database(args.database, workdir) as url:
            report = run_load(
                url,
                questions,
                workdir,
                sessions=args.sessions,
                answers=args.answers,
                timeout_s=args.timeout,
                client=args.client,
                pace_s=args.pace,
            )
    pace = f", une réponse toutes les {args.pace:g} s" if args.pace else ", réponses en rafale"
    print(f"Test de charge ({args.database}, client {args.client}{pace}, questionnaire livré)")
    print(f"  charge de la machine à la fin (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    for line in report.lines():
        print("  " + line)
    for error in report.errors[:10]:
        print("  erreur : " + error)
    ok = not report.errors and not report.missing
    print("  résultat : " + ("toutes les réponses sont en base" if ok else "ÉCHEC"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
