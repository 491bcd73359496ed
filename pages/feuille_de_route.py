"""Draft roadmap: actions proposed from the results, edited, ordered, then exported."""

import streamlit as st

from diagnostic.accounts.permissions import Action
from diagnostic.roadmap import planning
from diagnostic.roadmap.model import STATUS_LABELS, tally
from diagnostic.roadmap.proposals import points_to_investigate
from diagnostic.territory.service import situation_for
from diagnostic.vocabulary import count as n_of
from pages._fiche_gaps import fiche_gaps
from pages._picker import campaign_picker
from pages._plan import action, add_form, editing
from pages._quotes import review as quotes_review
from pages._resilience import explain
from pages._shell import engine, guard, library, plain, session_memo, settings
from pages._timeline import main_plan

actor = guard("feuille_de_route")
st.title("Feuille de route")
st.markdown(
    "Le projet de feuille de route de la gouvernance administrative : des actions proposées à "
    "partir des résultats (écarts, niveaux bas, priorités), chacune avec ce qui la justifie. "
    "Le collectif les retient, les écarte, les modifie, les ordonne et en ajoute. Une mise à "
    "jour après de nouvelles réponses ou un consensus conserve toutes les modifications."
)
campaign, results = campaign_picker(
    actor,
    Action.TERRITORY_MANAGE,
    key="fdr",
    too_few="La feuille de route se prépare dès que {n} personnes au moins ont envoyé leurs "
    "réponses.",
)
titles = {s.id: s.title for s in results.questionnaire.sections}
lib = library()

flash = st.session_state.pop("fdr_flash", None)
if flash:
    st.success(flash)
items = planning.plan(engine(), actor, campaign.id)
label = "Mettre à jour les propositions" if items else "Proposer des actions à partir des résultats"


def _regenerate() -> None:
    """« Proposer / Mettre à jour les propositions », before the page runs (a callback): the
    run that follows draws the new plan, with no second run of the whole page."""
    state = st.session_state
    try:
        situation = situation_for(engine(), actor, campaign.id, settings().questions_dir)
        added, updated, removed = planning.regenerate(
            engine(), actor, campaign.id, results, lib.actions, situation
        )
    except Exception as exc:  # noqa: BLE001 - said by the run that follows (a callback runs
        # before the page, outside its guards)
        state["fdr_generate_failed"] = exc
        return
    state["fdr_flash"] = (
        f"{n_of(added, 'action ajoutée')}, {n_of(updated, 'mise à jour', 'mises à jour')}, "
        f"{n_of(removed, 'retirée')} ; "
        "vos modifications sont conservées."
    )


st.button(
    label, type="primary", key="fdr_generate", icon=":material/auto_awesome:", on_click=_regenerate
)
failed = st.session_state.pop("fdr_generate_failed", None)
if failed is not None:
    explain(failed)
if not items:
    st.info(
        "Aucune action pour l'instant : lancez la proposition à partir des résultats, ou "
        "ajoutez vos propres actions en bas de page."
    )
else:
    total, kept, to_examine = tally(items)
    main = sum(i.main for i in items if i.status != "rejected")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Plan principal", main)
    c2.metric("Autres pistes", total - main - sum(i.status == "rejected" for i in items))
    c3.metric("Retenues", kept)
    c4.metric("À examiner", to_examine)

# The territory's situation on this day, read once per run (it reads the fiche, the calendar
# and the obligations): the fiche's gaps, the plan and the documents share it.
situation = situation_for(engine(), actor, campaign.id, settings().questions_dir)
fiche_gaps(lib, items, situation)
# Computed again only for other results (the memo keeps `results` alive: its id is not reused).
points = session_memo(
    "fdr_points", (campaign.id, id(results)), lambda: (results, points_to_investigate(results))
)[1]
if points:
    with st.expander(f"Points à instruire collectivement ({len(points)})", expanded=False):
        st.caption(
            "Items où les avis divergent fortement et qu'aucun consensus n'a encore tranchés : "
            "ils appellent une discussion (réunion de consensus) avant toute action."
        )
        for point in points:
            st.markdown(f"- **{plain(point.item)}** — {plain(point.summary)}")

by_chantier = main_plan(
    items, situation if items else None, lambda item: action(actor, campaign.id, item, lib, items)
)
duties = sorted((i for i in items if i.legal), key=lambda i: not (i.legal and i.legal.late))
groups = (
    []
    if by_chantier
    else [("legal", "Obligations légales à remplir", duties)]
    + [
        (s.id, titles.get(s.id, s.id), [i for i in items if i.dimension == s.id and not i.legal])
        for s in results.questionnaire.sections
    ]
)
for key, heading, group in groups:
    if not group:
        continue
    st.subheader(heading)
    if key == "legal":
        st.caption(
            "Actions qui remplissent une obligation légale en retard ou à échéance, selon la "
            "fiche du territoire : elles passent avant le reste du plan."
        )
    for item in group:
        mark = f" · {item.change}" if item.change else ""
        head = f"{STATUS_LABELS[item.status]} — {plain(item.title)}{mark}"  # labels are Markdown
        with st.expander(head, expanded=editing(item)):
            action(actor, campaign.id, item, lib, items)

st.divider()
quotes_review(actor, campaign.id, results.questionnaire, results.min_group_size)

st.divider()
st.subheader("Document")
st.markdown(
    "La feuille de route en Word, PDF ou Markdown : page de titre, contexte et méthode, "
    "diagnostic par dimension avec ses graphiques, regards croisés, paroles de directeurs, "
    "priorités, gouvernance proposée, plan d'action (sans les actions écartées), prochaines "
    "étapes et annexes."
)
signature = planning.plan_signature(campaign.id, items)
if st.session_state.get("fdr_charts_ahead") != campaign.id:  # once per campaign and session
    planning.draw_charts_ahead(results)
    st.session_state["fdr_charts_ahead"] = campaign.id
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
                min_group_size=results.min_group_size,
                situation=situation,
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
add_form(actor, campaign.id, results.questionnaire)
