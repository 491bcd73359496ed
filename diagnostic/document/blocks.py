"""The document's building blocks, what every section reads, and the French number formats."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from diagnostic.analytics.summary import format_number
from diagnostic.document.charts import Chart
from diagnostic.questionnaire import Question
from diagnostic.results.model import CampaignResults, Labels
from diagnostic.roadmap.model import HORIZON_LABELS, LegalDuty, PlanItem, RoadmapDraft
from diagnostic.roadmap.proposals import current_duty
from diagnostic.roadmap.references import Library
from diagnostic.vocabulary import count

DASH = "–"
GLUE = re.compile(r"(?<=«) | (?=[»:;?!%])")


@dataclass(frozen=True)
class Heading:
    level: int  # 1, 2 or 3
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""  # printed in bold before the text
    note: bool = False  # smaller, for method notes and sources


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative widths of the columns
    key: str = ""


@dataclass(frozen=True)
class Picture:
    key: str  # a chart key of diagnostic.document.charts
    caption: str
    alt: str


@dataclass(frozen=True)
class Quotation:
    """Words quoted as they were written (a free text, a consensus rationale): the writers add
    the guillemets and set them apart; `source` says at most which group wrote them."""

    text: str
    source: str = ""


Block = Heading | Paragraph | Bullets | Table | Picture | Quotation


@dataclass(frozen=True)
class Cover:
    title: str
    subtitle: str
    territory: str
    facts: tuple[tuple[str, str], ...]
    notice: str


@dataclass(frozen=True)
class Document:
    """Everything a writer prints: the title page, then the blocks in order."""

    cover: Cover
    blocks: tuple[Block, ...]
    title: str
    subject: str
    author: str
    language: str
    day: date  # the day the draft was established


@dataclass(frozen=True)
class Answer:
    """The most frequent answer to a single-choice question (ties go to the first option)."""

    option_id: str
    label: str
    count: int
    n: int
    tie: bool

    @property
    def share(self) -> str:
        return f"{self.count} sur {self.n}" + (" (à égalité)" if self.tie else "")


@dataclass(frozen=True)
class Context:
    """What every section reads: the inputs and a few look-ups computed once."""

    draft: RoadmapDraft
    results: CampaignResults
    library: Library | None
    names: Labels
    charts: dict[str, Chart]
    min_group: int
    numbers: tuple[str, ...]  # « A1 », « A2 »… in plan order

    def axis(self, dimension: str) -> str:
        """The title of a dimension (an axis of the plan)."""
        titles = self.draft.dimension_titles
        return titles.get(dimension) or self.names.dimensions.get(dimension, dimension)

    def item(self, question_id: str) -> str:
        """An item's wording without its final full stop."""
        return short(self.names.items.get(question_id, question_id))

    def picture(self, key: str) -> list[Block]:
        chart = self.charts.get(key)
        return [Picture(key, chart.caption, chart.alt)] if chart else []

    def question(self, question_id: str) -> Question | None:
        try:
            return self.results.questionnaire.question(question_id)
        except KeyError:
            return None

    def most_frequent(self, question_id: str) -> Answer | None:
        """The most frequent answer to a single-choice question, None when unanswered."""
        rows = self.results.choices
        rows = rows.loc[rows["question_id"] == question_id]
        if rows.empty or not int(rows["n"].max()):
            return None
        rows = rows.sort_values(["count", "position"], ascending=[False, True])
        best = rows.iloc[0]
        tie = len(rows) > 1 and rows.iloc[1]["count"] == best["count"]
        option = str(best["option_id"])
        label = self.names.options.get(question_id, {}).get(option, option)
        return Answer(option, label, int(best["count"]), int(best["n"]), bool(tie))

    def checked(self, question_id: str, option_id: str) -> tuple[int, int] | None:
        """How many respondents checked an option of a multiple choice, out of how many."""
        rows = self.results.choices
        rows = rows.loc[(rows["question_id"] == question_id) & (rows["option_id"] == option_id)]
        if rows.empty or not int(rows["n"].iloc[0]):
            return None
        return int(rows["count"].iloc[0]), int(rows["n"].iloc[0])

    def article(self, question_id: str) -> str:
        """The legal article a context question cites: from the library, else its help text."""
        question = self.question(question_id)
        if question is None:
            return DASH
        for ref_id in question.references:
            ref = self.library.reference(ref_id) if self.library else None
            if ref is not None and ref.article:
                return ref.article
        found = re.findall(r"L\d{4}-\d+(?:-\d+)*", question.help or "")
        return f"CGCT, art. {found[0]}" if found else DASH

    def owner(self, item: PlanItem) -> str:
        return item.owner or str(item.details.get("pilot") or "") or "à désigner"

    def duty(self, item: PlanItem) -> LegalDuty | None:
        """The legal obligation that puts the action first, on the document's day."""
        return current_duty(item, self.draft.situation)

    def horizon(self, item: PlanItem) -> str:
        """When the action is due: its legal duty's day when it has one (« Sans attendre
        (échéance dépassée le 22 octobre 2026) »), whatever horizon was chosen; else its
        horizon."""
        duty = self.duty(item)
        return duty.when() if duty else HORIZON_LABELS.get(item.horizon or "", "à fixer")


def number(value: object, digits: int = 0) -> str:
    """A number the French way (halves up, decimal comma); a dash when missing."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return DASH
    return format_number(float(value), digits)  # type: ignore[arg-type]


def score(value: object) -> str:
    """A 0-100 score rounded as diagnostic/results/tables.py rounds it, so text and tables agree."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return DASH
    return str(int(np.round(float(value))))  # type: ignore[arg-type]


def difference(a: object, b: object) -> str:
    """a − b between two scores as printed, so that the reader's subtraction gives the same."""
    if score(a) == DASH or score(b) == DASH:
        return DASH
    return str(int(score(a)) - int(score(b)))


def cell(value: object) -> str:
    """A table cell: text as is, whole numbers without decimals, a dash when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return DASH
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        whole = float(value).is_integer()
        return str(int(value)) if whole else repr(float(value)).replace(".", ",")
    return str(value)


def frame_table(frame: pd.DataFrame, widths: Sequence[float], key: str = "") -> Table:
    """A display table of diagnostic/results/tables.py as a document table."""
    rows = tuple(tuple(cell(v) for v in record) for record in frame.itertuples(index=False))
    return Table(tuple(str(c) for c in frame.columns), rows, tuple(widths), key)


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    """« 1 action », « 3 actions » (or the given plural): see vocabulary.count."""
    return count(n, word, plural_word or word + "s")


def share_of(n: int, total: int, word: str, plural_word: str | None = None) -> str:
    """« sur les 9 dimensions » when all of them, « sur 7 des 9 dimensions », « sur 1 dimension
    sur 9 » (never the clumsy « sur 9 dimensions sur 9 »); `total` 1: « sur 1 dimension »."""
    many = plural_word or word + "s"
    if n == total and n > 1:
        return f"sur les {n} {many}"
    if n > 1:
        return f"sur {n} des {total} {many}"
    return f"sur {plural(n, word, many)}" + (f" sur {total}" if total > 1 else "")


def typography(text: str) -> str:
    """French spacing for print: no line break after « nor before » : ; ? ! %."""
    return GLUE.sub("\u00a0", text)


def short(text: str) -> str:
    """A sentence quoted inside another: without its final full stop."""
    return text.rstrip(" .")
