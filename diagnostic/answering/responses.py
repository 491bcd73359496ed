"""Answers as values: validation of one answer, display conditions, progress of a respondent."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from diagnostic.errors import DiagnosticError
from diagnostic.questionnaire import Condition, Question, Questionnaire, QuestionType

DONT_KNOW = "nsp"  # the "Je ne sais pas / sans objet" choice wherever it is allowed


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


def _level(q: Questionnaire, question: Question, raw: Any, what: str) -> int | None:
    if raw is None:
        return None
    values = q.scale_of(question).values
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in values:
        raise AnswerError(f"{what} : niveau {raw!r} hors de l'échelle ({values[0]} à {values[-1]})")
    return raw


def normalize(q: Questionnaire, question: Question, raw: dict[str, Any]) -> NormalizedAnswer:
    """Check a raw answer against its question and return what to store."""
    if not isinstance(raw, dict):
        raise AnswerError("réponse mal formée")
    if raw.get("dont_know"):
        if not question.allow_dont_know:
            raise AnswerError("« Je ne sais pas » n'est pas proposé pour cette question")
        return NormalizedAnswer({"dont_know": True}, dont_know=True)
    t = question.type
    if t == QuestionType.MATURITY:
        level = _level(q, question, raw.get("level"), "niveau")
        return NormalizedAnswer({"level": level}, level=level)
    if t == QuestionType.CURRENT_TARGET:
        current = _level(q, question, raw.get("current"), "niveau actuel")
        target = _level(q, question, raw.get("target"), "niveau visé")
        importance = raw.get("importance")
        if importance is not None and importance not in (1, 2, 3):
            raise AnswerError("importance : 1, 2 ou 3")
        value = {"current": current, "target": target, "importance": importance}
        return NormalizedAnswer(value, level=current, target=target, importance=importance)
    if t == QuestionType.SINGLE_CHOICE:
        choice = raw.get("choice")
        allowed = _choice_ids(q, question)
        if choice is not None and choice not in allowed:
            raise AnswerError(f"choix inconnu : {choice!r}")
        level = choice if question.scale and isinstance(choice, int) else None
        return NormalizedAnswer({"choice": choice}, level=level)
    if t in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        key = "choices" if t == QuestionType.MULTIPLE_CHOICE else "ranking"
        items = raw.get(key) or []
        allowed = _choice_ids(q, question)
        if not isinstance(items, list) or any(i not in allowed for i in items):
            raise AnswerError("option inconnue dans la réponse")
        if len(set(items)) != len(items):
            raise AnswerError("une option est choisie deux fois")
        if question.max_choices and len(items) > question.max_choices:
            raise AnswerError(f"au plus {question.max_choices} choix")
        return NormalizedAnswer({key: list(items)})
    if t == QuestionType.GRID:
        rows = raw.get("rows") or {}
        row_ids = {r.id for r in question.rows or []}
        values = q.scale_of(question).values
        clean: dict[str, dict[str, Any]] = {}
        for row, cells in rows.items():
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
    if t == QuestionType.TEXT:
        text = raw.get("text") or ""
        if not isinstance(text, str):
            raise AnswerError("le texte est mal formé")
        return NormalizedAnswer({"text": clean_text(text, question.max_length)})
    raise AnswerError(f"type de question inconnu : {t}")  # pragma: no cover


def _choice_ids(q: Questionnaire, question: Question) -> set[Any]:
    if question.options:
        return {o.id for o in question.options}
    return set(q.scale_of(question).values)


def is_answered(question: Question, value: dict[str, Any] | None) -> bool:
    """Whether a stored value counts as a complete answer to the question."""
    if not value:
        return False
    if value.get("dont_know"):
        return True
    t = question.type
    if t == QuestionType.MATURITY:
        return value.get("level") is not None
    if t == QuestionType.CURRENT_TARGET:
        done = value.get("current") is not None and value.get("target") is not None
        return done and (not question.importance or value.get("importance") is not None)
    if t == QuestionType.SINGLE_CHOICE:
        return value.get("choice") is not None
    if t == QuestionType.MULTIPLE_CHOICE:
        return bool(value.get("choices"))
    if t == QuestionType.RANKING:
        wanted = min(
            question.max_choices or len(question.options or []), len(question.options or [])
        )
        return len(value.get("ranking") or []) >= wanted
    if t == QuestionType.GRID:
        rows = value.get("rows") or {}
        cols = ("current", "desired") if question.desired else ("current",)
        return all(
            all(rows.get(r.id, {}).get(c) is not None for c in cols) for r in question.rows or []
        )
    if t == QuestionType.TEXT:
        return bool((value.get("text") or "").strip())
    return False


def condition_met(cond: Condition | None, answers: dict[str, dict[str, Any]]) -> bool:
    """Evaluate a show_if condition against the answers given so far."""
    if cond is None:
        return True
    value = answers.get(cond.question) or {}
    if value.get("dont_know"):
        return False
    given: Any = value.get("choice", value.get("level", value.get("current")))
    if cond.equals is not None:
        return given == cond.equals
    if cond.any_of is not None:
        return given in cond.any_of
    if cond.includes is not None:
        return cond.includes in (value.get("choices") or value.get("ranking") or [])
    if cond.at_least is not None:
        return isinstance(given, int) and given >= cond.at_least
    if cond.at_most is not None:
        return isinstance(given, int) and given <= cond.at_most
    return True  # pragma: no cover


def visible_questions(q: Questionnaire, answers: dict[str, dict[str, Any]]) -> list[Question]:
    """Questions shown to a respondent given their answers (show_if applied in order)."""
    shown: list[Question] = []
    shown_ids: set[str] = set()
    for question in q.questions():
        cond = question.show_if
        if cond is not None and (
            cond.question not in shown_ids or not condition_met(cond, answers)
        ):
            continue
        shown.append(question)
        shown_ids.add(question.id)
    return shown


@dataclass(frozen=True)
class Progress:
    """How far a respondent has got."""

    answered: int
    total: int
    missing_required: list[Question]

    @property
    def ratio(self) -> float:
        return self.answered / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return not self.missing_required


def progress(q: Questionnaire, answers: dict[str, dict[str, Any]]) -> Progress:
    """Answered and missing-required counts over the questions currently shown."""
    shown = visible_questions(q, answers)
    answered = [x for x in shown if is_answered(x, answers.get(x.id))]
    done = {x.id for x in answered}
    missing = [x for x in shown if x.required and x.id not in done]
    return Progress(len(answered), len(shown), missing)
