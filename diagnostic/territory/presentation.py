"""The facts of the fiche in French words, for the page and the documents: values, where each
fact comes from, the read-only lines, the competences table. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from diagnostic.territory.facts import (
    A_LA_CARTE,
    INTERET,
    NOM,
    NOT_APPLICABLE,
    TRISTATE,
    UNKNOWN,
    FactField,
    FactGroup,
    FactType,
    Fiche,
    Value,
    applicable,
    number,
)
from diagnostic.vocabulary import count


def shown(field: FactField, value: Value) -> str:
    """A value in French words: « oui », « 09/04/2026 », « 21 800 habitants »…"""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return f"{number(value)} {field.unit}" if field.unit else str(value)
    if field.type == FactType.CHOICE:
        return next((c.label for c in field.choices or [] if c.id == value), str(value))
    if field.type == FactType.COMPETENCES:
        return " ; ".join(str(c[NOM]) for c in value if isinstance(c, Mapping))
    if isinstance(value, list):
        return " ; ".join(map(str, value)) if value else (field.none_label or "aucun")
    return str(value)


def statement(field: FactField, value: Value) -> str:
    """A known fact as a sentence reads it: « pas de conseil de développement » (the fact's
    `reads` in fiche.yaml), otherwise « Conférence des maires instituée : non »."""
    if isinstance(value, bool) and field.reads is not None:
        return field.reads.oui if value else field.reads.non
    return f"{field.label} : {shown(field, value)}"


def lacking(field: FactField, entry: str) -> str:
    """A list fact without one of its entries: « Services communs (fonctions) : pas de
    « Commande publique » »."""
    return f"{field.label} : pas de « {entry} »"


def _word(value: bool | None) -> str:
    return next(word for word, v in TRISTATE.items() if v is value)


def editor_rows(value: Value) -> list[dict[str, Any]]:
    """The competences as rows of the editing table (the three-state column in words)."""
    rows = value if isinstance(value, list) else []
    return [
        {NOM: c[NOM], INTERET: _word(c.get(INTERET)), A_LA_CARTE: bool(c.get(A_LA_CARTE))}
        for c in rows
        if isinstance(c, Mapping)
    ]


def editor_table(value: Value) -> pd.DataFrame:
    """The competences as the editing table: typed columns, even with no row yet."""
    rows = editor_rows(value)
    return pd.DataFrame(
        {
            NOM: pd.Series([r[NOM] for r in rows], dtype="string"),
            INTERET: pd.Series([r[INTERET] for r in rows], dtype="string"),
            A_LA_CARTE: pd.Series([r[A_LA_CARTE] for r in rows], dtype="bool"),
        }
    )


@dataclass(frozen=True)
class Fact:
    """One fact of a territory: its value and where it comes from."""

    field: FactField
    value: Value
    source: str | None = None
    updated_on: date | None = None
    updated_by: str | None = None  # the account's name
    default: bool = False  # not entered: taken from the territory's record or official list

    @property
    def text(self) -> str:
        return shown(self.field, self.value)

    @property
    def updated(self) -> str:
        """« mis à jour le 09/04/2026 par Claire Martin », or where a default value comes from."""
        if self.default:
            return f"valeur par défaut ({self.source}) : enregistrez-la pour la confirmer"
        if self.updated_on is None:
            return ""
        return f"mis à jour le {self.updated_on:%d/%m/%Y}" + (
            f" par {self.updated_by}" if self.updated_by else ""
        )


def origin(fact: Fact) -> str:
    """Where a fact comes from, short: « Délibération du 9 avril 2026, 10/04/2026 »."""
    when = f"{fact.updated_on:%d/%m/%Y}" if fact.updated_on else ""
    if fact.default:
        return fact.source or ""
    return ", ".join(x for x in (fact.source, when) if x)


def reading(
    fiche: Fiche, group: FactGroup, facts: Mapping[str, Fact]
) -> list[tuple[str, str, str]]:
    """One group read-only: (label, value in words, where it comes from) for each fact; a fact
    that depends on a yes/no fact which is not « oui » reads « sans objet »."""
    values = {k: f.value for k, f in facts.items()}
    rows = []
    for field in group.facts:
        fact = facts.get(field.id, Fact(field, None))
        if not applicable(fiche, values, field.id):
            rows.append((field.label, NOT_APPLICABLE, ""))
            continue
        origin = [] if fact.default else [fact.source or ""]
        text = fact.text
        if field.type == FactType.COMPETENCES and isinstance(fact.value, list):
            text = f"{count(len(fact.value), 'compétence')}, ci-dessous"
        rows.append((field.label, text, " · ".join(x for x in [*origin, fact.updated] if x)))
    return rows


def competence_lines(field: FactField, value: Value) -> list[str]:
    """The competences read-only, one line each, with the headings of fiche.yaml."""
    columns = field.columns
    assert columns is not None  # a competences field has its columns (FICHE-001)
    return [
        f"{row[NOM]} — {columns.interet_communautaire_defini} : {row[INTERET]} ; "
        f"{columns.a_la_carte} : {'oui' if row[A_LA_CARTE] else 'non'}"
        for row in editor_rows(value)
    ]
