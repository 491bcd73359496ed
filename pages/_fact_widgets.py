"""The fiche du territoire's inputs: one widget per type of fact, labelled from
questions/fiche.yaml, showing the fact's value, then its source and where it comes from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from diagnostic.territory.facts import (
    A_LA_CARTE,
    EARLIEST,
    INTERET,
    MAX_SOURCE,
    MAX_TEXT,
    NOM,
    NOT_APPLICABLE,
    TRISTATE,
    UNKNOWN,
    FactType,
)
from diagnostic.territory.presentation import Fact, editor_table
from pages._shell import plain

YES_NO = {True: "Oui", False: "Non", None: UNKNOWN.capitalize()}


def key(territory_id: int, fact_id: str, part: str = "value") -> str:
    return f"fiche_{territory_id}_{fact_id}_{part}"


def _help(fact: Fact) -> str | None:
    field = fact.field
    parts = [field.help or "", f"Base légale : {field.legal}." if field.legal else ""]
    return " ".join(p for p in parts if p) or None


def _bool(fact: Fact, k: str, today: date) -> Any:
    return st.radio(
        fact.field.label,
        [True, False, None],
        index=[True, False, None].index(fact.value),
        format_func=YES_NO.get,
        horizontal=True,
        key=k,
        help=_help(fact),
    )


def _date(fact: Fact, k: str, today: date) -> Any:
    return st.date_input(
        fact.field.label,
        value=fact.value,
        min_value=EARLIEST,
        max_value=max(today, fact.value) if fact.value else today,  # a clock behind the data
        format="DD/MM/YYYY",
        key=k,
        help=_help(fact),
    )


def _int(fact: Fact, k: str, today: date) -> Any:
    field = fact.field
    return st.number_input(
        field.label + (f" ({field.unit})" if field.unit else ""),
        value=fact.value,
        min_value=field.min if field.min is not None else 0,
        max_value=field.max,
        step=1,
        placeholder=UNKNOWN.capitalize(),
        key=k,
        help=_help(fact),
    )


def _choice(fact: Fact, k: str, today: date) -> Any:
    labels: dict[str | None, str] = {c.id: c.label for c in fact.field.choices or []}
    labels[None] = UNKNOWN.capitalize()
    options = list(labels)
    return st.selectbox(
        fact.field.label,
        options,
        index=options.index(fact.value) if fact.value in labels else len(options) - 1,
        format_func=labels.get,
        key=k,
        placeholder="Choisir…",
        help=_help(fact),
    )


def _list(fact: Fact, k: str, today: date) -> Any:
    field, current = fact.field, list(fact.value or [])
    options = list(dict.fromkeys([*(field.suggestions or []), *current]))
    chosen = st.multiselect(
        field.label,
        options,
        default=current,
        accept_new_options=True,
        max_selections=60,
        placeholder="Choisissez ou tapez une fonction…",
        key=k,
        help=_help(fact),
        select_all=False,
    )
    none = st.checkbox(
        field.none_label or "Aucun",
        value=fact.value == [],
        key=k + "_none",
        help="Si la liste est vide et la case décochée, l'information reste « non renseigné ».",
    )
    return chosen or ([] if none else None)


def _competences(fact: Fact, k: str, today: date) -> Any:
    columns = fact.field.columns
    assert columns is not None  # checked when fiche.yaml is read (FICHE-001)
    st.markdown(f"**{fact.field.label}**")
    if _help(fact):
        st.caption(_help(fact))
    edited = st.data_editor(
        editor_table(fact.value),
        column_config={
            NOM: st.column_config.TextColumn(columns.nom, max_chars=MAX_TEXT, width="large"),
            INTERET: st.column_config.SelectboxColumn(
                columns.interet_communautaire_defini, options=list(TRISTATE), default=NOT_APPLICABLE
            ),
            A_LA_CARTE: st.column_config.CheckboxColumn(columns.a_la_carte, default=False),
        },
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=k,
    )
    return edited.to_dict("records") if hasattr(edited, "to_dict") else edited


INPUTS: dict[FactType, Callable[[Fact, str, date], Any]] = {
    FactType.BOOL: _bool,
    FactType.DATE: _date,
    FactType.INT: _int,
    FactType.CHOICE: _choice,
    FactType.LIST: _list,
    FactType.COMPETENCES: _competences,
}


def fact_input(territory_id: int, fact: Fact, today: date) -> tuple[Any, str]:
    """A fact's widget and, beside it, its source, inside the group's form; their values."""
    wide = fact.field.type == FactType.COMPETENCES
    left, right = (st.container(), st.container()) if wide else st.columns([3, 2])
    with left:
        value = INPUTS[fact.field.type](fact, key(territory_id, fact.field.id), today)
    with right:
        source = st.text_input(
            "Source",
            value=fact.source or "",
            max_chars=MAX_SOURCE,
            placeholder="délibération du…, arrêté, rapport…",
            key=key(territory_id, fact.field.id, "source"),
        )
        if fact.updated:
            st.caption(plain(fact.updated))
    return value, source


def forget(territory_id: int, fact_ids: list[str]) -> None:
    """Drop the widgets' state of saved facts: they show the stored values again."""
    for fact_id in fact_ids:
        for part in ("value", "value_none", "source"):
            st.session_state.pop(key(territory_id, fact_id, part), None)
