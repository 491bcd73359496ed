"""The coordinator's slow spots in a real browser, against a bare script in the same run.

The four moments of `../shared/findings.md` § 5 that a coordinator waited for (issue 19, with
the click budget of issue 22): signing in, the first view of a campaign's results, « Préparer
les documents » and adding an action to the roadmap. Two servers on 127.0.0.1: the app
(`serve.py`, the demo loaded in a throwaway SQLite base) and a bare Streamlit script
(`bench/coordinator_floor.py`) drawing the same widgets — the same form, the same radar
figure of the same campaign, as many expanders as the roadmap page, download buttons of the
same sizes — with literals and no logic. Debian's Chromium, headless.

Each round opens a new browser context (no cookie) on each server in turn and times, from the
click to the first animation frame where the page is drawn and idle (script finished, no
placeholder, no spinner):

- sign-in: « Se connecter » → « Mes territoires » (the app goes through its cookie route and
  reloads the page: the cost of a session that survives a reload);
- first results view: the menu's « Résultats » → the radar chart drawn (lazy tabs: the other
  tabs are computed when opened);
- the roadmap page: the menu's « Feuille de route » → drawn;
- documents: « Préparer les documents » → the three download buttons (Word, PDF, Markdown);
  round 1 is the first request of the server (cold: only the charts drawn ahead since the page
  opened), later rounds follow an action added by the previous round (the text and the plan's
  timeline change, the results' charts do not); then « again »: the same click once more,
  nothing changed;
- adding an action: « Ajouter l'action » → « Action ajoutée à la feuille de route. ».

The first page of each server is loaded once before the rounds (not timed): what is timed is
what a coordinator meets after the app has started. Medians and p95 of the rounds, ratios to
the floor. Nothing is asserted (speed is never a test).

    .venv/bin/python bench/coordinator_bench.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import BROWSER_TIMEOUT, IDLE, percentile  # noqa: E402
from tests.live import DEMO_PASSWORD, chromium, running  # noqa: E402

FLOOR = ROOT / "bench" / "coordinator_floor.py"
DESKTOP = {"locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}
EMAIL = "coordination@demo.fr"
TARGET_RATIO = 1.5  # issue 22: each click ≤ 1.5 × its floor
TARGET_P95 = 1.0  # seconds, issue 22: p95 ≤ 1 s at normal load
DOCUMENTS_COLD = 3.0  # seconds, issue 22: Word + PDF ≤ 3 s from a cold request

HEADING = """(name) => [...document.querySelectorAll('h1, h2, h3')]
  .some(h => h.innerText.trim().startsWith(name))"""
SETTLED = f"""([selector, text]) => {{
  if (!({IDLE})()) return false;
  const found = [...document.querySelectorAll(selector)];
  return found.some(e => !text || e.innerText.includes(text));
}}"""


def until(page: Any, selector: str, text: str = "") -> None:
    """Wait, frame by frame, until an element `selector` (holding `text`) is there and the app
    is idle; a navigation in between (the app's sign-in reloads the page) restarts the wait."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + BROWSER_TIMEOUT / 1000
    while True:
        try:
            page.wait_for_function(
                SETTLED, arg=[selector, text], polling="raf", timeout=BROWSER_TIMEOUT
            )
            return
        except Error:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(20)


def timed(page: Any, act: Any, selector: str, text: str = "") -> float:
    """Seconds from `act()` (a click) to the frame where the expected element is drawn."""
    page.wait_for_timeout(300)  # the previous rerun's last messages are in
    started = time.perf_counter()
    act()
    page.wait_for_timeout(50)  # the click's rerun has begun (the app is not idle any more)
    until(page, selector, text)
    return time.perf_counter() - started


def journey(page: Any, url: str, n: int) -> dict[str, float]:
    """One coordinator's session: sign in, results, roadmap, documents twice, one action."""
    nav = page.get_by_test_id("stSidebarNavItems")
    page.goto(url)
    until(page, "h1, h2, h3", "Connexion")
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    out = {}
    out["sign-in"] = timed(
        page, page.get_by_role("button", name="Se connecter").click, "h1", "Mes territoires"
    )
    out["results"] = timed(
        page,
        nav.get_by_role("link", name="Résultats", exact=True).click,
        ".js-plotly-plot .main-svg",
    )
    out["roadmap page"] = timed(
        page,
        nav.get_by_role("link", name="Feuille de route", exact=True).click,
        "button",
        "Préparer les documents",
    )
    prepare = page.get_by_role("button", name="Préparer les documents")
    out["documents"] = timed(page, prepare.click, "button", "Word (.docx)")
    out["documents again"] = timed(page, prepare.click, "button", "Word (.docx)")
    page.get_by_label("Intitulé *").fill(f"Action de mesure {n}")
    out["add action"] = timed(
        page,
        page.get_by_role("button", name="Ajouter l'action").click,
        '[data-testid="stAlert"], [data-testid="stAlertContainer"]',
        "Action ajoutée",
    )
    return out


def floor_data(page: Any, engine: Any) -> dict[str, Any]:
    """What the floor draws, read from the app as the coordinator saw it: the campaign in the
    address, its radar figure and summary, the roadmap page's expanders, the documents' sizes."""
    from urllib.parse import parse_qs, urlparse

    from diagnostic.results import figures, service
    from diagnostic.results.model import labels
    from diagnostic.roadmap import quoting
    from diagnostic.roadmap.proposals import points_to_investigate

    campaign_id = int(parse_qs(urlparse(page.url).query)["campagne"][0])
    results = service.campaign_results(engine, campaign_id)
    names = labels(results.questionnaire)
    radar = figures.radar(
        results.dimensions,
        names.dimensions,
        respondents=results.respondent_scores,
        groups=results.dimensions_by_kind,
        group_labels={"epci": "Intercommunalité", "commune": "Communes"},
    )
    lines = [line for section in results.summary for line in section.lines]
    voices = quoting.campaign_voices(
        engine, campaign_id, results.questionnaire, results.min_group_size
    )
    nav = page.get_by_test_id("stSidebarNavItems").get_by_role("link")
    return {
        "radar": radar.to_json(),
        "table_rows": len(results.dimensions),
        "summary": lines,
        "expanders": page.locator('[data-testid="stExpander"]').count(),
        "actions": len(planning_store_plan(engine, campaign_id)),
        "points": [f"{p.item} — {p.summary}" for p in points_to_investigate(results)],
        "quotes": [q.text for q in voices.quotes],
        # each link's text is its icon's name (a ligature) then its title
        "menu": [nav.nth(i).inner_text().split() for i in range(nav.count())],
    }


def planning_store_plan(engine: Any, campaign_id: int) -> list[Any]:
    """The campaign's actions as stored (the floor draws one expander per action)."""
    from diagnostic.store import roadmap
    from diagnostic.store.engine import session_scope

    with session_scope(engine) as s:
        return list(roadmap.plan_items(s, campaign_id=campaign_id))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="sessions mesurées par serveur")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        return _run(Path(folder), args.rounds)


def _run(tmp: Path, rounds: int) -> int:
    from diagnostic.store.engine import build_engine

    url = f"sqlite:///{tmp / 'app.db'}"
    data = tmp / "floor.json"
    data.write_text("{}", encoding="utf-8")
    print(f"charge de la machine au départ (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    times: dict[str, dict[str, list[float]]] = {"app": {}, "floor": {}}
    with (
        running(url, None, tmp / "app.log", load_demo=True) as app,
        running(
            url, None, tmp / "floor.log", script=FLOOR, settings={"FLOOR_DATA": str(data)}
        ) as bare,
        chromium() as browser,
    ):
        # Before the rounds: each server's first page, and what the floor must draw.
        context = browser.new_context(**DESKTOP)
        page = context.new_page()
        page.goto(app.url)
        until(page, "h1, h2, h3", "Connexion")
        page.get_by_label("Adresse électronique").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        until(page, "h1", "Mes territoires")
        page.get_by_test_id("stSidebarNavItems").get_by_role(
            "link", name="Feuille de route", exact=True
        ).click()
        until(page, "button", "Préparer les documents")
        engine = build_engine(url)
        content = floor_data(page, engine)
        context.close()  # the first documents are timed in round 1 (cold)
        engine.dispose()
        content["sizes"] = {"docx": 1_300_000, "pdf": 1_300_000, "md": 80_000}
        data.write_text(json.dumps(content), encoding="utf-8")
        context = browser.new_context(**DESKTOP)
        page = context.new_page()
        page.goto(bare.url)
        until(page, "h1, h2, h3", "Connexion")
        context.close()

        urls = {"app": app.url, "floor": bare.url}
        for n in range(rounds):
            for name, target in urls.items():
                context = browser.new_context(**DESKTOP)
                measured = journey(context.new_page(), target, n)
                context.close()
                for what, seconds in measured.items():
                    times[name].setdefault(what, []).append(seconds)
            line = ", ".join(f"{k} {v[-1]:.2f}" for k, v in times["app"].items())
            print(f"tour {n + 1} : app {line}", flush=True)
    print(f"charge à la fin : {os.getloadavg()[0]:.1f}")
    report(times)
    return 0


def report(times: dict[str, dict[str, list[float]]]) -> None:
    print()
    print("| moment | app, médiane | app, p95 | plancher, médiane | rapport | cible |")
    print("|---|---|---|---|---|---|")
    for what, values in times["app"].items():
        floor = times["floor"].get(what, [])
        app_median = statistics.median(values)
        floor_median = statistics.median(floor) if floor else float("nan")
        first = f" (1er : {values[0]:.2f} s)" if what == "documents" else ""
        target = (
            f"≤ {DOCUMENTS_COLD:.0f} s au 1er, aussitôt ensuite"
            if what.startswith("documents")
            else f"≤ {TARGET_RATIO} × et p95 ≤ {TARGET_P95:.0f} s"
        )
        print(
            f"| {what} | {app_median:.2f} s{first} | {percentile(values, 95):.2f} s | "
            f"{floor_median:.2f} s | {app_median / floor_median:.2f} | {target} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
