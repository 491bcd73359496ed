"""The « Fiche du territoire » as data: its fields (questions/fiche.yaml) and the rules of their
values. Pure: no database, no access check (the service, territory/service.py, does both).

A territory's facts are a plain mapping of fact id -> value, None (or absent) meaning unknown:
bool, datetime.date, int, a choice's id, a list of texts, and for `competences` a list of
{nom, interet_communautaire_defini (True, False or None: sans objet), a_la_carte}.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from diagnostic.errors import DiagnosticError
from diagnostic.questionnaire import Problem, QuestionnaireError
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import key_path, line_of, load_once, validated
from diagnostic.questionnaire.messages import broken
from diagnostic.questionnaire.schema import Identifier, Text
from diagnostic.questionnaire.source import parse_yaml, read_source

FICHE_FILE = "fiche.yaml"
EARLIEST = date(1990, 1, 1)  # no intercommunal fact of the fiche is older: a typo in the year
MAX_SOURCE = 300  # characters of a source (« délibération n° … du … »)
MAX_TEXT = 200  # characters of an item of a list, or of a competence's name
MAX_ITEMS = 60  # items of a list, or competences

Value = bool | date | int | str | list[str] | list[dict[str, Any]] | None


class FactType(StrEnum):
    """How a fact is written and checked."""

    BOOL = "bool"
    DATE = "date"
    INT = "int"
    CHOICE = "choice"
    LIST = "list"
    COMPETENCES = "competences"


# The facts the application itself reads (the population and its vintage have defaults taken
# from the territory's record and the official list), with their type.
REQUIRED: dict[str, FactType] = {"population": FactType.INT, "population_millesime": FactType.INT}

# The columns of a competence, and the words of its three-state column on screen.
NOM, INTERET, A_LA_CARTE = "nom", "interet_communautaire_defini", "a_la_carte"
# A column read from rows kept before 2026-12-05 and dropped: « restituée à des communes »
# misread the law (a restitution, L5211-17-1, concerns every commune; L5211-17-2 is the transfer
# « à la carte »), so its value is not carried into a_la_carte.
RETIRED = ("restitution_3ds",)
TRISTATE: dict[str, bool | None] = {"oui": True, "non": False, "sans objet": None}
UNKNOWN, NOT_APPLICABLE = "non renseigné", "sans objet"

# Keys that only some types take; the keys a type cannot do without, and what they hold.
_TYPE_KEYS: dict[str, tuple[FactType, ...]] = {
    "choices": (FactType.CHOICE,),
    "suggestions": (FactType.LIST,),
    "none_label": (FactType.LIST,),
    "min": (FactType.INT,),
    "max": (FactType.INT,),
    "unit": (FactType.INT,),
    "columns": (FactType.COMPETENCES,),
    "reads": (FactType.BOOL,),
}
_NEEDED: dict[FactType, tuple[str, str]] = {
    FactType.CHOICE: ("choices", "la liste des choix, un par ligne avec son id et son label"),
    FactType.LIST: ("none_label", "le libellé de la case « aucun » (ex. Aucun service commun)"),
    FactType.COMPETENCES: (
        "columns",
        "les intitulés des colonnes nom, interet_communautaire_defini et a_la_carte",
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    id: Identifier
    label: Text


class Reads(_Strict):
    """A yes/no fact as a sentence reads it (« pas de conseil de développement »)."""

    oui: Text
    non: Text


class Columns(_Strict):
    """The headings of the competences table."""

    nom: Text
    interet_communautaire_defini: Text
    a_la_carte: Text


class FactField(_Strict):
    """One fact of the fiche: its id (read by the obligations), French label, help and type."""

    id: Identifier
    label: Text
    type: FactType
    help: Text | None = None
    legal: Text | None = None  # the legal basis, shown with the help
    references: list[Identifier] = []  # « Repères et outils » (questions/references.yaml)
    depends_on: Identifier | None = None  # a bool fact placed before: this one needs it true
    choices: list[Choice] | None = Field(default=None, min_length=1)
    suggestions: list[Text] | None = None
    none_label: Text | None = None
    min: int | None = None
    max: int | None = None
    unit: Text | None = None
    columns: Columns | None = None
    reads: Reads | None = None  # bool: the fact in words, for the roadmap's evidence

    @model_validator(mode="after")
    def _fits_its_type(self) -> FactField:
        for key, types in _TYPE_KEYS.items():
            if getattr(self, key) is not None and self.type not in types:
                raise broken(m.FACT_KEY_NOT_APPLICABLE, key=key, type=self.type.value)
        needed = _NEEDED.get(self.type)
        if needed is not None and getattr(self, needed[0]) is None:
            raise broken(m.FACT_KEY_MISSING, type=self.type.value, key=needed[0], what=needed[1])
        return self


class FactGroup(_Strict):
    """Facts entered together (one form on the page)."""

    id: Identifier
    title: Text
    help: Text | None = None
    facts: list[FactField] = Field(min_length=1)


class Fiche(_Strict):
    """The whole fiche: its groups of facts, in the order of the page."""

    id: Identifier
    version: Text
    title: Text
    intro: Text
    groups: list[FactGroup] = Field(min_length=1)

    @property
    def fields(self) -> dict[str, FactField]:
        return {f.id: f for g in self.groups for f in g.facts}

    def field(self, fact_id: str) -> FactField:
        return self.fields[fact_id]


# --- reading fiche.yaml ----------------------------------------------------------------------


def parse_fiche(text: str, name: str = "<texte>") -> Fiche:
    """Parse and validate the text of a fiche definition; every problem at once."""
    data = parse_yaml(text, name)
    fiche = validated(
        Fiche,
        data,
        name,
        expected="une fiche du territoire (clés title, groups…)",
        where=key_path(data, skip={"groups", "facts"}),
        kinds={"type": "type d'information"},
    )
    problems = _cross_checks(fiche, data, name)
    if problems:
        raise QuestionnaireError(problems)
    return fiche


def load_fiche(path: str | Path) -> Fiche:
    """Load and validate one fiche file; raise QuestionnaireError listing its problems."""
    return parse_fiche(read_source(path), str(path))


def fiche_for(questions_dir: Path) -> Fiche:
    """The fiche of a questions folder, read once per change of the file."""
    return load_once(Path(questions_dir) / FICHE_FILE, load_fiche)


def _cross_checks(fiche: Fiche, data: Any, name: str) -> list[Problem]:
    """After the schema: unique ids, conditions on an earlier yes/no fact, the facts read."""
    problems: list[Problem] = []
    groups: dict[str, int] = {}
    kinds: dict[str, tuple[FactType, int]] = {}
    for gi, group in enumerate(fiche.groups):
        line = line_of(data, ("groups", gi, "id"))
        if group.id in groups:
            earlier = f" (déjà utilisé ligne {groups[group.id]})"
            problems.append(m.DUPLICATE.at(name, line, noun="groupe", id=group.id, earlier=earlier))
        groups.setdefault(group.id, line)
        for fi, fact in enumerate(group.facts):

            def at(key: str, gi: int = gi, fi: int = fi) -> int:
                return line_of(data, ("groups", gi, "facts", fi, key))

            if fact.id in kinds:
                earlier = f" (déjà utilisée ligne {kinds[fact.id][1]})"
                problems.append(
                    m.DUPLICATE.at(name, at("id"), noun="information", id=fact.id, earlier=earlier)
                )
            parent = kinds.get(fact.depends_on) if fact.depends_on else None
            if fact.depends_on and (parent is None or parent[0] != FactType.BOOL):
                problems.append(
                    m.DEPENDS_ON_INVALID.at(
                        name, at("depends_on"), f"« {fact.id} »", target=fact.depends_on
                    )
                )
            kinds.setdefault(fact.id, (fact.type, at("id")))
    for fact_id, kind in REQUIRED.items():
        found = kinds.get(fact_id)
        if found is None or found[0] != kind:
            line = found[1] if found else line_of(data, ("groups",))
            problems.append(m.REQUIRED_FACT.at(name, line, fact=fact_id, type=kind.value))
    return sorted(problems, key=lambda p: p.line)


def reference_problems(fiche: Fiche, known: Iterable[str], data: Any, name: str) -> list[Problem]:
    """References cited by the facts but absent from « Repères et outils », each on its line."""
    ids = set(known)
    return [
        m.UNKNOWN_REFERENCE.at(
            name,
            line_of(data, ("groups", gi, "facts", fi, "references", ri)),
            f"« {fact.id} »",
            reference=ref,
        )
        for gi, group in enumerate(fiche.groups)
        for fi, fact in enumerate(group.facts)
        for ri, ref in enumerate(fact.references)
        if ref not in ids
    ]


# --- values ----------------------------------------------------------------------------------


class FactError(DiagnosticError, ValueError):
    """Values of the fiche refused: `problems` maps each fact id to what is wrong, in French."""

    def __init__(self, problems: Mapping[str, str], labels: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(
            "\n".join(f"« {labels.get(k, k)} » : {reason}" for k, reason in self.problems.items())
        )


class _Refused(Exception):
    """Why one value is refused (becomes a FactError)."""


def normalise(field: FactField, raw: Any, *, today: date | None = None) -> Value:
    """The value of `field` from a widget, a YAML file or the database; None when empty.

    `today`: dates after it are refused (a fact is what happened). FactError otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return _RULES[field.type](field, raw, today)
    except _Refused as why:
        raise FactError({field.id: str(why)}, {field.id: field.label}) from None


def check_values(
    fiche: Fiche,
    values: Mapping[str, Any],
    *,
    known: Mapping[str, Value] | None = None,
    today: date | None = None,
) -> dict[str, Value]:
    """Every value of `values` normalised, then checked with the `known` facts of the
    territory (a date given while its yes/no fact is not « oui »); one FactError for all."""
    fields = fiche.fields
    problems: dict[str, str] = {}
    labels = {k: f.label for k, f in fields.items()}
    out: dict[str, Value] = {}
    for fact_id, raw in values.items():
        if fact_id not in fields:
            problems[fact_id] = "information inconnue de la fiche"
            continue
        try:
            out[fact_id] = normalise(fields[fact_id], raw, today=today)
        except FactError as exc:
            problems.update(exc.problems)
    merged = {**(known or {}), **out}
    for fact_id, field in fields.items():
        parent = field.depends_on
        if not parent or (fact_id not in out and parent not in out):
            continue
        if merged.get(fact_id) not in (None, []) and merged.get(parent) is not True:
            problems.setdefault(
                fact_id,
                f"renseignée alors que « {fields[parent].label} » ne vaut pas « oui » : "
                "laissez-la non renseignée, ou répondez oui",
            )
    if problems:
        raise FactError(problems, labels)
    return out


def applicable(fiche: Fiche, values: Mapping[str, Value], fact_id: str) -> bool:
    """A fact that depends on a yes/no fact matters only when that one is « oui »."""
    parent = fiche.field(fact_id).depends_on
    return parent is None or (values.get(parent) is True and applicable(fiche, values, parent))


def effective(fiche: Fiche, values: Mapping[str, Value]) -> dict[str, Value]:
    """The values as the rules read them: a yes/no fact that depends on a yes/no fact which is
    « non » reads « non » (no debate on a pacte: no pacte decided, none adopted)."""
    out = dict(values)
    for fact_id, field in fiche.fields.items():  # a parent comes before (FICHE-003)
        parent = field.depends_on
        if (
            field.type == FactType.BOOL
            and parent
            and out.get(fact_id) is None
            and (out.get(parent) is False)
        ):
            out[fact_id] = False
    return out


def missing(fiche: Fiche, values: Mapping[str, Value]) -> list[str]:
    """The facts still unknown, in the order of the fiche (a fact that depends on an unknown
    or negative yes/no fact is not listed: that one is, or it is not needed)."""
    return [
        fact_id
        for fact_id in fiche.fields
        if applicable(fiche, values, fact_id) and values.get(fact_id) is None
    ]


def to_json(field: FactField, value: Value) -> Any:
    """What the database keeps (dates as AAAA-MM-JJ)."""
    return value.isoformat() if isinstance(value, date) else value


def from_json(field: FactField, raw: Any) -> Value:
    """A stored value read back; one that no longer fits the definition reads as unknown."""
    try:
        return normalise(field, raw)
    except FactError:
        return None


def _one_line(text: str) -> str:
    kept = "".join(
        " " if c in "\t\n\r" else c
        for c in text
        if c in "\t\n\r" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return " ".join(kept.split())


def clean_source(text: str | None) -> str | None:
    """A source as typed, on one line, at most MAX_SOURCE characters; None when empty."""
    cleaned = _one_line(text or "")
    if len(cleaned) > MAX_SOURCE:
        raise FactError(
            {"source": f"au plus {MAX_SOURCE} caractères ({len(cleaned)})"}, {"source": "Source"}
        )
    return cleaned or None


def number(n: int) -> str:
    """« 21 800 »: thousands apart, as French writes them."""
    return f"{n:,}".replace(",", " ")


def _bool(field: FactField, raw: Any, today: date | None) -> bool:
    if isinstance(raw, bool):
        return raw
    raise _Refused(f"oui ou non attendu (valeur lue : « {raw} »)")


def _date(field: FactField, raw: Any, today: date | None) -> date:
    if isinstance(raw, datetime):
        raw = raw.date()
    elif isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw.strip())
        except ValueError:
            raise _Refused(f"date invalide « {raw} » (attendue sous la forme AAAA-MM-JJ)") from None
    if not isinstance(raw, date):
        raise _Refused(f"date attendue (valeur lue : « {raw} »)")
    if raw < EARLIEST:
        raise _Refused(f"date antérieure à 1990 ({raw:%d/%m/%Y}) : vérifiez l'année")
    if today is not None and raw > today:
        raise _Refused(f"date à venir ({raw:%d/%m/%Y}) : la fiche ne garde que ce qui a eu lieu")
    return raw


def _int(field: FactField, raw: Any, today: date | None) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str):
        digits = "".join(c for c in raw if not c.isspace())
        value = int(digits) if digits.isdigit() and len(digits) < 12 else None
    if value is None:
        raise _Refused(f"nombre entier attendu (valeur lue : « {raw} »)")
    low = field.min if field.min is not None else 0
    if value < low or (field.max is not None and value > field.max):
        bound = (
            f"entre {number(low)} et {number(field.max)}"
            if field.max is not None
            else f"d'au moins {number(low)}"
        )
        raise _Refused(f"{number(value)} hors des bornes (nombre {bound})")
    return value


def _choice(field: FactField, raw: Any, today: date | None) -> str:
    ids = [c.id for c in field.choices or []]
    if raw in ids:
        return str(raw)
    raise _Refused(f"choix inconnu « {raw} » (choix possibles : {', '.join(ids)})")


def _items(raw: Any, what: str) -> list[Any]:
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Iterable):
        raise _Refused(f"liste attendue (valeur lue : « {raw} »)")
    items = list(raw)
    if len(items) > MAX_ITEMS:
        raise _Refused(f"au plus {MAX_ITEMS} {what} ({len(items)})")
    return items


def _text(raw: Any, what: str) -> str:
    if not isinstance(raw, str):
        raise _Refused(f"{what} : texte attendu (valeur lue : « {raw} »)")
    text = _one_line(raw)
    if len(text) > MAX_TEXT:
        raise _Refused(f"{what} trop long : au plus {MAX_TEXT} caractères ({text[:40]}…)")
    return text


def _list(field: FactField, raw: Any, today: date | None) -> list[str]:
    out: list[str] = []
    for item in _items(raw, "éléments"):
        text = _text(item, "chaque élément")
        if text and text.casefold() not in {x.casefold() for x in out}:
            out.append(text)
    return out


def _blank(value: Any) -> bool:
    """An empty cell: None, or the NaN (NA) a table gives for a cell never filled in."""
    return value is None or (not isinstance(value, str | bool) and bool(pd.isna(value)))


def _competences(field: FactField, raw: Any, today: date | None) -> list[dict[str, Any]] | None:
    out: list[dict[str, Any]] = []
    for row in _items(raw, "compétences"):
        if not isinstance(row, Mapping):
            raise _Refused(f"une ligne par compétence attendue (valeur lue : « {row} »)")
        unknown = [str(k) for k in row if k not in (NOM, INTERET, A_LA_CARTE, *RETIRED)]
        if unknown:
            columns = ", ".join((NOM, INTERET, A_LA_CARTE))
            raise _Refused(f"colonne inconnue « {unknown[0]} » (colonnes : {columns})")
        cells = {k: None if _blank(row.get(k)) else row.get(k) for k in (NOM, INTERET, A_LA_CARTE)}
        name = _text(cells[NOM] or "", "le nom d'une compétence")
        interest = cells[INTERET]
        if isinstance(interest, str) and interest.strip().lower() in TRISTATE:
            interest = TRISTATE[interest.strip().lower()]
        if interest is not None and not isinstance(interest, bool):
            raise _Refused(f"« {name} » : intérêt communautaire oui, non ou sans objet attendu")
        carte = False if cells[A_LA_CARTE] is None else cells[A_LA_CARTE]
        if not isinstance(carte, bool):
            raise _Refused(f"« {name} » : transfert à la carte oui ou non attendu")
        if not name:
            if interest is None and not carte:
                continue  # a blank line of the table
            raise _Refused("une ligne sans nom de compétence")
        if name.casefold() in {c[NOM].casefold() for c in out}:
            raise _Refused(f"« {name} » figure deux fois")
        out.append({NOM: name, INTERET: interest, A_LA_CARTE: carte})
    return out or None


_RULES = {
    FactType.BOOL: _bool,
    FactType.DATE: _date,
    FactType.INT: _int,
    FactType.CHOICE: _choice,
    FactType.LIST: _list,
    FactType.COMPETENCES: _competences,
}


def value_problem(field: FactField, value: Any) -> str | None:
    """Why `value`, written in a data file (a trigger, a knowledge item), can never be a value
    of `field`; None when it can. Dates and competences are never compared in a file."""
    if field.type in (FactType.DATE, FactType.COMPETENCES):
        return f"une information de type {field.type.value} ne se compare pas à une valeur"
    if field.type == FactType.LIST:
        if isinstance(value, bool):  # true: at least one entry; false: none
            return None
        known = {s.casefold(): s for s in field.suggestions or []}
        if not isinstance(value, str) or value.casefold() not in known:
            return f"« {value} » n'est pas l'une des propositions de la fiche"
        return None
    if field.type == FactType.INT and (isinstance(value, bool) or not isinstance(value, int)):
        return f"nombre entier attendu (valeur lue : « {value} »)"
    try:
        normalise(field, value)
    except FactError as exc:
        return exc.problems[field.id]
    return None


def expected(field: FactField) -> str:
    """How a value of `field` is written in a YAML file (the fix of FICHE-006)."""
    if field.type == FactType.INT:
        low = field.min if field.min is not None else 0
        return f"un nombre entier de {low} à {field.max}" if field.max else "un nombre entier"
    if field.type == FactType.CHOICE:
        return "l'un des choix : " + ", ".join(c.id for c in field.choices or [])
    if field.type == FactType.LIST and field.suggestions:
        return (
            "l'une des propositions : " + " ; ".join(field.suggestions) + " (ou true : au moins "
            "une ; false : aucune)"
        )
    return {
        FactType.BOOL: "true ou false",
        FactType.DATE: "une date AAAA-MM-JJ passée (ex. 2026-04-09)",
        FactType.LIST: "une liste de textes, un par ligne commençant par « - »",
        FactType.COMPETENCES: (
            f"une liste de compétences {{{NOM}: …, {INTERET}: true, false ou null, "
            f"{A_LA_CARTE}: true ou false}}"
        ),
    }[field.type]
