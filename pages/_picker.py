"""The territory then campaign selectors of the coordination's screens (results, consensus,
roadmap), limited to what the actor may do, and the chosen campaign's results."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.campaigns.coordination import campaigns, my_territories
from diagnostic.results.model import CampaignResults, TooFewRespondents
from pages._shell import campaign_results, engine

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign


def campaign_picker(
    actor: Actor, action: Action, *, key: str, too_few: str
) -> tuple[Campaign, CampaignResults]:
    """Territory then campaign selectors limited to what the actor may do, and the campaign's
    results. The page stops, saying why, when there is no territory or campaign to choose, or
    when fewer people have answered than the minimum group size (`too_few`, where `{n}` is that
    size)."""
    campaign = campaign_choice(actor, action, key=key)
    results = campaign_results(actor, campaign.id)
    if isinstance(results, TooFewRespondents):
        st.info(too_few.format(n=results.min_group_size))
        st.stop()
    return campaign, results


def campaign_choice(actor: Actor, action: Action, *, key: str) -> Campaign:
    """The territory then campaign selectors alone (the page stops, saying why, when there is
    nothing to choose)."""
    territories = [
        t for t in my_territories(engine(), actor) if can(actor, action, territory_id=t.id)
    ]
    if not territories:
        st.info("Aucun territoire accessible pour l'instant.")
        st.stop()
    names = {t.id: t.name for t in territories}
    territory_id = st.selectbox(
        "Territoire",
        list(names),
        format_func=names.get,
        key=f"{key}_territory",
        placeholder="Choisir…",
    )
    rows = campaigns(engine(), actor, territory_id)
    if not rows:
        st.info("Ce territoire n'a pas encore de campagne de diagnostic.")
        st.stop()
    by_id = {c.id: c for c in rows}
    campaign_id = st.selectbox(
        "Campagne",
        list(by_id),
        format_func=lambda i: by_id[i].title,
        key=f"{key}_campaign",
        placeholder="Choisir…",
    )
    return by_id[campaign_id]
