"""The « Exporter » tab of the results page: the answers and the results as files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.campaigns.export import campaign_export, export_file_name
from diagnostic.exports import MIME
from diagnostic.results.model import CampaignResults
from pages._shell import engine, settings

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign


def export_tab(actor: Actor, campaign: Campaign, results: CampaignResults) -> None:
    """What each file holds, then one download button per file (built when clicked)."""
    k = results.min_group_size
    manage = can(actor, Action.TERRITORY_MANAGE, territory_id=campaign.territory_id)
    with_names = (
        campaign.named_answers
        and manage
        and st.checkbox(
            "Avec le nom des personnes (campagne nominative, réservé à la coordination)",
            key="res_export_names",
        )
    )
    if with_names:
        st.markdown(
            "Les réponses (une ligne par personne et par question, puis une ligne par personne), "
            "envoyées ou en cours, avec le nom saisi à l'invitation (ou le numéro de la "
            "personne), sa structure, sa fonction et les dates ; puis les résultats calculés."
        )
    else:
        st.markdown(
            "Les réponses des questionnaires envoyés (une ligne par personne et par question, "
            "puis une ligne par personne) et les résultats calculés. Chaque personne est "
            "désignée par un code tiré au hasard (R01, R02…), sans dates ; une fonction ou une "
            f"structure partagée par moins de {k} personnes est regroupée (« autre "
            "fonction », « autre structure ») ou retirée, pour que personne ne soit "
            "reconnaissable."
        )
    st.caption(
        "Les cellules qui ressembleraient à une formule de tableur sont neutralisées. Les "
        "réponses en texte libre figurent telles qu'elles ont été écrites."
    )
    for fmt, label, table in (
        ("xlsx", "Classeur Excel (toutes les feuilles)", "long"),
        ("csv", "CSV — réponses, une ligne par question", "long"),
        ("csv", "CSV — réponses, une ligne par personne", "large"),
        ("json", "JSON (toutes les données)", "long"),
    ):
        st.download_button(
            label,
            data=lambda fmt=fmt, table=table: (
                campaign_export(
                    engine(),
                    actor,
                    campaign.id,
                    settings().questions_dir,
                    fmt=fmt,
                    min_group_size=k,
                    table=table,
                    with_names=bool(with_names),
                ).data
            ),
            file_name=export_file_name(results.territory_name, f"{campaign.title}-{table}", fmt),
            mime=MIME[fmt],
            key=f"res_export_{fmt}_{table}",
            icon=":material/download:",
            on_click="ignore",
        )
