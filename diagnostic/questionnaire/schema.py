"""Typed schema of a questionnaire file (questions/*.yaml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.messages import Form, broken
from diagnostic.vocabulary import KIND_LABELS, ROLE_LABELS

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
Identifier = Annotated[
    str, StringConstraints(pattern=IDENTIFIER_PATTERN, min_length=1, max_length=60)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class QuestionType(StrEnum):
    """The kinds of question a questionnaire may contain."""

    MATURITY = "maturity"  # one level 1-5, each level described in words
    CURRENT_TARGET = "current_target"  # current and target level on the same 1-5 scale
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RANKING = "ranking"  # order the top N options
    GRID = "grid"  # rows (actors) x intensity scale, current and optionally desired
    TEXT = "text"


SCORED_TYPES = {QuestionType.MATURITY, QuestionType.CURRENT_TARGET}


class Strict(BaseModel):
    """Base for every schema node: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(Strict):
    """One level of a scale: a short label and, for anchored scales, a description."""

    label: Text
    description: str | None = None


class Scale(Strict):
    """A named ordinal scale, e.g. maturity 1-5 or relation intensity 0-4."""

    label: Text
    levels: dict[int, Level] = Field(min_length=2)

    @model_validator(mode="after")
    def _consecutive(self) -> Scale:
        values = sorted(self.levels)
        if values != list(range(values[0], values[0] + len(values))):
            raise broken(m.SCALE_GAP, levels=", ".join(map(str, values)))
        return self

    @property
    def values(self) -> list[int]:
        return sorted(self.levels)


class Option(Strict):
    """One option of a choice, ranking or grid question."""

    id: Identifier
    label: Text
    help: str | None = None


class Condition(Strict):
    """Display condition: show a question only when another answer matches."""

    question: Identifier
    equals: str | int | None = None
    any_of: list[str | int] | None = Field(default=None, alias="in")
    includes: str | None = None  # for multiple choice: the option is among the choices
    at_least: int | None = None  # for levels
    at_most: int | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [self.equals, self.any_of, self.includes, self.at_least, self.at_most]
        count = sum(t is not None for t in tests)
        if count != 1:
            raise broken(m.CONDITION_TESTS, count=count)
        return self


FactValue = bool | int | str  # a value of a fact of the fiche (questions/fiche.yaml) in a file


class FactMirror(Strict):
    """A knowledge item's link to the « Fiche du territoire »: what each option states about its
    facts, checked against questions/fiche.yaml by `python -m diagnostic validate`.

    `options` maps an option id to the value of the fact `id` (`adopte: true`), or to several
    facts at once (`en_cours: {pacte_gouvernance_decide: true, pacte_gouvernance_adopte: false}`).
    An option is what the fiche says when every fact it names has that value."""

    id: Identifier | None = None
    about: Text | None = None  # the subject in a few words, for the finding (« Le pacte… »)
    options: dict[Identifier, FactValue | dict[Identifier, FactValue]] = Field(min_length=1)

    def states(self, option_id: str) -> dict[str, FactValue]:
        """The facts (id -> value) the option states; {} for an option that states nothing."""
        value = self.options.get(option_id)
        if isinstance(value, dict):
            return dict(value)
        return {} if value is None or self.id is None else {self.id: value}

    @property
    def facts(self) -> list[str]:
        """Every fact of the fiche the item is about, in the order they are named."""
        named = [self.id] if self.id else []
        for value in self.options.values():
            named += list(value) if isinstance(value, dict) else []
        return list(dict.fromkeys(named))


# What an invitation already says of its participant, by `prefill › from`: the codes a
# question's `prefill › options` may name (the function stored with the invitation, the kind
# of the structure it was sent for).
PREFILL_CODES: dict[str, tuple[str, ...]] = {
    "role": tuple(ROLE_LABELS),
    "structure": tuple(KIND_LABELS),
}


class Prefill(Strict):
    """A profile question answered in advance from the invitation, shown and correctable.

    `from` says what the invitation knows (`role`: the participant's function; `structure`:
    the kind of their structure); `options` maps each of its codes to the option it means
    (`dgs: dgs`, `commune: commune`, `cc: epci`); a code not named leaves the question empty."""

    source: Literal["role", "structure"] = Field(alias="from")
    options: dict[Identifier, Identifier] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def option_for(self, role: str, structure_kind: str) -> str | None:
        """The option the invitation means, or None when it says nothing about it."""
        return self.options.get(role if self.source == "role" else structure_kind)


class Question(Strict):
    """One question. Which fields apply depends on its type (checked below)."""

    id: Identifier
    type: QuestionType
    text: Text
    help: str | None = None
    required: bool = True
    allow_dont_know: bool = True
    scale: Identifier | None = None
    level_descriptions: dict[int, Text] | None = Field(default=None, alias="levels")
    importance: bool = False
    options: list[Option] | None = None
    rows: list[Option] | None = None
    desired: bool = False  # grid: also ask the desired intensity
    max_choices: int | None = Field(default=None, ge=1)
    max_length: int = Field(default=2000, ge=10, le=10000)
    show_if: Condition | None = None
    references: list[Identifier] = []
    # The answer describes the person (function, structure, commune size, time in post): in a
    # pseudonymous export it follows the small-group rule of the role and structure columns.
    identifying: bool = False
    # A knowledge item: respondents say what they know of a fact that the coordination keeps on
    # the « Fiche du territoire »; the gap between the two is a finding (territory/knowledge.py).
    fact: FactMirror | None = None
    # A profile question the invitation already answers (function, structure): see Prefill.
    prefill: Prefill | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Question:
        t = self.type
        if t in SCORED_TYPES and self.options:
            raise broken(m.OPTIONS_ON_SCALE, type=t.value)
        if t in {QuestionType.SINGLE_CHOICE} and not self.options and not self.scale:
            raise broken(m.CHOICE_WITHOUT_OPTIONS)
        if t in {QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING} and not self.options:
            raise broken(m.OPTIONS_MISSING, type=t.value)
        if t == QuestionType.GRID and (not self.rows or not self.scale):
            raise broken(m.GRID_INCOMPLETE)
        if t != QuestionType.GRID and self.rows:
            raise broken(m.ROWS_OUTSIDE_GRID)
        if self.options:
            _unique([o.id for o in self.options], "option")
        if self.rows:
            _unique([r.id for r in self.rows], "ligne")
        if self.max_choices and self.options and self.max_choices > len(self.options):
            raise broken(m.TOO_MANY_CHOICES, count=len(self.options))
        if self.fact is not None:
            self._fact_fits()
        if self.prefill is not None:
            self._prefill_fits()
        return self

    def _prefill_fits(self) -> None:
        """A prefilled question is a single choice whose `prefill` names its own options and
        codes the invitation can hold."""
        assert self.prefill is not None
        if self.type != QuestionType.SINGLE_CHOICE or not self.options:
            raise broken(m.PREFILL_TYPE, type=self.type.value)
        ids = [o.id for o in self.options]
        unknown = [o for o in self.prefill.options.values() if o not in ids]
        if unknown:
            raise broken(m.PREFILL_OPTION, unknown=", ".join(unknown), options=", ".join(ids))
        codes = PREFILL_CODES[self.prefill.source]
        strange = [c for c in self.prefill.options if c not in codes]
        if strange:
            raise broken(
                m.PREFILL_CODE,
                unknown=", ".join(strange),
                source=self.prefill.source,
                codes=", ".join(codes),
            )

    def _fact_fits(self) -> None:
        """A knowledge item is a choice question whose `fact` names its own options."""
        assert self.fact is not None
        choices = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
        if self.type not in choices or not self.options:
            raise broken(m.KNOWLEDGE_TYPE, type=self.type.value)
        ids = [o.id for o in self.options]
        unknown = [o for o in self.fact.options if o not in ids]
        if unknown:
            raise broken(m.KNOWLEDGE_OPTION, unknown=", ".join(unknown), options=", ".join(ids))
        if self.fact.id is None:
            plain = [o for o, v in self.fact.options.items() if not isinstance(v, dict)]
            if plain:
                raise broken(m.KNOWLEDGE_WITHOUT_FACT, option=plain[0])

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES


class Section(Strict):
    """A section of the questionnaire; scored sections are the diagnostic's dimensions."""

    id: Identifier
    title: Text
    intro: str | None = None
    scored: bool = True
    questions: list[Question] = Field(min_length=1)


class Questionnaire(Strict):
    """A whole questionnaire, identified by id and version."""

    id: Identifier
    version: Annotated[
        str,
        StringConstraints(pattern=r"^[0-9A-Za-z._-]+$"),
        Form('des lettres sans accent, chiffres, points, tirets ou _ (ex. "2026.1")'),
    ]
    title: Text
    description: str | None = None
    estimated_minutes: int = Field(ge=1, le=240)
    default_scale: Identifier = "maturite"
    # The scale of the agreement (Likert) statements: their answers are a degree of agreement,
    # not a maturity level, and are reported beside the maturity scores (docs/methodes.md § 4).
    # No scale of that name: no agreement statement.
    agreement_scale: Identifier | None = "accord"
    scales: dict[Identifier, Scale] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def scale_of(self, question: Question) -> Scale:
        return self.scales[question.scale or self.default_scale]

    def is_agreement(self, question: Question) -> bool:
        """Whether the question's answer is a degree of agreement (on the agreement scale)."""
        return (
            self.agreement_scale is not None
            and (question.scale or self.default_scale) == self.agreement_scale
            and self.agreement_scale != self.default_scale
        )

    def described_levels(self, question: Question) -> dict[int, str]:
        """Each level of the question in words: its own descriptions, else its scale's."""
        if question.level_descriptions:
            return dict(question.level_descriptions)
        levels = self.scale_of(question).levels
        return {v: lvl.description or lvl.label for v, lvl in levels.items()}

    def section_of(self, question_id: str) -> Section:
        for s in self.sections:
            if any(q.id == question_id for q in s.questions):
                return s
        raise KeyError(question_id)

    @property
    def dimensions(self) -> list[Section]:
        return [s for s in self.sections if s.scored]

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise broken(m.DUPLICATE, noun=what, id=i, earlier="")
        seen.add(i)


def as_plain(data: Any) -> Any:
    """Turn ruamel's commented containers into plain dicts and lists."""
    if isinstance(data, dict):
        return {k: as_plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_plain(v) for v in data]
    return data
