"""Sending invitations and reminders to a local SMTP server (aiosmtpd) started by the test:
links that open, a log per person, refusals with the server's reply, a bounded rate, a run that
resumes after an error, legacy random links re-issued when sent."""

from __future__ import annotations

import re
import shutil

import pytest

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns import mailer
from diagnostic.campaigns.mailer import MailServerError, SmtpConfig
from diagnostic.campaigns.sending import plan_run, save_text, send_invitations
from diagnostic.errors import AccessDenied
from diagnostic.store import campaigns
from diagnostic.store import invitations as invitation_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import Participant
from tests.conftest import FIXTURES, ROOT
from tests.factories import make_world
from tests.smtp_kit import smtp_server

SECRET = b"secret-de-test-pour-les-liens-0123456789"
URL = "https://diag.test"
LINK = re.compile(r"https://diag\.test/\?t=([A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def server():
    with smtp_server() as running:
        yield running


@pytest.fixture
def world(tmp_path, server):
    server[0].messages.clear()
    server[0].refused.clear()
    engine = build_engine(f"sqlite:///{tmp_path / 'e.db'}")
    migrate(engine)
    w = make_world(engine, n_participants=0)
    qdir = tmp_path / "questions"
    qdir.mkdir()
    shutil.copy(ROOT / "questions" / "invitation.md", qdir / "invitation.md")
    (qdir / "questionnaires").mkdir()
    shutil.copy(FIXTURES / "mini.yaml", qdir / "questionnaires" / "mini.yaml")
    people = [
        ("Marie Dupont", "marie@exemple.fr"),
        ("Paul Martin", "refuse.paul@exemple.fr"),
        (None, "anonyme@exemple.fr"),
        ("Sans Adresse", None),
        ("Déjà Répondu", "fini@exemple.fr"),
    ]
    ids = []
    with session_scope(engine) as s:
        for name, address in people:
            p, _ = campaigns.add_participant(
                s,
                campaign_id=w.campaign_id,
                role="dgs",
                structure_id=w.territory.id,
                name=name,
                email=address,
                secret=SECRET,
            )
            ids.append(p.id)
        campaigns.mark_submitted(s, participant_id=ids[4])
    actor = Actor(kind="user", user_id=1, memberships=frozenset({(w.territory.id, "coordinator")}))
    from datetime import date

    save_text(engine, actor, w.campaign_id, None, date(2027, 1, 15), qdir)
    yield engine, actor, w, ids, qdir
    engine.dispose()


def run(world, smtp, kind="invitation", **kw):
    engine, actor, w, _, qdir = world
    kw.setdefault("sleep", lambda s: None)
    return send_invitations(
        engine, actor, w.campaign_id, kind, smtp, kw.pop("rate", 600),
        public_url=URL, questions_dir=qdir, secret=SECRET, **kw,
    )  # fmt: skip


def test_invitations_reach_the_accepting_addresses_with_links_that_open(world, server):
    inbox, smtp = server
    engine, _, _, ids, _ = world
    report = run(world, smtp)
    assert len(report.sent) == 2 and len(report.failed) == 1
    assert report.plan.no_email == 1 and report.plan.submitted == 1
    (marie,) = inbox.to("marie@exemple.fr")
    assert marie["Subject"] == "Diagnostic de la gouvernance de CC Test — votre avis compte"
    assert marie["From"] == "Diagnostic <diagnostic@cc-test.fr>"
    body = marie.get_content()
    assert body.startswith("Bonjour Marie,") and "15 janvier 2027" in body
    token = LINK.search(body).group(1)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=token).id == ids[0]
    (anonymous,) = inbox.to("anonyme@exemple.fr")
    assert anonymous.get_content().startswith("Bonjour,")
    # the refusal is logged with the server's reply
    who, reason = report.failed[0]
    assert "refuse.paul@exemple.fr" in who
    assert reason.startswith("550 5.1.1") and "Recipient address rejected" in reason
    with session_scope(engine) as s:
        log = {(m.participant_id, m.status): m for m in invitation_store.messages_of(
            s, campaign_id=world[2].campaign_id)}  # fmt: skip
    assert set(log) == {(ids[0], "envoye"), (ids[1], "echec"), (ids[2], "envoye")}
    assert log[(ids[1], "echec")].reason == reason
    assert "2 invitations envoyées. 1 refusée par le serveur." in report.summary()
    assert "1 personne sans adresse" in report.summary()


def test_a_second_run_resumes_it_sends_only_what_is_left(world, server):
    inbox, smtp = server
    assert len(run(world, smtp).sent) == 2
    again = run(world, smtp)
    assert again.sent == [] and len(again.failed) == 1  # only the refused one is tried again
    assert again.plan.done == 2
    assert len(inbox.messages) == 2


def test_a_lost_connection_stops_the_run_and_the_next_run_resumes(world, server, monkeypatch):
    inbox, smtp = server
    real = mailer.Mailer.send
    calls = []

    def flaky(self, to, *args):
        calls.append(to)
        if to == "anonyme@exemple.fr" and calls.count(to) == 1:
            raise MailServerError("la connexion au serveur s'est interrompue")
        return real(self, to, *args)

    monkeypatch.setattr(mailer.Mailer, "send", flaky)
    first = run(world, smtp)
    assert len(first.sent) == 1 and first.stopped and first.remaining == 1
    assert "Envoi interrompu" in first.summary() and "Reste 1 message" in first.summary()
    second = run(world, smtp)
    assert [w.split(" <")[1] for w in second.sent] == ["anonyme@exemple.fr>"]
    assert len(inbox.messages) == 2


def test_the_rate_is_bounded_and_a_run_sends_at_most_its_limit(world, server):
    _, smtp = server
    waits = []
    clock = iter(range(0, 1000, 1))  # one second passes between two readings
    report = run(world, smtp, rate=30, limit=2, sleep=waits.append, clock=lambda: next(clock))
    assert len(report.sent) + len(report.failed) == 2 and report.remaining == 1
    assert waits == [1]  # 30 a minute: 2 s apart, one second had already passed


def test_reminders_go_to_those_who_have_not_sent_once_a_day(world, server):
    inbox, smtp = server
    engine, _, _, ids, _ = world
    run(world, smtp)
    inbox.messages.clear()
    reminded = run(world, smtp, kind="relance")
    assert len(reminded.sent) == 2  # not the one who answered, not the one without address
    (marie,) = inbox.to("marie@exemple.fr")
    assert marie["Subject"].startswith("Relance : ")
    body = marie.get_content()
    assert body.startswith("Petit rappel")
    token = LINK.search(body).group(1)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=token).id == ids[0]  # the same link
    assert run(world, smtp, kind="relance").sent == []  # already reminded today


def test_a_reminder_can_go_only_to_those_who_have_not_started(world, server):
    from sqlalchemy import text

    inbox, smtp = server
    engine, actor, w, ids, _ = world
    run(world, smtp)
    inbox.messages.clear()
    with engine.begin() as conn:  # Marie has begun (the trigger of a first answer sets it)
        conn.execute(text("UPDATE participant SET started_at = CURRENT_TIMESTAMP WHERE id = :i"),
                     {"i": ids[0]})  # fmt: skip
    plan = plan_run(engine, actor, w.campaign_id, "relance", not_started=True)
    assert (len(plan.to_send), plan.started, plan.submitted) == (2, 1, 1)
    reminded = run(world, smtp, kind="relance", not_started=True)
    assert len(reminded.sent) == 1  # the anonymous one; Paul's address is refused
    assert inbox.to("marie@exemple.fr") == [] and len(inbox.to("anonyme@exemple.fr")) == 1
    # the wider reminder still reaches Marie, who has begun but not sent
    assert [r.name for r in plan_run(engine, actor, w.campaign_id, "relance").to_send] == [
        "Marie Dupont",
        "Paul Martin",
    ]


def test_a_legacy_random_link_is_reissued_when_sent_and_the_message_says_so(world, server):
    inbox, smtp = server
    engine, _, w, _, _ = world
    with session_scope(engine) as s:
        old, old_token = campaigns.add_participant(
            s, campaign_id=w.campaign_id, role="dgs", structure_id=w.territory.id,
            name="Ancien Lien", email="ancien@exemple.fr",
        )  # fmt: skip
    report = run(world, smtp, kind="relance")
    assert report.reissued == 1
    (message,) = inbox.to("ancien@exemple.fr")
    body = message.get_content()
    assert "remplace celui que vous avez reçu" in body
    new_token = LINK.search(body).group(1)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=old_token) is None
        assert campaigns.participant_by_token(s, token=new_token).id == old.id
        assert s.get(Participant, old.id).link_version == 1


def test_refused_when_the_server_is_unreachable_or_the_campaign_closed(world):
    engine, actor, w, _, _ = world
    nowhere = SmtpConfig(host="127.0.0.1", port=1, security="aucune", sender="a@b.fr")
    with pytest.raises(MailServerError, match="connexion impossible au serveur 127.0.0.1:1"):
        run(world, nowhere)
    from diagnostic.errors import StoreError

    with session_scope(engine) as s:
        campaigns.set_status(s, campaign_id=w.campaign_id, status="closed", actor="t")
    with pytest.raises(StoreError, match="la campagne est close"):
        run(world, nowhere)


def test_starttls_missing_on_the_server_is_said_in_french(world, server):
    _, smtp = server
    tls = SmtpConfig(host=smtp.host, port=smtp.port, security="starttls", sender=smtp.sender)
    with pytest.raises(MailServerError, match="ne propose pas STARTTLS"):
        run(world, tls)


def test_only_the_coordination_sends(world, server):
    engine, _, w, _, qdir = world
    consultant = Actor(
        kind="user", user_id=2, memberships=frozenset({(w.territory.id, "consultant")})
    )
    with pytest.raises(AccessDenied):
        plan_run(engine, consultant, w.campaign_id, "invitation")
    with pytest.raises(AccessDenied):
        send_invitations(
            engine, consultant, w.campaign_id, "invitation", server[1], 30,
            public_url=URL, questions_dir=qdir, secret=SECRET,
        )  # fmt: skip


def test_the_participation_table_shows_each_link_and_each_mail(world, server):
    from diagnostic.answering.respondent import open_invitation
    from diagnostic.campaigns.coordination import participation

    inbox, smtp = server
    engine, actor, w, ids, qdir = world
    run(world, smtp)
    token = LINK.search(inbox.to("marie@exemple.fr")[0].get_content()).group(1)
    assert open_invitation(engine, qdir, token) is not None
    table = participation(engine, actor, w.campaign_id, qdir).set_index("id")
    assert table.loc[ids[0], "Lien"].startswith("ouvert le ")
    assert table.loc[ids[2], "Lien"].startswith("créé le ")
    assert table.loc[ids[0], "Courriel"].startswith("invitation envoyée le ")
    assert table.loc[ids[1], "Courriel"].startswith("échec d'envoi : 550 5.1.1 <refuse.paul")
    assert table.loc[ids[3], "Courriel"] == "pas d'adresse"
    run(world, smtp, kind="relance")
    table = participation(engine, actor, w.campaign_id, qdir).set_index("id")
    assert table.loc[ids[0], "Courriel"].startswith("relancé·e le ")
    from diagnostic.campaigns.coordination import reissue

    reissue(engine, actor, participant_id=ids[0], public_url=URL)
    table = participation(engine, actor, w.campaign_id, qdir).set_index("id")
    assert table.loc[ids[0], "Lien"].startswith("renouvelé le ")
