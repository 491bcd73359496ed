"""Fiche du territoire: the facts entered once by the coordination, each with its source and
date; read-only for the territory's other roles."""

import streamlit as st

from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import QuestionnaireError
from diagnostic.territory import service
from diagnostic.territory.facts import FactError, FactType, applicable, fiche_for
from diagnostic.territory.presentation import competence_lines, reading
from diagnostic.vocabulary import KIND_LABELS
from diagnostic.vocabulary import count as n_of
from pages._fact_widgets import fact_input, forget
from pages._picker import TERRITORY, shared_choice
from pages._shell import engine, flash, guard, plain, settings

actor = guard("fiche")
st.title("Fiche du territoire")
flash()
try:
    st.markdown(fiche_for(settings().questions_dir).intro)
except QuestionnaireError as exc:
    st.error(f"La fiche ne peut pas s'afficher : {plain(exc)}")
    st.stop()

territories = service.territories(engine(), actor)
if not territories:
    st.info("Aucun territoire accessible pour l'instant.")
    st.stop()
names = {t.id: t.name for t in territories}
territory_id = shared_choice(TERRITORY, "Territoire", names, key="fiche_territory")
try:
    fiche = service.territory_facts(engine(), actor, territory_id, settings().questions_dir)
except AccessDenied as exc:
    st.error(f"La fiche ne peut pas s'afficher : {plain(exc)}")
    st.stop()
definition = fiche.fiche
st.caption(f"Type : {KIND_LABELS.get(fiche.kind, fiche.kind)}")

missing = [definition.field(k).label for k in fiche.missing]
if fiche.entered == 0:
    st.info(
        "La fiche de ce territoire est encore vide. "
        + (
            "Renseignez ci-dessous ce que vous savez, partie par partie, avec la source de "
            "chaque information (une délibération, un arrêté, un rapport) : ce qui reste "
            "inconnu peut attendre."
            if fiche.editable
            else "La coordination du territoire la renseigne."
        )
    )
elif missing:
    left = n_of(len(missing), "information reste", "informations restent")
    st.warning(f"{left} à renseigner : " + " ; ".join(missing) + ".")
else:
    st.success("Fiche complète : chaque information est renseignée.")
if not fiche.editable:
    st.caption("Lecture seule : seule la coordination du territoire modifie la fiche.")

today = service.paris_today()
# A keyed tab bar stays on its tab after a save (the flash message above shifts the page).
tabs = st.tabs([g.title for g in definition.groups], key="fiche_tab", on_change="rerun")
for group, tab in zip(definition.groups, tabs, strict=True):
    with tab:
        if group.help:
            st.caption(group.help)
        if not fiche.editable:
            for label, text, origin in reading(definition, group, fiche.facts):
                st.markdown(f"**{plain(label)}** : {plain(text)}")
                if origin:
                    st.caption(plain(origin))
            for field in group.facts:
                if field.type == FactType.COMPETENCES:
                    lines = competence_lines(field, fiche.facts[field.id].value)
                    st.markdown("\n".join(f"- {plain(line)}" for line in lines))
            continue
        with st.form(f"fiche_form_{group.id}"):
            typed = {}
            for field in group.facts:
                if field.depends_on and not applicable(definition, fiche.values, field.id):
                    parent = definition.field(field.depends_on).label
                    st.caption(f"Si « {parent} » vaut oui :")
                typed[field.id] = fact_input(territory_id, fiche.facts[field.id], today)
            submitted = st.form_submit_button(f"Enregistrer « {group.title} »", type="primary")
        if submitted:
            try:
                changed = service.save_facts(
                    engine(),
                    actor,
                    territory_id,
                    settings().questions_dir,
                    values={k: v for k, (v, _) in typed.items()},
                    sources={k: s for k, (_, s) in typed.items()},
                    today=today,
                )
            except FactError as exc:
                st.error(f"Rien n'a été enregistré. {plain(exc)}")
            else:
                forget(territory_id, [f.id for f in group.facts])
                st.session_state["flash"] = (
                    f"« {group.title} » : {n_of(len(changed), 'information enregistrée')}."
                    if changed
                    else f"« {group.title} » : aucune modification à enregistrer."
                )
                st.rerun()
