"""The campaign page's forms: a new campaign, named or pseudonymous answers, inviting and
managing a participant, erasing personal data."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns import coordination as co
from diagnostic.campaigns import paper
from diagnostic.campaigns.invitations import AddressError
from diagnostic.privacy.service import erase_campaign, erase_participant
from diagnostic.territory.calendar import campaign_title
from diagnostic.vocabulary import ROLE_LABELS
from diagnostic.vocabulary import count as n_of
from pages._forms import choose, refused, rerun_with, title_input
from pages._picker import CAMPAIGN, remember
from pages._shell import engine, plain, settings

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign

NAMED_HELP = (
    "Par défaut, les réponses sont pseudonymes : personne ne voit les réponses individuelles "
    "avec un nom. Une campagne nominative l'annonce à chaque répondant·e dans l'introduction du "
    "questionnaire ; ce choix ne peut plus changer dès que quelqu'un a répondu. Les "
    "consultant·es ne voient jamais les noms."
)


def creation_form(actor: Actor, territory_id: int) -> None:
    """Title, questionnaire, named answers; the new campaign is selected once created."""
    choices = co.questionnaire_choices(settings().questions_dir)
    with st.form("campaign_form"):
        proposed = campaign_title(settings().questions_dir, date.today())
        title = title_input("Titre de la campagne *", proposed, key="camp_title")
        chosen = choose("Questionnaire", choices, key="camp_questionnaire")
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
            remember(CAMPAIGN, new.id)  # the new campaign is the one shown, on every page
            st.rerun()


def answers_mode(actor: Actor, campaign: Campaign) -> None:
    """What the choice means, and the switch while nobody has answered."""
    if campaign.named_answers:
        st.markdown(
            "**Campagne nominative** : vous pouvez exporter les réponses individuelles avec le "
            "nom des personnes (page « Résultats », onglet « Exporter ») ; l'introduction du "
            "questionnaire l'annonce à chaque répondant·e."
        )
    else:
        st.markdown(
            "**Réponses pseudonymes** : personne ne voit les réponses individuelles avec un nom ; "
            "les exports désignent les personnes par un code."
        )
    if co.campaign_has_answers(engine(), actor, campaign.id):
        st.caption("Des réponses ont été données : ce choix ne peut plus changer.")
        return
    wanted = st.toggle(
        "Réponses nominatives",
        value=campaign.named_answers,
        key=f"named_{campaign.id}",
        help=NAMED_HELP,
    )
    if wanted != campaign.named_answers:
        with refused("Choix non modifié"):
            co.set_named_answers(engine(), actor, campaign_id=campaign.id, named=wanted)
            rerun_with(
                "Campagne nominative : l'introduction du questionnaire l'annonce désormais."
                if wanted
                else "Réponses pseudonymes : personne ne verra les réponses avec un nom."
            )


def invite_form(actor: Actor, campaign: Campaign) -> None:
    """Name, role, structure; the new personal link is shown once, at the next run."""
    places = {p.id: p.name for p in co.structures(engine(), actor, campaign.territory_id)}
    with st.form("invite_form", clear_on_submit=True):
        name = st.text_input(
            "Nom (facultatif : sans nom, la personne reste pseudonyme)",
            max_chars=120,
            key="inv_name",
        )
        email = st.text_input(
            "Adresse électronique (facultative : pour envoyer le lien et les relances)",
            max_chars=254,
            key="inv_email",
        )
        role = choose("Fonction", ROLE_LABELS, key="inv_role")
        structure_id = choose("Structure", places, key="inv_structure")
        add = st.form_submit_button("Ajouter et obtenir le lien", type="primary")
    if add:
        with refused("Invitation impossible", AddressError):
            new = co.invite(
                engine(),
                actor,
                campaign_id=campaign.id,
                role=role,
                structure_id=structure_id,
                name=name,
                email=email,
                public_url=settings().public_url,
            )
            who = new.participant.name or f"répondant·e n° {new.participant.id}"
            st.session_state["new_link"] = (who, new.link)
            st.rerun()


def paper_forms(actor: Actor, campaign: Campaign) -> None:
    """The printable questionnaires and the file to type their answers in (built on click)."""
    codes = paper.printable_codes(engine(), actor, campaign.id)
    st.write(
        "Pour une salle sans téléphone ni ordinateur : un questionnaire à remplir au stylo pour "
        "chaque personne invitée qui n'a pas encore envoyé ses réponses. Chaque page porte le "
        "code de la personne. Les réponses se saisissent ensuite dans le fichier de saisie "
        "(mêmes codes, même ordre), importé avec la commande `import-answers`. Pour des "
        "personnes non invitées, les questionnaires vierges créent autant de codes ; chacune "
        "y écrit sa fonction et sa structure."
    )
    if campaign.status != "closed":
        blank_forms(actor, campaign)
    if not codes:
        st.info(
            "Aucun questionnaire à imprimer : invitez d'abord les participant·es (le nom est "
            "facultatif) ou créez des questionnaires vierges ; une personne qui a déjà envoyé "
            "ses réponses n'en reçoit pas."
        )
        return
    st.caption(f"{n_of(len(codes), 'questionnaire')} — codes répondant·e : {', '.join(codes)}")
    _form_files(
        f"questionnaires-papier-campagne-{campaign.id}",
        ("Questionnaires à imprimer (PDF)", "Fichier de saisie des réponses (CSV)"),
        lambda: paper.paper_forms(engine(), actor, campaign.id, settings().questions_dir).pdf,
        lambda: (
            paper.paper_forms(
                engine(), actor, campaign.id, settings().questions_dir, with_pdf=False
            ).csv
        ),
        key="paper",
    )


def blank_forms(actor: Actor, campaign: Campaign) -> None:
    """N new people invited for paper; their forms and import file offered once made."""
    a, b = st.columns([1, 2], vertical_alignment="bottom")
    count = a.number_input(
        "Nombre de questionnaires vierges",
        min_value=1,
        max_value=paper.MOST_BLANK,
        value=10,
        step=1,
        key="blank_count",
        help="Pour des personnes non invitées : chacune reçoit un code, et écrit sa fonction "
        "et sa structure en tête du questionnaire (lignes _fonction et _structure du fichier "
        "de saisie).",
    )
    if b.button("Questionnaires vierges", key="blank_make", icon=":material/note_add:"):
        with refused("Questionnaires vierges non créés", paper.PaperFormsError):
            made = paper.blank_forms(
                engine(),
                actor,
                campaign.id,
                settings().questions_dir,
                int(count),
                settings().public_url,
            )
            st.session_state["blank_forms"] = (campaign.id, made)
            st.rerun()  # the new people in the table and the codes above
    kept = st.session_state.get("blank_forms")
    if not kept or kept[0] != campaign.id:
        return
    made = kept[1]
    st.success(
        f"{n_of(len(made.codes), 'questionnaire vierge')} — codes répondant·e : "
        f"{', '.join(made.codes)}"
    )
    _form_files(
        f"questionnaires-vierges-campagne-{campaign.id}-{made.codes[0]}-{made.codes[-1]}",
        ("Questionnaires vierges (PDF)", "Leur fichier de saisie (CSV)"),
        made.pdf,
        made.csv,
        key="blank",
    )


def _form_files(name: str, labels: tuple[str, str], pdf: Any, csv: Any, *, key: str) -> None:
    """The paper forms (PDF) and their import file (CSV) side by side; `pdf` and `csv` are the
    bytes, or callables that build them on click."""
    a, b = st.columns(2)
    a.download_button(
        labels[0],
        data=pdf,
        file_name=f"{name}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        icon=":material/print:",
        on_click="ignore",
    )
    b.download_button(
        labels[1],
        data=csv,
        file_name=f"saisie-{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )


def manage_participant(actor: Actor, table: pd.DataFrame) -> None:
    """A participant of the table: a new link, or their sent answers reopened."""
    labels = co.participant_labels(table)
    chosen_pid = choose("Participant·e", labels, key="manage_pid")
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


def personal_data(actor: Actor, campaign: Campaign, table: pd.DataFrame) -> None:
    """Inside « Données personnelles »: erase one person, or the whole campaign."""
    st.markdown(
        "Effacer une personne supprime ses réponses et son nom et désactive son lien. Effacer la "
        "campagne supprime **définitivement** toutes ses réponses, ses participant·es, son "
        "consensus et sa feuille de route, ainsi que les places (pseudonymes), contributions et "
        "votes de son territoire dans les ateliers qui la présentaient."
    )
    if not table.empty:
        people = co.participant_labels(table)
        erase_pid = choose("Personne à effacer", people, key="erase_pid")
        sure = st.checkbox("Je confirme l'effacement de cette personne", key="erase_pid_ok")
        if st.button("Effacer cette personne", key="erase_participant", disabled=not sure):
            count = erase_participant(engine(), actor, erase_pid)
            rerun_with(
                f"{n_of(count, 'réponse effacée')}, ainsi que le nom de la personne ; "
                "son lien est désactivé."
            )
    typed = st.text_input(
        f"Pour effacer toute la campagne, recopiez son titre : {plain(campaign.title)}",
        key="erase_campaign_title",
    )
    if st.button("Effacer toute la campagne", key="erase_campaign"):
        with refused("Campagne non effacée"):
            erase_campaign(engine(), actor, campaign.id, typed)
            st.session_state.pop(CAMPAIGN[0], None)
            rerun_with("La campagne et toutes ses données ont été effacées.")
