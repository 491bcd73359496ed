"""AppTest of the campaign page's invitations by e-mail: the address on the invitation form,
the message editor and its preview, sending through a local SMTP server (aiosmtpd) with a
French report, and, without a server, the mail merge and the printable links."""

from __future__ import annotations

import re
from datetime import date

from diagnostic.settings import get_settings
from tests.factories import make_user, make_world
from tests.pages_kit import engine, signed_in
from tests.smtp_kit import smtp_server

INVITE = "FormSubmitter:invite_form-Ajouter et obtenir le lien"
FORM = "FormSubmitter:invitation_text_"


def shown(markdown: str) -> str:
    """The text a reader sees: Markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def open_page(n: int = 0):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=n)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert not at.exception
    return at, world


def save_deadline(at, campaign_id):
    """The default message cites {date_limite}: until a deadline is set, it cannot be sent."""
    assert any("aucune date limite" in m.value for m in at.markdown)
    at.date_input(key=f"inv_deadline_{campaign_id}").set_value(date(2027, 1, 15))
    at.button(key=f"{FORM}{campaign_id}-Enregistrer le message").click().run()
    assert not at.exception
    assert "Message d'invitation enregistré." in at.info[0].value


def invite(at, name, email):
    at.text_input(key="inv_name").input(name)
    at.text_input(key="inv_email").input(email)
    at.button(key=INVITE).click().run()
    assert not at.exception


def test_address_checked_message_previewed_and_mail_merge_without_server(app_env):
    at, world = open_page()
    invite(at, "Paul", "pas-une-adresse")
    assert "n'est pas une adresse électronique valide" in at.error[0].value
    invite(at, "Marie Dupont", "Marie.Dupont@Commune.FR")
    table = at.dataframe[0].value
    assert list(table["Courriel"]) == ["—"] and list(table["Lien"])[0].startswith("créé le ")
    # the preview of the default message, once a deadline is set
    save_deadline(at, world.campaign_id)
    assert any("Objet :** Diagnostic de la gouvernance de CC Test" in m.value for m in at.markdown)
    assert any(t.value.startswith("Bonjour Marie,") for t in at.text)
    # a mistyped field is refused with its line
    key = f"inv_text_{world.campaign_id}"
    at.text_area(key=key).input("Objet : x\nBonjour {prenon}\n{lien}\n")
    at.button(
        key=f"FormSubmitter:invitation_text_{world.campaign_id}-Enregistrer le message"
    ).click().run()
    assert "champ inconnu {prenon} (vouliez-vous dire {prenom} ?)" in shown(at.error[0].value)
    # no server: the mail merge and the printable links
    assert any("Aucun serveur d'envoi" in i.value for i in at.info)
    at.button(key="prepare_merge").click().run()
    assert not at.exception
    assert "1 personne n'ayant pas encore envoyé" in " ".join(c.value for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    merge = labels.index("Télécharger le publipostage (CSV)")
    assert labels[merge + 1] == "Télécharger les liens à imprimer (PDF)"


def test_send_and_remind_through_a_local_server(app_env, monkeypatch):
    with smtp_server() as (inbox, smtp):
        for name, value in {
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": "aucune",
            "SMTP_SENDER": smtp.sender,
            "SMTP_PER_MINUTE": "600",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        at, world = open_page()
        save_deadline(at, world.campaign_id)
        invite(at, "Marie Dupont", "marie@exemple.fr")
        invite(at, "Paul Refusé", "refuse.paul@exemple.fr")
        assert "Invitations à envoyer : 2" in " ".join(c.value for c in at.caption)
        at.button(key="send_invitations").click().run()
        assert not at.exception
        assert "1 invitation envoyée. 1 refusée par le serveur." in shown(at.warning[0].value)
        frames = {tuple(d.value.columns)[-1]: d.value for d in at.dataframe}
        assert frames["Réponse du serveur"]["Réponse du serveur"][0].startswith("550 5.1.1")
        table = frames["Courriel"].set_index("Nom")
        assert table.loc["Marie Dupont", "Courriel"].startswith("invitation envoyée le ")
        assert table.loc["Paul Refusé", "Courriel"].startswith("échec d'envoi : 550")
        at.button(key="send_reminders").click().run()
        assert "1 relance envoyée." in shown(at.warning[0].value)  # Paul refused again
        assert [m["Subject"].startswith("Relance") for m in inbox.messages] == [False, True]
