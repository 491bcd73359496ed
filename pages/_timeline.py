"""The roadmap page's main plan: the timeline, the actions by chantier, the « Autres pistes »."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from diagnostic.roadmap import planning
from diagnostic.roadmap.model import STATUS_LABELS, PlanItem
from diagnostic.roadmap.selection import milestones
from diagnostic.roadmap.timeline import figure, timeline_of
from diagnostic.territory.situation import Situation
from pages._plan import editing
from pages._shell import CHART_CONFIG, plain


def main_plan(
    items: list[PlanItem], situation: Situation | None, show: Callable[[PlanItem], None]
) -> bool:
    """The main plan by chantier with its timeline, then the « Autres pistes » in an expander;
    `show` draws one action inside its expander. False without chantiers (the page then lists
    the actions by axis)."""
    chantiers = planning.chantiers_of()
    if chantiers is None:
        return False
    today = date.today()
    rows, others, groups, windows = planning.arranged(items, chantiers, situation, today)
    spec = timeline_of(rows, groups, windows, today, milestones(situation, today))
    if spec is not None:
        st.subheader("Calendrier du plan principal")
        st.plotly_chart(figure(spec), config=CHART_CONFIG, key="fdr_timeline")
    for group in groups:
        st.subheader(group.title)
        if group.objective:
            st.caption(f"{group.objective} Pilote : {group.pilot}.")
        for i in group.rows:
            item = rows[i]
            window = windows[i] if i < len(windows) else None
            when = f" · {window.label()}" if window is not None else ""
            mark = f" · {item.change}" if item.change else ""
            head = f"A{i + 1}. {STATUS_LABELS[item.status]} — {plain(item.title)}{when}{mark}"
            with st.expander(head, expanded=editing(item)):
                show(item)
    if others:
        with st.expander(f"Autres pistes ({len(others)})", expanded=False):
            st.caption(
                "Actions que les réponses font aussi proposer, hors du plan principal : "
                "retenez-en une (statut « Retenue ») pour l'y faire entrer."
            )
            for item in others:
                reason = plain(item.aside or "")
                with st.expander(f"{plain(item.title)} — {reason}", expanded=editing(item)):
                    show(item)
    return True
