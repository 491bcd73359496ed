"""The territory then campaign selectors of the coordination's screens (campaigns, fiche,
results, consensus, roadmap, follow-up), limited to what the actor may do, and the chosen
campaign's results.

The territory and campaign one works on stay selected from page to page (this browser
session's choice) and are written in the address (`?territoire=ID&campagne=ID`), so that a
link shared with a colleague who has access opens on them; an address naming a territory the
person may not open is said so, and the page falls back to their first territory."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import streamlit as st

from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.campaigns.coordination import campaigns, my_territories
from diagnostic.results.model import CampaignResults, TooFewRespondents
from pages._shell import campaign_results, engine

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign


TERRITORY = ("current_territory", "territoire")  # session key, address parameter
CAMPAIGN = ("current_campaign", "campagne")


def remember(which: tuple[str, str], value: int) -> None:
    """Make `value` the territory (or campaign) this session works on, in the address too."""
    name, param = which
    st.session_state[name] = value
    st.query_params[param] = str(value)


def _remembered(which: tuple[str, str], ids: list[int]) -> int:
    """The address's choice (a shared link), else this session's, else the first of `ids`."""
    name, param = which
    raw = st.query_params.get(param)
    asked = int(raw) if raw and raw.isdigit() else None
    said = f"{name}_said"
    unknown = which == TERRITORY and asked is not None and asked not in ids
    if unknown and st.session_state.get(said) != asked:  # said once per address
        st.session_state[said] = asked
        st.info(
            "Le lien désigne un territoire que vous ne pouvez pas ouvrir avec ce compte : la page "
            "montre l'un des vôtres."
        )
    for candidate in (asked, st.session_state.get(name)):
        if candidate in ids:
            return candidate
    return ids[0]


def shared_choice(
    which: tuple[str, str],
    label: str,
    labels: Mapping[int, str],
    *,
    key: str,
    format_func: Callable[[int], str] | None = None,
    where: Any = st,
) -> int:
    """A selectbox of `labels`' ids that opens on the territory (or campaign) worked on, and
    makes the one chosen the one worked on, on every page and in the address."""
    ids = list(labels)
    current = _remembered(which, ids)
    st.session_state[key] = current  # the widget shows the shared choice
    chosen = where.selectbox(
        label,
        ids,
        format_func=format_func or labels.get,
        key=key,
        placeholder="Choisir…",
        on_change=lambda: remember(which, st.session_state[key]),
    )
    remember(which, chosen)
    return chosen


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
    territory_id = shared_choice(TERRITORY, "Territoire", names, key=f"{key}_territory")
    rows = campaigns(engine(), actor, territory_id)
    if not rows:
        st.info("Ce territoire n'a pas encore de campagne de diagnostic.")
        st.stop()
    by_id = {c.id: c for c in rows}
    titles = {c.id: c.title for c in rows}
    campaign_id = shared_choice(CAMPAIGN, "Campagne", titles, key=f"{key}_campaign")
    return by_id[campaign_id]
