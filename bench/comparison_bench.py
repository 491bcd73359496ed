"""How fast the comparison is at national scale, as ratios to floors measured in the same run.

    .venv/bin/python bench/generate.py --territories 1254 --db sqlite:////tmp/national.db \
        --consultant conseil@bench.fr
    .venv/bin/python bench/comparison_bench.py --db sqlite:////tmp/national.db \
        --consultant conseil@bench.fr

Measures (median of --repeat runs):
1. the comparison data on a cache miss (read the benchmark table, peer groups with the privacy
   rules, the accompanied territories, the comparison of three of them) against its floor,
   reading the precomputed table into pandas;
2. the refresh of one campaign (what a submission or a consensus adds) against the database's
   own GROUP BY of that campaign;
3. a full rebuild of the table against the database's GROUP BY campaign x dimension over every
   answer (which alone ignores consensus, scale checks and item weighting);
4. the comparison page itself, in AppTest (signed in as the consultant): first run, then the
   median rerun after changing the peer group (served from st.cache_data).
Timings are never asserted: read the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagnostic import benchmark  # noqa: E402
from diagnostic import comparison as cmp  # noqa: E402
from diagnostic.analytics import item_catalogue  # noqa: E402
from diagnostic.analytics.peers import peer_groups  # noqa: E402
from diagnostic.permissions import Actor  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store import accounts  # noqa: E402
from diagnostic.store import benchmark as store  # noqa: E402
from diagnostic.store.engine import build_engine, migrate, session_scope  # noqa: E402

QUESTIONS = ROOT / "questions"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms".replace(",", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--consultant", default="conseil@bench.fr")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-page", action="store_true", help="sans la mesure AppTest")
    args = parser.parse_args(argv)
    engine = build_engine(args.db)
    migrate(engine)
    q = default_questionnaire(QUESTIONS)
    with session_scope(engine) as s:
        user = accounts.user_by_email(s, email=args.consultant)
        actor = accounts.actor_for(s, user_id=user.id) if user else None
        count, consenting, _ = store.fingerprint(s)
    if actor is None:
        actor = Actor(kind="user", user_id=0, email="banc", is_admin=True)
    print(f"Table de comparaison : {count} lignes, dont {consenting} avec accord")
    known = cmp.known_territories(actor)

    def floor_read() -> object:
        with session_scope(engine) as s:
            return store.read_table(s)

    def comparison_data() -> object:
        table = benchmark.table(engine)
        mine = cmp.accompanied(engine, actor, table, min_group_size=3)
        mine = mine.loc[mine["questionnaire_id"] == q.id].head(3)
        kind, band = cmp.default_group(mine)
        groups = peer_groups(
            table, questionnaire_id=q.id, min_territories=5, min_respondents=3, known=known
        )
        return cmp.compare(
            table,
            mine,
            questionnaire_id=q.id,
            kind=kind,
            band=band,
            known=known,
            min_territories=5,
            min_respondents=3,
            groups=groups,
        )

    results: list[tuple[str, float, str, float]] = []
    floor = median_time(floor_read, args.repeat)
    data = median_time(comparison_data, args.repeat)
    results.append(("données de la page, sans cache", data, "lecture de la table", floor))

    table = benchmark.table(engine)
    campaign_id = int(table["campaign_id"].iloc[0])
    dims = item_catalogue(q).set_index("question_id")["dimension_id"].to_dict()

    def refresh_one() -> object:
        with session_scope(engine) as s:
            return benchmark.refresh_campaign(s, campaign_id=campaign_id, questionnaire=q)

    def group_by_one() -> object:
        with session_scope(engine) as s:
            frame = store.submitted_answers(s, campaign_ids=[campaign_id])
            return frame.groupby("question_id")["level"].mean()

    results.append(
        (
            "rafraîchissement d'une campagne",
            median_time(refresh_one, args.repeat),
            "GROUP BY d'une campagne",
            median_time(group_by_one, args.repeat),
        )
    )

    def sql_all() -> object:
        with session_scope(engine) as s:
            return store.sql_dimension_scores(s, dimensions=dims)

    sql = median_time(sql_all, max(1, args.repeat // 2))
    rebuild = benchmark.rebuild(engine, QUESTIONS).seconds
    results.append(("reconstruction complète", rebuild, "GROUP BY de la base", sql))

    for what, value, floor_name, floor_value in results:
        print(
            f"{what} : {ms(value)} — plancher ({floor_name}) : {ms(floor_value)} — "
            f"rapport {value / floor_value:.1f}"
        )
    if not args.no_page and user is not None:
        first, rerun = page_times(args.db, args.consultant, args.repeat)
        print(
            f"page Comparaison (AppTest) : premier affichage {ms(first)}, réexécution {ms(rerun)}"
        )
    engine.dispose()
    return 0


def page_times(url: str, email: str, repeat: int) -> tuple[float, float]:
    """The comparison page in AppTest: first run (cold caches), then median rerun."""
    os.environ.update(DATABASE_URL=url, LOAD_DEMO="false", QUESTIONS_DIR=str(QUESTIONS))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input("banc-essai-diagnostic")
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
    return first, statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
