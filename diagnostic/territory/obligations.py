"""The legal obligations of an intercommunalité (questions/obligations.yaml), checked from the
facts of its fiche at a date: « à jour », « à faire », « en retard », « à vérifier » (the fiche
does not say), « sans objet », and the windows of other bodies, open or passed.

Pure: rules on values (fact id -> value, as the fiche stores them; None or absent = unknown), no
database and no access check. Each rule is written out in docs/methodes.md (« Obligations
légales »).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from diagnostic.questionnaire import QuestionnaireError
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import duplicates, key_path, line_of, schema_problems
from diagnostic.questionnaire.schema import Identifier, Text, as_plain
from diagnostic.questionnaire.source import parse_yaml, read_source
from diagnostic.roadmap.library import load_references
from diagnostic.territory.calendar import (
    INSTALLATION_FACT,
    Anchor,
    Calendar,
    Deadline,
    Nature,
    as_day,
    dated,
    load_calendar,
    unknown_references,
)
from diagnostic.vocabulary import KIND_LABELS, french_date

# The competences table of the fiche (facts.py, type « competences »): a row's name and its
# « intérêt communautaire défini » cell (true, false, or null when it does not apply).
COMPETENCE_NAME = "nom"
INTEREST_DEFINED = "interet_communautaire_defini"

EPCI_KINDS = ("cc", "ca", "cu", "metropole")  # the EPCI à fiscalité propre (Territory.kind)
Kind = Literal["cc", "ca", "cu", "metropole"]
FactValue = bool | int | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """When an obligation applies: every test given must hold."""

    types: list[Kind] = Field(default=list(EPCI_KINDS), min_length=1)
    population_plus_de: int | None = Field(default=None, ge=0)  # strictly more, as the law says
    si: dict[Identifier, FactValue] = {}  # facts that must have these values
    sauf_si: dict[Identifier, FactValue] = {}  # not when one of these facts has this value
    si_liste: list[Identifier] = []  # list facts that must hold at least one item


class Obligation(_Strict):
    """One legal obligation, the facts that show it met, and its deadline."""

    id: Identifier
    titre: Text
    exige: Text  # what it requires, in French
    base_legale: Text
    condition: Condition = Condition()
    fait: Identifier | None = None  # a yes/no fact of the fiche: true = met
    date: Identifier | None = None  # a date of the fiche: met when it falls in the period
    echeance: Identifier | None = None  # a deadline of calendrier.yaml; none: in force, always
    reference: Identifier | None = None  # an entry of references.yaml
    actions: list[Identifier] = []  # the library actions that meet it (questions/actions.yaml)
    note: Text | None = None
    a_verifier: bool = False  # the rule itself is to be checked against the texts


class _ObligationFile(_Strict):
    obligations: list[Obligation] = Field(min_length=1)


@dataclass(frozen=True)
class Obligations:
    """The obligations with the calendar their deadlines come from."""

    calendar: Calendar
    items: tuple[Obligation, ...]

    def deadline(self, obligation: Obligation) -> Deadline | None:
        return self.calendar.deadline(obligation.echeance) if obligation.echeance else None

    def facts_read(self) -> set[str]:
        """Every fact id of the fiche the evaluation reads."""
        found = {INSTALLATION_FACT}
        for ob in self.items:
            found |= set(ob.condition.si) | set(ob.condition.sauf_si) | set(ob.condition.si_liste)
            found |= {f for f in (ob.fait, ob.date) if f}
            deadline = self.deadline(ob)
            if deadline is not None and deadline.fait:
                found.add(deadline.fait)
        return found


# --- statuses ------------------------------------------------------------------------------------


class State(StrEnum):
    """The status of an obligation at a date, worst first."""

    EN_RETARD = "en_retard"
    A_VERIFIER = "a_verifier"
    A_FAIRE = "a_faire"
    FENETRE_OUVERTE = "fenetre_ouverte"
    FENETRE_PASSEE = "fenetre_passee"
    A_JOUR = "a_jour"
    SANS_OBJET = "sans_objet"


STATE_LABELS = {
    State.EN_RETARD: "en retard",
    State.A_VERIFIER: "à vérifier",
    State.A_FAIRE: "à faire",
    State.FENETRE_OUVERTE: "fenêtre ouverte",
    State.FENETRE_PASSEE: "passée",
    State.A_JOUR: "à jour",
    State.SANS_OBJET: "sans objet",
}


@dataclass(frozen=True)
class Status:
    """Where one obligation stands on a day, and why."""

    obligation: Obligation
    state: State
    due: dt.date | None = None  # the deadline that is late, to come, or that closes the window
    why: str = ""  # in French: what the fiche says, or which condition excludes it
    missing: tuple[str, ...] = field(default=())  # facts of the fiche that are unknown

    @property
    def label(self) -> str:
        """« en retard (échéance 22 octobre 2026) », « passée (fenêtre close le 22 septembre
        2026) », « à jour »…"""
        text = STATE_LABELS[self.state]
        if self.state in {State.FENETRE_OUVERTE, State.FENETRE_PASSEE} and self.due:
            verb = "jusqu'au" if self.state == State.FENETRE_OUVERTE else "fenêtre close le"
            return f"{text} ({verb} {french_date(self.due)})"
        if self.state in {State.EN_RETARD, State.A_FAIRE}:
            when = f"échéance {french_date(self.due)}" if self.due else "obligation permanente"
            return f"{text} ({when})"
        return text

    @property
    def basis(self) -> str:
        return self.obligation.base_legale


def evaluate(
    obligations: Obligations,
    facts: Mapping[str, object],
    kind: str,
    population: int | None,
    on: dt.date,
    labels: Mapping[str, str] | None = None,
) -> list[Status]:
    """Every obligation's status on `on` for a territory of this kind (Territory.kind) and
    population (when None, the fiche's `population`), from the facts of its fiche. `labels`
    names the facts in the explanations (the fiche's French labels; the ids otherwise)."""
    names = labels or {}
    if population is None and isinstance(facts.get("population"), int):
        population = facts.get("population")  # type: ignore[assignment]
    return [
        _status(obligations, ob, facts, kind, population, on, names) for ob in obligations.items
    ]


def _status(
    obligations: Obligations,
    ob: Obligation,
    facts: Mapping[str, object],
    kind: str,
    population: int | None,
    on: dt.date,
    names: Mapping[str, str],
) -> Status:
    """One obligation: (1) a known condition that fails makes it « sans objet »; (2) a window
    is open or passed; (3) met -> « à jour »; (4) an unknown condition or fact -> « à vérifier »;
    (5) not met -> « en retard » after its deadline, « à faire » until it (the deadline day
    itself is still on time), « en retard » at once for an obligation without deadline."""
    excluded, unknown = _applies(ob.condition, facts, kind, population, names)
    if excluded:
        return Status(ob, State.SANS_OBJET, why=excluded)
    deadline = obligations.deadline(ob)
    if deadline is not None and deadline.fenetre:
        return _window(obligations.calendar, ob, deadline, facts, on)
    if deadline is not None and deadline.depuis == Anchor.ANNUEL:
        return _annual(ob, deadline, facts, on, unknown, names)
    placed = dated(obligations.calendar, deadline, facts, on) if deadline else None
    if placed is not None and placed.due is None:
        fact = deadline.fait if deadline and deadline.fait else None
        why = f"fiche incomplète : {_name(fact, names)}" if fact else "aucun renouvellement connu"
        return Status(ob, State.A_VERIFIER, why=why, missing=unknown + ((fact,) if fact else ()))
    met, why = _met(ob, facts, placed.start if placed else None, on, names)
    if met:
        return Status(ob, State.A_JOUR, why=why)
    if unknown or met is None:
        gaps = unknown + (() if met is not None else tuple(f for f in (ob.fait, ob.date) if f))
        listed = ", ".join(_name(f, names) for f in gaps)
        return Status(ob, State.A_VERIFIER, why=f"fiche incomplète : {listed}", missing=gaps)
    if placed is None or placed.due is None:  # in force without a deadline of its own
        return Status(ob, State.EN_RETARD, why=why)
    why = " ; ".join([why, *_deadline_notes(deadline, placed.estimated)])
    state = State.EN_RETARD if on > placed.due else State.A_FAIRE
    return Status(ob, state, placed.due, why)


def _applies(
    condition: Condition,
    facts: Mapping[str, object],
    kind: str,
    population: int | None,
    names: Mapping[str, str],
) -> tuple[str, tuple[str, ...]]:
    """Why the obligation does not apply (empty when it may), and the unknown facts its
    condition needs. A known failing test wins over unknown ones."""
    if kind not in condition.types:
        concerned = ", ".join(KIND_LABELS[k].lower() for k in condition.types)
        return f"concerne : {concerned}", ()
    unknown: list[str] = []
    threshold = condition.population_plus_de
    if threshold is not None:
        if population is None:
            unknown.append("population")
        elif population <= threshold:
            return f"{_number(population)} habitants : seuil de plus de {_number(threshold)}", ()
    for fact, expected in condition.si.items():
        value = facts.get(fact)
        if value is None:
            unknown.append(fact)
        elif value != expected:
            return f"{_name(fact, names)} : {_shown(value)} (applicable si {_shown(expected)})", ()
    for fact, value in condition.sauf_si.items():
        found = facts.get(fact)
        if found is None:
            unknown.append(fact)
        elif found == value:
            return f"{_name(fact, names)} : {_shown(found)}", ()
    for fact in condition.si_liste:
        items = facts.get(fact)
        if items is None:
            unknown.append(fact)
        elif isinstance(items, list) and not items:
            return f"{_name(fact, names)} : aucun", ()
    return "", tuple(unknown)


def _met(
    ob: Obligation,
    facts: Mapping[str, object],
    start: dt.date | None,
    on: dt.date,
    names: Mapping[str, str],
) -> tuple[bool | None, str]:
    """Is the obligation met on `on`? True, False or None (the fiche does not say), and what
    the fiche says. A yes/no fact that says no wins; otherwise a known date decides: it counts
    from the start of the period (the renewal, the event) up to `on`; otherwise the yes/no fact."""
    said = facts.get(ob.fait) if ob.fait else None
    if isinstance(said, list):  # the competences table: met unless a row says « non défini »
        undefined = [
            str(row.get(COMPETENCE_NAME))
            for row in said
            if isinstance(row, Mapping) and row.get(INTEREST_DEFINED) is False
        ]
        if undefined:
            return False, "intérêt communautaire non défini : " + ", ".join(undefined)
        if said:
            return True, "intérêt communautaire défini pour chaque compétence qui en dépend"
        said = None
    if said is False:
        return False, f"{_name(ob.fait, names)} : non"
    day = as_day(facts.get(ob.date)) if ob.date else None
    if day is not None:
        if start is not None and day < start:
            return False, f"dernier acte le {french_date(day)}, avant le {french_date(start)}"
        if day > on:
            return False, f"acte daté du {french_date(day)}, après la date d'évaluation"
        return True, f"le {french_date(day)}"
    if said is True:
        return True, f"{_name(ob.fait, names)} : oui"
    return None, ""


def _window(
    calendar: Calendar,
    ob: Obligation,
    deadline: Deadline,
    facts: Mapping[str, object],
    on: dt.date,
) -> Status:
    """A window of another body (the CDCI after a renewal): open up to its last day, then
    passed."""
    placed = dated(calendar, deadline, facts, on)
    if placed.due is None:
        return Status(ob, State.A_VERIFIER, why="aucun renouvellement connu")
    state = State.FENETRE_OUVERTE if on <= placed.due else State.FENETRE_PASSEE
    return Status(ob, state, placed.due)


def _annual(
    ob: Obligation,
    deadline: Deadline,
    facts: Mapping[str, object],
    on: dt.date,
    unknown: tuple[str, ...],
    names: Mapping[str, str],
) -> Status:
    """An act due every year by a day (the activity report by 30 September): the act of a
    calendar year counts for that year's deadline."""
    assert deadline.le is not None  # an annual deadline has its day (schema)
    due = deadline.le.in_year(on.year)
    last = as_day(facts.get(ob.date)) if ob.date else None
    if last is not None and last > on:  # the fiche knows a later act, not the one before `on`
        why = f"dernier acte le {french_date(last)}, après la date d'évaluation"
        return Status(ob, State.A_VERIFIER, why=why)
    if last is not None and last.year >= on.year:
        return Status(ob, State.A_JOUR, why=f"le {french_date(last)}")
    if unknown or last is None:
        gaps = unknown + (() if last is not None else ((ob.date,) if ob.date else ()))
        listed = ", ".join(_name(f, names) for f in gaps)
        return Status(ob, State.A_VERIFIER, why=f"fiche incomplète : {listed}", missing=gaps)
    why = f"dernier le {french_date(last)}"
    if on > due:
        return Status(ob, State.EN_RETARD, due, why)
    if last.year == on.year - 1:
        return Status(ob, State.A_FAIRE, due, why)
    return Status(ob, State.EN_RETARD, deadline.le.in_year(on.year - 1), why)


def _deadline_notes(deadline: Deadline | None, estimated: bool) -> list[str]:
    notes = []
    if deadline is not None and deadline.nature == Nature.DEDUITE:
        notes.append("échéance déduite du texte")
    if deadline is not None and deadline.nature == Nature.INDICATIVE:
        notes.append("échéance indicative, sans délai légal")
    if estimated:
        notes.append("comptée depuis le renouvellement, faute de date d'installation du conseil")
    return notes


def _name(fact: str | None, names: Mapping[str, str]) -> str:
    return names.get(fact or "", fact or "")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


# --- the printable list (python -m diagnostic obligations) ---------------------------------------


def report(statuses: Sequence[Status]) -> list[str]:
    """The statuses as printable lines, worst first (file order within a state): title, status
    and legal basis on one line, then why, indented; a last line counts them by status."""
    order = list(State)
    lines: list[str] = []
    for status in sorted(statuses, key=lambda s: order.index(s.state)):
        ob = status.obligation
        lines.append(f"{ob.titre} : {status.label} — {status.basis}")
        details = [status.why] if status.why else []
        if ob.a_verifier and status.state != State.SANS_OBJET:
            details.append("règle à vérifier sur les textes" + (f" ({ob.note})" if ob.note else ""))
        lines += [f"    {text}" for text in details]
    counts = [
        f"{sum(s.state == state for s in statuses)} {STATE_LABELS[state]}"
        for state in order
        if any(s.state == state for s in statuses)
    ]
    lines.append(f"{len(statuses)} obligations : " + ", ".join(counts))
    return lines


TABLE_COLUMNS = ("Obligation", "Statut", "Échéance", "Base légale", "Ce que dit la fiche")
TABLE_STATES = {State.FENETRE_OUVERTE: "fenêtre ouverte", State.FENETRE_PASSEE: "fenêtre passée"}
RULE_TO_CONFIRM = "règle à confirmer sur les textes"


def table_rows(statuses: Sequence[Status]) -> list[tuple[str, str, str, str, str]]:
    """The statuses as the rows of a table (TABLE_COLUMNS), worst first (file order within a
    status): the deadline in words (« permanente » for an obligation in force without one),
    the legal basis (« règle à confirmer » when the rule itself is), what the fiche says."""
    order = list(State)
    rows = []
    for status in sorted(statuses, key=lambda s: order.index(s.state)):
        ob = status.obligation
        if status.due is not None:
            due = french_date(status.due)
        elif status.state == State.EN_RETARD:
            due = "permanente"
        else:
            due = "–"
        basis = ob.base_legale + (f" ({RULE_TO_CONFIRM})" if ob.a_verifier else "")
        state = TABLE_STATES.get(status.state, STATE_LABELS[status.state])
        rows.append((ob.titre, state, due, basis, status.why or "–"))
    return rows


# --- loading -------------------------------------------------------------------------------------


def load_obligations(
    path: str | Path,
    calendar: Calendar,
    references: Iterable[object] | None = None,
    actions: Iterable[object] | None = None,
) -> Obligations:
    """Load questions/obligations.yaml, checked against the calendar and, if given, the
    references and the action library."""
    return parse_obligations(read_source(path), calendar, references, str(path), actions)


def parse_obligations(
    text: str,
    calendar: Calendar,
    references: Iterable[object] | None = None,
    name: str = "<texte>",
    actions: Iterable[object] | None = None,
) -> Obligations:
    """Parse the text of an obligations file; every deadline and reference cited is checked,
    and the linked actions when the library's actions are given (ids, or objects with an id)."""
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        expected = "des obligations (clé « obligations: » suivie d'une liste)"
        raise m.NOT_A_MAPPING.fail(name, 1, expected=expected)
    try:
        items = _ObligationFile.model_validate(as_plain(data)).obligations
    except ValidationError as exc:
        where = key_path(data, skip={"obligations"})
        problems = schema_problems(exc, _ObligationFile, data, name, where)
        raise QuestionnaireError(problems) from None
    problems = duplicates([o.id for o in items], data, "obligations", name, "obligation")
    for i, ob in enumerate(items):
        for loc, message, values in _cross_problems(ob, calendar):
            line = line_of(data, ("obligations", i, *loc))
            problems.append(message.at(name, line, f"« {ob.id} »", **values))
    if references is not None:
        problems += unknown_references(items, references, data, "obligations", name)
    if actions is not None:
        problems += _unknown_actions(items, actions, data, name)
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: p.line))
    return Obligations(calendar, tuple(items))


def _unknown_actions(
    items: Sequence[Obligation], actions: Iterable[object], data: object, name: str
) -> list[m.Problem]:
    """Linked actions absent from the action library, each on its line."""
    known = sorted({str(getattr(a, "id", a)) for a in actions})
    return [
        m.OBLIGATION_UNKNOWN_ACTION.at(
            name,
            line_of(data, ("obligations", i, "actions", j)),
            f"« {ob.id} »",
            action=action,
            actions=", ".join(known) or "aucune",
        )
        for i, ob in enumerate(items)
        for j, action in enumerate(ob.actions)
        if action not in known
    ]


def _cross_problems(
    ob: Obligation, calendar: Calendar
) -> list[tuple[tuple[str, ...], m.Message, dict[str, str]]]:
    """What an obligation says that its deadline contradicts."""
    checked = ob.fait is not None or ob.date is not None
    if ob.echeance is None:
        return [] if checked else [((), m.OBLIGATION_WITHOUT_FACT, {})]
    deadline = calendar.deadline(ob.echeance)
    if deadline is None:
        known = ", ".join(d.id for d in calendar.echeances)
        return [(("echeance",), m.UNKNOWN_DEADLINE, {"deadline": ob.echeance, "deadlines": known})]
    if deadline.fenetre:
        return [((), m.WINDOW_WITH_FACT, {"deadline": deadline.id})] if checked else []
    if deadline.depuis in {Anchor.ANNUEL, Anchor.EVENEMENT} and ob.date is None:
        values = {"deadline": deadline.id, "anchor": deadline.depuis.value}
        return [(("echeance",), m.DATED_DEADLINE_WITHOUT_DATE, values)]
    return [] if checked else [((), m.OBLIGATION_WITHOUT_FACT, {})]


@lru_cache(maxsize=4)
def load_rules(questions_dir: Path) -> Obligations:
    """The shipped calendar and obligations of a questions folder, checked against its
    references; loaded once per process."""
    folder = Path(questions_dir)
    references = load_references(folder / "references.yaml")
    calendar = load_calendar(folder / "calendrier.yaml", references)
    return load_obligations(folder / "obligations.yaml", calendar, references)


__all__ = [
    "Condition",
    "Obligation",
    "Obligations",
    "State",
    "Status",
    "evaluate",
    "load_obligations",
    "load_rules",
    "parse_obligations",
    "report",
    "table_rows",
]
