"""The roadmap page's reminder « À compléter sur la fiche du territoire »: the facts still
unknown that keep actions of the library from being judged (roadmap.proposals.facts_to_complete)."""

from __future__ import annotations

import streamlit as st

from diagnostic.roadmap.model import PlanItem
from diagnostic.roadmap.proposals import facts_to_complete
from diagnostic.roadmap.references import Library
from diagnostic.territory.situation import Situation
from pages._shell import plain


def fiche_gaps(lib: Library, items: list[PlanItem], situation: Situation) -> None:
    """An expander listing each unknown fact and the actions waiting for it; nothing when the
    fiche says enough."""
    planned = {i.action_id for i in items if i.action_id}
    missing = facts_to_complete(lib.actions, situation, planned)
    if not missing:
        return
    with st.expander(f"À compléter sur la fiche du territoire ({len(missing)})"):
        st.caption(
            "Ces actions dépendent d'un fait que la fiche du territoire ne renseigne pas : "
            "l'outil ne les propose pas sur la foi des réponses. Complétez la fiche, puis mettez "
            "à jour les propositions."
        )
        for gap in missing:
            actions = " ; ".join(f"« {t} »" for t in gap.actions)
            st.markdown(f"- **{plain(gap.label)}** — {plain('en dépend : ' + actions)}")
        st.page_link(
            "pages/fiche.py", label="Ouvrir la fiche du territoire", icon=":material/fact_check:"
        )
