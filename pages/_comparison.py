"""The comparison page's readings (cached; item scores access-checked on every call), the
questionnaire's words and the peer group choice; its tabs are in _comparison_tabs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics.bulk_scores import population_band
from diagnostic.analytics.peers import peer_groups
from diagnostic.comparison import benchmark
from diagnostic.comparison import service as cmp
from diagnostic.comparison.report import Labels  # noqa: F401 (the page's words)
from diagnostic.results.service import data_version, read_campaign_data, require_results_access
from pages._forms import choose
from pages._shell import engine, plain, settings


@st.cache_data(max_entries=4, show_spinner="Lecture de la table de comparaison…")
def benchmark_table(version: tuple[object, ...]) -> pd.DataFrame:
    return benchmark.table(engine())


@st.cache_data(max_entries=32, show_spinner=False)
def groups_of(version, questionnaire_id, known, min_peer, min_group):  # noqa: ANN001, ANN201
    return peer_groups(
        benchmark_table(version),
        questionnaire_id=questionnaire_id,
        min_territories=min_peer,
        min_respondents=min_group,
        known=known,
    )


@st.cache_data(max_entries=64, show_spinner="Calcul des items…")
def _items(campaign_id: int, version: tuple[object, ...], min_group: int):  # noqa: ANN202
    data = read_campaign_data(engine(), campaign_id, settings().questions_dir)
    return cmp.item_scores(data, min_group_size=min_group)


def items_of(actor: Actor, campaign_id: int):  # noqa: ANN201
    """Item scores of an accompanied campaign, access checked on every call."""
    require_results_access(engine(), actor, campaign_id)
    return _items(campaign_id, data_version(engine(), campaign_id), settings().min_group_size)


def group_choices(groups: pd.DataFrame, chosen: pd.DataFrame) -> dict[int, str]:
    """Each territory's peer group: its own kind, and a band the consultant may change (by
    default the narrowest group whose figures may be shown)."""
    out: dict[int, str] = {}
    if chosen.empty:
        return out
    with st.expander("Changer le groupe de pairs d'un territoire"):
        st.caption(
            "Chaque territoire est comparé aux territoires de son type : sa tranche de "
            "population, ou tout son type. Une communauté d'agglomération n'est jamais classée "
            "parmi des communautés de communes."
        )
        for row in chosen.itertuples(index=False):
            kind, own = str(row.kind), population_band(row.population)
            options = cmp.band_choices(own)
            names = {}
            for band in options:
                group = cmp.PeerGroup(
                    kind, band, cmp.cell_of(groups, kind, band), settings().min_peer_territories
                )
                names[band] = group.caption
            default = cmp.default_band(groups, kind, own)
            out[int(row.territory_id)] = choose(
                f"Groupe de pairs de {plain(row.name)}",
                names,
                options=options,
                index=options.index(default),
                key=f"cmp_group_{row.territory_id}",
            )
    return out
