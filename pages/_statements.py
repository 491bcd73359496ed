"""The agreement statements' block of the results page: their share of agreement, apart from
the maturity scores."""

from __future__ import annotations

import streamlit as st

from diagnostic.results import tables
from diagnostic.results.model import CampaignResults, Labels
from pages._shell import data_table


def statements_block(results: CampaignResults, names: Labels) -> None:
    """The share of agreement of each dimension with statements; nothing without statements."""
    agreement = tables.agreement(results, names)
    if agreement.empty:
        return
    st.subheader("Affirmations : part d'accord")
    st.caption(
        "Les affirmations (« Un climat de confiance règne… ») appellent un degré d'accord, pas "
        "un niveau de maturité : elles n'entrent pas dans les scores ci-dessus. Part d'accord : "
        "réponses « plutôt » ou « tout à fait d'accord », en moyenne sur les affirmations de la "
        f"dimension, chacune comptée à partir de {results.min_group_size} réponses."
    )
    data_table(agreement, hide_index=True)  # a hidden share reads « — » (the remark says why)
