"""How long the questionnaire takes: inputs counted, the app's time measured in Chromium.

Two parts, for the full and the short questionnaire of the current version:

- Inputs, counted from the questionnaire itself: a current/target item is 2 inputs (current,
  target) plus 1 for importance; a maturity item, a single choice or an agreement statement 1;
  a grid rows x columns (2 columns with the desired level); a ranking its N places; a multiple
  choice the options a respondent ticks (assumed: a third of them); a free text 1 (optional).
  Every question is counted, even those shown only under a condition (an upper bound).
- The app's own time per input, measured: a real `streamlit run` (SQLite, one respondent) driven
  by Debian's Chromium, headless (`tests/live.py`). The pass opens the respondent's link, starts,
  and in every part clicks one option of every radio group on the page (levels, importance,
  choices, agreement, grid cells drawn as radios), then « Partie suivante → ». Each click is timed
  in the page from its `pointerdown` to the first animation frame where the rerun it caused is
  finished and drawn (the probe of `bench/browser_bench.py`); each change of part likewise.

The estimate adds a reading and deciding time per item, an assumption stated in the output
(`SCENARIOS`): the words shown, read at 200 to 300 words a minute, plus 1.5 to 3 s to decide
each input; the central case (250 words a minute, 2 s) sets `estimated_minutes`.

    .venv/bin/python bench/questionnaire_time.py              # full and short, ~3 minutes
    .venv/bin/python bench/questionnaire_time.py --no-browser # the count and the estimate only
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import IDLE, PROBE, database, questions_folder  # noqa: E402
from diagnostic.questionnaire import (  # noqa: E402
    Question,
    Questionnaire,
    QuestionType,
    load_questionnaire,  # noqa: E402
)
from tests.live import CHROMIUM, chromium, drawn, running  # noqa: E402

FULL = ROOT / "questions" / "questionnaires" / "gouvernance.yaml"
SHORT = ROOT / "questions" / "questionnaires" / "gouvernance-court.yaml"
TIMEOUT = 120_000  # ms, for one wait: the machine may be shared

# Reading, from the words actually shown (item, help, level descriptions, options, rows, the
# scale of a grid or an agreement statement once), at a reading speed for careful reading of
# administrative French; then deciding and clicking, per input. Assumptions, stated in the output.
# (words per minute, seconds to decide one input): a quick reader who skims the levels, the
# central case used for `estimated_minutes`, and a careful reader.
SCENARIOS = {"rapide": (300, 1.5), "central": (250, 2.0), "attentif": (200, 3.0)}
WORDS_PER_MINUTE, DECIDE_SECONDS = SCENARIOS["central"]
TEXT_SECONDS = 60.0  # a free text written (one respondent in three writes each: 20 s on average)
TEXT_SHARE = 1 / 3
NAVIGATION_SECONDS = 5.0  # per part: intro read elsewhere, « Partie suivante », new heading
INTRO_WORDS = 250  # the welcome page and the notice « Avant de commencer »

FRAMED = f"""() => {{
  const b = window.__bench;
  if (b.framed <= b.before || !({IDLE})()) return false;
  return performance.now() - b.t0;
}}"""


@dataclass
class Count:
    inputs: int = 0
    reading: float = 0.0  # reading, deciding and writing, seconds
    items: int = 0
    words: int = 0


def words(text: str | None) -> int:
    return len((text or "").split())


def words_of(q: Questionnaire, question: Question) -> int:
    """Words a respondent reads for one question."""
    n = words(question.text) + words(question.help)
    n += sum(words(t) for t in (question.level_descriptions or {}).values())
    n += sum(words(o.label) + words(o.help) for o in question.options or [])
    n += sum(words(r.label) + words(r.help) for r in question.rows or [])
    if question.type == QuestionType.GRID or (question.scale and not question.level_descriptions):
        scale = q.scale_of(question)
        n += sum(words(lv.label) + words(lv.description) for lv in scale.levels.values())
    return n


def inputs_of(question: Question) -> int:
    """The inputs a respondent makes on one question (see the module docstring)."""
    t = question.type
    if t == QuestionType.CURRENT_TARGET:
        return 2 + (1 if question.importance else 0)
    if t == QuestionType.GRID:
        return len(question.rows or []) * (2 if question.desired else 1)
    if t == QuestionType.RANKING:
        return question.max_choices or len(question.options or [])
    if t == QuestionType.MULTIPLE_CHOICE:
        return max(1, math.ceil(len(question.options or []) / 3))
    return 1


def count(q: Questionnaire, wpm: float = WORDS_PER_MINUTE, decide: float = DECIDE_SECONDS) -> Count:
    c = Count()
    n_words = INTRO_WORDS + sum(words(s.intro) for s in q.sections)
    for question in q.questions():
        c.items += 1
        if question.type == QuestionType.TEXT:
            c.reading += TEXT_SHARE * TEXT_SECONDS + words(question.text) * 60 / wpm
            c.inputs += 1
            continue
        n = inputs_of(question)
        c.inputs += n
        n_words += words_of(q, question)
        c.reading += n * decide
    c.words = n_words
    c.reading += n_words * 60 / wpm
    return c


def browser_pass(q: Questionnaire, tmp: Path, url: str) -> tuple[list[float], list[float]]:
    """Drive one respondent through every part; the app's time per click and per change of part
    (milliseconds, from the pointerdown to the first frame where the rerun is drawn)."""
    from diagnostic.store.engine import build_engine, migrate
    from tests.factories import make_world

    questions = questions_folder(tmp)
    engine = build_engine(url)
    migrate(engine)
    world = make_world(engine, questionnaire=(q.id, q.version), n_participants=1)
    engine.dispose()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    clicks: list[float] = []
    parts: list[float] = []
    missed = 0
    with running(url, questions, tmp / f"{q.id}.log") as app, chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.add_init_script(PROBE)
        page = context.new_page()
        page.goto(app.link(world.tokens[0]))
        page.get_by_role("button", name="Commencer le questionnaire").click(timeout=TIMEOUT)
        drawn(page, TIMEOUT)
        for _ in range(len(q.sections)):
            groups = page.get_by_role("radiogroup")
            i = 0
            while i < groups.count():  # a condition met may add a question below
                options = groups.nth(i).get_by_role("radio")
                n = options.count()
                if n:
                    target = options.nth(min(2, n - 1))
                    target.scroll_into_view_if_needed()
                    if not target.is_checked():  # a checked option causes no rerun
                        target.click(force=True)
                        try:
                            handle = page.wait_for_function(FRAMED, polling="raf", timeout=15000)
                            clicks.append(handle.json_value())
                        except PlaywrightTimeout:
                            missed += 1
                        drawn(page, TIMEOUT)
                i += 1
            following = page.get_by_role("button", name="Partie suivante →")
            if not following.count():
                break
            following.click()
            handle = page.wait_for_function(FRAMED, polling="raf", timeout=TIMEOUT)
            parts.append(handle.json_value())
            drawn(page, TIMEOUT)
        context.close()
    if missed:
        print(f"  ({missed} clic(s) sans nouvelle exécution, non comptés)")
    return clicks, parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="sans mesure dans Chromium")
    args = parser.parse_args(argv)
    print(f"charge de la machine au départ (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    for path in (FULL, SHORT):
        q = load_questionnaire(path)
        c = count(q)
        print(
            f"\n« {q.id} » {q.version} : {c.items} questions, {c.inputs} saisies, "
            f"{len(q.sections)} parties ; durée annoncée {q.estimated_minutes} min"
        )
        per_input_ms = 150.0  # bench/browser_bench.py's click → re-rendered, when not measured
        per_part_ms = 1000.0
        if not args.no_browser and Path(CHROMIUM).exists():
            tmp = Path(tempfile.mkdtemp(prefix="diag-time-bench-"))
            try:
                with database("sqlite", tmp) as url:
                    started = time.perf_counter()
                    clicks, parts = browser_pass(q, tmp, url)
                    wall = time.perf_counter() - started
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            if not clicks:
                print("  navigateur : aucun clic mesuré (voir le journal du serveur)")
                continue
            per_input_ms = statistics.median(clicks)
            per_part_ms = statistics.median(parts) if parts else per_part_ms
            print(
                f"  navigateur : {len(clicks)} clics, médiane {per_input_ms:.0f} ms "
                f"(p90 {sorted(clicks)[int(0.9 * (len(clicks) - 1))]:.0f} ms) ; "
                f"{len(parts)} changements de partie, médiane {per_part_ms:.0f} ms ; "
                f"passage complet, serveur compris : {wall:.0f} s"
            )
        app = c.inputs * per_input_ms / 1000 + len(q.sections) * per_part_ms / 1000
        navigation = len(q.sections) * NAVIGATION_SECONDS
        print(
            f"  {c.words} mots à lire ; attente de l'application : {app / 60:.1f} min ; "
            f"navigation : {navigation / 60:.1f} min"
        )
        for name, (wpm, decide) in SCENARIOS.items():
            reading = count(q, wpm, decide).reading
            total = app + navigation + reading
            print(
                f"  lecteur {name} ({wpm} mots/min, {decide} s par saisie) : lecture, décision "
                f"et textes {reading / 60:.1f} min ; total {total / 60:.0f} min"
            )
    print(
        f"\nhypothèses : texte libre {TEXT_SECONDS:.0f} s écrit par un·e répondant·e sur trois ; "
        f"{NAVIGATION_SECONDS} s par changement de partie ; accueil {INTRO_WORDS} mots"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
