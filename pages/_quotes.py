"""The roadmap page's « Paroles de directeurs »: each free text the document would quote, with
the coordination's choice to leave it out or to quote it again (never to change it)."""

from __future__ import annotations

import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import Questionnaire
from diagnostic.roadmap import quoting
from diagnostic.roadmap.voices import Quote
from pages._shell import engine, plain

PREPARED = "fdr_documents"  # the page's prepared documents: stale once a choice changes


def review(actor: Actor, campaign_id: int, questionnaire: Questionnaire, min_group: int) -> None:
    """The section: the rule in words, then each answer with its « Ne pas citer » / « Citer »."""
    voices = quoting.review(engine(), actor, campaign_id, questionnaire, min_group)
    st.subheader("Paroles de directeurs")
    st.markdown(
        "Le document cite les réponses libres telles qu'elles ont été écrites, sans nom, "
        "fonction ni commune (au plus « une direction communale » ou « une direction de "
        "l'intercommunalité », quand chacun de ces groupes compte au moins "
        f"{min_group} questionnaires envoyés). Vous pouvez écarter une réponse, jamais la "
        "modifier ; chaque choix est inscrit au journal."
    )
    st.warning(
        "Relisez-les avant de diffuser le document : un nom, une adresse électronique ou un "
        "détail qui désigne une personne, écrit dans une réponse libre, ne peut pas être "
        "repéré automatiquement. Écartez la réponse qui en contient.",
        icon=":material/visibility:",
    )
    if not voices.enough:
        too_few = f"Les réponses libres ne sont citées qu'à partir de {min_group} questionnaires"
        st.info(too_few + " envoyés.")
        return
    if not voices.quotes:
        st.info("Aucune réponse libre à citer pour l'instant.")
        return
    kept = len(voices.quotes) - voices.left_out
    # The label stays the same when a choice changes, so that the list stays open.
    with st.expander(f"Réponses libres à relire ({len(voices.quotes)})", expanded=False):
        st.caption(f"{kept} citées dans le document sur {len(voices.quotes)}.")
        question_id = ""
        for quote in voices.quotes:
            if quote.question_id != question_id:
                question_id = quote.question_id
                st.markdown(f"**{plain(questionnaire.question(question_id).text)}**")
            _one(actor, campaign_id, quote)


def _one(actor: Actor, campaign_id: int, quote: Quote) -> None:
    answer_id = quote.answer_ids[0]
    words, choice = st.columns([5, 1], vertical_alignment="center")
    source = f" — *{plain(quote.source)}*" if quote.source else ""
    state = "" if quote.quoted else " *(non citée)*"
    words.markdown(f"> « {plain(quote.text)} »{source}{state}")
    label, icon = (
        ("Ne pas citer", ":material/visibility_off:")
        if quote.quoted
        else ("Citer", ":material/format_quote:")
    )
    if choice.button(label, key=f"fdr_quote_{answer_id}", icon=icon):
        try:
            quoting.set_quoted(
                engine(), actor, campaign_id, answer_id, quote.question_id, not quote.quoted
            )
        except AccessDenied as exc:
            st.error(str(exc))
            return
        st.session_state.pop(PREPARED, None)
        st.session_state["fdr_flash"] = (
            "Réponse écartée du document." if quote.quoted else "Réponse de nouveau citée."
        )
        st.rerun()
