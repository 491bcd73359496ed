"""Storage on SQLite and PostgreSQL: migrations, territories, tokens, answers, accounts."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from diagnostic.accounts.security import hash_token
from diagnostic.errors import StoreError
from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import accounts, answers, campaigns, territories
from diagnostic.store.answers import SubmittedError
from diagnostic.store.engine import migrate, session_scope
from diagnostic.store.models import Answer, AuditEvent, Participant, User
from tests.conftest import FIXTURES
from tests.factories import PASSWORD, make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")


def save(engine, participant_id, qid, raw):
    with session_scope(engine) as s:
        store_answers(s, Q, participant_id, {qid: raw})


def test_migrations_create_every_table_and_are_idempotent(engine):
    migrate(engine)  # a second run is a no-op
    tables = set(inspect(engine).get_table_names())
    assert {
        "territory",
        "campaign",
        "participant",
        "answer",
        "consensusscore",
        "roadmapitem",
        "roadmapfollowup",
        "workshop",
        "workshopcampaign",
        "contribution",
        "user",
        "membership",
        "auditevent",
        "alembic_version",
    } <= tables


def test_territory_with_communes(engine):
    with session_scope(engine) as s:
        t = territories.create_territory(
            s,
            name="CC du Test",
            kind="cc",
            code="200000001",
            communes=[("Alpha", "72001"), ("Bêta", None), ("", None)],
        )
    with session_scope(engine) as s:
        names = [c.name for c in territories.member_communes(s, territory_id=t.id)]
        assert names == ["Alpha", "Bêta"]
        assert [x.name for x in territories.structures(s, territory_id=t.id)][0] == "CC du Test"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  ", "kind": "cc"}, "obligatoire"),
        ({"name": "X", "kind": "region"}, "type de territoire inconnu"),
        ({"name": "X", "kind": "cc", "code": "12 34"}, "chiffres et des lettres"),
        ({"name": "X", "kind": "cc", "communes": [("A", None), ("a", None)]}, "en double"),
    ],
)
def test_territory_refusals(engine, kwargs, message):
    with pytest.raises(StoreError, match=message), session_scope(engine) as s:
        territories.create_territory(s, **kwargs)


def test_token_is_stored_hashed_and_opens_only_its_participant(engine):
    world = make_world(engine)
    with session_scope(engine) as s:
        stored = [p.token_hash for p in s.exec(select(Participant))]
        assert world.tokens[0] not in stored
        assert hash_token(world.tokens[0]) in stored
        for participant, token in zip(world.participants, world.tokens, strict=True):
            assert campaigns.participant_by_token(s, token=token).id == participant.id
        first = world.tokens[0]
        altered = first[:-1] + ("B" if first.endswith("A") else "A")
        for bad in (None, "", "x", altered, "'; DROP TABLE answer; --" * 2):
            assert campaigns.participant_by_token(s, token=bad) is None


def test_reissued_token_replaces_the_old_one(engine):
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    with session_scope(engine) as s:
        new = campaigns.reissue_token(s, participant_id=pid, actor="test")
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=world.tokens[0]) is None
        assert campaigns.participant_by_token(s, token=new).id == pid
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "participant.reissue")).first()


def test_closed_campaign_invalidates_links(engine):
    world = make_world(engine, n_participants=1)
    with session_scope(engine) as s:
        campaigns.set_status(s, campaign_id=world.campaign_id, status="closed", actor="test")
    with session_scope(engine) as s:
        assert campaigns.participant_by_token(s, token=world.tokens[0]) is None


def test_participant_structure_must_belong_to_the_campaign_territory(engine):
    world = make_world(engine, name="CC Un")
    other = make_world(engine, name="CC Deux")
    with pytest.raises(StoreError, match="structure"), session_scope(engine) as s:
        campaigns.add_participant(
            s, campaign_id=world.campaign_id, role="dgs", structure_id=other.communes[0].id
        )


def test_answer_upsert_keeps_one_row_and_records_version(engine):
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    save(engine, pid, "ins_debat", {"level": 2})
    save(engine, pid, "ins_debat", {"level": 4})
    save(engine, pid, "ins_codir", {"current": 1, "target": 3, "importance": 2})
    with session_scope(engine) as s:
        rows = s.exec(select(Answer).where(Answer.participant_id == pid)).all()
        assert len(rows) == 2
        debat = next(r for r in rows if r.question_id == "ins_debat")
        assert (debat.level, debat.questionnaire_id, debat.questionnaire_version) == (
            4,
            "mini",
            "1",
        )
        assert answers.answers_of(s, participant_id=pid)["ins_codir"] == {
            "current": 1,
            "target": 3,
            "importance": 2,
        }
        assert s.get(Participant, pid).started_at is not None
        frame = answers.campaign_answers(s, campaign_id=world.campaign_id)
        assert sorted(frame["question_id"]) == ["ins_codir", "ins_debat"]


def test_submitted_answers_are_read_only_until_reopened(engine):
    world = make_world(engine, n_participants=1)
    pid = world.participants[0].id
    save(engine, pid, "ins_debat", {"level": 2})
    with session_scope(engine) as s:
        campaigns.mark_submitted(s, participant_id=pid)
    with pytest.raises(SubmittedError):
        save(engine, pid, "ins_debat", {"level": 5})
    with session_scope(engine) as s:
        campaigns.reopen(s, participant_id=pid, actor="coord")
    save(engine, pid, "ins_debat", {"level": 5})
    with session_scope(engine) as s:
        assert answers.answers_of(s, participant_id=pid)["ins_debat"] == {"level": 5}


def test_concurrent_autosave_loses_nothing(engine):
    world = make_world(engine, n_participants=6)
    errors: list[Exception] = []

    def respondent(pid: int) -> None:
        try:
            for i in range(15):
                save(engine, pid, "ins_debat", {"level": 1 + i % 5})
                save(engine, pid, "act_libre", {"text": f"réponse {i}"})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=respondent, args=(p.id,)) for p in world.participants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(engine) as s:
        for p in world.participants:
            got = answers.answers_of(s, participant_id=p.id)
            assert got == {"ins_debat": {"level": 5}, "act_libre": {"text": "réponse 14"}}


def test_accounts_sign_in_and_lockout(engine):
    user = make_user(engine)

    def attempt(password: str, source: str | None) -> int:
        with session_scope(engine) as s:
            try:
                return accounts.authenticate(
                    s,
                    email=" COORD@exemple.fr ",
                    password=password,
                    max_failures=3,
                    lockout_minutes=5,
                    source=source,
                ).id
            finally:
                s.commit()  # the lock noted on the account must survive the refusal

    assert attempt(PASSWORD, "192.0.2.1") == user.id
    for _ in range(3):
        with pytest.raises(accounts.SignInError, match="incorrect"):
            attempt("faux", "192.0.2.1")
    with pytest.raises(accounts.SignInError) as locked:
        attempt(PASSWORD, "192.0.2.1")  # the right password, from the locked address
    assert str(locked.value) == accounts.SIGN_IN_REFUSED
    with session_scope(engine) as s:
        assert s.get(User, user.id).locked_until is not None  # noted for the admins
    assert attempt(PASSWORD, "192.0.2.2") == user.id  # another address is not concerned


def test_unknown_account_and_weak_password(engine):
    with pytest.raises(accounts.SignInError), session_scope(engine) as s:
        accounts.authenticate(s, email="x@y.fr", password="p", max_failures=3, lockout_minutes=5)
    from diagnostic.accounts.security import WeakPasswordError

    with pytest.raises(WeakPasswordError), session_scope(engine) as s:
        accounts.create_user(s, email="a@b.fr", name="A", password="court")
    with pytest.raises(StoreError, match="invalide"), session_scope(engine) as s:
        accounts.create_user(s, email="pas-une-adresse", name="A", password=PASSWORD)


def test_memberships_build_the_actor(engine):
    user = make_user(engine)
    world = make_world(engine, coordinator=user)
    with session_scope(engine) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="consultant", actor="admin"
        )
        actor = accounts.actor_for(s, user_id=user.id)
    assert actor.memberships == {
        (world.territory.id, "coordinator"),
        (world.territory.id, "consultant"),
    }
    with session_scope(engine) as s:
        accounts.revoke(
            s, user_id=user.id, territory_id=world.territory.id, role="consultant", actor="admin"
        )
        assert accounts.actor_for(s, user_id=user.id).memberships == {
            (world.territory.id, "coordinator")
        }


def test_participants_frame_tells_epci_from_communes_without_names(engine):
    world = make_world(engine, n_participants=3)
    save(engine, world.participants[1].id, "ins_debat", {"level": 3})
    with session_scope(engine) as s:
        frame = campaigns.participants_frame(s, campaign_id=world.campaign_id)
    assert list(frame["structure_kind"]) == ["epci", "commune", "commune"]
    assert list(frame["started"]) == [False, True, False]
    assert "name" not in frame.columns and "token_hash" not in frame.columns
    with session_scope(engine) as s:
        assert campaigns.participants_frame(s, campaign_id=9999).empty


def test_consensus_scores_are_upserted_and_deleted(engine):
    from diagnostic.store import consensus

    world = make_world(engine, n_participants=1)
    with session_scope(engine) as s:
        consensus.save_consensus(
            s,
            campaign_id=world.campaign_id,
            question_id="ins_codir",
            level=2,
            target=4,
            rationale="Accord après débat",
            user_id=None,
            actor="coord",
        )
        consensus.save_consensus(
            s,
            campaign_id=world.campaign_id,
            question_id="ins_codir",
            level=3,
            target=4,
            rationale="Revu",
            user_id=None,
            actor="coord",
        )
    with session_scope(engine) as s:
        frame = consensus.consensus_frame(s, campaign_id=world.campaign_id)
        assert frame[["question_id", "level", "target", "rationale"]].values.tolist() == [
            ["ins_codir", 3, 4, "Revu"]
        ]
        consensus.delete_consensus(
            s, campaign_id=world.campaign_id, question_id="ins_codir", actor="coord"
        )
    with session_scope(engine) as s:
        assert consensus.consensus_frame(s, campaign_id=world.campaign_id).empty


def test_create_user_accepts_the_longest_valid_email(engine, monkeypatch, capsys):
    """An e-mail of 254 characters (the longest valid one) is also the audit event's target:
    `create-user` used to crash on PostgreSQL, whose audit target column held 200."""
    from diagnostic.cli import main
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine

    email = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 58]) + ".fr"
    assert len(email) == 254
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LOAD_DEMO", "false")
    monkeypatch.setenv("NEW_PASSWORD", PASSWORD)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        code = main(["create-user", "--email", email, "--password-env", "NEW_PASSWORD"])
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    out, err = capsys.readouterr()
    assert code == 0, err
    with session_scope(engine) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        assert event.target == email
        assert accounts.user_by_email(s, email=email) is not None


def test_a_second_territory_with_the_same_siren_is_refused(engine):
    with session_scope(engine) as s:
        territories.create_territory(s, name="CC du Loir", kind="cc", code="200035442")
    with pytest.raises(StoreError) as refused, session_scope(engine) as s:
        territories.create_territory(s, name="CC du Loir (bis)", kind="cc", code=" 200035442 ")
    message = str(refused.value)
    assert "200035442" in message and "« CC du Loir »" in message and "existe déjà" in message
    with session_scope(engine) as s:
        assert territories.count_territories(s) == 1
        # Member communes keep their own codes: a commune may belong to a territory while
        # another diagnostic is run on it alone.
        territories.create_territory(
            s, name="CC voisine", kind="cc", code="200000002", communes=[("Alpha", "72001")]
        )
        territories.create_territory(s, name="Alpha", kind="commune", code="72001")
