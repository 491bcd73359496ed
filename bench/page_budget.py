"""The click budget of every page a coordinator uses, against the same page replayed (issue 22).

Two servers on 127.0.0.1 on one throwaway SQLite base holding the demo: the app (`serve.py`)
and `bench/replay_floor.py`, which sends back, for the same menu entry and the same click,
the very messages the app sent (recorded beforehand with Streamlit's AppTest on the same base,
signed in as the demo's coordinator): the same widgets, texts, charts and tables, with no
logic. Debian's Chromium, headless; each round opens a new browser context on each server in
turn, signs in and makes the same clicks, each timed from the click to the first animation
frame where the page is idle again (the run started, then finished, no placeholder left):

- the menu's « Mes territoires », « Campagnes », « Résultats » (first tab), then each other
  tab of the results, « Réunion de consensus », « Feuille de route », its « Proposer / Mettre
  à jour les propositions » and the « Enregistrer » of its first action, « Comparaison » and
  « Atelier » (the facilitator's console page).

Medians and p95 of the rounds, ratio of the medians (target ≤ 1.5) and the app's p95
(target ≤ 1 s). Nothing is asserted (speed is never a test). The coordinator's first sign-in,
the first results view of a fresh browser, the documents and adding an action are measured by
bench/coordinator_bench.py.

    .venv/bin/python bench/page_budget.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import runpy
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import BROWSER_TIMEOUT, FRAMED, IDLE, PROBE, percentile  # noqa: E402
from bench.coordinator_bench import DESKTOP, EMAIL, TARGET_P95, TARGET_RATIO  # noqa: E402
from tests.live import DEMO_PASSWORD, chromium, running  # noqa: E402

FLOOR = ROOT / "bench" / "replay_floor.py"
CONSENSUS, ROADMAP = "Réunion de consensus", "Feuille de route"


def result_tabs() -> list[str]:
    """The results page's tabs after the first, read from pages/resultats.py's TABS (a page
    module is a Streamlit script: read, not imported)."""
    import ast

    tree = ast.parse((ROOT / "pages" / "resultats.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "TABS" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))[1:]
    raise LookupError("TABS introuvable dans pages/resultats.py")


# --- what is timed: (name, menu entry, the app's action under AppTest, the browser's click) ---


def nav(title: str) -> Callable[[Any], None]:
    def click(page: Any) -> None:
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=title, exact=True).click()

    return click


def tab(label: str) -> Callable[[Any], None]:
    return lambda page: page.get_by_role("tab", name=label, exact=True).click()


def generate(page: Any) -> None:
    page.locator(".st-key-fdr_generate button").click()


def first_action(page: Any) -> Any:
    return page.locator('[data-testid="stExpander"]').filter(
        has=page.locator('[class*="st-key-fdr_edit_"]')  # (hidden while the expander is shut)
    )


def open_first_action(page: Any) -> None:
    """Open the plan's first action (in the browser only: no run, not timed)."""
    first_action(page).first.locator("summary").first.click()


def edit_first_action(page: Any) -> None:
    """Ask for the first action's form."""
    first_action(page).first.get_by_role("button", name="Modifier l'action").click()


def save_first_action(page: Any) -> None:
    """Save the open form unchanged."""
    page.get_by_test_id("stForm").get_by_role("button", name="Enregistrer", exact=True).click()


def steps() -> list[tuple[str, str, Callable[[Any], Any], Callable[[Any], None]]]:
    from tests.pages_kit import open_tab

    def to(path: str) -> Callable[[Any], Any]:
        return lambda at: at.switch_page(path).run()

    def at_tab(label: str) -> Callable[[Any], Any]:
        return lambda at: open_tab(at, label)

    def at_generate(at: Any) -> Any:
        return at.button(key="fdr_generate").click().run()

    def at_edit(at: Any) -> Any:
        button = next(b for b in at.button if b.key and b.key.startswith("fdr_edit_"))
        return button.click().run()

    def at_save(at: Any) -> Any:
        button = next(b for b in at.button if b.label == "Enregistrer")
        return button.click().run()

    out = [
        ("Mes territoires", "Mes territoires", to("pages/accueil.py"), nav("Mes territoires")),
        ("Campagnes", "Campagnes", to("pages/campagne.py"), nav("Campagnes")),
        ("Résultats : Synthèse", "Résultats", to("pages/resultats.py"), nav("Résultats")),
    ]
    out += [(f"Résultats : {t}", "Résultats", at_tab(t), tab(t)) for t in result_tabs()]
    out += [
        ("Consensus", "Réunion de consensus", to("pages/consensus.py"), nav(CONSENSUS)),
        ("Feuille de route", ROADMAP, to("pages/feuille_de_route.py"), nav(ROADMAP)),
        ("Feuille de route : propositions", "Feuille de route", at_generate, generate),
        ("Feuille de route : modifier", "Feuille de route", at_edit, edit_first_action),
        ("Feuille de route : enregistrer", "Feuille de route", at_save, save_first_action),
        ("Comparaison", "Comparaison", to("pages/comparaison.py"), nav("Comparaison")),
        ("Atelier (console)", "Atelier", to("pages/atelier.py"), nav("Atelier")),
    ]  # fmt: skip
    return out


# --- recording the app's messages (AppTest, in this process, on the same base) --------------


def record(url: str, questions: Path, out: Path, menu: list[list[str]]) -> None:
    """Each step's messages as the app sends them (delta messages of its last run, fragments
    sent as plain elements), by menu entry and in order, into `out` (JSON) for the floor."""
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import local_script_runner as local

    os.environ.update(DATABASE_URL=url, LOAD_DEMO="true", QUESTIONS_DIR=str(questions))
    from diagnostic.settings import get_settings

    get_settings.cache_clear()
    # every run through app.py, as on the server (tests/conftest.py's `served`)
    script_runner._mpa_v1 = lambda path: runpy.run_path(path, run_name="__main__")
    last: list[bytes] = []
    original = local.LocalScriptRunner.run

    def keep(self: Any, *args: Any, **kwargs: Any) -> Any:
        tree = original(self, *args, **kwargs)
        kept = []
        for message in self.forward_msgs():
            if message.WhichOneof("type") != "delta":
                continue
            message.delta.fragment_id = ""
            kept.append(message.SerializeToString())
        last[:] = kept
        return tree

    local.LocalScriptRunner.run = keep  # type: ignore[method-assign]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.text_input(key="login_email").input(EMAIL)
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at.button[0].click().run()
    pages: dict[str, list[list[str]]] = {}
    for recorded in (False, True):  # a first pass brings the base where the rounds find it
        for name, title, act, _ in steps():  # (the plan proposed once, an action saved)
            at = act(at)
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception[0].value}")
            if recorded:
                pages.setdefault(title, []).append([base64.b64encode(m).decode() for m in last])
    local.LocalScriptRunner.run = original  # type: ignore[method-assign]
    out.write_text(json.dumps({"menu": menu, "pages": pages}), encoding="utf-8")


# --- the browser ----------------------------------------------------------------------------


def idle(page: Any) -> None:
    page.wait_for_function(IDLE, polling="raf", timeout=BROWSER_TIMEOUT)


def timed(page: Any, act: Callable[[Any], None]) -> float:
    """Seconds from the click to the animation frame after the `script_finished` message of
    the run it caused, once the page is idle and drawn (bench/common.py's probe counts those
    messages on the page's WebSocket: a short run is never missed, an idle page before the
    run starts never taken for its end)."""
    page.wait_for_timeout(300)  # the previous run's last messages are in
    before = page.evaluate("window.__bench.finished")
    started = time.perf_counter()
    act(page)
    page.wait_for_function(FRAMED, arg=before, polling="raf", timeout=BROWSER_TIMEOUT)
    return time.perf_counter() - started


def signed_in(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mes territoires").first.wait_for(timeout=BROWSER_TIMEOUT)
    idle(page)


PRELOADED = "() => window.diagnosticChartsLoaded === true || !window.diagnosticChartsPreloaded"


def journey(page: Any, url: str) -> dict[str, float]:
    signed_in(page, url)
    # The app loads the charts' code once per session while the page is idle
    # (pages/_preload.py): the clicks are timed once it is in, and its own time is reported
    # (the floor, which serves no component, has nothing to wait for).
    started = time.perf_counter()
    page.wait_for_function(PRELOADED, polling=100, timeout=BROWSER_TIMEOUT)
    out = {"(préchargement des graphiques)": time.perf_counter() - started}
    for name, _, _, click in steps():
        if click is edit_first_action:
            open_first_action(page)
        out[name] = timed(page, click)
    return out


def menu_of(browser: Any, url: str) -> list[list[str]]:
    """The app's menu for the coordinator: (icon name, title) of each entry."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    signed_in(page, url)
    links = page.get_by_test_id("stSidebarNavItems").get_by_role("link")
    menu = []
    for i in range(links.count()):
        words = links.nth(i).inner_text().split()  # the icon's ligature, then the title
        menu.append([words[0], " ".join(words[1:])])
    context.close()
    return menu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="sessions mesurées par serveur")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        return _run(Path(folder), args.rounds)


def _run(tmp: Path, rounds: int) -> int:
    url = f"sqlite:///{tmp / 'app.db'}"
    recordings = tmp / "recorded.json"
    print(f"charge de la machine au départ (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    times: dict[str, dict[str, list[float]]] = {"app": {}, "floor": {}}
    with running(url, None, tmp / "app.log", load_demo=True) as app, chromium() as browser:
        menu = menu_of(browser, app.url)
        started = time.perf_counter()
        record(url, ROOT / "questions", recordings, menu)
        print(f"enregistrement des pages (AppTest) : {time.perf_counter() - started:.1f} s")
        with running(
            url,
            None,
            tmp / "floor.log",
            script=FLOOR,
            settings={"FLOOR_RECORDINGS": str(recordings)},
        ) as bare:
            for n in range(rounds):
                for name, target in (("app", app.url), ("floor", bare.url)):
                    context = browser.new_context(**DESKTOP)
                    context.add_init_script(PROBE)
                    measured = journey(context.new_page(), target)
                    context.close()
                    for what, seconds in measured.items():
                        times[name].setdefault(what, []).append(seconds)
                print(f"tour {n + 1} fait", flush=True)
    print(f"charge à la fin : {os.getloadavg()[0]:.1f}")
    report(times)
    return 0


def report(times: dict[str, dict[str, list[float]]]) -> None:
    print()
    print("| page, clic | app, médiane | app, p95 | plancher, médiane | rapport | cible |")
    print("|---|---|---|---|---|---|")
    for what, values in times["app"].items():
        floor = statistics.median(times["floor"][what])
        median = statistics.median(values)
        p95 = percentile(values, 95)
        if what.startswith("("):  # not a click: once per session, before the clicks
            print(f"| {what} | {median:.2f} s | {p95:.2f} s | — | — | une fois par session |")
            continue
        ratio = median / floor
        met = "atteinte" if ratio <= TARGET_RATIO and p95 <= TARGET_P95 else "MANQUÉE"
        print(f"| {what} | {median:.2f} s | {p95:.2f} s | {floor:.2f} s | {ratio:.2f} | {met} |")


if __name__ == "__main__":
    raise SystemExit(main())
