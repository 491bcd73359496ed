"""A respondent's answers together: display conditions and progress (one answer's shape and
validation: diagnostic.questionnaire.codecs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diagnostic.questionnaire import Condition, Question, Questionnaire
from diagnostic.questionnaire.codecs import is_answered


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
    required: int = 0  # required questions among those shown

    @property
    def ratio(self) -> float:
        return self.answered / self.total if self.total else 1.0

    @property
    def required_answered(self) -> int:
        return self.required - len(self.missing_required)

    @property
    def required_ratio(self) -> float:
        """The share of required questions answered: 1.0 exactly when nothing required is
        missing (optional questions left empty do not hold the bar back); without any required
        question, the share of all questions answered."""
        if not self.required:
            return self.ratio
        return self.required_answered / self.required

    @property
    def complete(self) -> bool:
        return not self.missing_required


def progress(q: Questionnaire, answers: dict[str, dict[str, Any]]) -> Progress:
    """Answered and missing-required counts over the questions currently shown."""
    shown = visible_questions(q, answers)
    answered = [x for x in shown if is_answered(x, answers.get(x.id))]
    done = {x.id for x in answered}
    required = [x for x in shown if x.required]
    missing = [x for x in required if x.id not in done]
    return Progress(len(answered), len(shown), missing, len(required))
