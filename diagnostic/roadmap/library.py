"""Action library and « repères et outils »: typed loading, checked against a questionnaire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from diagnostic.questionnaire import Problem, Question, Questionnaire, QuestionnaireError
from diagnostic.questionnaire import QuestionType as T
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import Where, duplicates, key_path, line_of, validated
from diagnostic.questionnaire.messages import Form, Message, broken
from diagnostic.questionnaire.schema import FactValue, Identifier, Strict, Text
from diagnostic.questionnaire.source import parse_yaml, read_source
from diagnostic.territory.facts import FactType, Fiche, expected, value_problem

Url = Annotated[
    str,
    StringConstraints(pattern=r"^https?://\S+$"),
    Form("une adresse complète, commençant par https://"),
]
IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    Form("une date AAAA-MM-JJ (ou AAAA-MM, ou AAAA seule)"),
]


class ReferenceKind(StrEnum):
    """The four shelves of the « repères et outils » exhibition."""

    CADRE_JURIDIQUE = "cadre_juridique"
    METHODE = "methode"
    CHIFFRE_CLE = "chiffre_cle"
    RESSOURCE = "ressource"


class Horizon(StrEnum):
    """When an action should be done within the 2026-2032 mandate."""

    CENT_JOURS = "cent_jours"  # within 100 days of the roadmap
    PREMIERE_ANNEE = "premiere_annee"  # within a year of the roadmap
    MI_MANDAT = "mi_mandat"  # by the mid-term review (2029)
    FIN_DE_MANDAT = "fin_de_mandat"  # by the end of the mandate (early 2032)


class Source(Strict):
    """Where a reference comes from: a citation and, when one is known, its address."""

    text: Text
    url: Url | None = None


class Reference(Strict):
    """One entry of « repères et outils »: legal frame, method, key figure or resource."""

    id: Identifier
    kind: ReferenceKind
    title: Text
    summary: Text
    source: Source
    date: IsoDate | None = None  # of the text or figure; required for a key figure
    article: Text | None = None
    to_verify: bool = False  # to be checked against Légifrance/INSEE before shown as legal truth

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    @model_validator(mode="after")
    def _kind_fields(self) -> Reference:
        if self.kind == ReferenceKind.CADRE_JURIDIQUE and not self.article:
            raise broken(
                m.REFERENCE_FIELD_MISSING, kind=self.kind.value, noun="son article", field="article"
            )
        if self.kind == ReferenceKind.CHIFFRE_CLE and not self.date:
            raise broken(
                m.REFERENCE_FIELD_MISSING, kind=self.kind.value, noun="sa date", field="date"
            )
        return self


class Trigger(Strict):
    """When to propose an action: every test given must hold (and); see questions/actions.yaml.

    A trigger reads either the answers to a question (`item`) or a fact of the « Fiche du
    territoire » (`fact`, with the `also` facts that must hold too): never both."""

    item: Identifier | None = None
    fact: Identifier | None = None
    row: Identifier | None = None  # grid questions only; without it, any row may match
    level_at_most: int | None = None
    target_at_least: int | None = None
    gap_at_least: int | None = Field(default=None, ge=1)
    divergence: Literal[True] | None = None
    answer_in: list[Identifier] | None = Field(default=None, min_length=1)
    missing_option: str | None = None  # an option's id, or an entry of a list fact
    ranked: Identifier | None = None
    equals: FactValue | None = None  # facts only
    any_of: list[FactValue] | None = Field(default=None, alias="in", min_length=1)  # facts only
    also: dict[Identifier, FactValue] | None = Field(default=None, min_length=1)  # facts only

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _has_a_test(self) -> Trigger:
        if (self.item is None) == (self.fact is None):
            given = "les deux sont donnés" if self.item else "aucun n'est donné"
            raise broken(m.TRIGGER_ITEM_OR_FACT, given=given)
        if not self.tests:
            names = ", ".join(FACT_TESTS if self.fact else ITEM_TESTS)
            raise broken(m.TRIGGER_WITHOUT_TEST, tests=names)
        return self

    @property
    def tests(self) -> dict[str, Any]:
        """The tests this trigger sets, by name (`in` for any_of), in the order of the fields."""
        values = self.model_dump(exclude={"item", "fact", "row", "also"}, by_alias=True)
        return {name: value for name, value in values.items() if value is not None}

    @property
    def facts(self) -> list[str]:
        """The facts of the fiche this trigger reads (none for a trigger on a question)."""
        return [self.fact, *(self.also or {})] if self.fact else []


ITEM_TESTS = (
    "level_at_most",
    "target_at_least",
    "gap_at_least",
    "divergence",
    "answer_in",
    "missing_option",
    "ranked",
)
FACT_TESTS = ("equals", "in", "missing_option")


class Action(Strict):
    """One candidate action of the roadmap, with the answers that make it relevant."""

    id: Identifier
    dimension: Identifier
    items: list[Identifier] = Field(min_length=1)
    triggers: list[Trigger] = Field(min_length=1)  # the action is proposed when any one holds
    title: Text
    description: Text
    instrument: Text
    # The pilot while the body `pilot` names does not exist; declared first so that the check
    # of `pilot` (reported on its line) can read it.
    pilot_interim: Text | None = None
    pilot: Text
    validation: Text
    horizon: Horizon
    indicator: Text
    references: list[Identifier] = []

    @field_validator("pilot_interim")
    @classmethod
    def _interim_names_no_body(cls, value: str | None) -> str | None:
        return interim_naming_no_body(value, m.ACTION_INTERIM_PILOT)

    @field_validator("pilot")
    @classmethod
    def _interim_when_a_body(cls, value: str, info: ValidationInfo) -> str:
        """A pilot that names a body another action institutes needs `pilot_interim`."""
        return pilot_with_interim(value, info, "pilot_interim", m.ACTION_INTERIM_PILOT)


def interim_naming_no_body(value: str | None, message: Message) -> str | None:
    """An interim pilot (`pilot_interim`, `pilote_interim`) names no body: it is who steers
    until the body exists."""
    named = body_named(value or "")
    if named is not None:
        raise broken(message, pilot=value, body=named[1], problem="ne la nomme pas")
    return value


def pilot_with_interim(value: str, info: ValidationInfo, field: str, message: Message) -> str:
    """A pilot that names a body (other than the one its own action institutes) comes with its
    interim pilot `field` — declared before it, absent from the data when refused on its own
    line."""
    named = body_named(value)
    missing = field in info.data and not info.data[field]
    if named is not None and named[0] != info.data.get("id") and missing:
        raise broken(message, pilot=value, body=named[1], problem="est obligatoire")
    return value


# The bodies an action may be steered by before the plan institutes them: the action that
# institutes each, and its name as the pilots write it (roadmap/selection.py, « pilots »).
BODIES: dict[str, str] = {
    "instituer_codir_territoire": "CoDir de territoire",
    "conference_dgs_reguliere": "conférence des DGS",
}


def body_named(pilot: str) -> tuple[str, str] | None:
    """The body a pilot names (the action that institutes it, its name), if any."""
    low = pilot.casefold()
    return next(((a, n) for a, n in BODIES.items() if n.casefold() in low), None)


class _ReferenceFile(Strict):
    references: list[Reference] = Field(min_length=1)


class _ActionFile(Strict):
    version: str | None = None
    actions: list[Action] = Field(min_length=1)


def load_references(path: str | Path) -> list[Reference]:
    """Load questions/references.yaml; raise QuestionnaireError listing every problem."""
    return parse_references(read_source(path), str(path))


def parse_references(text: str, name: str = "<texte>") -> list[Reference]:
    """Parse and validate the text of a references file."""
    data = parse_yaml(text, name)
    expected = "des repères (clé « references: » suivie d'une liste)"
    refs = validated(_ReferenceFile, data, name, expected=expected, where=_entry(data)).references
    problems = duplicates([r.id for r in refs], data, "references", name, "repère")
    if problems:
        raise QuestionnaireError(problems)
    return refs


def load_actions(
    path: str | Path,
    questionnaire: Questionnaire,
    references: Iterable[Reference | str] | None = None,
    fiche: Fiche | None = None,
) -> list[Action]:
    """Load the action library and check it against a questionnaire and, if given, references
    and the fiche du territoire (the facts its triggers read)."""
    return parse_actions(read_source(path), questionnaire, references, str(path), fiche)


def parse_actions(
    text: str,
    questionnaire: Questionnaire,
    references: Iterable[Reference | str] | None = None,
    name: str = "<texte>",
    fiche: Fiche | None = None,
) -> list[Action]:
    """Parse the text of an action library; every item, level, option and reference is checked,
    and, when the fiche is given, every fact a trigger reads and the values it tests."""
    data = parse_yaml(text, name)
    expected = "une bibliothèque d'actions (clé « actions: » suivie d'une liste)"
    actions = validated(_ActionFile, data, name, expected=expected, where=_entry(data)).actions
    ref_ids = None if references is None else {getattr(r, "id", r) for r in references}
    problems = duplicates([a.id for a in actions], data, "actions", name, "action", used="utilisée")
    for ai, action in enumerate(actions):
        for loc, message, values in _action_problems(action, questionnaire, ref_ids, fiche):
            line = line_of(data, ("actions", ai, *loc))
            problems.append(message.at(name, line, f"action « {action.id} »", **values))
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: p.line))
    return actions


def cited_reference_problems(
    questionnaire: Questionnaire, references: Iterable[Reference | str], data: Any, name: str
) -> list[Problem]:
    """References cited by the questions but absent from the library, each on its line."""
    known = {getattr(r, "id", r) for r in references}
    return [
        m.UNKNOWN_REFERENCE.at(
            name,
            line_of(data, ("sections", si, "questions", qi, "references", ri)),
            f"« {question.id} »",
            reference=ref,
        )
        for si, section in enumerate(questionnaire.sections)
        for qi, question in enumerate(section.questions)
        for ri, ref in enumerate(question.references)
        if ref not in known
    ]


_Found = tuple[m.Message, dict[str, Any]]


def _action_problems(
    action: Action, questionnaire: Questionnaire, ref_ids: set[str] | None, fiche: Fiche | None
) -> list[tuple[tuple[Any, ...], m.Message, dict[str, Any]]]:
    """Cross-references of one action, each with its location inside the action."""
    known = {q.id for q in questionnaire.questions()}
    dims = [s.id for s in questionnaire.dimensions]
    asked = {"questionnaire": questionnaire.id}
    out: list[tuple[tuple[Any, ...], m.Message, dict[str, Any]]] = [
        (("items", i), m.ACTION_UNKNOWN_ITEM, {"item": x, **asked})
        for i, x in enumerate(action.items)
        if x not in known
    ]
    if action.dimension not in dims:
        values = {"dimension": action.dimension, "dimensions": ", ".join(dims)}
        out.append((("dimension",), m.ACTION_UNKNOWN_DIMENSION, values))
    for i, trig in enumerate(action.triggers):
        where = ("triggers", i)
        if trig.item is None:
            if fiche is not None:
                out += [(where, *found) for found in _fact_trigger_problems(trig, fiche)]
            continue
        if trig.item not in known:
            out.append((where, m.TRIGGER_UNKNOWN_ITEM, {"item": trig.item, **asked}))
            continue
        if trig.item not in action.items:
            out.append((where, m.TRIGGER_ITEM_NOT_LISTED, {"item": trig.item}))
        question = questionnaire.question(trig.item)
        out += [(where, *found) for found in _trigger_problems(trig, question, questionnaire)]
        if trig.also:
            values = {
                "test": "also",
                "tests": "« also » accompagne un déclencheur sur la fiche (fact)",
                "item": question.id,
                "type": question.type.value,
            }
            out.append((where, m.TRIGGER_TEST_DOES_NOT_APPLY, values))
    for i, ref in enumerate(action.references):
        if ref_ids is not None and ref not in ref_ids:
            out.append((("references", i), m.UNKNOWN_REFERENCE, {"reference": ref}))
    return out


# The tests a fact trigger may set, by type of fact (dates and competences are not compared).
_FACT_TESTS: dict[FactType, tuple[str, ...]] = {
    FactType.BOOL: ("equals",),
    FactType.INT: ("equals", "in"),
    FactType.CHOICE: ("equals", "in"),
    FactType.LIST: ("missing_option",),
}


def _fact_trigger_problems(trig: Trigger, fiche: Fiche) -> list[_Found]:
    """Does each fact of the trigger exist on the fiche, and can each test hold for it?"""
    fields = fiche.fields
    out: list[_Found] = []
    unknown = [f for f in trig.facts if f not in fields]
    for fact_id in unknown:
        out.append((m.UNKNOWN_FACT, {"fact": fact_id, "facts": ", ".join(fields)}))
    if trig.fact in unknown:
        return out
    assert trig.fact is not None
    field = fields[trig.fact]
    allowed = _FACT_TESTS.get(field.type, ())
    about = {"fact": field.id, "type": field.type.value}
    for test, value in trig.tests.items():
        if test not in allowed:
            tests = ", ".join(allowed) or "aucun : choisissez une autre information"
            out.append((m.TRIGGER_FACT_TEST, {"test": test, "tests": tests, **about}))
            continue
        for one in value if test == "in" else [value]:
            reason = value_problem(field, one)
            if reason:
                out.append((m.BAD_FACT_VALUE, _bad(field.id, reason, expected(field))))
    for fact_id, value in (trig.also or {}).items():
        if fact_id in fields:
            reason = value_problem(fields[fact_id], value)
            if reason:
                out.append((m.BAD_FACT_VALUE, _bad(fact_id, reason, expected(fields[fact_id]))))
    return out


def _bad(fact: str, reason: str, wanted: str) -> dict[str, str]:
    return {"fact": fact, "reason": reason, "expected": wanted}


def _trigger_problems(trig: Trigger, q: Question, questionnaire: Questionnaire) -> list[_Found]:
    """Does each test of the trigger make sense for this question's type, scale and options?"""
    out: list[_Found] = []
    leveled = q.scored or q.type == T.GRID or (q.type == T.SINGLE_CHOICE and q.scale is not None)
    with_target = q.type == T.CURRENT_TARGET or (q.type == T.GRID and q.desired)
    options = [o.id for o in q.options or []]
    about = {"item": q.id, "type": q.type.value}
    if trig.row is not None and q.type != T.GRID:
        out.append((m.TRIGGER_ROW_OUTSIDE_GRID, about))
    elif trig.row is not None and trig.row not in {r.id for r in q.rows or []}:
        rows = ", ".join(r.id for r in q.rows or [])
        out.append((m.TRIGGER_UNKNOWN_ROW, {"row": trig.row, "item": q.id, "rows": rows}))
    applies = {
        "level_at_most": leveled,
        "target_at_least": with_target,
        "gap_at_least": with_target,
        "divergence": leveled or q.type == T.RANKING,
        "answer_in": q.type == T.SINGLE_CHOICE and bool(options),
        "missing_option": q.type == T.MULTIPLE_CHOICE,
        "ranked": q.type == T.RANKING,
        "equals": False,
        "in": False,
    }
    possible = (
        ", ".join(t for t, ok in applies.items() if ok) or "aucun, choisissez une autre question"
    )
    levels = questionnaire.scale_of(q).values if leveled else []
    for test, value in trig.tests.items():
        if not applies[test]:
            out.append((m.TRIGGER_TEST_DOES_NOT_APPLY, {"test": test, "tests": possible, **about}))
        elif test in {"level_at_most", "target_at_least"} and value not in levels:
            scale = ", ".join(map(str, levels))
            out.append((m.TRIGGER_UNKNOWN_LEVEL, {"value": value, "item": q.id, "levels": scale}))
        elif test == "gap_at_least" and value > levels[-1] - levels[0]:
            largest = levels[-1] - levels[0]
            out.append(
                (m.TRIGGER_IMPOSSIBLE_GAP, {"value": value, "item": q.id, "largest": largest})
            )
        elif test in {"answer_in", "missing_option", "ranked"}:
            unknown = [
                v for v in (value if isinstance(value, list) else [value]) if v not in options
            ]
            if unknown:
                values = {
                    "item": q.id,
                    "unknown": ", ".join(unknown),
                    "options": ", ".join(options),
                }
                out.append((m.TRIGGER_UNKNOWN_OPTION, values))
    return out


def _entry(data: Any) -> Where:
    """Where a schema problem is: the action or reference, by its id only."""
    path = key_path(data, skip={"actions", "references"})
    return lambda loc: path(loc[:2]) if len(loc) > 1 else ""
