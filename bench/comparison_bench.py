"""How fast the comparison is at national scale, as ratios to floors measured in the same run.

    .venv/bin/python bench/generate.py --territories 1254 --db sqlite:////tmp/national.db \
        --consultant conseil@bench.fr
    .venv/bin/python bench/comparison_bench.py --db sqlite:////tmp/national.db \
        --consultant conseil@bench.fr

(the same with --db postgresql+psycopg://postgres@127.0.0.1:5432/BASE). Each measure
alternates the app's code and its floor, --repeat times, and prints medians and the 1-minute
load average (the machine is shared):
1. the comparison page's data on a cache miss (the benchmark table read, the accompanied
   territories, the peer groups with the privacy rules, the comparison of three territories)
   against a bare script reading the same table into pandas through the driver (the floor);
2. the refresh of one campaign (what a submission adds, inside the submission's transaction;
   also with a transaction of its own) against the database's own GROUP BY of that campaign;
3. a full rebuild, over the current table and from an empty one, against the database's own
   GROUP BY campaign x dimension over every answer (which ignores consensus, scale checks
   and item weighting);
4. the comparison page itself, in AppTest in a separate process, signed in as the consultant:
   first run, median rerun after changing the peer group (served from st.cache_data), the
   SQL statements that read the answer table, and the process's peak memory (VmHWM).
Timings are never asserted: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import Float, case, cast, func, literal_column, select, text  # noqa: E402

from bench.common import memory_mib  # noqa: E402
from diagnostic.accounts.permissions import Actor  # noqa: E402
from diagnostic.analytics import item_catalogue  # noqa: E402
from diagnostic.analytics.peers import peer_groups  # noqa: E402
from diagnostic.comparison import benchmark  # noqa: E402
from diagnostic.comparison import service as cmp  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store import accounts  # noqa: E402
from diagnostic.store import benchmark as store  # noqa: E402
from diagnostic.store.engine import build_engine, migrate, session_scope  # noqa: E402
from diagnostic.store.models import Answer, Participant  # noqa: E402

QUESTIONS = ROOT / "questions"
PASSWORD = "banc-essai-diagnostic"  # bench/generate.py's consultant


def load() -> float:
    return os.getloadavg()[0]


def alternate(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each function, run in turn `repeat` times (load moves both alike)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms".replace(",", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--consultant", default="conseil@bench.fr")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--rebuilds", type=int, default=3, help="reconstructions mesurées")
    parser.add_argument("--no-page", action="store_true", help="sans la mesure AppTest")
    parser.add_argument("--page-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.page_process:
        print(json.dumps(page_process(args.db, args.consultant, args.repeat)))
        return 0
    engine = build_engine(args.db)
    migrate(engine)
    q = default_questionnaire(QUESTIONS)
    with session_scope(engine) as s:
        user = accounts.user_by_email(s, email=args.consultant)
        actor = accounts.actor_for(s, user_id=user.id) if user else None
        count, consenting, _ = store.fingerprint(s)
    if actor is None:
        actor = Actor(kind="user", user_id=0, email="banc", is_admin=True)
    print(f"Base : {engine.dialect.name} ; table de comparaison : {count} lignes, dont")
    print(f"{consenting} avec accord ; charge au départ : {load():.1f}")
    known = cmp.known_territories(actor)
    columns = ", ".join(store.TABLE_COLUMNS)

    def floor_read() -> object:  # a bare script: the driver's rows into pandas
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute(f"SELECT {columns} FROM benchmarkscore")
            return pd.DataFrame(cursor.fetchall(), columns=store.TABLE_COLUMNS)

    def comparison_data() -> object:  # what the page computes on a cache miss
        benchmark.version(engine)
        table = benchmark.table(engine)
        mine = cmp.accompanied(engine, actor, table, min_group_size=3)
        mine = mine.loc[mine["questionnaire_id"] == q.id].head(3)
        groups = peer_groups(
            table, questionnaire_id=q.id, min_territories=5, min_respondents=3, known=known
        )
        return cmp.compare(
            table,
            mine,
            questionnaire_id=q.id,
            known=known,
            min_territories=5,
            min_respondents=3,
            groups=groups,
        )

    lines: list[tuple[str, float, str, float, float]] = []
    got = alternate({"floor": floor_read, "app": comparison_data}, args.repeat)
    lines.append(
        ("données de la page, sans cache", got["app"], "lecture de la table", got["floor"], load())
    )

    table = benchmark.table(engine)
    campaign_id = int(table["campaign_id"].iloc[len(table) // 2])
    dims = item_catalogue(q).set_index("question_id")["dimension_id"].to_dict()
    floor_all = sql_text(engine, group_by_statement(dims))
    floor_one = sql_text(engine, group_by_statement(dims, campaign_ids=[campaign_id]))

    def refresh_in_transaction() -> None:
        with session_scope(engine) as s:
            s.connection()  # BEGIN outside the measure: the submission's transaction is open
            started = time.perf_counter()
            benchmark.refresh_campaign(s, campaign_id=campaign_id, questionnaire=q)
            inner.append(time.perf_counter() - started)

    def refresh_own_transaction() -> None:
        with session_scope(engine) as s:
            benchmark.refresh_campaign(s, campaign_id=campaign_id, questionnaire=q)

    def group_by_one() -> object:  # the database's own GROUP BY, through the driver
        return bare(engine, floor_one)

    inner: list[float] = []
    got = alternate(
        {"floor": group_by_one, "txn": refresh_in_transaction, "own": refresh_own_transaction},
        max(args.repeat, 15),
    )
    floor = got["floor"]
    lines.append(
        (
            "rafraîchissement d'une campagne",
            statistics.median(inner),
            "GROUP BY d'une campagne",
            floor,
            load(),
        )
    )
    lines.append(
        ("… avec sa propre transaction", got["own"], "GROUP BY d'une campagne", floor, load())
    )

    def sql_all() -> object:
        return bare(engine, floor_all)

    written: dict[str, int] = {}

    def rebuild_current() -> None:
        written["current"] = benchmark.rebuild(engine, QUESTIONS).written

    def rebuild_empty() -> None:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM benchmarkscore"))
        written["empty"] = benchmark.rebuild(engine, QUESTIONS).written

    got = alternate(
        {"floor": sql_all, "current": rebuild_current, "empty": rebuild_empty}, args.rebuilds
    )
    lines.append(
        (
            f"reconstruction, table à jour ({written['current']} lignes écrites)",
            got["current"],
            "GROUP BY de la base",
            got["floor"],
            load(),
        )
    )
    lines.append(
        (
            f"reconstruction, table vide ({written['empty']} lignes écrites)",
            got["empty"],
            "GROUP BY de la base",
            got["floor"],
            load(),
        )
    )

    for what, value, floor_name, floor_value, at in lines:
        print(
            f"{what} : {ms(value)} — plancher ({floor_name}) : {ms(floor_value)} — "
            f"rapport {value / floor_value:.2f} — charge {at:.1f}"
        )
    engine.dispose()
    if not args.no_page and user is not None:
        command = [sys.executable, __file__, "--page-process", "--db", args.db]
        command += ["--consultant", args.consultant, "--repeat", str(args.repeat)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        page = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"page Comparaison (AppTest, processus séparé) : premier affichage "
            f"{ms(page['first'])}, réexécution {ms(page['rerun'])} — charge {page['load']:.1f}"
        )
        print(
            f"mémoire du processus : pic (VmHWM) {page['vmhwm_mib']:.0f} Mio, "
            f"ru_maxrss {page['maxrss_mib']:.0f} Mio"
        )
        print(
            f"table des réponses pendant la page : {page['answer_aggregates']} agrégats "
            f"(empreintes) ; lectures de lignes (paramètres) : {page['answer_row_reads']}"
        )
    return 0


def group_by_statement(
    dimensions: dict[str, str], *, campaign_ids: Sequence[int] | None = None
) -> Any:
    """The floor: the database's own GROUP BY campaign x dimension, the mean level of the
    submitted answers (no item weighting, no consensus, no scale check: not what the app
    shows). `dimensions`: question -> dimension. Rows: campaign_id, dimension_id, mean, n. The
    mean is cast to float in SQL (PostgreSQL's avg of integers is a numeric, read as Decimal).
    """
    dim = case(dimensions, value=Answer.question_id, else_=literal_column("NULL"))
    stmt = (
        select(
            Participant.campaign_id,
            dim.label("dimension_id"),
            cast(func.avg(Answer.level), Float),
            func.count(Answer.level),
        )
        .join(Participant, Participant.id == Answer.participant_id)  # type: ignore[arg-type]
        .where(Participant.submitted_at.is_not(None), dim.is_not(None))  # type: ignore[union-attr]
        .group_by(Participant.campaign_id, dim)
    )
    if campaign_ids is not None:
        stmt = stmt.where(Participant.campaign_id.in_(list(campaign_ids)))  # type: ignore[attr-defined]
    return stmt


def sql_text(engine: object, stmt: object) -> str:
    """A statement's SQL with its values written in (numbers and question ids)."""
    dialect = engine.dialect  # type: ignore[attr-defined]
    return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]


def bare(engine: object, sql: str) -> list[tuple[object, ...]]:
    """Run SQL through the driver's cursor in a transaction of its own, fetch every row."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        conn.rollback()
        return rows


def page_process(url: str, email: str, repeat: int) -> dict[str, object]:
    """The comparison page in AppTest, in this (fresh) process: times, SQL on the answer
    table, peak memory."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from streamlit.testing.v1 import AppTest

    os.environ.update(DATABASE_URL=url, LOAD_DEMO="false", QUESTIONS_DIR=str(QUESTIONS))
    seen: list[tuple[str, str]] = []  # statements that read the answer table: kind, parameters

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202, ARG001
        lowered = statement.lower()
        if "from answer" in lowered or "join answer" in lowered:
            head = lowered.split(" from ", 1)[0]
            kind = "agrégat" if "count(" in head or "max(" in head else "lignes"
            seen.append((kind, str(parameters)[:60]))

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    started = time.perf_counter()
    at.switch_page("pages/comparaison.py").run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    times = []
    bands = ["toutes", "15k-30k", "30k-50k", "lt15k"]
    for i in range(repeat):
        started = time.perf_counter()
        at.selectbox(key="cmp_band").set_value(bands[i % len(bands)]).run()
        times.append(time.perf_counter() - started)
    return {
        "first": first,
        "rerun": statistics.median(times),
        "load": load(),
        "vmhwm_mib": memory_mib("self", "VmHWM"),
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "answer_aggregates": sum(kind == "agrégat" for kind, _ in seen),
        "answer_row_reads": sorted({p for kind, p in seen if kind == "lignes"}),
    }


if __name__ == "__main__":
    sys.exit(main())
