"""The chantiers of the roadmap (questions/chantiers.yaml): the actions of the library grouped
into the mandate's chantiers, with their dependencies (`requiert`), the groups of actions that
overlap (`exclusions`), the conditions on the fiche where an action makes sense, an effort
estimate and the rule of their indicator.

Pure: data and rules on values, no database, no access check. The selection of 5 to 8
chantiers and the sequencing of their actions (selection.py) build on `order`,
`apply_exclusions`, `with_requirements`, `fits` and `indicator_values`. The design is written
out in docs/methodes.md (« Chantiers de la feuille de route »).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from diagnostic.questionnaire import Problem, QuestionnaireError
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import Where, duplicates, line_of, validated
from diagnostic.questionnaire.messages import broken
from diagnostic.questionnaire.schema import FactValue, Identifier, Text
from diagnostic.questionnaire.source import parse_yaml, read_source
from diagnostic.roadmap.library import interim_naming_no_body, pilot_with_interim
from diagnostic.roadmap.references import load_library
from diagnostic.territory.facts import (
    FICHE_FILE,
    FactType,
    Fiche,
    expected,
    fiche_for,
    value_problem,
)

CHANTIERS_FILE = "chantiers.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(StrEnum):
    """The moments of the mandate (questions/calendrier.yaml, « moments »; MomentKey)."""

    DEBUT = "debut"
    MI = "mi"
    FIN = "fin"


class Keep(StrEnum):
    """Which action of an exclusion group stays."""

    PREMIERE = "premiere"  # the first of the group that is proposed
    PRIORITE = "priorite"  # the most urgent according to the diagnostic (ties: the first)


Range = Annotated[list[NonNegativeInt], Field(min_length=2, max_length=2)]


def _ordered(values: list[int] | None) -> None:
    if values is not None and values[0] > values[1]:
        raise broken(m.RANGE_REVERSED, low=values[0], high=values[1])


class Effort(_Strict):
    """What an action costs, as ranges [min, max]: staff days, euros, outside help."""

    jours: Range  # staff days, every administration together
    budget: Range  # euros, staff time excluded
    appui: Identifier | None = None  # an entry of « appuis »
    jours_appui: Range | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Effort:
        for values in (self.jours, self.budget, self.jours_appui):
            _ordered(values)
        if (self.appui is None) != (self.jours_appui is None):
            raise broken(m.SUPPORT_DAYS_ALONE, given="appui" if self.appui else "jours_appui")
        return self


class Condition(_Strict):
    """When an action makes sense, read on the fiche: every test given must hold."""

    si: dict[Identifier, FactValue] = {}  # these facts have these values
    sauf_si: dict[Identifier, FactValue] = {}  # not when one of these facts has this value
    plus_de: dict[Identifier, int] = {}  # this number is strictly greater than N
    au_plus: dict[Identifier, int] = {}  # this number is at most N

    def facts(self) -> list[str]:
        return [*self.si, *self.sauf_si, *self.plus_de, *self.au_plus]


class Entry(_Strict):
    """One action of a chantier, in the chantier's order."""

    action: Identifier
    requiert: list[Identifier] = []
    condition: Condition | None = None
    effort: Effort
    indicateur_items: list[Identifier] | None = Field(default=None, min_length=1)
    # A step of the mandate the plan always carries (the governance of the plan itself, even
    # when no answer triggers it): « mi » the mid-mandate review, « fin » the 2032 hand-over.
    jalon: Literal["mi", "fin"] | None = None


class Chantier(_Strict):
    id: Identifier
    titre: Text
    objectif: Text
    phases: list[Phase] = Field(min_length=1)
    # The pilot while the body `pilote` names does not exist; declared first so that the check
    # of `pilote` (reported on its line) can read it.
    pilote_interim: Text | None = None
    pilote: Text
    validation: Text
    actions: list[Entry] = Field(min_length=1)

    @field_validator("pilote_interim")
    @classmethod
    def _interim_names_no_body(cls, value: str | None) -> str | None:
        return interim_naming_no_body(value, m.CHANTIER_INTERIM_PILOT)

    @field_validator("pilote")
    @classmethod
    def _interim_when_a_body(cls, value: str, info: ValidationInfo) -> str:
        return pilot_with_interim(value, info, "pilote_interim", m.CHANTIER_INTERIM_PILOT)

    @property
    def action_ids(self) -> list[str]:
        return [e.action for e in self.actions]


class Exclusion(_Strict):
    """Actions that overlap: only one of them is proposed, unless `cumul_si` holds."""

    id: Identifier
    titre: Text
    actions: list[Identifier]
    garder: Keep = Keep.PREMIERE
    cumul_si: Condition | None = None
    motif: Text

    @model_validator(mode="after")
    def _two_at_least(self) -> Exclusion:
        if len(set(self.actions)) < 2:
            raise broken(m.EXCLUSION_TOO_SMALL, count=len(set(self.actions)))
        return self


class IndicatorRule(_Strict):
    """How an action's indicator is given a baseline and a target, for any territory."""

    base: Literal["score_actuel"]
    cible: Literal["niveau_vise"]
    paliers_sans_niveau_vise: int = Field(ge=0, le=4)
    plafond: int = Field(default=100, ge=1, le=100)
    mesure: Text


class Trigger(_Strict):
    """One reason to propose a clause of the pacte de gouvernance: it holds when every part
    given holds (an item below the threshold, an action or a chantier in the main plan, the
    fiche meeting a condition)."""

    items: list[Identifier] = []  # one of these items scores below « seuil »
    actions: list[Identifier] = []  # one of these actions is in the main plan
    chantiers: list[Identifier] = []  # one of these chantiers is in the main plan
    fiche: Condition | None = None  # the fiche meets this condition (an unknown fact: no)
    motif: Text | None = None  # the fiche condition in words, for the reader

    @model_validator(mode="after")
    def _some_part(self) -> Trigger:
        if not (self.items or self.actions or self.chantiers or self.fiche):
            raise broken(m.TRIGGER_EMPTY)
        if self.fiche is not None and self.motif is None:
            raise broken(m.TRIGGER_WITHOUT_REASON)
        return self


class Clause(_Strict):
    """A clause the law lets the pacte de gouvernance provide (its number in the law's list),
    with the results that call for it; without « quand », never proposed from the results."""

    numero: int = Field(ge=1)
    titre: Text
    quand: list[Trigger] = []


class PacteClauses(_Strict):
    """The clauses of the pacte de gouvernance (CGCT, art. L5211-11-2, II) and their triggers."""

    article: Text
    seuil: int = Field(ge=0, le=100)  # an item « below » scores under this (0-100)
    clauses: list[Clause] = Field(min_length=1)


class Chantiers(_Strict):
    """The whole file."""

    version: str | None = None
    appuis: dict[Identifier, Text] = Field(min_length=1)
    regle_indicateur: IndicatorRule
    chantiers: list[Chantier] = Field(min_length=1)
    exclusions: list[Exclusion] = []
    clauses_pacte: PacteClauses | None = None

    def entries(self) -> dict[str, Entry]:
        """Every action's entry, by action id (the first one when an action is listed twice)."""
        found: dict[str, Entry] = {}
        for chantier in self.chantiers:
            for entry in chantier.actions:
                found.setdefault(entry.action, entry)
        return found

    def entry(self, action_id: str) -> Entry | None:
        return self.entries().get(action_id)

    def chantier_of(self, action_id: str) -> Chantier | None:
        return next((c for c in self.chantiers if action_id in c.action_ids), None)

    def requires(self) -> dict[str, list[str]]:
        """action id -> the actions it requires."""
        return {a: list(e.requiert) for a, e in self.entries().items()}


# --- rules on a set of actions ---------------------------------------------------------------


def _ancestors(requires: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Every action's requirements, direct or through other actions (a cycle stops the walk)."""
    out: dict[str, set[str]] = {}
    for start in requires:
        seen: set[str] = set()
        stack = list(requires.get(start, ()))
        while stack:
            found = stack.pop()
            if found in seen or found == start:
                continue
            seen.add(found)
            stack.extend(requires.get(found, ()))
        out[start] = seen
    return out


def order(chantiers: Chantiers, action_ids: Iterable[str]) -> list[str]:
    """The actions in an order where each one comes after every action it requires, directly or
    through an action that is not in the set. Stable and deterministic: among the actions free
    to come next, the one given first; a list that already respects `requiert` is returned as
    it is (without repeats). Unknown ids keep their place among the free ones."""
    given = list(dict.fromkeys(action_ids))
    position = {a: i for i, a in enumerate(given)}
    before = _ancestors(chantiers.requires())
    waiting = {a: before.get(a, set()) & position.keys() for a in given}
    followers: dict[str, list[str]] = {a: [] for a in given}
    for action, needs in waiting.items():
        for need in needs:
            followers[need].append(action)
    count = {a: len(needs) for a, needs in waiting.items()}
    free = [position[a] for a in given if count[a] == 0]
    heapq.heapify(free)
    out: list[str] = []
    while free:
        action = given[heapq.heappop(free)]
        out.append(action)
        for follower in followers[action]:
            count[follower] -= 1
            if count[follower] == 0:
                heapq.heappush(free, position[follower])
    # A cycle (refused by the loader) would leave actions waiting: keep them, in given order.
    return out + [a for a in given if a not in set(out)]


def with_requirements(
    chantiers: Chantiers, selected: Iterable[str], proposed: Iterable[str]
) -> list[str]:
    """The selected actions plus the proposed ones they require, directly or not: the body that
    steers joins the plan with what it steers. `proposed` is what remains after
    `apply_exclusions` (an action left out for another of its group is not brought back). A
    requirement that is not proposed is taken as done: the body exists, or another of its
    exclusion group stands for it. The result is in `order`."""
    chosen = list(dict.fromkeys(selected))
    offered = set(proposed)
    before = _ancestors(chantiers.requires())
    added = [
        a
        for a in dict.fromkeys(r for s in chosen for r in sorted(before.get(s, ())))
        if a in offered
    ]
    return order(chantiers, [*[a for a in added if a not in chosen], *chosen])


def fits(condition: Condition | None, facts: Mapping[str, Any]) -> bool | None:
    """Does the fiche meet the condition? True, False (a known fact fails it) or None (a fact it
    needs is unknown and none fails). No condition: True."""
    if condition is None:
        return True
    unknown = False
    for fact, value in condition.si.items():
        found = facts.get(fact)
        if found is None:
            unknown = True
        elif found != value:
            return False
    for fact, value in condition.sauf_si.items():
        found = facts.get(fact)
        if found is None:
            unknown = True
        elif found == value:
            return False
    for tests, holds in ((condition.plus_de, _greater), (condition.au_plus, _at_most)):
        for fact, threshold in tests.items():
            found = facts.get(fact)
            if not isinstance(found, int) or isinstance(found, bool):
                unknown = True
            elif not holds(found, threshold):
                return False
    return None if unknown else True


def _greater(value: int, threshold: int) -> bool:
    return value > threshold


def _at_most(value: int, threshold: int) -> bool:
    return value <= threshold


def unfit(chantiers: Chantiers, action_ids: Iterable[str], facts: Mapping[str, Any]) -> list[str]:
    """The actions whose condition the fiche contradicts (a known fact fails it), in order."""
    entries = chantiers.entries()
    return [a for a in action_ids if a in entries and fits(entries[a].condition, facts) is False]


@dataclass(frozen=True)
class Dropped:
    """An action left out because another of its exclusion group is kept."""

    action: str
    group: Exclusion
    kept: str


@dataclass(frozen=True)
class Filtered:
    kept: list[str]
    dropped: list[Dropped]


def apply_exclusions(
    chantiers: Chantiers,
    proposed: Iterable[str],
    facts: Mapping[str, Any] | None = None,
    priority: Mapping[str, float] | None = None,
) -> Filtered:
    """Keep one action per exclusion group among the proposed ones (order kept): the first of
    the group that is proposed (`premiere`) or the one of highest priority (`priorite`, the
    first of the group at equal or unknown priority). Groups apply in file order, each to what
    the previous ones kept; a group whose `cumul_si` the fiche meets (known facts) keeps all."""
    kept = list(dict.fromkeys(proposed))
    dropped: list[Dropped] = []
    ranks = priority or {}
    for group in chantiers.exclusions:
        if group.cumul_si is not None and fits(group.cumul_si, facts or {}) is True:
            continue
        members = [a for a in group.actions if a in kept]
        if len(members) < 2:
            continue
        winner = members[0]
        if group.garder == Keep.PRIORITE:
            winner = max(members, key=lambda a: (ranks.get(a, float("-inf")), -members.index(a)))
        losers = [a for a in members if a != winner]
        dropped += [Dropped(a, group, winner) for a in losers]
        kept = [a for a in kept if a not in losers]
    return Filtered(kept, dropped)


def indicator_items(entry: Entry, action_items: Sequence[str]) -> list[str]:
    """The items whose score is the indicator's baseline: the entry's choice, else all of the
    action's items (those without a score are left out when the scores are read)."""
    return list(entry.indicateur_items or action_items)


def indicator_values(
    rule: IndicatorRule, current: float | None, wished: float | None, step: float
) -> tuple[float, float] | None:
    """Baseline and target on 0-100 from the diagnostic's own scores: the current score, and
    the wished (target level) score when it is above it, else the current score plus
    `paliers_sans_niveau_vise` levels of `step` points (25 on a 1-5 scale), within `plafond`.
    None without a current score (the action keeps its own indicator)."""
    if current is None or current != current:  # NaN: nobody gave a level
        return None
    if wished is not None and wished == wished and wished > current:
        target = wished
    else:
        target = current + rule.paliers_sans_niveau_vise * step
    return current, min(float(rule.plafond), max(current, target))


# --- loading ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def load_chantiers(questions_dir: str | Path) -> Chantiers:
    """The chantiers of a questions folder, checked against its action library and fiche;
    loaded once per process."""
    folder = Path(questions_dir)
    actions = load_library(folder).actions
    fiche = fiche_for(folder) if (folder / FICHE_FILE).is_file() else None
    return parse_chantiers(
        read_source(folder / CHANTIERS_FILE), str(folder / CHANTIERS_FILE), actions, fiche
    )


def parse_chantiers(
    text: str,
    name: str = "<texte>",
    actions: Iterable[object] | None = None,
    fiche: Fiche | None = None,
) -> Chantiers:
    """Parse the text of a chantiers file. Checked always: no cycle of `requiert`. When the
    library's actions are given (ids, or objects with an id and items): every action known,
    listed in exactly one chantier, and the indicator items among the action's items. When
    the fiche is given: every fact of a condition, and its values."""
    data = parse_yaml(text, name)
    expected_text = "des chantiers (clés « appuis », « regle_indicateur », « chantiers »)"
    where = _where(data)
    file = validated(Chantiers, data, name, expected=expected_text, where=where)
    problems = duplicates([c.id for c in file.chantiers], data, "chantiers", name, "chantier")
    problems += duplicates([x.id for x in file.exclusions], data, "exclusions", name, "groupe")
    problems += _placement_problems(file, data, name, actions)
    problems += _cycle_problems(file, data, name)
    problems += _support_problems(file, data, name)
    problems += _clause_problems(file, data, name, actions)
    if fiche is not None:
        problems += _fact_problems(file, data, name, fiche)
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: (p.line, str(p))))
    return file


def _where(data: Any) -> Where:
    """Where a schema problem is: « chantier « x » › action « y » › effort »."""

    def where(loc: tuple[Any, ...]) -> str:
        node, parts = data, []
        for key in loc:
            if isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
                if isinstance(node, dict) and "action" in node:
                    parts.append(f"action « {node['action']} »")
                elif isinstance(node, dict) and "id" in node:
                    parts.append(f"« {node['id']} »")
                continue
            if isinstance(node, dict) and key in node:
                node = node[key]
            if isinstance(key, str) and key not in {"chantiers", "exclusions", "actions"}:
                parts.append(key)
        return " › ".join(parts)

    return where


def _entry_where(chantier: Chantier, entry: Entry) -> str:
    return f"chantier « {chantier.id} » › action « {entry.action} »"


def _placement_problems(
    file: Chantiers, data: Any, name: str, actions: Iterable[object] | None
) -> list[Problem]:
    """Each action in one chantier only; with the library: known actions, none left out, the
    indicator items among the action's items."""
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}
    for ci, chantier in enumerate(file.chantiers):
        for ei, entry in enumerate(chantier.actions):
            line = line_of(data, ("chantiers", ci, "actions", ei))
            if entry.action in seen:
                where, first = seen[entry.action]
                problems.append(
                    m.CHANTIER_ACTION_TWICE.at(
                        name,
                        line,
                        f"chantier « {chantier.id} »",
                        action=entry.action,
                        chantier=where,
                        earlier=first,
                    )
                )
            else:
                seen[entry.action] = (chantier.id, line)
    if actions is None:
        return problems
    library = {str(getattr(a, "id", a)): list(getattr(a, "items", []) or []) for a in actions}
    for ci, chantier in enumerate(file.chantiers):
        for ei, entry in enumerate(chantier.actions):
            at = ("chantiers", ci, "actions", ei)
            where = _entry_where(chantier, entry)
            if entry.action not in library:
                line = line_of(data, (*at, "action"))
                problems.append(
                    m.CHANTIER_UNKNOWN_ACTION.at(name, line, where, action=entry.action)
                )
                continue
            for ri, required in enumerate(entry.requiert):
                if required not in library:
                    line = line_of(data, (*at, "requiert", ri))
                    problems.append(
                        m.CHANTIER_UNKNOWN_ACTION.at(name, line, where, action=required)
                    )
            items = library[entry.action]
            for ii, item in enumerate(entry.indicateur_items or []):
                if items and item not in items:
                    line = line_of(data, (*at, "indicateur_items", ii))
                    values = {"item": item, "action": entry.action, "items": ", ".join(items)}
                    problems.append(m.INDICATOR_ITEM_NOT_OF_ACTION.at(name, line, where, **values))
    for gi, group in enumerate(file.exclusions):
        for ai, action in enumerate(group.actions):
            if action not in library:
                line = line_of(data, ("exclusions", gi, "actions", ai))
                problems.append(
                    m.CHANTIER_UNKNOWN_ACTION.at(
                        name, line, f"exclusion « {group.id} »", action=action
                    )
                )
    line = line_of(data, ("chantiers",))
    problems += [
        m.CHANTIER_ACTION_MISSING.at(name, line, action=action)
        for action in library
        if action not in seen
    ]
    return problems


def _triggers(file: Chantiers) -> list[tuple[int, Clause, int, Trigger]]:
    """Every trigger of the pacte's clauses, with where it is."""
    if file.clauses_pacte is None:
        return []
    return [
        (ki, clause, ti, trigger)
        for ki, clause in enumerate(file.clauses_pacte.clauses)
        for ti, trigger in enumerate(clause.quand)
    ]


def _clause_problems(
    file: Chantiers, data: Any, name: str, actions: Iterable[object] | None
) -> list[Problem]:
    """The pacte's clauses: each number once; their triggers name known chantiers and, with
    the library, known actions."""
    if file.clauses_pacte is None:
        return []
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for ki, clause in enumerate(file.clauses_pacte.clauses):
        line = line_of(data, ("clauses_pacte", "clauses", ki))
        if clause.numero in seen:
            problems.append(
                m.CLAUSE_TWICE.at(name, line, number=clause.numero, earlier=seen[clause.numero])
            )
        seen.setdefault(clause.numero, line)
    chantiers = [c.id for c in file.chantiers]
    library = None if actions is None else {str(getattr(a, "id", a)) for a in actions}
    for ki, clause, ti, trigger in _triggers(file):
        at = ("clauses_pacte", "clauses", ki, "quand", ti)
        where = f"clause {clause.numero}°"
        for ci, chantier in enumerate(trigger.chantiers):
            if chantier not in chantiers:
                line = line_of(data, (*at, "chantiers", ci))
                problems.append(
                    m.CLAUSE_UNKNOWN_CHANTIER.at(
                        name, line, where, chantier=chantier, chantiers=", ".join(chantiers)
                    )
                )
        for ai, action in enumerate(trigger.actions):
            if library is not None and action not in library:
                line = line_of(data, (*at, "actions", ai))
                problems.append(m.CHANTIER_UNKNOWN_ACTION.at(name, line, where, action=action))
    return problems


def _cycle_problems(file: Chantiers, data: Any, name: str) -> list[Problem]:
    """Each cycle of `requiert` once, on the line of its first action in the file."""
    requires = file.requires()
    lines = {
        entry.action: line_of(data, ("chantiers", ci, "actions", ei))
        for ci, chantier in enumerate(file.chantiers)
        for ei, entry in enumerate(chantier.actions)
    }
    reported: set[frozenset[str]] = set()
    problems: list[Problem] = []
    for start in requires:
        cycle = _cycle_from(start, requires)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        first = min(cycle, key=lambda a: lines.get(a, 0))
        turn = cycle.index(first)
        ring = [*cycle[turn:], *cycle[:turn], first]
        problems.append(
            m.CHANTIER_REQUIRES_CYCLE.at(name, lines.get(first, 1), cycle=" → ".join(ring))
        )
    return problems


def _cycle_from(start: str, requires: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A path of `requiert` that leads from `start` back to it, or None (depth first, in file
    order)."""
    path: list[str] = [start]
    visited: set[str] = set()

    def walk(node: str) -> bool:
        for nxt in requires.get(node, ()):
            if nxt == start:
                return True
            if nxt in visited:
                continue
            visited.add(nxt)
            path.append(nxt)
            if walk(nxt):
                return True
            path.pop()
        return False

    return path if walk(start) else None


def _support_problems(file: Chantiers, data: Any, name: str) -> list[Problem]:
    known = ", ".join(file.appuis)
    return [
        m.UNKNOWN_SUPPORT.at(
            name,
            line_of(data, ("chantiers", ci, "actions", ei, "effort", "appui")),
            _entry_where(chantier, entry),
            support=entry.effort.appui,
            supports=known,
        )
        for ci, chantier in enumerate(file.chantiers)
        for ei, entry in enumerate(chantier.actions)
        if entry.effort.appui is not None and entry.effort.appui not in file.appuis
    ]


def _fact_problems(file: Chantiers, data: Any, name: str, fiche: Fiche) -> list[Problem]:
    """Every fact of a condition exists on the fiche; compared values fit it; `plus_de` and
    `au_plus` read numbers."""
    places: list[tuple[tuple[Any, ...], str, Condition]] = []
    for ci, chantier in enumerate(file.chantiers):
        for ei, entry in enumerate(chantier.actions):
            if entry.condition is not None:
                at = ("chantiers", ci, "actions", ei, "condition")
                places.append((at, _entry_where(chantier, entry), entry.condition))
    for gi, group in enumerate(file.exclusions):
        if group.cumul_si is not None:
            places.append(
                (("exclusions", gi, "cumul_si"), f"exclusion « {group.id} »", group.cumul_si)
            )
    for ki, clause, ti, trigger in _triggers(file):
        if trigger.fiche is not None:
            at = ("clauses_pacte", "clauses", ki, "quand", ti, "fiche")
            places.append((at, f"clause {clause.numero}°", trigger.fiche))
    fields = fiche.fields
    problems: list[Problem] = []
    for at, where, condition in places:
        tests: list[tuple[str, dict[str, Any]]] = [
            ("si", condition.si),
            ("sauf_si", condition.sauf_si),
            ("plus_de", condition.plus_de),
            ("au_plus", condition.au_plus),
        ]
        for test, values in tests:
            for fact, value in values.items():
                line = line_of(data, (*at, test, fact))
                if fact not in fields:
                    known = ", ".join(fields)
                    problems.append(m.UNKNOWN_FACT.at(name, line, where, fact=fact, facts=known))
                    continue
                field = fields[fact]
                if test in {"plus_de", "au_plus"}:
                    if field.type != FactType.INT:
                        values_ = {"test": test, "fact": fact, "type": field.type.value}
                        problems.append(m.CONDITION_NOT_A_NUMBER.at(name, line, where, **values_))
                    continue
                reason = value_problem(field, value)
                if reason:
                    wanted = expected(field)
                    problems.append(
                        m.BAD_FACT_VALUE.at(
                            name, line, where, fact=fact, reason=reason, expected=wanted
                        )
                    )
    return problems


__all__ = [
    "Chantier",
    "Clause",
    "PacteClauses",
    "Trigger",
    "Chantiers",
    "Condition",
    "Dropped",
    "Effort",
    "Entry",
    "Exclusion",
    "Filtered",
    "IndicatorRule",
    "Phase",
    "apply_exclusions",
    "fits",
    "indicator_items",
    "indicator_values",
    "load_chantiers",
    "order",
    "parse_chantiers",
    "unfit",
    "with_requirements",
]
