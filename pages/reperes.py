"""« Repères et outils »: the references that nourish a cooperative process, searchable."""

import streamlit as st

from diagnostic.roadmap.library import Horizon
from diagnostic.roadmap.references import KIND_LABELS, search
from diagnostic.vocabulary import count as n_of
from pages._forms import choose
from pages._shell import guard, library

HORIZONS = {
    Horizon.CENT_JOURS: "dans les 100 jours",
    Horizon.PREMIERE_ANNEE: "dans l'année",
    Horizon.MI_MANDAT: "mi-mandat",
    Horizon.FIN_DE_MANDAT: "fin de mandat",
}

guard("reperes")
lib = library()
st.title("Repères et outils")
st.markdown(
    "L'« exposition » du séminaire des directions du bloc local : le cadre juridique, des "
    "méthodes éprouvées et quelques chiffres clés pour nourrir un processus de collectif de "
    "territoire. Chaque repère indique sa source et sa date ; ceux qui sont cités par une "
    "question du diagnostic ou par une action de la feuille de route le signalent."
)
left, right = st.columns([2, 1])
query = left.text_input(
    "Rechercher",
    placeholder="ex. pacte de gouvernance, L5211-4-2, conférence des DGS…",
    key="ref_query",
)
kinds = choose(
    "Catégories", KIND_LABELS, key="ref_kinds", where=right, many=True, placeholder="Toutes"
)
found = search(lib.references, query, set(kinds) or None)
st.caption(f"{n_of(len(found), 'repère')} sur {len(lib.references)}")
if not found:
    st.info("Aucun repère ne correspond à cette recherche : essayez un autre mot.")

for ref in found:
    with st.container(border=True):
        st.markdown(f"**{ref.title}**")
        facts = [KIND_LABELS.get(ref.kind, ref.kind)]
        if ref.article:
            facts.append(ref.article)
        if ref.date:
            facts.append(f"date : {ref.date}")
        st.caption(" · ".join(facts))
        st.markdown(ref.summary)
        if ref.to_verify:
            st.warning(
                "Rédaction à vérifier sur Légifrance avant de la présenter comme une règle de "
                "droit.",
                icon=":material/gavel:",
            )
        source = f"[{ref.source.text}]({ref.source.url})" if ref.source.url else ref.source.text
        st.markdown(f"Source : {source}")
        questions = lib.cited_by_questions(ref.id)
        actions = lib.cited_by_actions(ref.id)
        if questions or actions:
            parts = [n_of(len(questions), "question")] * bool(questions)
            parts += [n_of(len(actions), "action") + " de feuille de route"] * bool(actions)
            with st.expander("Cité par " + " et ".join(parts)):
                for qid in questions:
                    st.markdown(f"- Question : {lib.questionnaire.question(qid).text}")
                for action in actions:
                    st.markdown(f"- Action : **{action.title}** ({HORIZONS[action.horizon]})")
