"""The precomputed benchmark table on SQLite and PostgreSQL: refresh, consent, erasure, rebuild."""

from __future__ import annotations

import numpy as np
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import select

from diagnostic import benchmark
from diagnostic.analytics.peers import peer_groups
from diagnostic.meeting import forget
from diagnostic.meeting import record as record_consensus
from diagnostic.permissions import Actor
from diagnostic.privacy import erase_campaign, erase_my_data
from diagnostic.questionnaire import load_questionnaire
from diagnostic.respondent import AccessDenied, record_answer, submit
from diagnostic.results import compute_results, read_campaign_data
from diagnostic.store import accounts
from diagnostic.store import benchmark as store
from diagnostic.store.engine import alembic_config, build_engine, session_scope
from diagnostic.store.models import AuditEvent, Campaign, Territory
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world

Q = load_questionnaire(FIXTURES / "mini.yaml")
COMPLETE = {
    "ctx_structure": {"choice": "epci"},
    "ins_codir": {"current": 2, "target": 4, "importance": 3},
    "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
    "act_grille": {
        "rows": {
            "departement": {"current": 1, "desired": 2},
            "region": {"current": 1, "desired": 2},
        }
    },
}


@pytest.fixture(autouse=True)
def mini_questions(questions_dir, monkeypatch):
    """Refreshes that load the questionnaire themselves find the test questionnaire."""
    from diagnostic.questionnaire import registry
    from diagnostic.settings import get_settings

    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))
    get_settings.cache_clear()
    registry.clear_cache()
    yield questions_dir
    get_settings.cache_clear()
    registry.clear_cache()


def answer_and_submit(engine, world, levels):
    """Each participant answers ins_debat with its level, the rest alike, and submits."""
    for participant, level in zip(world.participants, levels, strict=False):
        actor = Actor(kind="respondent", participant_id=participant.id)
        for qid, raw in {**COMPLETE, "ins_debat": {"level": level}}.items():
            record_answer(engine, actor, Q, participant.id, qid, raw)
        assert submit(engine, actor, Q, participant.id).complete


def table(engine):
    return benchmark.table(engine)


def coordinator_of(engine, world, email="coord@exemple.fr"):
    user = make_user(engine, email)
    with session_scope(engine) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="coordinator", actor="test"
        )
        return accounts.actor_for(s, user_id=user.id)


def test_migration_creates_the_tables(engine):
    names = set(inspect(engine).get_table_names())
    assert {"benchmarkscore", "officialterritory"} <= names


def test_submission_refreshes_the_campaign_rows(engine):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [1, 3])
    rows = table(engine)
    assert set(rows["campaign_id"]) == {world.campaign_id}
    debate = rows.set_index("dimension_id").loc["instances"]
    assert debate["n_respondents"] == 2 and debate["kind"] == "cc"
    assert debate["population_band"] == "inconnue" and not debate["consent"]
    # ins_codir 2 -> 25 points for everyone; ins_debat mean 2 -> 25
    assert debate["score"] == pytest.approx(25.0)
    world.participants = world.participants[2:]
    answer_and_submit(engine, world, [5])
    debate = table(engine).set_index("dimension_id").loc["instances"]
    assert debate["n_respondents"] == 3
    assert debate["score"] == pytest.approx((25 + 50) / 2)  # ins_debat: mean 3 -> 50


def test_rows_equal_the_results_page_with_consensus(engine, questions_dir):
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=4)
    answer_and_submit(engine, world, [1, 5, 1, 5])
    with session_scope(engine) as s:
        actor = accounts.actor_for(s, user_id=user.id)
    record_consensus(
        engine,
        actor,
        Q,
        campaign_id=world.campaign_id,
        question_id="ins_codir",
        level=3,
        target=5,
        rationale="accord",
    )
    mine = table(engine).set_index("dimension_id")
    data = read_campaign_data(engine, world.campaign_id, questions_dir)
    dims = compute_results(data, min_group_size=3).dimensions.set_index("dimension_id")
    for column in ("score", "target_score"):
        assert np.allclose(mine.loc[dims.index, column], dims[column], equal_nan=True), column
    assert mine.loc["instances", "n_consensus"] == 1
    forget(engine, actor, campaign_id=world.campaign_id, question_id="ins_codir")
    assert table(engine).set_index("dimension_id").loc["instances", "n_consensus"] == 0


def test_consent_is_recorded_and_takes_effect_at_once(engine):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    actor = coordinator_of(engine, world)
    benchmark.set_consent(engine, actor, campaign_id=world.campaign_id, consent=True)
    assert table(engine)["consent"].all()
    fingerprint = benchmark.version(engine)
    benchmark.set_consent(engine, actor, campaign_id=world.campaign_id, consent=False)
    assert not table(engine)["consent"].any()
    assert benchmark.version(engine) != fingerprint  # the page's cache is invalidated
    groups = peer_groups(
        table(engine), questionnaire_id="mini", min_territories=1, min_respondents=3
    )
    assert groups.empty
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "campaign.consent")).all()
        assert [e.details["consent"] for e in events] == [True, False]
        assert s.get(Campaign, world.campaign_id).benchmark_consent is False


def test_only_the_coordination_may_change_the_consent(engine):
    world = make_world(engine, n_participants=1)
    stranger = Actor(
        kind="user", user_id=99, memberships=frozenset({(world.territory.id, "consultant")})
    )
    with pytest.raises(AccessDenied):
        benchmark.set_consent(engine, stranger, campaign_id=world.campaign_id, consent=True)


def test_erasing_a_campaign_or_a_respondent_leaves_the_aggregates_at_once(engine):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    assert table(engine)["n_respondents"].max() == 3
    respondent = Actor(kind="respondent", participant_id=world.participants[0].id)
    erase_my_data(engine, respondent, world.participants[0].id)
    assert table(engine)["n_respondents"].max() == 2
    actor = coordinator_of(engine, world)
    erase_campaign(engine, actor, world.campaign_id, "Campagne")
    assert table(engine).empty


def test_rebuild_gives_the_refreshed_rows_and_drops_unknown_questionnaires(
    engine, questions_dir, tmp_path
):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    refreshed = table(engine)
    with session_scope(engine) as s:
        s.connection().execute(text("DELETE FROM benchmarkscore"))
    report = benchmark.rebuild(engine, questions_dir)
    assert (report.campaigns, report.rows, report.skipped) == (1, 2, [])
    rebuilt = table(engine)
    assert rebuilt.drop(columns=["agreement"]).equals(refreshed.drop(columns=["agreement"]))
    report = benchmark.rebuild(engine, tmp_path / "nowhere")
    assert report.skipped == ["mini 1"] and table(engine).empty


def test_territory_kind_and_population_band_are_copied(engine):
    world = make_world(engine, n_participants=3)
    with session_scope(engine) as s:
        territory = s.get(Territory, world.territory.id)
        territory.kind, territory.population = "ca", 120_000
        s.add(territory)
    answer_and_submit(engine, world, [2, 3, 4])
    row = table(engine).iloc[0]
    assert (row["kind"], row["population"], row["population_band"]) == ("ca", 120_000, "100k-250k")


def test_fingerprint_and_sql_floor(engine):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    with session_scope(engine) as s:
        count, consenting, last = store.fingerprint(s)
        floor = store.sql_dimension_scores(s, dimensions={"ins_debat": "instances"})
    assert (count, consenting) == (2, 0) and last is not None
    assert floor.iloc[0]["mean"] == pytest.approx(3.0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    """An empty database (no migration applied) on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_url")


def test_upgrade_from_0001_to_head_keeps_the_data_and_downgrades(empty_url):
    eng = build_engine(empty_url)
    cfg = alembic_config(eng)
    command.upgrade(cfg, "0001")
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO territory (name, kind, created_at) "
                "VALUES ('CC Ancienne', 'cc', CURRENT_TIMESTAMP)"
            )
        )
    command.upgrade(cfg, "head")
    assert {"benchmarkscore", "officialterritory"} <= set(inspect(eng).get_table_names())
    with eng.connect() as conn:
        assert conn.execute(text("SELECT name FROM territory")).scalar() == "CC Ancienne"
    command.downgrade(cfg, "0001")
    assert "benchmarkscore" not in set(inspect(eng).get_table_names())
    command.upgrade(cfg, "head")
    eng.dispose()
