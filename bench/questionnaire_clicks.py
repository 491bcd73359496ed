"""Clicks per questionnaire (issue 18): the whole questionnaire filled in Chromium, every click
counted, the stored answers compared with what was meant.

The answers are those the demo gives the first respondent of its first territory
(`diagnostic.demo.generate_answers` with `load_demo`'s seed and that person's profile, role and
structure: the same 72 answers `load_demo` stores for them), so that the profile is not chosen
to suit the shortcuts. A person clicks: the start button, each option of a radio (a choice
already made by the invitation's prefill costs nothing), one tap in a free-text field (the
typing is counted apart, in characters), a list's opening and each option in a multiple choice
or a ranking (the list stays open between options when it does), the grid shortcuts, « Partie
suivante → » and « Envoyer mes réponses ». Leaving a field or a list with the keyboard is not
counted (the next click does it).

Two ways, each on its own respondent:
- « sans raccourcis »: one click per cell of a grid;
- « avec raccourcis »: in a grid, a row equal to the row above takes « ↳ Même réponse que la
  ligne précédente » when the button is shown (row empty, row above complete); a grid with at
  least two rows whose desired level equals today's (a level, not « nsp ») leaves them empty
  and ends with « Reporter le niveau d'aujourd'hui dans « Souhaitée » » (one click).

Run by `bench/browser_bench.py --only clicks`.
"""

from __future__ import annotations

import inspect
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bench.common import BROWSER_TIMEOUT, PROBE, click_option, pause
from diagnostic.questionnaire import Question, Questionnaire, QuestionType
from diagnostic.questionnaire.codecs import DONT_KNOW, Grid, codec_for, normalize

Raw = dict[str, Any]
NAVIGATION = "navigation (commencer, parties, envoyer)"
# Scrolls the list's scrolling box by `step` pixels (0: back to the top); whether more is below.
SCROLL = """(list, step) => {
  const box = [list, ...list.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 2);
  if (!box) return false;
  box.scrollTop = step ? box.scrollTop + step : 0;
  return box.scrollTop + box.clientHeight < box.scrollHeight - 1;
}"""


def demo_profile(q: Questionnaire, questions_dir: Path) -> tuple[str, dict[str, Raw]]:
    """Who (in words) and the raw answers the demo generates for the first respondent of its
    first territory: the first draw of `load_demo`'s generator goes to that person."""
    from diagnostic.demo import generate_answers, load_demo, load_demo_file

    demo = load_demo_file(questions_dir)
    spec = demo.territories[0]
    person = spec.participants[0]
    seed = inspect.signature(load_demo).parameters["seed"].default
    answers = generate_answers(
        q,
        spec.profile,
        random.Random(seed),
        at_epci=person.structure == "epci",
        role=demo.role_answers.get(person.role, person.role),
        said={},
    )
    who = f"{person.name or person.role} ({person.role}, {spec.name})"
    return who, answers


def grid_steps(question: Question, raw: Raw, shortcuts: bool) -> list[tuple[str, ...]]:
    """The clicks that give a grid the answer `raw`, in order: ("cell", row, column),
    ("same", row) or ("desired",). Worked out with the page's own logic (Grid.same_as_previous,
    Grid.desired_as_current) on the widgets' values as they fill."""
    codec = cast(Grid, codec_for(question))
    columns = codec.columns(question)
    rows: dict[str, dict[str, Any]] = raw.get("rows") or {}
    later: set[str] = set()
    if shortcuts and "desired" in columns:
        later = {
            r
            for r, cells in rows.items()
            if cells["current"] != DONT_KNOW and cells.get("desired") == cells["current"]
        }
        later = later if len(later) >= 2 else set()
    shown: dict[str, Any] = {}
    steps: list[tuple[str, ...]] = []
    for row in question.rows or []:
        cells = rows.get(row.id)
        if not cells:
            continue
        wanted = {codec.key(question, row.id, c): cells.get(c) for c in columns}
        if shortcuts and codec.same_as_previous(question, shown, row.id) == wanted:
            steps.append(("same", row.id))
            shown.update(wanted)
            continue
        for c in columns:
            if c in cells and not (c == "desired" and row.id in later):
                steps.append(("cell", row.id, c))
                shown[codec.key(question, row.id, c)] = cells[c]
    if later:
        copied = codec.desired_as_current(question, shown)
        assert copied == {codec.key(question, r, "desired"): rows[r]["current"] for r in later}
        steps.append(("desired",))
    return steps


@dataclass
class Tally:
    """Clicks by what they answer (a question type's label, or the navigation)."""

    clicks: Counter[str] = field(default_factory=Counter)
    shortcuts: Counter[str] = field(default_factory=Counter)
    typed: int = 0  # characters typed in free texts

    @property
    def total(self) -> int:
        return sum(self.clicks.values())


class Respondent:
    """One person filling the questionnaire through the widgets of `page`, counting clicks."""

    def __init__(self, page: Any, q: Questionnaire, shortcuts: bool) -> None:
        self.page, self.q, self.shortcuts, self.tally = page, q, shortcuts, Tally()

    def click(self, kind: str, target: Any) -> None:
        target.scroll_into_view_if_needed()
        pause(self.page, lambda: target.click())
        self.tally.clicks[kind] += 1

    def radio(self, kind: str, key: str, index: int) -> None:
        radio = self.page.locator(f'.st-key-{key} [data-testid="stRadioOption"] input').nth(index)
        chosen = radio.count() and radio.is_checked()
        if not click_option(self.page, key, index):
            raise RuntimeError(f"{key} : option {index} absente ou désactivée")
        self.tally.clicks[kind] += 0 if chosen else 1

    def answer(self, question: Question, raw: Raw) -> None:
        t, key, kind = question.type, f"q_{question.id}", codec_for(question).label
        dk = bool(raw.get("dont_know"))
        if t in (QuestionType.SINGLE_CHOICE, QuestionType.MATURITY):
            values: list[Any] = (
                [o.id for o in question.options]
                if question.options
                else list(self.q.scale_of(question).values)
            )
            chosen = raw.get("choice" if t == QuestionType.SINGLE_CHOICE else "level")
            self.radio(kind, key, len(values) if dk else values.index(chosen))
        elif t == QuestionType.CURRENT_TARGET:
            values = list(self.q.scale_of(question).values)
            if dk:
                self.radio(kind, f"{key}_current", len(values))
                return
            self.radio(kind, f"{key}_current", values.index(raw["current"]))
            self.radio(kind, f"{key}_target", values.index(raw["target"]))
            if question.importance:
                self.radio(kind, f"{key}_importance", raw["importance"] - 1)
        elif t == QuestionType.GRID:
            self.grid(question, raw, kind)
        elif t in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
            self.options(question, raw.get("choices") or raw.get("ranking") or [], kind)
        elif t == QuestionType.TEXT:
            self.text(question, raw["text"], kind)

    def grid(self, question: Question, raw: Raw, kind: str) -> None:
        values = list(self.q.scale_of(question).values) + [DONT_KNOW]
        key, rows = f"q_{question.id}", raw.get("rows") or {}
        for step in grid_steps(question, raw, self.shortcuts):
            if step[0] == "cell":
                _, row, column = step
                self.radio(kind, f"{key}_{row}_{column}", values.index(rows[row][column]))
            else:
                where, name = (
                    (f"{key}_{step[1]}_same", "Même réponse que la ligne précédente")
                    if step[0] == "same"
                    else (f"{key}_desired", "Reporter le niveau d'aujourd'hui")
                )
                button = self.page.locator(f".st-key-{where}").get_by_role("button", name=name)
                self.click(kind, button)
                self.tally.shortcuts[step[0]] += 1

    def options(self, question: Question, chosen: list[str], kind: str) -> None:
        labels = {o.id: o.label for o in question.options or []}
        box = self.page.locator(f".st-key-q_{question.id} input").first
        listbox = self.page.locator("[role=listbox]:visible")
        for option in chosen:
            if not listbox.count():
                box.scroll_into_view_if_needed()
                box.click()  # opens the list: a click
                self.tally.clicks[kind] += 1
                listbox.first.wait_for(timeout=BROWSER_TIMEOUT)
            item = self.page.get_by_role("option", name=labels[option], exact=True).first
            self.scroll_to(listbox.first, item)
            pause(self.page, lambda item=item: item.click())
            self.tally.clicks[kind] += 1
        self.page.keyboard.press("Escape")  # a person's next click closes it

    def scroll_to(self, listbox: Any, item: Any) -> None:
        """Scroll the open list (it draws only the options in view) until `item` is drawn:
        the wheel, not a click."""
        for step in [0] + [120] * 80:
            more = listbox.evaluate(SCROLL, step)
            self.page.wait_for_timeout(120)  # the list draws the options now in view
            if item.count() or not more:
                break
        item.scroll_into_view_if_needed(timeout=5000)

    def text(self, question: Question, text: str, kind: str) -> None:
        from playwright.sync_api import expect

        area = self.page.locator(f".st-key-q_{question.id}_texte textarea")
        area.scroll_into_view_if_needed()
        area.click()  # the tap into the field
        self.tally.clicks[kind] += 1
        area.fill(text)
        self.tally.typed += len(text)
        area.press("Tab")  # leaving the field sends it (a person's next click does)
        status = self.page.locator(f".st-key-q_{question.id}_texte .as-status")
        expect(status).to_have_text("Enregistré", timeout=30000)


def fill(
    browser: Any, q: Questionnaire, link: str, answers: Mapping[str, Raw], shortcuts: bool
) -> Tally:
    """The whole questionnaire answered `answers` through its widgets, then sent."""
    from playwright.sync_api import expect

    from tests.live import drawn

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.add_init_script(PROBE)
    page = context.new_page()
    person = Respondent(page, q, shortcuts)
    page.goto(link)
    start = page.get_by_role("button", name="Commencer le questionnaire")
    start.wait_for(timeout=BROWSER_TIMEOUT)
    person.click(NAVIGATION, start)
    drawn(page, BROWSER_TIMEOUT)
    done: set[str] = set()
    while True:
        heading = page.locator("h2").filter(has_text=re.compile(r"^\d+\. ")).first
        title = re.sub(r"^\d+\. ", "", heading.inner_text().strip())
        section = next(s for s in q.sections if s.title == title)
        for question in section.questions:
            if question.id in answers:
                # a question shown under a condition appears once its condition is met
                if not page.locator(f".st-key-card_{question.id}").count():
                    raise RuntimeError(f"{question.id} : question absente de la page")
                person.answer(question, answers[question.id])
                done.add(question.id)
        following = page.get_by_role("button", name="Partie suivante →")
        if not following.count():
            break
        person.click(NAVIGATION, following)
    if missing := set(answers) - done:
        raise RuntimeError(f"réponses non données : {sorted(missing)}")
    person.click(NAVIGATION, page.get_by_role("button", name="Envoyer mes réponses"))
    expect(page.get_by_text("Vos réponses ont été envoyées")).to_be_visible(timeout=30000)
    context.close()
    return person.tally


def differences(
    engine: Any, participant_id: int, q: Questionnaire, answers: Mapping[str, Raw]
) -> list[str]:
    """What the database holds for the participant that differs from `answers` (normalised as
    the app stores them): an empty list when no information was lost nor added."""
    from diagnostic.store import answers as store
    from diagnostic.store.engine import session_scope

    meant = {qid: normalize(q, q.question(qid), raw).value for qid, raw in answers.items()}
    with session_scope(engine) as session:
        stored = store.answers_of(session, participant_id=participant_id)
    return [
        f"{qid} : attendu {meant.get(qid)!r}, enregistré {stored.get(qid)!r}"
        for qid in sorted(set(meant) | set(stored))
        if meant.get(qid) != stored.get(qid)
    ]


def by_type(q: Questionnaire, answers: Mapping[str, Raw]) -> Counter[str]:
    """How many answered questions of each type (by the codec's label)."""
    return Counter(codec_for(q.question(qid)).label for qid in answers)
