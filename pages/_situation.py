"""The results page's « Situation du territoire » tab: the campaign's moment in the mandate and
the territory's legal obligations, checked on its fiche (never on the answers)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor, page_allowed
from diagnostic.territory.obligations import TABLE_COLUMNS, State, table_rows
from diagnostic.territory.service import situation_for
from diagnostic.territory.situation import Situation
from diagnostic.vocabulary import french_date
from pages._shell import engine, plain, settings

FICHE_PAGE, FICHE_ICON = "pages/fiche.py", ":material/fact_check:"
COUNTED = {
    State.EN_RETARD: "En retard",
    State.A_FAIRE: "À faire",
    State.A_VERIFIER: "À vérifier",
    State.A_JOUR: "À jour",
}


def situation_tab(actor: Actor, campaign: Any) -> Situation:
    """The tab's content; returns the situation for the sections that follow it (what the
    respondents know of the fiche's facts goes below, pages/_knowledge.py)."""
    situation = situation_for(engine(), actor, campaign.id, settings().questions_dir)
    moment = situation.moment_text()
    if moment:
        st.markdown(f"**{plain(moment)}**")
    st.subheader("Obligations légales du territoire")
    if not situation.obligations:
        st.info("Les obligations légales ne sont pas décrites pour ce dossier de questions.")
    elif situation.fiche_empty:
        st.info(
            "Complétez la fiche du territoire pour vérifier les obligations : elles se vérifient "
            "sur ses faits (date d'installation du conseil, débats tenus, instances en place…), "
            "jamais sur les réponses au questionnaire."
        )
        _fiche_link(actor)
    else:
        _obligations(actor, situation)
    return situation


def _obligations(actor: Actor, situation: Situation) -> None:
    """Counts, the table worst first, what « à vérifier » means."""
    st.caption(
        f"Situation au {french_date(situation.on)}, d'après la fiche du territoire tenue par la "
        "coordination : les obligations se vérifient sur les faits de la fiche, jamais sur les "
        "réponses. Les plus urgentes d'abord ; la feuille de route place les actions qui les "
        "remplissent en tête du plan."
    )
    columns = st.columns(len(COUNTED))
    for column, (state, label) in zip(columns, COUNTED.items(), strict=True):
        column.metric(label, sum(s.state == state for s in situation.obligations))
    # A static table wraps the long legal texts; its cells are Markdown, so each goes through
    # plain() like any text the app did not write itself.
    rows = [[plain(cell) for cell in row] for row in table_rows(situation.obligations)]
    frame = pd.DataFrame(rows, columns=[plain(c) for c in TABLE_COLUMNS])
    st.table(
        frame, hide_index=True, alt="Obligations légales du territoire, les plus urgentes d'abord"
    )
    st.caption(
        "« À vérifier » : la fiche ne dit pas encore ce qu'il faut pour conclure (les "
        "informations manquantes sont nommées) ; la compléter suffit. « Règle à confirmer sur "
        "les textes » : la règle elle-même (délai, seuil) reste à vérifier sur Légifrance. Une "
        "fenêtre est le délai dans lequel un autre organe agit (la commission départementale de "
        "la coopération intercommunale) : ce n'est pas un devoir de l'intercommunalité."
    )
    if any(s.state == State.A_VERIFIER for s in situation.obligations):
        _fiche_link(actor)


def _fiche_link(actor: Actor) -> None:
    if page_allowed(actor, "fiche"):
        st.page_link(FICHE_PAGE, label="Ouvrir la fiche du territoire", icon=FICHE_ICON)
