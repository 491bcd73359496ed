"""The roadmap page's forms: one action (why it is proposed, its edit form, its moves), and a
new action."""

from __future__ import annotations

import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.errors import StoreError
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.roadmap import planning
from diagnostic.roadmap.model import HORIZON_LABELS, STATUS_LABELS, PlanItem, provenance
from diagnostic.roadmap.references import Library
from pages._forms import choose
from pages._resilience import explain
from pages._shell import engine, plain

EDITING = "fdr_editing"  # the id of the action whose form is open (one at a time)


def editing(item: PlanItem) -> bool:
    """Whether the action's form is open (its expander is then drawn open: a rerun would
    otherwise close it under the person's eyes)."""
    return bool(st.session_state.get(EDITING) == item.id)


def action(
    actor: Actor, campaign_id: int, item: PlanItem, lib: Library, plan: list[PlanItem]
) -> None:
    """Inside an action's expander: where it comes from and why (its priority in words among
    the main plan of `plan`), its form, its buttons."""
    st.caption(provenance(item, [i for i in plan if i.main and i.status != "rejected"]))
    duty = item.legal
    if duty is not None:  # from the obligations and the fiche: stored texts, shown as text
        show = st.error if duty.late else st.warning
        fiche = f" (fiche du territoire : {plain(duty.fiche)})" if duty.fiche else ""
        show(plain(duty.sentence()) + fiche, icon=":material/gavel:")
    if item.evidence:  # one block of text (a plan of 30 actions is many elements to draw)
        lines = []
        for ev in item.evidence:
            numbers = f"{plain(ev['summary'])} ; " if ev["summary"] else ""
            lines.append(
                f"- « {plain(ev['item'])} » : {plain(ev['trigger'])} "
                f"({numbers}source : {plain(ev['source'])})"
            )
        st.markdown("**Pourquoi cette action ?**\n\n" + "\n".join(lines))
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
    state = st.session_state
    open_form = state.get(EDITING) == item.id
    if not open_form:  # the form on demand: a long plan stays light to draw
        facts = [
            f"**Pilote** : {plain(item.owner)}" if item.owner else "**Pilote** : à désigner",
            f"**Échéance** : {HORIZON_LABELS.get(item.horizon or '', 'à fixer')}",
        ]
        if item.indicator:
            facts.append(f"**Indicateur** : {plain(item.indicator)}")
        st.markdown(" · ".join(facts))
    else:
        with st.form(f"fdr_form_{item.id}"):
            st.text_input("Intitulé", item.title, max_chars=300, key=f"fdr_t_{item.id}")
            st.text_area("Description", item.description, max_chars=4000, key=f"fdr_d_{item.id}")
            a, b = st.columns(2)
            a.text_input(
                "Pilote / porteur", item.owner or "", max_chars=200, key=f"fdr_o_{item.id}"
            )
            horizons = list(HORIZON_LABELS)
            choose(
                "Échéance",
                HORIZON_LABELS,
                key=f"fdr_h_{item.id}",
                where=b,
                index=horizons.index(item.horizon) if item.horizon in horizons else 0,
            )
            a.text_input(
                "Indicateur de suivi", item.indicator or "", max_chars=500, key=f"fdr_i_{item.id}"
            )
            statuses = list(STATUS_LABELS)
            choose(
                "Statut",
                STATUS_LABELS,
                key=f"fdr_s_{item.id}",
                where=b,
                index=statuses.index(item.status),
            )
            # Saved before the page runs (a callback): the run that follows draws the plan as
            # saved, with no second run of the whole page.
            st.form_submit_button("Enregistrer", on_click=_save, args=(actor, campaign_id, item))
        _say_refusal(f"fdr_save_failed_{item.id}", "Modification non enregistrée")
        st.button(
            "Fermer sans enregistrer",
            key=f"fdr_close_{item.id}",
            on_click=state.__setitem__,
            args=(EDITING, None),
        )
    # The action's buttons in one row (one container, not a row of columns: fewer elements).
    row = st.container(horizontal=True)
    if not open_form:
        row.button(
            "Modifier l'action",
            key=f"fdr_edit_{item.id}",
            icon=":material/edit:",
            on_click=state.__setitem__,
            args=(EDITING, item.id),
        )
    if row.button("Monter", key=f"fdr_up_{item.id}", icon=":material/arrow_upward:"):
        planning.move(engine(), actor, campaign_id, item.id, -1)
        st.rerun()
    if row.button("Descendre", key=f"fdr_down_{item.id}", icon=":material/arrow_downward:"):
        planning.move(engine(), actor, campaign_id, item.id, 1)
        st.rerun()
    if item.origin in {"manual", "atelier"} and row.button(
        "Supprimer", key=f"fdr_del_{item.id}", icon=":material/delete:"
    ):
        planning.remove(engine(), actor, campaign_id, item.id)
        st.rerun()


def add_form(actor: Actor, campaign_id: int, questionnaire: Questionnaire) -> None:
    """The form of a new action, on one of the questionnaire's axes."""
    dims = [s.id for s in questionnaire.dimensions]
    titles = {s.id: s.title for s in questionnaire.sections}
    with st.form("fdr_add", clear_on_submit=True):
        st.text_input("Intitulé *", max_chars=300, key="fdr_new_title")
        choose("Axe", titles, options=dims, key="fdr_new_dim")
        st.text_area("Description", max_chars=4000, key="fdr_new_desc")
        x, y = st.columns(2)
        x.text_input("Pilote / porteur", max_chars=200, key="fdr_new_owner")
        choose("Échéance", HORIZON_LABELS, key="fdr_new_h", where=y)
        x.text_input("Indicateur de suivi", max_chars=500, key="fdr_new_ind")
        # Added before the page runs (a callback): the run that follows draws the plan with the
        # new action, with no second run of the whole page.
        st.form_submit_button("Ajouter l'action", on_click=_add, args=(actor, campaign_id))
    _say_refusal("fdr_add_failed", "Action non ajoutée")


def _say_refusal(key: str, what: str) -> None:
    """What a form's callback could not do (kept under `key`), said once under the form: the
    reason of a refusal, or an unexpected fault in French with its incident reference."""
    failed = st.session_state.pop(key, None)
    if isinstance(failed, StoreError | AnswerError):
        st.error(f"{what} : {plain(failed)}.")
    elif failed is not None:
        explain(failed)


def _save(actor: Actor, campaign_id: int, item: PlanItem) -> None:
    """« Enregistrer » of an action's form: its values, as submitted, into the plan."""
    state = st.session_state
    try:
        planning.edit(
            engine(),
            actor,
            campaign_id,
            item.id,
            title=state.get(f"fdr_t_{item.id}") or "",
            description=state.get(f"fdr_d_{item.id}") or "",
            owner=state.get(f"fdr_o_{item.id}") or "",
            horizon=state.get(f"fdr_h_{item.id}"),
            indicator=state.get(f"fdr_i_{item.id}") or "",
            status=state.get(f"fdr_s_{item.id}"),
        )
    except Exception as exc:  # noqa: BLE001 - the page run that follows says it (a callback
        # runs before the page, outside its guards)
        state[f"fdr_save_failed_{item.id}"] = exc
    else:
        state["fdr_flash"] = f"« {plain(item.title[:60])} » enregistrée."
        state[EDITING] = None  # saved: the form closes


def _add(actor: Actor, campaign_id: int) -> None:
    """« Ajouter l'action »: the form's values, as submitted, into the plan."""
    state = st.session_state
    try:
        planning.add(
            engine(),
            actor,
            campaign_id,
            title=state.get("fdr_new_title") or "",
            dimension=state.get("fdr_new_dim"),
            description=state.get("fdr_new_desc") or "",
            owner=state.get("fdr_new_owner") or "",
            horizon=state.get("fdr_new_h"),
            indicator=state.get("fdr_new_ind") or "",
        )
    except Exception as exc:  # noqa: BLE001 - the page run that follows says it (a callback
        # runs before the page, outside its guards)
        state["fdr_add_failed"] = exc
    else:
        state["fdr_flash"] = "Action ajoutée à la feuille de route."
