"""Invitation links by version, addresses and the sending log, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import inspect

from diagnostic.accounts.links import LinkSecretError, link_secret
from diagnostic.accounts.security import derived_token, hash_token, looks_like_token
from diagnostic.settings import Settings
from diagnostic.store import campaigns, privacy
from diagnostic.store import invitations as store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import InvitationMessage, Participant, now
from tests.factories import make_world

SECRET = b"secret-de-test-pour-les-liens-0123456789"


def test_derived_tokens_look_like_tokens_and_change_with_the_version():
    first = derived_token(SECRET, 7, 1)
    assert looks_like_token(first) and len(first) == 43
    assert first == derived_token(SECRET, 7, 1)  # recomputable
    assert len({first, derived_token(SECRET, 7, 2), derived_token(SECRET, 8, 1)}) == 3
    assert first != derived_token(b"another-secret-of-enough-length-000000", 7, 1)


def test_link_secret_from_the_settings_or_created_once_in_the_data_folder(tmp_path):
    made = link_secret(Settings(data_dir=tmp_path, link_secret=None))
    path = tmp_path / "link-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert link_secret(Settings(data_dir=tmp_path, link_secret=None)) == made  # reused
    given = "x" * 40
    assert link_secret(Settings(data_dir=tmp_path, link_secret=SecretStr(given))) == given.encode()
    with pytest.raises(LinkSecretError, match="au moins 32"):
        link_secret(Settings(data_dir=tmp_path, link_secret=SecretStr("court")))


def test_migration_adds_the_columns_and_the_log_table(engine):
    inspector = inspect(engine)
    columns = {c["name"] for c in inspector.get_columns("participant")}
    assert {"email", "link_version", "link_issued_at", "opened_at"} <= columns
    assert {"invitation_template", "answer_deadline"} <= {
        c["name"] for c in inspector.get_columns("campaign")
    }
    assert "invitationmessage" in inspector.get_table_names()


def test_a_new_participant_gets_a_derived_link_that_opens_and_a_reissue_kills_it(engine):
    world = make_world(engine, n_participants=0)
    with session_scope(engine) as s:
        p, token = campaigns.add_participant(
            s,
            campaign_id=world.campaign_id,
            role="dgs",
            structure_id=world.territory.id,
            email="marie@exemple.fr",
            secret=SECRET,
        )
        pid = p.id
    assert token == derived_token(SECRET, pid, 1)
    with session_scope(engine) as s:
        found = campaigns.participant_by_token(s, token=token)
        assert found is not None and found.link_version == 1 and found.email == "marie@exemple.fr"
        assert store.current_token(found, SECRET) == token
        assert found.token_hash == hash_token(token)  # only the hash is stored
    with session_scope(engine) as s:
        store.mark_opened(s, participant_id=pid)
    with session_scope(engine) as s:
        new = campaigns.reissue_token(s, participant_id=pid, actor="t", secret=SECRET)
    assert new == derived_token(SECRET, pid, 2)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=token) is None  # the old link is dead
        again = campaigns.participant_by_token(s, token=new)
        assert again is not None and again.link_version == 2
        assert again.opened_at is None and again.link_issued_at is not None


def test_legacy_random_links_keep_working_and_adopt_a_derived_one_once(engine):
    world = make_world(engine, n_participants=1)  # random token, link_version NULL
    pid, old = world.participants[0].id, world.tokens[0]
    with session_scope(engine) as s:
        p = campaigns.participant_by_token(s, token=old)
        assert p is not None and p.link_version is None
        assert store.current_token(p, SECRET) is None
    with session_scope(engine) as s:
        token = store.adopt_next_link(s, participant_id=pid, secret=SECRET)
    assert token == derived_token(SECRET, pid, 1)
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=old) is None
        assert campaigns.participant_by_token(s, token=token) is not None
        # already adopted: a second run changes nothing
        assert store.adopt_next_link(s, participant_id=pid, secret=SECRET) is None


def test_opened_is_noted_once(engine):
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    with session_scope(engine) as s:
        store.mark_opened(s, participant_id=pid)
    with session_scope(engine) as s:
        first = s.get(Participant, pid).opened_at
        assert first is not None
        store.mark_opened(s, participant_id=pid)
    with session_scope(engine) as s:
        assert s.get(Participant, pid).opened_at == first


def test_the_log_tells_what_was_sent_for_which_link(engine):
    world = make_world(engine, n_participants=2)
    a, b = (p.id for p in world.participants)
    with session_scope(engine) as s:
        store.log_message(s, participant_id=a, kind="invitation", link_version=1)
        store.log_message(
            s, participant_id=b, kind="invitation", link_version=1, failure="550 " + "x" * 900
        )
    with session_scope(engine) as s:
        assert store.sent_before(s, participant_id=a, kind="invitation", link_version=1)
        assert not store.sent_before(s, participant_id=a, kind="invitation", link_version=2)
        assert not store.sent_before(s, participant_id=a, kind="relance", link_version=1)
        assert not store.sent_before(s, participant_id=b, kind="invitation", link_version=1)
        later = now() + timedelta(hours=1)
        assert not store.sent_before(
            s, participant_id=a, kind="invitation", link_version=1, since=later
        )
        rows = store.messages_of(s, campaign_id=world.campaign_id)
        assert [(r.participant_id, r.status) for r in rows] == [(a, "envoye"), (b, "echec")]
        assert len(rows[1].reason) == 500


def test_erasing_a_person_forgets_the_address_and_the_log(engine):
    world = make_world(engine, n_participants=2)
    a, b = (p.id for p in world.participants)
    with session_scope(engine) as s:
        store.set_email(s, participant_id=a, email="a@exemple.fr", actor="t")
        store.log_message(s, participant_id=a, kind="invitation", link_version=None)
        store.log_message(s, participant_id=b, kind="invitation", link_version=None)
    with session_scope(engine) as s:
        privacy.erase_participant(s, participant_id=a, actor="t", action="participant.erase")
    with session_scope(engine) as s:
        assert s.get(Participant, a).email is None
        assert [r.participant_id for r in s.exec(select_all())] == [b]
        privacy.delete_campaign(s, campaign_id=world.campaign_id, actor="t")
    with session_scope(engine) as s:
        assert list(s.exec(select_all())) == []


def select_all():
    from sqlmodel import select

    return select(InvitationMessage)


def test_the_campaign_keeps_its_message_and_deadline(engine):
    from datetime import date

    world = make_world(engine, n_participants=0)
    with session_scope(engine) as s:
        store.set_invitation_text(
            s,
            campaign_id=world.campaign_id,
            template="Bonjour {prenom}",
            deadline=date(2027, 1, 15),
            actor="t",
        )
    with session_scope(engine) as s:
        c = campaigns.get_campaign(s, campaign_id=world.campaign_id)
        assert c.invitation_template == "Bonjour {prenom}"
        assert c.answer_deadline == date(2027, 1, 15)
