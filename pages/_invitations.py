"""The campaign page's invitations by e-mail: the message and its preview, sending and
reminding through the mail server, or, without one, the mail merge and the printable links."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns import mailmerge, sending
from diagnostic.campaigns.invitations import FIELDS, TemplateError
from diagnostic.campaigns.mailer import MailServerError, smtp_config
from diagnostic.vocabulary import count
from pages._forms import refused
from pages._shell import engine, plain, settings

if TYPE_CHECKING:  # the services return these rows; pages never import the store
    from diagnostic.store.models import Campaign

FIELDS_HELP = "Champs possibles : " + " ; ".join(f"{{{k}}} : {v}" for k, v in FIELDS.items())


def message_editor(actor: Actor, campaign: Campaign) -> None:
    """The deadline, the message (the default one until changed) and its preview."""
    folder = settings().questions_dir
    current = sending.campaign_template(campaign, folder)
    with st.form(f"invitation_text_{campaign.id}"):
        deadline = st.date_input(
            "Date limite de réponse ({date_limite} dans le message)",
            value=campaign.answer_deadline,
            format="DD/MM/YYYY",
            key=f"inv_deadline_{campaign.id}",
        )
        text = st.text_area(
            "Message (première ligne : l'objet)",
            value=current,
            height=320,
            key=f"inv_text_{campaign.id}",
            help=FIELDS_HELP,
        )
        a, b = st.columns(2)
        save = a.form_submit_button("Enregistrer le message", type="primary")
        reset = b.form_submit_button("Revenir au message par défaut")
    if save or reset:
        with refused("Message non enregistré", TemplateError):
            sending.save_text(
                engine(), actor, campaign.id, None if reset else text, deadline, folder
            )
            st.session_state.pop(f"inv_text_{campaign.id}", None)
            st.session_state["flash"] = "Message d'invitation enregistré."
            st.rerun()
    st.markdown("**Aperçu** (pour « Marie Dupont », avec un lien d'exemple)")
    try:
        shown = sending.preview(
            engine(), actor, campaign.id, text, deadline, public_url=settings().public_url
        )
    except TemplateError as exc:
        st.warning("Le message ne peut pas encore être envoyé :")  # a step to do, not a fault
        for problem in exc.problems:
            st.markdown(f"- {plain(problem)}")
        return
    with st.container(border=True):
        st.markdown(f"**Objet :** {plain(shown.subject)}")
        st.text(shown.body)


def sending_panel(actor: Actor, campaign: Campaign) -> None:
    """With a mail server: who would get what, the two buttons and the last report. Without:
    the mail merge and the printable links."""
    report = st.session_state.pop("inv_report", None)
    if report is not None:
        _show_report(report)
    smtp = smtp_config(settings())
    if smtp is None:
        _without_server(actor, campaign)
        return
    invite = sending.plan_run(engine(), actor, campaign.id, "invitation")
    not_started = st.radio(
        "Relancer",
        [True, False],
        format_func=lambda x: (
            "celles et ceux qui n'ont pas commencé"
            if x
            else "celles et ceux qui n'ont pas envoyé leurs réponses"
        ),
        horizontal=True,
        key=f"remind_whom_{campaign.id}",
    )
    remind = sending.plan_run(engine(), actor, campaign.id, "relance", not_started=not_started)
    per_click = settings().smtp_per_minute
    st.caption(
        f"Invitations à envoyer : {len(invite.to_send)} · relances possibles : "
        f"{len(remind.to_send)} · sans adresse : {invite.no_email}. Un clic envoie au plus "
        f"{count(per_click, 'message')} (une minute d'envoi) ; relancez pour la suite."
    )
    a, b = st.columns(2)
    go = None
    if a.button(
        "Envoyer les invitations",
        key="send_invitations",
        type="primary",
        disabled=not invite.to_send,
        help="À chaque personne qui a une adresse et n'a pas encore reçu son lien actuel.",
    ):
        go = "invitation"
    if b.button(
        "Relancer",
        key="send_reminders",
        disabled=not remind.to_send,
        help="Celles et ceux que vous avez choisis ci-dessus (une relance par jour au plus).",
    ):
        go = "relance"
    if go is not None:
        with refused("Envoi impossible", MailServerError, TemplateError):
            with st.spinner("Envoi en cours…"):
                done = sending.send_invitations(
                    engine(),
                    actor,
                    campaign.id,
                    go,
                    smtp,
                    per_click,
                    public_url=settings().public_url,
                    questions_dir=settings().questions_dir,
                    limit=per_click,
                    not_started=go == "relance" and not_started,
                )
            st.session_state["inv_report"] = done
            st.rerun()


def _show_report(report: sending.SendReport) -> None:
    show = st.warning if report.failed or report.stopped else st.success
    show(plain(report.summary()))
    if report.failed:
        st.dataframe(
            pd.DataFrame(report.failed, columns=["Destinataire", "Réponse du serveur"]),
            hide_index=True,
        )


def _without_server(actor: Actor, campaign: Campaign) -> None:
    st.info(
        "Aucun serveur d'envoi n'est réglé (SMTP_HOST et SMTP_SENDER) : préparez un "
        "publipostage pour votre messagerie (un fichier CSV : nom, adresse, lien, objet, "
        "message) et une liste des liens à imprimer, avec un QR code par personne."
    )
    key = f"inv_files_{campaign.id}"
    if st.button("Préparer le publipostage et les liens à imprimer", key="prepare_merge"):
        found = mailmerge.slips(
            engine(),
            actor,
            campaign.id,
            "invitation",
            public_url=settings().public_url,
            questions_dir=settings().questions_dir,
        )
        territory = sending.territory_name(engine(), campaign)
        st.session_state[key] = (
            mailmerge.mail_merge(campaign, found),
            mailmerge.printable_links(campaign, territory, found),
            sum(s.reissued for s in found),
            len(found),
        )
    files = st.session_state.get(key)
    if files is None:
        st.caption(
            "Les liens créés avant l'envoi par courriel ne peuvent pas être recalculés : ils "
            "seront renouvelés (l'ancien cessera de fonctionner, le message le dit)."
        )
        return
    merge, printable, renewed, people = files
    st.caption(
        f"{count(people, 'personne')} n'ayant pas encore envoyé ses réponses."
        + (f" {count(renewed, 'lien renouvelé', 'liens renouvelés')}." if renewed else "")
    )
    a, b = st.columns(2)
    a.download_button(
        "Télécharger le publipostage (CSV)",
        merge.data,
        file_name=merge.filename,
        mime=merge.mime,
        key="download_merge",
    )
    b.download_button(
        "Télécharger les liens à imprimer (PDF)",
        printable.data,
        file_name=printable.filename,
        mime=printable.mime,
        key="download_links",
    )
