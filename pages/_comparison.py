"""The comparison page's readings (cached; item scores access-checked on every call), the
questionnaire's words and the peer group choice; its tabs are in _comparison_tabs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics.bulk_scores import BAND_LABELS
from diagnostic.analytics.peers import peer_groups
from diagnostic.comparison import benchmark
from diagnostic.comparison import service as cmp
from diagnostic.questionnaire import Questionnaire
from diagnostic.results.service import data_version, read_campaign_data, require_results_access
from diagnostic.vocabulary import KIND_LABELS
from pages._forms import choose
from pages._shell import engine, settings


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


@dataclass(frozen=True)
class Labels:
    """A questionnaire's words: dimension titles, dimensions in order, item texts."""

    dimensions: dict[str, str]
    order: list[str]
    items: dict[str, str]

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Labels:
        return cls(
            {d.id: d.title for d in questionnaire.dimensions},
            [d.id for d in questionnaire.dimensions],
            {x.id: x.text for x in questionnaire.questions()},
        )


def peer_group_choice(chosen: pd.DataFrame) -> tuple[str, str]:
    """Type and size of the peer group, side by side (by default those of the chosen)."""
    fields = (
        ("Groupe de pairs : type de territoire", KIND_LABELS, cmp.PEER_KINDS, "cmp_kind"),
        ("Taille (population)", BAND_LABELS, cmp.PEER_BANDS, "cmp_band"),
    )
    at = cmp.default_group_positions(chosen)
    kind, band = (
        choose(label, labels, options=options, index=index, key=key, where=column)
        for (label, labels, options, key), index, column in zip(
            fields, at, st.columns(2), strict=True
        )
    )
    return kind, band
