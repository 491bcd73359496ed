"""Autosave under a seminar's load: the app's own record_answer against a bare upsert floor.

Two loads, each run through the app's `diagnostic.answering.respondent.record_answer` and
through a bare SQLAlchemy `INSERT … ON CONFLICT DO UPDATE` loop on an engine of the same
factory (WAL, busy timeout, BEGIN IMMEDIATE for SQLite), with the same schedule,
on a fresh base each time:

- seminar: 150 respondents (threads), one answer every 5 s each, for 30 s;
- stress: 150 threads, 300 answers/s in all, for 20 s.

Prints p50/p95/p99 latency, errors, lost and duplicated answers, and the app/floor ratios.
Targets: seminar p95 <= 50 ms; stress p95 <= 1.5 x the bare loop.

    .venv/bin/python bench/autosave_bench.py                  # SQLite and PostgreSQL
    .venv/bin/python bench/autosave_bench.py --backend sqlite --load stress
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, func, select, update  # noqa: E402

from bench.common import database, percentile  # noqa: E402
from diagnostic.accounts.permissions import Actor  # noqa: E402
from diagnostic.answering.respondent import record_answer  # noqa: E402
from diagnostic.questionnaire import Questionnaire, QuestionType  # noqa: E402
from diagnostic.questionnaire.codecs import NormalizedAnswer, normalize  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store import answers as answer_store  # noqa: E402
from diagnostic.store.engine import build_engine, migrate  # noqa: E402
from diagnostic.store.models import Answer, Participant, now  # noqa: E402
from tests.factories import make_world  # noqa: E402

ANSWER = Answer.__table__  # type: ignore[attr-defined]
PARTICIPANT = Participant.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Load:
    name: str
    threads: int
    per_thread_period_s: float  # one answer every … seconds per thread
    seconds: float

    @property
    def rate(self) -> float:
        return self.threads / self.per_thread_period_s


@dataclass
class Result:
    load: Load
    mode: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    rows: int = 0
    wall_s: float = 0.0
    max_lag_ms: float = 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    def line(self) -> str:
        done = len(self.latencies_ms)
        return (
            f"{self.mode:<14} p50 {self.pct(50):7.2f}  p95 {self.pct(95):7.2f}  "
            f"p99 {self.pct(99):7.2f} ms  | {done} réponses en {self.wall_s:.1f} s "
            f"({done / self.wall_s:.0f}/s), retard max {self.max_lag_ms:.0f} ms, "
            f"erreurs {len(self.errors)}, perdues {self.lost}, doublons {self.duplicated}"
        )


def merged(parts: list[Result]) -> Result:
    """Slices of one load and mode, added up."""
    out = Result(parts[0].load, parts[0].mode) if parts else Result(Load("", 0, 1, 0), "")
    for r in parts:
        if not r.mode:
            continue
        out.load, out.mode = r.load, r.mode
        out.latencies_ms += r.latencies_ms
        out.errors += r.errors
        out.lost += r.lost
        out.duplicated += r.duplicated
        out.rows += r.rows
        out.wall_s += r.wall_s
        out.max_lag_ms = max(out.max_lag_ms, r.max_lag_ms)
    return out


@dataclass(frozen=True)
class Write:
    participant_id: int
    question_id: str
    raw: dict
    answer: NormalizedAnswer


def scored_questions(q: Questionnaire) -> list:
    return [
        x
        for x in q.questions()
        if x.type in (QuestionType.MATURITY, QuestionType.CURRENT_TARGET) and not x.show_if
    ]


def schedule(q: Questionnaire, pids: list[int], per_thread: int) -> list[list[Write]]:
    """The answers each respondent gives, in order (questions revisited: real upserts)."""
    questions = scored_questions(q)
    plans = []
    for i, pid in enumerate(pids):
        writes = []
        for j in range(per_thread):
            question = questions[(i * 7 + j) % len(questions)]
            level = 1 + (i + j) % 5
            raw = (
                {"level": level}
                if question.type == QuestionType.MATURITY
                else {"current": level, "target": min(5, level + 1), "importance": 1 + j % 3}
            )
            writes.append(Write(pid, question.id, raw, normalize(q, question, raw)))
        plans.append(writes)
    return plans


def bare_writer(engine, q: Questionnaire) -> Callable[[Write], None]:
    """The floor: one prepared INSERT … ON CONFLICT DO UPDATE per answer, nothing else (no
    permission check, no validation, no campaign or submission rule)."""
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    names = ("value", "dont_know", "level", "target", "importance", "updated_at")
    stmt = insert(ANSWER).values(
        participant_id=bindparam("participant_id"),
        question_id=bindparam("question_id"),
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        **{k: bindparam(k, type_=ANSWER.c[k].type) for k in names},
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["participant_id", "question_id"],
        set_={k: stmt.excluded[k] for k in names},
    )

    def write(w: Write) -> None:
        params = {
            "participant_id": w.participant_id,
            "question_id": w.question_id,
            "value": w.answer.value,
            "dont_know": w.answer.dont_know,
            "level": w.answer.level,
            "target": w.answer.target,
            "importance": w.answer.importance,
            "updated_at": now(),
        }
        with engine.begin() as conn:
            conn.execute(stmt, params)

    return write


def app_writer(engine, q: Questionnaire, campaign_id: int) -> Callable[[Write], None]:
    def write(w: Write) -> None:
        actor = Actor(kind="respondent", participant_id=w.participant_id, campaign_id=campaign_id)
        record_answer(engine, actor, q, w.participant_id, w.question_id, w.raw)

    return write


def drive(load: Load, plans: list[list[Write]], write: Callable[[Write], None], result: Result):
    """Open-loop schedule: thread i answers at offset_i + k x period, whatever the latency."""
    rng = random.Random(42)
    offsets = [rng.uniform(0, load.per_thread_period_s) for _ in plans]
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    end = start + load.seconds

    def respondent(i: int) -> None:
        lat: list[float] = []
        lag = 0.0
        for k, w in enumerate(plans[i]):
            due = start + offsets[i] + k * load.per_thread_period_s
            if due >= end:
                break
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            else:
                lag = max(lag, -pause)
            t0 = time.perf_counter()
            try:
                write(w)
            except Exception as exc:  # counted, reported
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            lat.append((time.perf_counter() - t0) * 1000)
        with lock:
            result.latencies_ms.extend(lat)
            result.max_lag_ms = max(result.max_lag_ms, lag * 1000)

    threads = [threading.Thread(target=respondent, args=(i,)) for i in range(len(plans))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall_s = time.perf_counter() - t0 - 0.5


def check(engine, load: Load, plans: list[list[Write]], result: Result) -> None:
    """Every answer written (before the end of the schedule) is there, once, with its last value."""
    expected: dict[tuple[int, str], dict] = {}
    rng = random.Random(42)
    offsets = [rng.uniform(0, load.per_thread_period_s) for _ in plans]
    for i, writes in enumerate(plans):
        for k, w in enumerate(writes):
            if offsets[i] + k * load.per_thread_period_s >= load.seconds:
                break
            expected[(w.participant_id, w.question_id)] = w.answer.value
    with engine.connect() as conn:
        rows = conn.execute(select(ANSWER.c.participant_id, ANSWER.c.question_id, ANSWER.c.value))
        got = {(p, qid): v for p, qid, v in rows}
        dup = conn.execute(
            select(func.count())
            .select_from(ANSWER)
            .group_by(ANSWER.c.participant_id, ANSWER.c.question_id)
            .having(func.count() > 1)
        ).all()
    result.rows = len(got)
    result.lost = sum(got.get(key) != value for key, value in expected.items())
    result.duplicated = len(dup) + len(set(got) - set(expected))


def run_one(backend: str, load: Load, mode: str, q: Questionnaire, folder: Path) -> Result:
    per_thread = int(load.seconds / load.per_thread_period_s) + 2
    with database(backend, folder) as url:
        engine = build_engine(url)
        try:
            migrate(engine)
            world = make_world(engine, questionnaire=(q.id, q.version), n_participants=load.threads)
            with engine.begin() as conn:  # people already under way: the steady state, not the
                # first answer's extra UPDATE of started_at (once per person)
                conn.execute(update(PARTICIPANT).values(started_at=now()))
            plans = schedule(q, [p.id for p in world.participants], per_thread)  # type: ignore[misc]
            write = (
                app_writer(engine, q, world.campaign_id)
                if mode == "app"
                else bare_writer(engine, q)
            )
            result = Result(load, "record_answer" if mode == "app" else "upsert nu")
            drive(load, plans, write, result)
            check(engine, load, plans, result)
        finally:
            engine.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--load", choices=["séminaire", "stress", "both"], default="both")
    parser.add_argument("--respondents", type=int, default=150)
    parser.add_argument("--seminar-seconds", type=float, default=30)
    parser.add_argument("--stress-seconds", type=float, default=20)
    parser.add_argument("--stress-rate", type=float, default=300, help="réponses/s en tout")
    parser.add_argument(
        "--slices", type=int, default=6, help="tranches alternées record_answer / upsert nu"
    )
    parser.add_argument(
        "--plain-transaction",
        action="store_true",
        help="record_answer dans une transaction ordinaire (engine.begin(), sans tour "
        "d'écriture SQLite ni autocommit PostgreSQL), pour mesurer ce qu'ils apportent",
    )
    args = parser.parse_args(argv)
    if args.plain_transaction:
        answer_store.autosave_connection = lambda engine: engine.begin()  # type: ignore[assignment]
    q = default_questionnaire(ROOT / "questions")
    loads = [
        Load("séminaire", args.respondents, 5.0, args.seminar_seconds),
        Load("stress", args.respondents, args.respondents / args.stress_rate, args.stress_seconds),
    ]
    loads = [x for x in loads if args.load in ("both", x.name)]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    failed = False
    print(f"charge de la machine au départ (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="diag-autosave-") as tmp:
        for backend in backends:
            for load in loads:
                print(
                    f"\n{backend} — {load.name} : {load.threads} fils, {load.rate:.0f} réponses/s, "
                    f"{load.seconds:.0f} s en {args.slices} tranches ; charge "
                    f"{os.getloadavg()[0]:.1f}"
                )
                # alternate short slices, each on a fresh base, in the order ABBA ABBA… so that
                # a burst of load from elsewhere on the machine, or a drift, does not fall on
                # one side only
                piece = Load(
                    load.name, load.threads, load.per_thread_period_s, load.seconds / args.slices
                )
                app_parts: list[Result] = []
                bare_parts: list[Result] = []
                for i in range(args.slices):
                    for mode in ("app", "bare") if i % 2 == 0 else ("bare", "app"):
                        part = run_one(backend, piece, mode, q, Path(tmp))
                        (app_parts if mode == "app" else bare_parts).append(part)
                app, bare = merged(app_parts), merged(bare_parts)
                print("  " + app.line())
                print("  " + bare.line())
                ratios = "  ".join(f"p{p} x{app.pct(p) / bare.pct(p):.2f}" for p in (50, 95, 99))
                print(f"  rapport record_answer / upsert nu : {ratios}")
                pairs = sorted(
                    a.pct(95) / b.pct(95) for a, b in zip(app_parts, bare_parts, strict=True)
                )
                print(
                    "  rapport p95 tranche par tranche : "
                    + " ".join(f"{r:.2f}" for r in pairs)
                    + f" (médiane {statistics.median(pairs):.2f})"
                )
                print(f"  charge à la fin (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
                if load.name == "séminaire":
                    verdict = app.pct(95) <= 50
                    print(f"  objectif p95 <= 50 ms : {'atteint' if verdict else 'MANQUÉ'}")
                else:
                    verdict = app.pct(95) <= 1.5 * bare.pct(95)
                    word = "atteint" if verdict else "MANQUÉ"
                    print(f"  objectif p95 <= 1,5 x le plancher : {word}")
                clean = all(not r.errors and not r.lost and not r.duplicated for r in (app, bare))
                if not clean:
                    failed = True
                    for r in (app, bare):
                        for e in r.errors[:3]:
                            print(f"  erreur ({r.mode}) : {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
