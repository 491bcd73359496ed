"""Home of a signed-in user: their territories and campaigns at a glance."""

import streamlit as st

from diagnostic.accounts.permissions import page_allowed
from diagnostic.campaigns.coordination import campaigns, my_territories
from diagnostic.campaigns.official_gaps import gaps
from diagnostic.vocabulary import KIND_LABELS, STATUS_LABELS, count
from pages._shell import engine, flash, guard, plain

NEW_ICON = ":material/add_location_alt:"
actor = guard("accueil")
st.title("Mes territoires")
flash()
territories = my_territories(engine(), actor)
if not territories:
    st.info(
        "Vous ne suivez encore aucun territoire. Créez le vôtre avec « Nouveau territoire » "
        "dans le menu, ou demandez à un·e administrateur·rice de vous y associer."
    )
    st.page_link(
        "pages/territoire.py", label="Créer un territoire", icon=":material/add_location_alt:"
    )
    st.stop()

for territory in territories:
    with st.container(border=True):
        st.subheader(plain(territory.name))
        facts = [KIND_LABELS.get(territory.kind, territory.kind)]
        if territory.code:
            facts.append(f"code {plain(territory.code)}")
        if territory.population:
            facts.append(f"{territory.population:,} habitants".replace(",", "\u202f"))
        st.caption(" · ".join(facts))
        if territory.story:
            st.markdown(plain(territory.story))
        rows = campaigns(engine(), actor, territory.id)
        if not rows:
            st.write("Aucune campagne de diagnostic pour l'instant.")
        for c in rows:
            st.markdown(
                f"- **{plain(c.title)}** — {STATUS_LABELS.get(c.status, c.status)} "
                f"(questionnaire {plain(c.questionnaire_id)} {plain(c.questionnaire_version)})"
            )

if page_allowed(actor, "campagne"):  # consultants and facilitators have no such page
    st.page_link(
        "pages/campagne.py",
        label="Gérer les campagnes et les invitations",
        icon=":material/assignment:",
    )
stale = [gap for gap in gaps(engine(), actor) if gap.updatable]  # only those the actor manages
if stale:
    st.page_link(
        "pages/territoire.py",
        label=f"{count(len(stale), 'territoire diffère', 'territoires diffèrent')} de la liste "
        "officielle",
        icon=":material/sync:",
    )
