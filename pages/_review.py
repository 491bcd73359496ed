"""The « Bilan précédent » tab of the results page: what became of the previous roadmap,
action by action (status and movement of its items), with its CSV and Excel exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.exports import MIME
from diagnostic.roadmap.review import ActionReview, level, summary_line
from diagnostic.roadmap.review_service import review_export, review_for
from pages._shell import data_table, engine, plain

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign

ICONS = {"fait": ":material/check_circle:", "en_cours": ":material/pending:"}
ICONS |= {"a_lancer": ":material/radio_button_unchecked:", "abandonne": ":material/cancel:"}


def _score(value: float | None) -> str:
    return "—" if value is None else f"{round(value)}"


# Narrow figures, wide texts: the table fits a laptop's width without scrolling sideways.
COLUMNS = {
    "Item": st.column_config.TextColumn(width="medium"),
    "Avant": st.column_config.TextColumn(width="small", help="Valeur collective, de 1 à 5"),
    "Après": st.column_config.TextColumn(width="small", help="Valeur collective, de 1 à 5"),
    "Accord A": st.column_config.TextColumn(
        width="small", help="Indice d'accord, de −1 à 1 : avant → après"
    ),
    "Intercommunalité": st.column_config.TextColumn(
        width="small", help="Score des directions de l'intercommunalité sur 100 : avant → après"
    ),
    "Communes": st.column_config.TextColumn(
        width="small", help="Score des directions des communes sur 100 : avant → après"
    ),
    "Lecture": st.column_config.TextColumn(width="medium"),
}


def _items(action: ActionReview, where: str) -> pd.DataFrame:
    rows = []
    for m in action.moves:
        b, a, groups = m.before, m.after, m.groups_shown
        rows.append(
            {
                "Item": m.label,
                "Avant": level(b.level) if b else "—",
                "Après": level(a.level) if a else "—",
                "Accord A": f"{level(_round(b.agreement))} → {level(_round(a.agreement))}"
                if b and a
                else "—",
                "Intercommunalité": f"{_score(b.epci)} → {_score(a.epci)}"
                if b and a and groups
                else "—",
                "Communes": f"{_score(b.communes)} → {_score(a.communes)}"
                if b and a and groups
                else "—",
                "Lecture": m.reading(where),
            }
        )
    return pd.DataFrame(rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def review_tab(actor: Actor, campaign: Campaign) -> None:
    """The review, or why there is none."""
    found = review_for(engine(), actor, campaign.id)
    if found is None:
        st.info(
            "Pas de feuille de route précédente pour ce territoire : le bilan apparaît dans la "
            "campagne suivante, une fois des actions retenues dans la feuille de route de "
            "celle-ci (leur avancement se tient sur la page « Suivi de la feuille de route »)."
        )
        return
    where = found.not_asked_in
    st.markdown(plain(summary_line(found)))
    st.caption(
        f"Avant : {plain(found.before.label)} · après : {plain(found.after.label)}. Valeur "
        "collective sur l'échelle de l'item (niveau de consensus, sinon médiane). « Partagée » : "
        "accord A d'au moins 0,5. Intercommunalité et communes : montrées seulement quand les "
        "deux groupes comptent assez de réponses dans les deux campagnes."
    )
    if not (found.before.shown and found.after.shown):
        st.warning(
            "Une des deux campagnes compte trop peu de questionnaires envoyés : aucune valeur "
            "n'est comparée, pour protéger l'anonymat."
        )
    if found.not_asked:
        st.info(f"Non posés {where} : " + " ; ".join(f"« {plain(t)} »" for t in found.not_asked))
    for action in found.actions:
        with st.container(border=True):
            st.markdown(f"**{plain(action.item.title)}** · {action.status_label}")
            st.markdown(f"{ICONS.get(action.status, '')} {plain(action.reading)}")
            if action.moves:
                data_table(_items(action, where), hide_index=True, column_config=COLUMNS)
    c1, c2 = st.columns(2)
    for column, fmt, label in ((c1, "csv", "Bilan en CSV"), (c2, "xlsx", "Bilan en Excel")):
        column.download_button(
            label,
            data=lambda fmt=fmt: review_export(engine(), actor, campaign.id, fmt).data,
            file_name=f"bilan-feuille-de-route.{fmt}",
            mime=MIME[fmt],
            key=f"res_review_{fmt}",
            on_click="ignore",
        )
