"""Campaigns of a territory: create, invite participants, follow participation, open/close."""

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from diagnostic.campaigns import coordination as co
from diagnostic.comparison.benchmark import set_consent
from diagnostic.errors import StoreError
from diagnostic.privacy.service import erase_campaign, erase_participant
from diagnostic.vocabulary import ROLE_LABELS, STATUS_LABELS
from pages._shell import engine, flash, guard, plain, settings

NEW_ICON = ":material/add_location_alt:"
NAMED_HELP = (
    "Par défaut, les réponses sont pseudonymes : personne ne voit les réponses individuelles "
    "avec un nom. Une campagne nominative l'annonce à chaque répondant·e dans l'introduction du "
    "questionnaire ; ce choix ne peut plus changer dès que quelqu'un a répondu. Les "
    "consultant·es ne voient jamais les noms."
)


@contextmanager
def refused(what: str) -> Iterator[None]:
    """Says why the store refused the action (what did not happen: the reason)."""
    try:
        yield
    except StoreError as exc:
        st.error(f"{what} : {plain(exc)}.")


actor = guard("campagne")
st.title("Campagnes de diagnostic")
flash()

territories = co.territories_to_manage(engine(), actor)
if not territories:
    st.info("Aucun territoire à coordonner. Créez d'abord un territoire.")
    st.page_link("pages/territoire.py", label="Créer un territoire", icon=NEW_ICON)
    st.stop()

names = {t.id: t.name for t in territories}
territory_id = st.selectbox("Territoire", list(names), format_func=names.get, key="camp_territory")
rows = co.campaigns(engine(), actor, territory_id)

with st.expander("Créer une nouvelle campagne", expanded=not rows):
    choices = co.questionnaire_choices(settings().questions_dir)
    with st.form("campaign_form"):
        title = st.text_input(
            "Titre de la campagne *",
            value="Autodiagnostic de fin de mandat",
            max_chars=200,
            key="camp_title",
        )
        chosen = st.selectbox(
            "Questionnaire",
            list(choices),
            format_func=choices.get,
            key="camp_questionnaire",
        )
        named = st.checkbox(
            "Réponses nominatives : la coordination pourra exporter les réponses individuelles "
            "avec le nom des personnes",
            value=False,
            key="camp_named",
            help=NAMED_HELP,
        )
        create = st.form_submit_button("Créer et ouvrir la campagne", type="primary")
    if create:
        with refused("La campagne n'a pas été créée"):
            new = co.create_campaign(
                engine(),
                actor,
                territory_id=territory_id,
                title=title,
                questionnaire_id=chosen[0],
                questionnaire_version=chosen[1],
                named_answers=named,
            )
            st.session_state["camp_selected"] = new.id
            st.rerun()

if not rows:
    st.info("Ce territoire n'a pas encore de campagne : créez-en une ci-dessus.")
    st.stop()

by_id = {c.id: c for c in rows}
selected = st.session_state.get("camp_selected")
campaign_id = st.selectbox(
    "Campagne",
    list(by_id),
    index=list(by_id).index(selected) if selected in by_id else 0,
    format_func=lambda i: f"{by_id[i].title} ({STATUS_LABELS.get(by_id[i].status, '')})",
    key="camp_pick",
)
campaign = by_id[campaign_id]
st.caption(
    f"Questionnaire {plain(campaign.questionnaire_id)} version "
    f"{plain(campaign.questionnaire_version)} · statut : {STATUS_LABELS.get(campaign.status)}"
)

st.subheader("Réponses pseudonymes ou nominatives")
fixed = co.campaign_has_answers(engine(), actor, campaign_id)
if campaign.named_answers:
    st.markdown(
        "**Campagne nominative** : vous pouvez exporter les réponses individuelles avec le nom "
        "des personnes (page « Résultats », onglet « Exporter ») ; l'introduction du "
        "questionnaire l'annonce à chaque répondant·e."
    )
else:
    st.markdown(
        "**Réponses pseudonymes** : personne ne voit les réponses individuelles avec un nom ; "
        "les exports désignent les personnes par un code."
    )
if fixed:
    st.caption("Des réponses ont été données : ce choix ne peut plus changer.")
else:
    wanted = st.toggle(
        "Réponses nominatives",
        value=campaign.named_answers,
        key=f"named_{campaign_id}",
        help=NAMED_HELP,
    )
    if wanted != campaign.named_answers:
        with refused("Choix non modifié"):
            co.set_named_answers(engine(), actor, campaign_id=campaign_id, named=wanted)
            st.session_state["flash"] = (
                "Campagne nominative : l'introduction du questionnaire l'annonce désormais."
                if wanted
                else "Réponses pseudonymes : personne ne verra les réponses avec un nom."
            )
            st.rerun()

table = co.participation(engine(), actor, campaign_id, settings().questions_dir)
counts = co.participation_counts(table)
for column, label in zip(st.columns(3), counts, strict=True):
    column.metric(label, counts[label])

st.subheader("Participation")
if table.empty:
    st.info("Personne n'est encore invité : ajoutez les participant·es ci-dessous.")
else:
    st.dataframe(
        table.drop(columns=["id"]),
        hide_index=True,
        column_config={
            "Avancement": st.column_config.ProgressColumn(
                "Avancement", min_value=0, max_value=100, format="%d %%"
            ),
            "Envoyé le": st.column_config.DatetimeColumn("Envoyé le", format="DD/MM/YYYY HH:mm"),
        },
    )
    with st.expander("Participation par structure"):
        st.dataframe(co.participation_by_structure(table))

link = st.session_state.pop("new_link", None)
if link:
    st.success(
        f"Lien personnel de {plain(link[0])} — copiez-le et transmettez-le à cette seule "
        "personne ; il ne sera plus affiché (vous pourrez en générer un nouveau) :"
    )
    st.code(link[1], language=None)

if campaign.status == "open":
    st.subheader("Inviter un·e participant·e")
    places = co.structures(engine(), actor, territory_id)
    place_names = {p.id: p.name for p in places}
    with st.form("invite_form", clear_on_submit=True):
        name = st.text_input(
            "Nom (facultatif : sans nom, la personne reste pseudonyme)",
            max_chars=120,
            key="inv_name",
        )
        role = st.selectbox(
            "Fonction", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="inv_role"
        )
        structure_id = st.selectbox(
            "Structure", list(place_names), format_func=place_names.get, key="inv_structure"
        )
        add = st.form_submit_button("Ajouter et obtenir le lien", type="primary")
    if add:
        with refused("Invitation impossible"):
            new = co.invite(
                engine(),
                actor,
                campaign_id=campaign_id,
                role=role,
                structure_id=structure_id,
                name=name,
                public_url=settings().public_url,
            )
            who = new.participant.name or f"répondant·e n° {new.participant.id}"
            st.session_state["new_link"] = (who, new.link)
            st.rerun()

if not table.empty:
    st.subheader("Gérer un·e participant·e")
    labels = co.participant_labels(table)
    chosen_pid = st.selectbox(
        "Participant·e", list(labels), format_func=labels.get, key="manage_pid"
    )
    a, b = st.columns(2)
    if a.button(
        "Générer un nouveau lien",
        key="reissue",
        help="L'ancien lien cesse aussitôt de fonctionner.",
    ):
        new = co.reissue(
            engine(), actor, participant_id=chosen_pid, public_url=settings().public_url
        )
        st.session_state["new_link"] = (labels[chosen_pid], new.link)
        st.rerun()
    if b.button(
        "Rouvrir ses réponses",
        key="reopen",
        disabled=not co.has_sent(table, chosen_pid),
        help="Permet de modifier des réponses déjà envoyées.",
    ):
        co.reopen_participant(engine(), actor, participant_id=chosen_pid)
        st.rerun()

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
    st.session_state["flash"] = (
        "Accord enregistré : la campagne entre dans la comparaison anonyme."
        if consent
        else "Accord retiré : la campagne ne figure plus dans aucune comparaison."
    )
    st.rerun()

with st.expander("Données personnelles"):
    st.markdown(
        "Effacer une personne supprime ses réponses et son nom et désactive son lien. Effacer la "
        "campagne supprime **définitivement** toutes ses réponses, ses participant·es, son "
        "consensus et sa feuille de route, ainsi que les places (pseudonymes), contributions et "
        "votes de son territoire dans les ateliers qui la présentaient."
    )
    if not table.empty:
        people = co.participant_labels(table)
        erase_pid = st.selectbox(
            "Personne à effacer", list(people), format_func=people.get, key="erase_pid"
        )
        sure = st.checkbox("Je confirme l'effacement de cette personne", key="erase_pid_ok")
        if st.button("Effacer cette personne", key="erase_participant", disabled=not sure):
            count = erase_participant(engine(), actor, erase_pid)
            st.session_state["flash"] = (
                f"{count} réponse(s) et le nom de la personne effacés ; son lien est désactivé."
            )
            st.rerun()
    typed = st.text_input(
        f"Pour effacer toute la campagne, recopiez son titre : {plain(campaign.title)}",
        key="erase_campaign_title",
    )
    if st.button("Effacer toute la campagne", key="erase_campaign"):
        with refused("Campagne non effacée"):
            erase_campaign(engine(), actor, campaign_id, typed)
            st.session_state.pop("camp_selected", None)
            st.session_state["flash"] = "La campagne et toutes ses données ont été effacées."
            st.rerun()
