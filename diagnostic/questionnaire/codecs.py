"""One codec per question type: everything the app knows about the shape of an answer.

A codec says, for its type, which keys the questionnaire page gives its widgets and what a
stored answer shows in them, which raw answer the widgets make, how a raw answer is checked
and normalised before it is stored, how a line of a paper import reads, and which rows the
answer gives in the tidy frames of the analytics. The page, the answering service, the paper
import and the analytics all go through it, so adding a question type means its schema
(schema.QuestionType and the fields it uses), one codec here and one render function in
pages/_question_widgets.py.

A raw answer is a dict: {"dont_know": True} for « Je ne sais pas » wherever the question
allows it, otherwise the fields of its type ({"level": 3}, {"current": 2, "target": 4,
"importance": 3}, {"choice": "epci"}, {"choices": [...]}, {"ranking": [...]},
{"rows": {row: {"current": 1, "desired": 3}}}, {"text": "..."}). Pure: no service, no
database, no Streamlit.
"""

from __future__ import annotations

import math
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from diagnostic.errors import DiagnosticError
from diagnostic.questionnaire.schema import Question, Questionnaire, QuestionType

DONT_KNOW = "nsp"  # the "Je ne sais pas / sans objet" choice wherever it is allowed
DONT_KNOW_LABEL = "Je ne sais pas / sans objet"
IMPORTANCE_LABELS = {1: "secondaire", 2: "importante", 3: "prioritaire"}
Raw = dict[str, Any]
Tidy = tuple[str, list[tuple[Any, ...]]]  # a frame of analytics.frames.Responses and its rows


class AnswerError(DiagnosticError, ValueError):
    """An answer that does not fit its question (French message for the user)."""


@dataclass(frozen=True)
class NormalizedAnswer:
    """An answer ready to store: the JSON value and the numbers the database aggregates."""

    value: dict[str, Any]
    dont_know: bool = False
    level: int | None = None
    target: int | None = None
    importance: int | None = None


def clean_text(text: str, max_length: int) -> str:
    """Strip control characters (keeping line breaks and tabs) and enforce a length limit."""
    kept = "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"}
    )
    kept = kept.replace("\t", " ").strip()
    if len(kept) > max_length:
        raise AnswerError(f"le texte dépasse {max_length} caractères ({len(kept)})")
    return kept


def whole_number(text: str) -> int | None:
    """The integer a cell holds, None when it holds none (or one no database could store)."""
    try:
        value = int(text)
    except ValueError:
        return None
    return value if abs(value) < 2**63 else None


def said_level(q: Questionnaire, question: Question, value: Any) -> str:
    """A level as a person reads it: « 3 — Intermédiaire », or « je ne sais pas »."""
    if value == DONT_KNOW:
        return "je ne sais pas"
    level = q.scale_of(question).levels.get(value) if isinstance(value, int) else None
    return f"{value} — {level.label}" if level else str(value)


def _option_labels(question: Question) -> dict[Any, str]:
    return {o.id: o.label for o in question.options or []}


class Codec(ABC):
    """The shape of one question type's answers (see the module docstring)."""

    label = ""  # the type in words, for messages
    field = ""  # the key of the answer's value, for the types that hold one
    paper_columns: tuple[str, ...] = ("value",)  # the cells a paper line of this type fills
    free_text = False  # « nsp » on paper is an answer's text, not « Je ne sais pas »
    stateful = True  # the widgets keep their value in the session (not redrawn from the data)

    def key(self, question: Question, *parts: str) -> str:
        """The key of the question's widget, or of one of its parts."""
        return "_".join(["q", question.id, *parts])

    @abstractmethod
    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        """What a stored answer shows in the question's widgets, by widget key."""

    @abstractmethod
    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        """The raw answer the widgets' values make."""

    @abstractmethod
    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        """A raw answer (not « Je ne sais pas ») checked against its question, ready to store."""

    def is_answered(self, question: Question, value: Raw) -> bool:
        """Whether a stored value (not « Je ne sais pas ») completely answers the question."""
        return value.get(self.field) is not None

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        """The raw answer of a paper line's cells (paper_columns, not all empty)."""
        return {self.field: cells["value"]}

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        """The answer in words, as the person gave it (levels with their label, options'
        labels): what a respondent reads in « Mes données » and the answers export."""
        return str(value.get(self.field) or "")

    def ordinal(self, question: Question) -> bool:
        """Whether the answers are levels of an ordered scale (the items of the analytics)."""
        return False

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        """The rows a stored answer gives in the tidy frames (items, choices, rankings, grids)."""
        return "items", []


def _level(q: Questionnaire, question: Question, raw: Any, what: str) -> int | None:
    if raw is None:
        return None
    values = q.scale_of(question).values
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in values:
        raise AnswerError(f"{what} : niveau {raw!r} hors de l'échelle ({values[0]} à {values[-1]})")
    return raw


def _in_scale(q: Questionnaire, question: Question, v: Any) -> float:
    """The level as a float if it is one of the scale's values, NaN otherwise."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return math.nan
    return float(v) if v in q.scale_of(question).values else math.nan  # NaN is not in


def _item(
    dont_know: bool, current: float, target: float = math.nan, importance: float = math.nan
) -> Tidy:
    """One ordinal item: « Je ne sais pas », or a level in the scale; no row when the answer
    holds none (its level left the scale, or the question changed type since)."""
    if dont_know:
        return "items", [(True, math.nan, math.nan, math.nan)]
    if math.isnan(current) and math.isnan(target):
        return "items", []
    return "items", [(False, current, target, importance)]


class _OneChoice(Codec):
    """One widget whose « Je ne sais pas » is one of its choices."""

    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        shown = DONT_KNOW if value.get("dont_know") else value.get(self.field)
        return {self.key(question): shown}

    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        chosen = widgets.get(self.key(question))
        return {"dont_know": True} if chosen == DONT_KNOW else {self.field: chosen}


class Maturity(_OneChoice):
    """One level 1-5, each level described in words."""

    label = "niveau de maturité"
    field = "level"

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        level = value.get("level")
        return said_level(q, question, level) if level is not None else ""

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        level = _level(q, question, raw.get("level"), "niveau")
        return NormalizedAnswer({"level": level}, level=level)

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        level = whole_number(cells["value"])
        return {"level": level if level is not None else cells["value"]}

    def ordinal(self, question: Question) -> bool:
        return True

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        return _item(dont_know, _in_scale(q, question, value.get("level")))


IMPORTANCES = (1, 2, 3)


class CurrentTarget(Codec):
    """The current and the target level on the same scale, and optionally an importance."""

    label = "niveau actuel et visé"
    paper_columns = ("current", "target", "importance")

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        parts = []
        if value.get("current") is not None:
            parts.append(f"actuel : {said_level(q, question, value['current'])}")
        if value.get("target") is not None:
            parts.append(f"visé : {said_level(q, question, value['target'])}")
        if value.get("importance") is not None:
            parts.append(f"importance : {IMPORTANCE_LABELS.get(value['importance'], '?')}")
        return " ; ".join(parts)

    def parts(self, question: Question) -> list[str]:
        return ["current", "target", "importance"] if question.importance else ["current", "target"]

    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        shown = {part: value.get(part) for part in self.parts(question)}
        if value.get("dont_know"):
            shown["current"] = DONT_KNOW
        return {self.key(question, part): v for part, v in shown.items()}

    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        if widgets.get(self.key(question, "current")) == DONT_KNOW:
            return {"dont_know": True}
        return {p: widgets.get(self.key(question, p)) for p in ("current", "target", "importance")}

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        current = _level(q, question, raw.get("current"), "niveau actuel")
        target = _level(q, question, raw.get("target"), "niveau visé")
        importance = raw.get("importance")
        if importance is not None and importance not in IMPORTANCES:
            raise AnswerError("importance : 1, 2 ou 3")
        value = {"current": current, "target": target, "importance": importance}
        return NormalizedAnswer(value, level=current, target=target, importance=importance)

    def is_answered(self, question: Question, value: Raw) -> bool:
        return all(value.get(part) is not None for part in self.parts(question))

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        return dict(cells)

    def ordinal(self, question: Question) -> bool:
        return True

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        w = value.get("importance")
        importance = float(w) if w in IMPORTANCES and not isinstance(w, bool) else math.nan
        current = _in_scale(q, question, value.get("current"))
        return _item(dont_know, current, _in_scale(q, question, value.get("target")), importance)


def _choice_ids(q: Questionnaire, question: Question) -> set[Any]:
    if question.options:
        return {o.id for o in question.options}
    return set(q.scale_of(question).values)


class SingleChoice(_OneChoice):
    """One option, or one level of a scale (an agreement scale: then an ordinal item)."""

    label = "choix unique"
    field = "choice"

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        choice = value.get("choice")
        if choice is None:
            return ""
        return _option_labels(question).get(choice) or said_level(q, question, choice)

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        choice = raw.get("choice")
        if choice is not None and choice not in _choice_ids(q, question):
            raise AnswerError(f"choix inconnu : {choice!r}")
        level = choice if question.scale and isinstance(choice, int) else None
        return NormalizedAnswer({"choice": choice}, level=level)

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        text = cells["value"]
        number = None if question.options else whole_number(text)
        return {"choice": number if number is not None else text}

    def ordinal(self, question: Question) -> bool:
        return question.scale is not None

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        if self.ordinal(question):
            return _item(dont_know, _in_scale(q, question, value.get("choice")))
        return _choices(question, [value["choice"]] if "choice" in value else [], dont_know)


def _choices(question: Question, picked: Any, dont_know: bool) -> Tidy:
    if dont_know:
        return "choices", [(None, True)]
    allowed = {o.id for o in question.options or []}
    picked = picked if isinstance(picked, list) else []
    return "choices", [(o, False) for o in picked if isinstance(o, str) and o in allowed]


CHOICE_SEPARATOR = "|"  # between the options of a paper cell: habitat|mobilites


class _Options(Codec):
    """A list of the question's options (ticked, or ranked), in one multiselect."""

    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        return {self.key(question): list(value.get(self.field) or [])}

    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        return {self.field: list(widgets.get(self.key(question)) or [])}

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        items = raw.get(self.field) or []
        allowed = _choice_ids(q, question)
        if not isinstance(items, list) or any(i not in allowed for i in items):
            raise AnswerError("option inconnue dans la réponse")
        if len(set(items)) != len(items):
            raise AnswerError("une option est choisie deux fois")
        if question.max_choices and len(items) > question.max_choices:
            raise AnswerError(f"au plus {question.max_choices} choix")
        return NormalizedAnswer({self.field: list(items)})

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        items = [v.strip() for v in cells["value"].split(CHOICE_SEPARATOR)]
        return {self.field: [v for v in items if v]}


class MultipleChoice(_Options):
    label = "choix multiple"
    field = "choices"

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        options = _option_labels(question)
        return " ; ".join(options.get(c, str(c)) for c in value.get("choices") or [])

    def is_answered(self, question: Question, value: Raw) -> bool:
        return bool(value.get("choices"))

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        return _choices(question, value.get("choices"), dont_know)


class Ranking(_Options):
    """The top N options, in order (N = max_choices, or all of them)."""

    label = "classement"
    field = "ranking"

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        options = _option_labels(question)
        ranking = value.get("ranking") or []
        return " ; ".join(f"{i}. {options.get(c, str(c))}" for i, c in enumerate(ranking, 1))

    def depth(self, question: Question) -> int:
        options = len(question.options or [])
        return min(question.max_choices or options, options)

    def is_answered(self, question: Question, value: Raw) -> bool:
        return len(value.get("ranking") or []) >= self.depth(question)

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        if dont_know:
            return "rankings", [(None, None, True)]
        allowed = {o.id for o in question.options or []}
        raw = value.get("ranking")
        ranking: list[Any] = raw if isinstance(raw, list) else []
        depth = question.max_choices or len(allowed)
        # Positions are kept as given: an option removed since does not promote the next ones.
        return "rankings", [
            (o, rank, False)
            for rank, o in enumerate(ranking, start=1)
            if isinstance(o, str) and o in allowed and rank <= depth
        ]


class Grid(Codec):
    """Rows (actors) x an intensity scale: the current intensity, and the desired one if asked.

    A cell may be « nsp »."""

    label = "grille"
    paper_columns = ()  # a paper line per row instead (answering/paper.py)
    field = "rows"

    def describe(self, q: Questionnaire, question: Question, value: Raw) -> str:
        rows = value.get("rows") or {}
        parts = []
        for row in question.rows or []:
            cells = rows.get(row.id) or {}
            said = []
            if "current" in cells:
                said.append(f"aujourd'hui {said_level(q, question, cells['current'])}")
            if "desired" in cells:
                said.append(f"souhaitée {said_level(q, question, cells['desired'])}")
            if said:
                parts.append(f"{row.label} : {', '.join(said)}")
        return " ; ".join(parts)

    def columns(self, question: Question) -> tuple[str, ...]:
        return ("current", "desired") if question.desired else ("current",)

    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        rows = value.get("rows") or {}
        return {
            self.key(question, row.id, c): rows.get(row.id, {}).get(c)
            for row in question.rows or []
            for c in self.columns(question)
        }

    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        rows: dict[str, dict[str, Any]] = {}
        for row in question.rows or []:
            cells = {c: widgets.get(self.key(question, row.id, c)) for c in self.columns(question)}
            cells = {c: v for c, v in cells.items() if v is not None}
            if cells:
                rows[row.id] = cells
        return {"rows": rows}

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        row_ids = {r.id for r in question.rows or []}
        values = q.scale_of(question).values
        clean: dict[str, dict[str, Any]] = {}
        for row, cells in (raw.get("rows") or {}).items():
            if row not in row_ids or not isinstance(cells, dict):
                raise AnswerError(f"ligne inconnue : {row!r}")
            kept = {}
            for col in ("current", "desired"):
                v = cells.get(col)
                if v is None:
                    continue
                if col == "desired" and not question.desired:
                    raise AnswerError("cette grille ne demande pas le niveau souhaité")
                if v != DONT_KNOW and (isinstance(v, bool) or v not in values):
                    raise AnswerError(f"{row} : valeur {v!r} hors de l'échelle")
                kept[col] = v
            if kept:
                clean[row] = kept
        return NormalizedAnswer({"rows": clean})

    def is_answered(self, question: Question, value: Raw) -> bool:
        rows = value.get("rows") or {}
        return all(
            rows.get(r.id, {}).get(c) is not None
            for r in question.rows or []
            for c in self.columns(question)
        )

    def same_as_previous(
        self, question: Question, widgets: Mapping[str, Any], row_id: str
    ) -> dict[str, Any]:
        """The widget values that give row `row_id` the answer of the row just above it (every
        column); nothing for the first row, or when the row above has no answer yet."""
        ids = [r.id for r in question.rows or []]
        at = ids.index(row_id) if row_id in ids else 0
        if at == 0:
            return {}
        above = {c: widgets.get(self.key(question, ids[at - 1], c)) for c in self.columns(question)}
        if any(v is None for v in above.values()):
            return {}
        return {self.key(question, row_id, c): v for c, v in above.items()}

    def desired_as_current(self, question: Question, widgets: Mapping[str, Any]) -> dict[str, Any]:
        """The widget values that set « souhaitée » to today's level on every row answered today
        with a level (not « je ne sais pas ») and whose desired level is still empty."""
        if not question.desired:
            return {}
        out: dict[str, Any] = {}
        for row in question.rows or []:
            current = widgets.get(self.key(question, row.id, "current"))
            desired = self.key(question, row.id, "desired")
            if current is not None and current != DONT_KNOW and widgets.get(desired) is None:
                out[desired] = current
        return out

    def from_paper(self, question: Question, cells: Mapping[str, Any]) -> Raw:
        """`cells`: the cells of each row's line, by row id ({"current": 1, "desired": 3})."""
        return {"rows": dict(cells)}

    def tidy(self, q: Questionnaire, question: Question, value: Raw, dont_know: bool) -> Tidy:
        row_ids = [r.id for r in question.rows or []]
        columns = self.columns(question)
        if dont_know:
            return "grids", [(r, c, math.nan, True) for r in row_ids for c in columns]
        raw = value.get("rows")
        rows: dict[str, Any] = raw if isinstance(raw, dict) else {}
        out: list[tuple[Any, ...]] = []
        for r in row_ids:
            cells = rows.get(r)
            if not isinstance(cells, dict):
                continue
            for c in columns:
                v = cells.get(c)
                if v == DONT_KNOW:
                    out.append((r, c, math.nan, True))
                elif not math.isnan(level := _in_scale(q, question, v)):
                    out.append((r, c, level, False))
        return "grids", out


class Text(Codec):
    """Free text, cleaned of control characters, at most max_length characters."""

    label = "texte libre"
    field = "text"
    free_text = True
    stateful = False  # the autosaved field (pages/_autosave.py) is given the stored text

    def key(self, question: Question, *parts: str) -> str:
        return super().key(question, *parts, "texte")

    def widgets(self, question: Question, value: Raw) -> dict[str, Any]:
        return {self.key(question): value.get("text", "")}

    def answer(self, question: Question, widgets: Mapping[str, Any]) -> Raw:
        return {"text": widgets.get(self.key(question)) or ""}

    def check(self, q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
        text = raw.get("text") or ""
        if not isinstance(text, str):
            raise AnswerError("le texte est mal formé")
        return NormalizedAnswer({"text": clean_text(text, question.max_length)})

    def is_answered(self, question: Question, value: Raw) -> bool:
        return bool((value.get("text") or "").strip())


CODECS: dict[QuestionType, Codec] = {
    QuestionType.MATURITY: Maturity(),
    QuestionType.CURRENT_TARGET: CurrentTarget(),
    QuestionType.SINGLE_CHOICE: SingleChoice(),
    QuestionType.MULTIPLE_CHOICE: MultipleChoice(),
    QuestionType.RANKING: Ranking(),
    QuestionType.GRID: Grid(),
    QuestionType.TEXT: Text(),
}


def codec_for(question: Question) -> Codec:
    return CODECS[question.type]


def normalize(q: Questionnaire, question: Question, raw: Raw) -> NormalizedAnswer:
    """Check a raw answer against its question and return what to store."""
    if not isinstance(raw, dict):
        raise AnswerError("réponse mal formée")
    if raw.get("dont_know"):
        if not question.allow_dont_know:
            raise AnswerError("« Je ne sais pas » n'est pas proposé pour cette question")
        return NormalizedAnswer({"dont_know": True}, dont_know=True)
    return codec_for(question).check(q, question, raw)


def is_answered(question: Question, value: Raw | None) -> bool:
    """Whether a stored value counts as a complete answer to the question."""
    if not value:
        return False
    return bool(value.get("dont_know")) or codec_for(question).is_answered(question, value)


def describe_answer(q: Questionnaire, question: Question, value: Raw) -> str:
    """A stored answer in words, as the respondent gave it."""
    if value.get("dont_know"):
        return DONT_KNOW_LABEL
    return codec_for(question).describe(q, question, value)
