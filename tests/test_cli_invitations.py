"""`python -m diagnostic invitations`: the plan, sending to a local SMTP server (aiosmtpd),
reminders, and the mail-merge or printable file without a server."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from diagnostic.cli import main
from diagnostic.settings import get_settings
from diagnostic.store import campaigns
from diagnostic.store.engine import get_engine, migrate, session_scope
from tests.conftest import ROOT
from tests.factories import make_world
from tests.smtp_kit import smtp_server


@pytest.fixture
def campaign(app_env, questions_dir, monkeypatch):
    shutil.copy(ROOT / "questions" / "invitation.md", questions_dir / "invitation.md")
    monkeypatch.setenv("LINK_SECRET", "secret-de-test-pour-les-liens-0123456789")
    get_settings.cache_clear()
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    w = make_world(engine, n_participants=0)
    secret = b"secret-de-test-pour-les-liens-0123456789"
    with session_scope(engine) as s:
        for name, address in (("Marie Dupont", "marie@exemple.fr"), ("Paul", "refuse@x.fr")):
            campaigns.add_participant(
                s, campaign_id=w.campaign_id, role="dgs", structure_id=w.territory.id,
                name=name, email=address, secret=secret,
            )  # fmt: skip
        c = s.get(campaigns.Campaign, w.campaign_id)
        c.invitation_template = "Objet : Diagnostic {territoire}\nBonjour {prenom},\n{lien}\n"
        s.add(c)
    return w.campaign_id


def test_without_a_server_the_command_says_how_and_exports(campaign, capsys, tmp_path):
    assert main(["invitations", "--campaign", str(campaign)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 invitations à envoyer, 0 déjà envoyée, 0 personne sans adresse")
    assert main(["invitations", "--campaign", str(campaign), "--send"]) == 1
    assert "SMTP_HOST et SMTP_SENDER" in capsys.readouterr().err
    target = tmp_path / "fusion.csv"
    assert main(["invitations", "--campaign", str(campaign), "--export", str(target)]) == 0
    assert "publipostage de 2 personnes avec une adresse" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["marie@exemple.fr", "refuse@x.fr"]
    pdf = tmp_path / "liens.pdf"
    assert main(["invitations", "--campaign", str(campaign), "--export", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["invitations", "--campaign", "999", "--export", str(pdf)]) == 1
    assert "campagne 999 introuvable" in capsys.readouterr().err


def test_send_then_remind_through_a_local_server(campaign, capsys, monkeypatch):
    with smtp_server() as (inbox, smtp):
        monkeypatch.setenv("SMTP_HOST", smtp.host)
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("SMTP_SECURITY", "aucune")
        monkeypatch.setenv("SMTP_SENDER", smtp.sender)
        monkeypatch.setenv("SMTP_PER_MINUTE", "600")
        get_settings.cache_clear()
        assert main(["invitations", "--campaign", str(campaign), "--send"]) == 0
        out = capsys.readouterr().out
        assert "Refusé : Paul <refuse@x.fr> — 550 5.1.1" in out
        assert "1 invitation envoyée. 1 refusée par le serveur." in out
        assert main(["invitations", "--campaign", str(campaign), "--remind"]) == 0
        assert "1 relance envoyée." in capsys.readouterr().out
        assert [m["Subject"] for m in inbox.messages] == [
            "Diagnostic CC Test",
            "Relance : Diagnostic CC Test",
        ]
