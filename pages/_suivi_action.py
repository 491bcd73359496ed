"""The follow-up page's parts: one action (where it stands, its status form, the items it
should move, its history) and the chantiers' roll-up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.roadmap import tracking
from diagnostic.roadmap.followup import (
    FOLLOW_UP_LABELS,
    ActionFollowUp,
    ChantierProgress,
    default_links,
    history_rows,
    status_line,
)
from diagnostic.vocabulary import count as n_of
from pages._forms import choose, refused
from pages._shell import data_table, engine, plain

FLASH = "suivi_flash"


def _label(items: Mapping[str, str], key: str, width: int = 90) -> str:
    """An item as the questionnaire words it (its key when the questionnaire lacks it)."""
    text = items.get(key)
    if text is None:
        return f"{key} (absent du questionnaire)"
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def action(
    actor: Actor,
    campaign_id: int,
    f: ActionFollowUp,
    items: Mapping[str, str],
    today: date,
    *,
    editable: bool,
) -> None:
    """Inside an action's expander: where it stands, the items it should move, the status
    form (for the coordination), its history."""
    item = f.item
    st.markdown(f"**Où en est-elle ?** {plain(status_line(f, today))}")
    details = [f"Pilote : {plain(item.owner)}"] if item.owner else []
    if item.indicator:
        details.append(f"Indicateur : {plain(item.indicator)}")
    if details:
        st.caption(" · ".join(details))
    _links(actor, campaign_id, f, items, editable=editable)
    if editable:
        _status_form(actor, campaign_id, f, today)
    rows = history_rows(f)
    if rows:
        st.markdown(f"**Historique** ({n_of(len(rows), 'changement')})")
        data_table(pd.DataFrame(rows), hide_index=True, key=f"suivi_hist_{item.id}")
    else:
        st.caption("Aucun changement de statut enregistré : l'action est « À lancer ».")


def _links(
    actor: Actor,
    campaign_id: int,
    f: ActionFollowUp,
    items: Mapping[str, str],
    *,
    editable: bool,
) -> None:
    item = f.item
    origin = "choisis par la coordination" if item.links is not None else "tirés des déclencheurs"
    st.markdown(f"**Items que l'action doit faire bouger** ({origin})")
    if f.links:
        for key in f.links:
            st.markdown(f"- {plain(_label(items, key))}")
    else:
        st.caption("Aucun item relié : choisissez-en pour lire l'effet de l'action à la campagne "
                   "suivante.")  # fmt: skip
    if not editable:
        return
    with st.form(f"suivi_links_{item.id}"):
        options = list(dict.fromkeys([*items, *f.links]))
        chosen = choose(
            "Items reliés",
            {k: _label(items, k) for k in options},
            key=f"suivi_l_{item.id}",
            many=True,
            default=list(f.links),
            placeholder="Choisir des items du questionnaire",
        )
        a, b = st.columns(2)
        save = a.form_submit_button("Enregistrer les items reliés")
        reset = b.form_submit_button(
            "Revenir aux items des déclencheurs", disabled=item.links is None
        )
    if save or reset:
        with refused("Items non enregistrés", AnswerError):
            tracking.link(engine(), actor, campaign_id, item.id, None if reset else list(chosen))
            back = default_links(item)
            st.session_state[FLASH] = (
                f"Items reliés revenus à ceux des déclencheurs ({n_of(len(back), 'item')})."
                if reset
                else f"Items reliés enregistrés ({n_of(len(chosen), 'item')})."
            )
            st.session_state.pop(f"suivi_l_{item.id}", None)  # shows the stored links again
            st.rerun()


def _status_form(actor: Actor, campaign_id: int, f: ActionFollowUp, today: date) -> None:
    item = f.item
    statuses = list(FOLLOW_UP_LABELS)
    with st.form(f"suivi_form_{item.id}", clear_on_submit=True):
        st.markdown("**Nouveau statut**")
        a, b = st.columns(2)
        status = choose(
            "Statut",
            FOLLOW_UP_LABELS,
            key=f"suivi_s_{item.id}",
            where=a,
            index=statuses.index(f.status),
        )
        on = b.date_input(
            "Depuis le", value=today, max_value=today, format="DD/MM/YYYY", key=f"suivi_d_{item.id}"
        )
        c, d = st.columns(2)
        progress = c.number_input(
            "Avancement (%)",
            min_value=0,
            max_value=100,
            step=5,
            value=f.progress if f.status == "en_cours" else None,
            help="Pour une action en cours : la part faite (« Faite » : 100 %, « À lancer » : 0).",
            key=f"suivi_p_{item.id}",
        )
        value = d.number_input(
            "Valeur actuelle de l'indicateur",
            value=None,
            step=1.0,
            format="%g",
            help=plain(item.indicator) if item.indicator else "Facultatif.",
            key=f"suivi_v_{item.id}",
        )
        comment = st.text_area(
            "Commentaire (facultatif)", max_chars=1000, height=80, key=f"suivi_c_{item.id}"
        )
        saved = st.form_submit_button("Enregistrer le statut", type="primary")
    if saved:
        with refused("Statut non enregistré", AnswerError):
            tracking.record(
                engine(),
                actor,
                campaign_id,
                item.id,
                status=status,
                on=on,
                progress=int(progress) if progress is not None else None,
                indicator_value=value,
                comment=comment,
            )
            st.session_state[FLASH] = (
                f"« {plain(item.title[:60])} » : statut « {FOLLOW_UP_LABELS[status]} » enregistré."
            )
            st.rerun()


def rollup(chantiers: list[ChantierProgress]) -> None:
    """Each chantier's progress, rolled up from its actions."""
    for c in chantiers:
        share = c.progress if c.progress is not None else 0
        counts = [n_of(c.done, "faite")] if c.done else []
        if c.in_progress:
            counts.append(n_of(c.in_progress, "en cours", "en cours"))
        if c.to_start:
            counts.append(n_of(c.to_start, "à lancer", "à lancer"))
        if c.abandoned:
            counts.append(n_of(c.abandoned, "abandonnée"))
        if c.late:
            counts.append(n_of(c.late, "en retard", "en retard"))
        said = f"{c.progress} %" if c.progress is not None else "avancement non renseigné"
        unknown = (
            f" ; {n_of(c.unknown, 'action en cours', 'actions en cours')} sans avancement saisi"
            if c.unknown
            else ""
        )
        st.progress(
            share / 100,
            text=f"**{plain(c.title)}** — {said} · {n_of(c.actions, 'action')} : "
            f"{', '.join(counts)}{unknown}",
        )
