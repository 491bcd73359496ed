"""The follow-up of roadmap actions in storage and through its service, on SQLite and
PostgreSQL: the history kept change after change, the audit log, links defaulting to the
trigger evidence and editable, who may read and write, deletions, and migration 0009."""

from __future__ import annotations

import json
from datetime import date

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.errors import AccessDenied, DiagnosticError, StoreError
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.roadmap import planning, tracking
from diagnostic.store import accounts, followup, roadmap
from diagnostic.store.engine import alembic_config, build_engine, session_scope
from diagnostic.store.models import AuditEvent, RoadmapFollowUp
from diagnostic.store.privacy import delete_campaign
from tests.factories import make_user, make_world

TODAY = date(2027, 6, 1)
EVIDENCE = [
    {"question_id": "ins_codir", "item": "CoDir", "trigger": "t", "summary": "", "source": "x"},
    {"question_id": "ins_debat", "item": "Débat", "trigger": "t", "summary": "", "source": "x"},
]


def actor_of(engine, user) -> Actor:
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


@pytest.fixture
def plan(engine, questions_dir, monkeypatch):
    """A campaign whose plan has a generated kept action (with trigger evidence), a generated
    action still proposed, and an action written by hand; its coordinator signed in."""
    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))
    from diagnostic.settings import get_settings

    get_settings.cache_clear()
    user = make_user(engine)
    world = make_world(engine, coordinator=user)
    with session_scope(engine) as s:
        roadmap.apply_changes(
            s,
            campaign_id=world.campaign_id,
            insert=[
                {
                    "action_id": "ACT-1",
                    "dimension": "instances",
                    "title": "Réunir le CoDir",
                    "position": 0,
                    "status": "accepted",
                    "details": {
                        "evidence": EVIDENCE,
                        "window": {"start": "2027-01-01", "end": "2027-03-31", "phase": "debut"},
                    },
                },
                {
                    "action_id": "ACT-2",
                    "dimension": "instances",
                    "title": "Proposée seulement",
                    "position": 1,
                    "details": {"evidence": EVIDENCE[:1]},
                },
            ],
            update={},
            delete=[],
            actor="test",
        )
    coordinator = actor_of(engine, user)
    manual = planning.add(
        engine, coordinator, world.campaign_id, title="Action écrite", dimension="instances"
    )
    items = {i.title: i.id for i in planning.plan(engine, coordinator, world.campaign_id)}
    yield world, coordinator, items, manual
    get_settings.cache_clear()


def test_every_change_is_kept_and_the_latest_is_current(engine, plan):
    world, coordinator, items, _ = plan
    kept = items["Réunir le CoDir"]
    tracking.record(
        engine, coordinator, world.campaign_id, kept, status="en_cours", on=date(2027, 1, 10),
        progress=30, comment="Première réunion fixée", today=TODAY,
    )  # fmt: skip
    tracking.record(
        engine, coordinator, world.campaign_id, kept, status="fait", on=date(2027, 3, 2),
        indicator_value=4, today=TODAY,
    )  # fmt: skip
    found = {f.item.id: f for f in tracking.follow_ups(engine, coordinator, world.campaign_id)}
    assert set(found) == {kept, items["Action écrite"]}  # the proposed one is not followed
    f = found[kept]
    assert [c.status for c in f.history] == ["en_cours", "fait"]
    assert f.history[0].comment == "Première réunion fixée" and f.history[0].progress == 30
    assert f.history[0].by == "coord@exemple.fr"  # the account's name
    assert f.status == "fait" and f.progress == 100 and f.indicator_value == 4.0
    assert f.due == date(2027, 3, 31) and not f.late(TODAY)
    assert found[items["Action écrite"]].status == "a_lancer"
    with session_scope(engine) as s:
        assert len(s.exec(select(RoadmapFollowUp)).all()) == 2  # two rows, none overwritten


def test_a_change_is_audited_with_its_target(engine, plan):
    world, coordinator, items, _ = plan
    kept = items["Réunir le CoDir"]
    tracking.record(
        engine, coordinator, world.campaign_id, kept, status="en_cours", on=TODAY, today=TODAY
    )
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "roadmap.follow_up")).all()
    assert [(e.actor, e.target) for e in events] == [("coord@exemple.fr", f"roadmap:{kept}")]
    assert events[0].details == {"status": "en_cours", "on": "2027-06-01"}


def test_links_default_from_the_triggers_and_are_editable(engine, plan):
    world, coordinator, items, _ = plan
    kept = items["Réunir le CoDir"]

    def links() -> dict[int, tuple[str, ...]]:
        return {
            f.item.id: f.links for f in tracking.follow_ups(engine, coordinator, world.campaign_id)
        }

    assert links()[kept] == ("ins_codir", "ins_debat")
    assert links()[items["Action écrite"]] == ()  # no trigger: nothing by default
    tracking.link(engine, coordinator, world.campaign_id, kept, ["ins_debat", "act_grille"])
    assert links()[kept] == ("ins_debat", "act_grille")
    tracking.link(engine, coordinator, world.campaign_id, items["Action écrite"], ["ins_codir"])
    assert links()[items["Action écrite"]] == ("ins_codir",)
    tracking.link(engine, coordinator, world.campaign_id, kept, None)  # back to the triggers
    assert links()[kept] == ("ins_codir", "ins_debat")
    with pytest.raises(AnswerError, match="item inconnu : ins_inconnu"):
        tracking.link(engine, coordinator, world.campaign_id, kept, ["ins_inconnu"])
    with pytest.raises(AnswerError, match="item inconnu : act_libre"):  # a free text
        tracking.link(engine, coordinator, world.campaign_id, kept, ["act_libre"])
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "roadmap.links")).all()
    assert len(events) == 3 and events[-1].details == {"links": None}
    choices = tracking.linkable_items(engine, coordinator, world.campaign_id)
    assert "ins_codir" in choices and "act_libre" not in choices


def test_only_kept_actions_of_the_campaign_are_followed(engine, plan):
    world, coordinator, items, _ = plan
    with pytest.raises(AnswerError, match="actions retenues"):
        tracking.record(
            engine, coordinator, world.campaign_id, items["Proposée seulement"], status="fait"
        )
    with pytest.raises(AnswerError, match="introuvable"):
        tracking.record(engine, coordinator, world.campaign_id, 99999, status="fait")
    with pytest.raises(AnswerError, match="champ inconnu"):
        tracking.record(
            engine, coordinator, world.campaign_id, items["Réunir le CoDir"], status="fait", x=1
        )
    with pytest.raises(AnswerError, match="statut est obligatoire"):
        tracking.record(engine, coordinator, world.campaign_id, items["Réunir le CoDir"])


def test_another_territory_can_neither_read_nor_write(engine, plan):
    world, _, items, _ = plan
    other_user = make_user(engine, "autre@exemple.fr")
    make_world(engine, name="CC Autre", coordinator=other_user)
    other = actor_of(engine, other_user)
    kept = items["Réunir le CoDir"]
    for call in (
        lambda: tracking.follow_ups(engine, other, world.campaign_id),
        lambda: tracking.linkable_items(engine, other, world.campaign_id),
        lambda: tracking.record(engine, other, world.campaign_id, kept, status="fait"),
        lambda: tracking.link(engine, other, world.campaign_id, kept, ["ins_codir"]),
    ):
        with pytest.raises(AccessDenied, match="introuvable"):
            call()
    with pytest.raises(AccessDenied):
        tracking.follow_ups(engine, Actor(), world.campaign_id)
    with session_scope(engine) as s:
        assert not s.exec(select(RoadmapFollowUp)).all()


def test_a_consultant_reads_but_does_not_write(engine, plan):
    world, coordinator, items, _ = plan
    user = make_user(engine, "consultant@exemple.fr")
    with session_scope(engine) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="consultant", actor="t"
        )
    consultant = actor_of(engine, user)
    assert len(tracking.follow_ups(engine, consultant, world.campaign_id)) == 2
    with pytest.raises(AccessDenied):
        tracking.record(
            engine, consultant, world.campaign_id, items["Réunir le CoDir"], status="fait"
        )


def test_the_store_refuses_an_action_of_another_campaign(engine, plan):
    world, _, items, _ = plan
    other = make_world(engine, name="CC Autre")
    with pytest.raises(StoreError, match="introuvable"), session_scope(engine) as s:
        followup.record_status(
            s,
            campaign_id=other.campaign_id,
            item_id=items["Réunir le CoDir"],
            status="fait",
            on=TODAY,
            actor="t",
        )
    assert issubclass(StoreError, DiagnosticError)


def test_history_goes_with_its_action_and_its_campaign(engine, plan):
    world, coordinator, items, manual = plan
    for item_id in (manual, items["Réunir le CoDir"]):
        tracking.record(
            engine, coordinator, world.campaign_id, item_id, status="en_cours", today=TODAY,
            on=TODAY,
        )  # fmt: skip
    planning.remove(engine, coordinator, world.campaign_id, manual)
    with session_scope(engine) as s:
        left = s.exec(select(RoadmapFollowUp.item_id)).all()
    assert left == [items["Réunir le CoDir"]]
    with session_scope(engine) as s:
        delete_campaign(s, campaign_id=world.campaign_id, actor="t")
    with session_scope(engine) as s:
        assert not s.exec(select(RoadmapFollowUp)).all()


# --- migration 0009 ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_url")


def test_migration_0009_adds_the_table_and_the_column_keeps_the_plan_and_goes_back(empty_url):
    eng = build_engine(empty_url)
    cfg = alembic_config(eng)
    try:
        # The world as the store writes it today, then the base taken back to 0008 (the
        # factories write today's columns, which 0008 does not have yet).
        command.upgrade(cfg, "head")
        world = make_world(eng)
        command.downgrade(cfg, "0008")
        with eng.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO roadmapitem (campaign_id, dimension, title, priority, position,"
                    " status, rationale, origin, edited, updated_at) VALUES (:c, 'instances',"
                    " 'Réunir le CoDir', 0.5, 0, 'accepted', :r, 'generated', true,"
                    " CURRENT_TIMESTAMP)"
                ),
                {
                    "c": world.campaign_id,
                    "r": json.dumps({"details": {"evidence": EVIDENCE[:1]}}),
                },
            )
        command.upgrade(cfg, "0009")
        assert "roadmapfollowup" in inspect(eng).get_table_names()
        assert "links" in {c["name"] for c in inspect(eng).get_columns("roadmapitem")}
        command.upgrade(cfg, "head")  # the services read today's columns
        admin = Actor(kind="user", user_id=1, is_admin=True)
        (f,) = tracking.follow_ups(eng, admin, world.campaign_id)
        assert f.item.links is None and f.links == ("ins_codir",)  # old rows: the triggers
        with session_scope(eng) as s:
            followup.record_status(
                s, campaign_id=world.campaign_id, item_id=f.item.id, status="fait", on=TODAY,
                actor="t",
            )  # fmt: skip
            followup.set_links(
                s, campaign_id=world.campaign_id, item_id=f.item.id, links=["ins_debat"], actor="t"
            )
        (f,) = tracking.follow_ups(eng, admin, world.campaign_id)
        assert f.status == "fait" and f.links == ("ins_debat",) and f.history[0].by is None
        command.downgrade(cfg, "0008")
        assert "roadmapfollowup" not in inspect(eng).get_table_names()
        assert "links" not in {c["name"] for c in inspect(eng).get_columns("roadmapitem")}
        with eng.connect() as conn:
            assert conn.execute(text("SELECT title FROM roadmapitem")).scalar() == "Réunir le CoDir"
        command.upgrade(cfg, "head")
        (f,) = tracking.follow_ups(eng, admin, world.campaign_id)
        assert f.history == () and f.links == ("ins_codir",)  # the follow-up went with 0009
    finally:
        eng.dispose()


def test_the_start_up_brings_a_0008_base_to_the_follow_up(tmp_path, questions_dir):
    """bootstrap.upgrade on a base left at 0008 (the previous release) adds the follow-up."""
    from alembic.script import ScriptDirectory

    from diagnostic.bootstrap import upgrade
    from diagnostic.store.engine import schema_revision

    eng = build_engine(f"sqlite:///{tmp_path / 'release.db'}")
    try:
        command.upgrade(alembic_config(eng), "0008")
        upgrade(eng, questions_dir)
        head = ScriptDirectory.from_config(alembic_config(eng)).get_current_head()
        assert schema_revision(eng) == head
        assert "roadmapfollowup" in inspect(eng).get_table_names()
    finally:
        eng.dispose()
