"""Campaigns of a territory: create, invite participants, follow participation, open/close."""

import streamlit as st

from diagnostic.campaigns import coordination as co
from diagnostic.comparison.benchmark import set_consent
from diagnostic.vocabulary import STATUS_LABELS
from pages import _campaign as form
from pages import _invitations as mail
from pages._forms import rerun_with
from pages._picker import CAMPAIGN, TERRITORY, shared_choice
from pages._shell import data_table, engine, flash, guard, plain, settings

NEW_ICON = ":material/add_location_alt:"

actor = guard("campagne")
st.title("Campagnes de diagnostic")
flash()

territories = co.territories_to_manage(engine(), actor)
if not territories:
    st.info("Aucun territoire à coordonner. Créez d'abord un territoire.")
    st.page_link("pages/territoire.py", label="Créer un territoire", icon=NEW_ICON)
    st.stop()

names = {t.id: t.name for t in territories}
territory_id = shared_choice(TERRITORY, "Territoire", names, key="camp_territory")
rows = co.campaigns(engine(), actor, territory_id)

with st.expander("Créer une nouvelle campagne", expanded=not rows):
    form.creation_form(actor, territory_id)

if not rows:
    st.info("Ce territoire n'a pas encore de campagne : créez-en une ci-dessus.")
    st.stop()

by_id = {c.id: c for c in rows}
campaign_id = shared_choice(
    CAMPAIGN,
    "Campagne",
    {c.id: c.title for c in rows},
    key="camp_pick",
    format_func=lambda i: f"{by_id[i].title} ({STATUS_LABELS.get(by_id[i].status, '')})",
)
campaign = by_id[campaign_id]
st.caption(
    f"Questionnaire {plain(campaign.questionnaire_id)} version "
    f"{plain(campaign.questionnaire_version)} · statut : {STATUS_LABELS.get(campaign.status)}"
)

st.subheader("Réponses pseudonymes ou nominatives")
form.answers_mode(actor, campaign)

table = co.participation(engine(), actor, campaign_id, settings().questions_dir)
counts = co.participation_counts(table)
for column, label in zip(st.columns(3), counts, strict=True):
    column.metric(label, counts[label])

st.subheader("Participation")
if table.empty:
    st.info("Personne n'est encore invité : ajoutez les participant·es ci-dessous.")
else:
    data_table(
        co.participation_view(table).drop(columns=["id"]),
        hide_index=True,
        column_config={
            "Avancement": st.column_config.ProgressColumn(
                "Avancement", min_value=0, max_value=100, format="%d %%"
            ),
        },
    )
    with st.expander("Participation par structure"):
        data_table(co.participation_by_structure(table))

link = st.session_state.pop("new_link", None)
if link:
    st.success(
        f"Lien personnel de {plain(link[0])} — copiez-le et transmettez-le à cette seule "
        "personne ; il ne sera plus affiché (vous pourrez en générer un nouveau) :"
    )
    st.code(link[1], language=None)

if campaign.status == "open":
    st.subheader("Inviter un·e participant·e")
    form.invite_form(actor, campaign)
    st.subheader("Invitations et relances par courriel")
    with st.expander("Message d'invitation et date limite"):
        mail.message_editor(actor, campaign)
    mail.sending_panel(actor, campaign)

if not table.empty or campaign.status != "closed":
    st.subheader("Questionnaires papier")
    form.paper_forms(actor, campaign)

if not table.empty:
    st.subheader("Gérer un·e participant·e")
    form.manage_participant(actor, table)

st.subheader("Statut de la campagne")
if campaign.status == "open":
    st.write("Clore la campagne met fin à tous les liens d'invitation.")
    if st.button("Clore la campagne", key="close"):
        co.set_campaign_status(engine(), actor, campaign_id=campaign_id, status="closed")
        st.rerun()
else:
    if st.button("Rouvrir la campagne", key="open"):
        co.set_campaign_status(engine(), actor, campaign_id=campaign_id, status="open")
        st.rerun()

st.subheader("Comparaison anonyme avec d'autres territoires")
st.write(
    "Avec votre accord, les scores par dimension de cette campagne entrent, sans le nom du "
    f"territoire, dans les repères des territoires du même type et de la même taille (groupes "
    f"d'au moins {settings().min_peer_territories} territoires). Vous pouvez retirer votre "
    "accord à tout moment : il prend effet immédiatement."
)
consent = st.toggle(
    "Participer à la comparaison anonyme",
    value=campaign.benchmark_consent,
    key=f"consent_{campaign_id}",
)
if consent != campaign.benchmark_consent:
    set_consent(engine(), actor, campaign_id=campaign_id, consent=consent)
    rerun_with(
        "Accord enregistré : la campagne entre dans la comparaison anonyme."
        if consent
        else "Accord retiré : la campagne ne figure plus dans aucune comparaison."
    )

with st.expander("Données personnelles"):
    form.personal_data(actor, campaign, table)
