"""Draft roadmap: actions proposed from the results, edited, ordered, then exported."""

import streamlit as st

from diagnostic.accounts.permissions import Action
from diagnostic.analytics import format_number
from diagnostic.answering.responses import AnswerError
from diagnostic.errors import StoreError
from diagnostic.roadmap import planning
from diagnostic.roadmap.model import HORIZON_LABELS, ORIGIN_LABELS, STATUS_LABELS
from diagnostic.roadmap.proposals import points_to_investigate
from pages._shell import (
    campaign_picker,
    campaign_results,
    engine,
    guard,
    library,
    plain,
    settings,
)

actor = guard("feuille_de_route")
st.title("Feuille de route")
st.markdown(
    "Le projet de feuille de route de la gouvernance administrative : des actions proposées à "
    "partir des résultats (écarts, niveaux bas, priorités), chacune avec ce qui la justifie. "
    "Le collectif les retient, les écarte, les modifie, les ordonne et en ajoute. Une mise à "
    "jour après de nouvelles réponses ou un consensus conserve toutes les modifications."
)
campaign = campaign_picker(actor, Action.TERRITORY_MANAGE, key="fdr")
if campaign is None:
    st.stop()
results = campaign_results(actor, campaign.id)
if results is None:
    st.info(
        f"La feuille de route se prépare dès que {settings().min_group_size} personnes au moins "
        "ont envoyé leurs réponses."
    )
    st.stop()
titles = {s.id: s.title for s in results.questionnaire.sections}
lib = library()

flash = st.session_state.pop("fdr_flash", None)
if flash:
    st.success(flash)
items = planning.plan(engine(), actor, campaign.id)
label = "Mettre à jour les propositions" if items else "Proposer des actions à partir des résultats"
if st.button(label, type="primary", key="fdr_generate", icon=":material/auto_awesome:"):
    added, updated, removed = planning.regenerate(
        engine(), actor, campaign.id, results, lib.actions
    )
    st.session_state["fdr_flash"] = (
        f"{added} action(s) ajoutée(s), {updated} mise(s) à jour, {removed} retirée(s) ; "
        "vos modifications sont conservées."
    )
    st.rerun()
if not items:
    st.info(
        "Aucune action pour l'instant : lancez la proposition à partir des résultats, ou "
        "ajoutez vos propres actions en bas de page."
    )
else:
    counts = {s: sum(i.status == s for i in items) for s in STATUS_LABELS}
    c1, c2, c3 = st.columns(3)
    c1.metric("Actions", len(items))
    c2.metric("Retenues", counts["accepted"] + counts["in_progress"] + counts["done"])
    c3.metric("À examiner", counts["proposed"])

points = points_to_investigate(results)
if points:
    with st.expander(f"Points à instruire collectivement ({len(points)})", expanded=False):
        st.caption(
            "Items où les avis divergent fortement et qu'aucun consensus n'a encore tranchés : "
            "ils appellent une discussion (réunion de consensus) avant toute action."
        )
        for point in points:
            st.markdown(f"- **{plain(point.item)}** — {plain(point.summary)}")

for dimension in [s.id for s in results.questionnaire.sections]:
    group = [i for i in items if i.dimension == dimension]
    if not group:
        continue
    st.subheader(titles.get(dimension, dimension))
    for item in group:
        mark = f" · {item.change}" if item.change else ""
        head = f"{STATUS_LABELS[item.status]} — {plain(item.title)}{mark}"  # labels are Markdown
        with st.expander(head, expanded=False):
            st.caption(
                f"{ORIGIN_LABELS.get(item.origin, item.origin)}"
                + (
                    f" · priorité {format_number(item.priority, 2)}"
                    if item.priority is not None
                    else ""
                )
                + (f" · {item.details['shared_by']}" if item.details.get("shared_by") else "")
            )
            if item.evidence:
                st.markdown("**Pourquoi cette action ?**")
                for ev in item.evidence:
                    st.markdown(
                        f"- « {plain(ev['item'])} » : {plain(ev['trigger'])} "
                        f"({plain(ev['summary'])} ; source : {ev['source']})"
                    )
            cited = [lib.reference(r) for r in item.details.get("references", [])]
            cited = [r for r in cited if r is not None]
            if cited:
                st.markdown(
                    "**Repères** (voir « Repères et outils ») : "
                    + " ; ".join(r.title + (f" ({r.article})" if r.article else "") for r in cited)
                )
            if item.details.get("instrument"):
                st.markdown(
                    f"**Outil** : {plain(item.details['instrument'])} · **Validation** : "
                    f"{plain(item.details.get('validation', ''))}"
                )
            with st.form(f"fdr_form_{item.id}"):
                title = st.text_input("Intitulé", item.title, max_chars=300, key=f"fdr_t_{item.id}")
                description = st.text_area(
                    "Description", item.description, max_chars=4000, key=f"fdr_d_{item.id}"
                )
                a, b = st.columns(2)
                owner = a.text_input(
                    "Pilote / porteur", item.owner or "", max_chars=200, key=f"fdr_o_{item.id}"
                )
                horizons = list(HORIZON_LABELS)
                horizon = b.selectbox(
                    "Échéance",
                    horizons,
                    format_func=HORIZON_LABELS.get,
                    index=horizons.index(item.horizon) if item.horizon in horizons else 0,
                    key=f"fdr_h_{item.id}",
                )
                indicator = a.text_input(
                    "Indicateur de suivi",
                    item.indicator or "",
                    max_chars=500,
                    key=f"fdr_i_{item.id}",
                )
                statuses = list(STATUS_LABELS)
                status = b.selectbox(
                    "Statut",
                    statuses,
                    format_func=STATUS_LABELS.get,
                    index=statuses.index(item.status),
                    key=f"fdr_s_{item.id}",
                )
                saved = st.form_submit_button("Enregistrer")
            if saved:
                try:
                    planning.edit(
                        engine(),
                        actor,
                        campaign.id,
                        item.id,
                        title=title,
                        description=description,
                        owner=owner,
                        horizon=horizon,
                        indicator=indicator,
                        status=status,
                    )
                except (AnswerError, StoreError) as exc:
                    st.error(f"Modification non enregistrée : {plain(exc)}.")
                else:
                    st.session_state["fdr_flash"] = f"« {plain(item.title[:60])} » enregistrée."
                    st.rerun()
            up, down, drop = st.columns(3)
            if up.button("Monter", key=f"fdr_up_{item.id}", icon=":material/arrow_upward:"):
                planning.move(engine(), actor, campaign.id, item.id, -1)
                st.rerun()
            if down.button(
                "Descendre", key=f"fdr_down_{item.id}", icon=":material/arrow_downward:"
            ):
                planning.move(engine(), actor, campaign.id, item.id, 1)
                st.rerun()
            if item.origin in {"manual", "atelier"} and drop.button(
                "Supprimer", key=f"fdr_del_{item.id}", icon=":material/delete:"
            ):
                planning.remove(engine(), actor, campaign.id, item.id)
                st.rerun()

st.divider()
st.subheader("Document")
st.markdown(
    "La feuille de route en Word, PDF ou Markdown : page de titre, contexte et méthode, "
    "diagnostic par dimension avec ses graphiques, regards croisés, priorités, gouvernance "
    "proposée, plan d'action (sans les actions écartées), prochaines étapes et annexes."
)
signature = planning.plan_signature(campaign.id, items)
if st.button("Préparer les documents", key="fdr_docs", icon=":material/description:"):
    with st.spinner("Rédaction du document et des graphiques…"):
        st.session_state["fdr_documents"] = (
            signature,
            planning.documents(
                engine(),
                actor,
                campaign.id,
                results,
                lib,
                ("docx", "pdf", "md"),
                min_group_size=settings().min_group_size,
            ),
        )
ready = st.session_state.get("fdr_documents")
if ready and ready[0] != signature:
    ready = None  # the plan changed since the documents were prepared
if ready:
    cols = st.columns(3)
    for col, (fmt, label) in zip(
        cols, (("docx", "Word (.docx)"), ("pdf", "PDF"), ("md", "Markdown")), strict=True
    ):
        document = ready[1][fmt]
        col.download_button(
            label,
            data=document.data,
            file_name=document.filename,
            mime=document.mime,
            key=f"fdr_dl_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )

st.divider()
st.subheader("Ajouter une action")
dims = [s.id for s in results.questionnaire.dimensions]
with st.form("fdr_add", clear_on_submit=True):
    new_title = st.text_input("Intitulé *", max_chars=300, key="fdr_new_title")
    new_dimension = st.selectbox("Axe", dims, format_func=titles.get, key="fdr_new_dim")
    new_description = st.text_area("Description", max_chars=4000, key="fdr_new_desc")
    x, y = st.columns(2)
    new_owner = x.text_input("Pilote / porteur", max_chars=200, key="fdr_new_owner")
    new_horizon = y.selectbox(
        "Échéance", list(HORIZON_LABELS), format_func=HORIZON_LABELS.get, key="fdr_new_h"
    )
    new_indicator = x.text_input("Indicateur de suivi", max_chars=500, key="fdr_new_ind")
    add = st.form_submit_button("Ajouter l'action")
if add:
    try:
        planning.add(
            engine(),
            actor,
            campaign.id,
            title=new_title,
            dimension=new_dimension,
            description=new_description,
            owner=new_owner,
            horizon=new_horizon,
            indicator=new_indicator,
        )
    except (AnswerError, StoreError) as exc:
        st.error(f"Action non ajoutée : {plain(exc)}.")
    else:
        st.session_state["fdr_flash"] = "Action ajoutée à la feuille de route."
        st.rerun()
