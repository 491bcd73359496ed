"""The results' section « Ce que savent les répondants de la situation du territoire », in the
« Situation du territoire » tab below the obligations: the answers to the knowledge items set
against the « Fiche du territoire » (territory/knowledge.py)."""

from __future__ import annotations

import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.results.model import CampaignResults
from diagnostic.territory.service import knowledge_for
from pages._shell import engine, plain, settings

TITLE = "Ce que savent les répondants de la situation du territoire"


def knowledge_section(actor: Actor, campaign_id: int, results: CampaignResults) -> None:
    """The section, on every submitted questionnaire (the page's filters do not apply)."""
    found = knowledge_for(engine(), actor, campaign_id, settings().questions_dir, results)
    st.subheader(TITLE)
    st.caption(
        "Les réponses aux questions « À votre connaissance… » comparées à la fiche du "
        "territoire tenue par la coordination, sur tous les questionnaires envoyés. Un fait que "
        "la fiche ne renseigne pas n'est pas comparé ; une question qui compte moins de "
        f"{results.min_group_size} réponses n'est pas détaillée, pour protéger l'anonymat."
    )
    if not found:
        st.info(
            "Rien à comparer pour l'instant : la fiche du territoire ne renseigne pas encore les "
            "faits sur lesquels le questionnaire interroge les répondants (pacte de "
            "gouvernance, conférence des maires, conseil de développement, instruments)."
        )
        return
    gaps = [f for f in found if f.gap]
    if gaps:
        st.markdown("\n".join(f"- {plain(f.sentence)}" for f in gaps))
    else:
        st.success("Tous les répondants connaissent la situation décrite par la fiche.")
    known = [f.subject for f in found if not f.gap]
    if known and gaps:
        st.markdown(plain("Connu de tous les répondants : " + " ; ".join(known) + "."))
