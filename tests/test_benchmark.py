"""The precomputed benchmark table on SQLite and PostgreSQL: refresh, consent, erasure, rebuild."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import event, inspect, text
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics import item_catalogue, van_der_eijk
from diagnostic.analytics.bulk_scores import (
    LevelCounts,
    _agreements,
    campaign_dimension_rows,
    dimension_rows,
    scored_items,
)
from diagnostic.analytics.peers import peer_groups
from diagnostic.answering.respondent import record_answer, submit
from diagnostic.comparison import benchmark
from diagnostic.comparison import service as cmp
from diagnostic.consensus.meeting import forget
from diagnostic.consensus.meeting import record as record_consensus
from diagnostic.errors import AccessDenied
from diagnostic.privacy.service import erase_campaign, erase_my_data
from diagnostic.questionnaire import load_questionnaire
from diagnostic.questionnaire.registry import default_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.store import accounts
from diagnostic.store import benchmark as store
from diagnostic.store.engine import alembic_config, build_engine, migrate, session_scope
from diagnostic.store.models import AuditEvent, Campaign, Territory
from tests.conftest import FIXTURES, ROOT
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
    from bench.comparison_bench import group_by_statement  # the bench's floor

    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    with session_scope(engine) as s:
        count, consenting, last = store.fingerprint(s)
        floor = s.connection().execute(group_by_statement({"ins_debat": "instances"})).all()
    assert (count, consenting) == (2, 0) and last is not None
    assert [tuple(row[1:]) for row in floor] == [("instances", pytest.approx(3.0), 3)]


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


# --- the refresh per campaign, the rebuild in one pass and the reference scoring agree ------------


def counts_from_answers(answers, values):
    """What store.answer_counts returns, computed from answer rows (for the reference test)."""
    rows = answers.loc[
        ~answers["dont_know"] & (answers["level"].notna() | answers["target"].notna())
    ]
    out = []
    for (campaign_id, question_id), group in rows.groupby(["campaign_id", "question_id"]):
        levels = [int((group["level"] == v).sum()) for v in values]
        targets = [int((group["target"] == v).sum()) for v in values]
        out.append((campaign_id, question_id, *levels, *targets))
    return LevelCounts.from_rows(out, values)


def random_answers(questionnaire, rng, campaigns):
    """Answers of a few respondents per campaign: levels in and off the scale, "Je ne sais
    pas", missing targets; and agreed levels, some of them off the scale."""
    catalogue = item_catalogue(questionnaire)
    answers, consensus = [], []
    participant = 0
    for campaign_id in campaigns:
        for _ in range(int(rng.integers(0, 6))):
            participant += 1
            for item in catalogue.itertuples(index=False):
                if rng.random() < 0.15:
                    continue
                dont_know = bool(rng.random() < 0.1)
                low, high = int(item.scale_min), int(item.scale_max)
                level = None if dont_know else int(rng.integers(low - 1, high + 2))
                target = int(rng.integers(low, high + 1)) if rng.random() < 0.7 else None
                answers.append(
                    (campaign_id, participant, item.question_id, dont_know, level, target)
                )
        for item in catalogue.itertuples(index=False):
            if rng.random() < 0.1:
                level = int(rng.integers(int(item.scale_min), int(item.scale_max) + 2))
                target = None if rng.random() < 0.5 else level
                consensus.append((campaign_id, item.question_id, level, target))
    frame = pd.DataFrame(
        answers,
        columns=["campaign_id", "participant_id", "question_id", "dont_know", "level", "target"],
    )
    frame[["level", "target"]] = frame[["level", "target"]].astype("Float64").astype(float)
    agreed = pd.DataFrame(consensus, columns=["campaign_id", "question_id", "level", "target"])
    return frame, agreed


@pytest.mark.parametrize("source", ["mini", "shipped"])
@pytest.mark.parametrize("seed", range(4))
def test_scores_from_counts_equal_the_reference_from_answers_to_the_last_bit(source, seed):
    questionnaire = Q if source == "mini" else default_questionnaire(ROOT / "questions")
    rng = np.random.default_rng(seed)
    campaigns = [11, 12, 13, 14]
    answers, agreed = random_answers(questionnaire, rng, campaigns)
    # the agreement index counts a statement from 1 or 3 levels (the privacy rule), alternately
    least = 1 + 2 * (seed % 2)
    expected = campaign_dimension_rows(
        answers, questionnaire, campaign_ids=campaigns, consensus=agreed, min_answers=least
    )
    values = scored_items(questionnaire).values
    wider = [values[0] - 1, *values, values[-1] + 1]  # counts of off-scale values are ignored
    counts = counts_from_answers(answers, wider).narrowed(wider)
    got = dimension_rows(
        counts, questionnaire, campaign_ids=campaigns, consensus=agreed, min_answers=least
    )
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    if source == "shipped":  # the statements have an index and never a maturity score
        with_statements = {
            questionnaire.section_of(q.id).id
            for q in questionnaire.questions()
            if questionnaire.is_agreement(q)
        }
        assert with_statements  # the shipped questionnaire has agreement statements
        if least == 1:  # with 3 answers required, a random draw may leave every one hidden
            assert got["share_agree"].notna().any()
        assert got.loc[~got["dimension_id"].isin(with_statements), "share_agree"].isna().all()


def test_agreement_of_many_respondents_takes_the_wide_path():
    counts = np.array([[400, 0, 350, 2, 900], [1, 1, 0, 0, 0], [400, 0, 350, 2, 900]])
    start, width = np.zeros(3, dtype=np.int64), np.full(3, 5, dtype=np.int64)
    got = _agreements(counts * 10**5, start, width)  # too many to encode each row as one integer
    expected = [van_der_eijk(row) for row in counts * 10**5]
    assert got.tolist() == pytest.approx(expected) and got[0] == got[2]


def test_the_refreshed_table_equals_a_full_rebuild(engine, questions_dir):
    user = make_user(engine)
    worlds = [
        make_world(engine, name=f"CC {i}", coordinator=user if i == 0 else None, n_participants=4)
        for i in range(4)
    ]
    answer_and_submit(engine, worlds[0], [1, 5, 1, 5])
    answer_and_submit(engine, worlds[1], [2, 2, 3])
    worlds[2].participants = worlds[2].participants[:2]
    answer_and_submit(engine, worlds[2], [4, 4])  # worlds[3]: nobody submitted
    respondent = Actor(kind="respondent", participant_id=worlds[1].participants[3].id)
    record_answer(
        engine, respondent, Q, worlds[1].participants[3].id, "ins_debat", {"dont_know": True}
    )
    with session_scope(engine) as s:
        actor = accounts.actor_for(s, user_id=user.id)
    record_consensus(
        engine,
        actor,
        Q,
        campaign_id=worlds[0].campaign_id,
        question_id="ins_codir",
        level=3,
        target=5,
        rationale="accord",
    )
    benchmark.set_consent(engine, actor, campaign_id=worlds[0].campaign_id, consent=True)
    refreshed = table(engine)
    assert set(refreshed["campaign_id"]) == {w.campaign_id for w in worlds[:3]}
    report = benchmark.rebuild(engine, questions_dir)
    assert report.written == 0  # the refreshes had left it current
    pd.testing.assert_frame_equal(table(engine), refreshed, check_exact=True)
    with session_scope(engine) as s:
        s.connection().execute(text("DELETE FROM benchmarkscore"))
    report = benchmark.rebuild(engine, questions_dir)
    assert (report.campaigns, report.rows, report.written) == (4, 6, 6)
    pd.testing.assert_frame_equal(table(engine), refreshed, check_exact=True)


def test_rebuild_keeps_rows_refreshed_while_it_computed(engine, questions_dir):
    world = make_world(engine, n_participants=3)
    answer_and_submit(engine, world, [2, 3, 4])
    before = table(engine)
    stale = before.assign(score=before["score"] + 1)
    with session_scope(engine) as s:
        written = store.sync_rows(
            s,
            campaign_ids=[world.campaign_id],
            rows=stale,
            computed_since=store.now() - timedelta(hours=1),
        )
    assert written == 0  # refreshed after the stale rows were computed: theirs are newer
    pd.testing.assert_frame_equal(table(engine), before, check_exact=True)
    with session_scope(engine) as s:
        written = store.sync_rows(s, campaign_ids=[world.campaign_id], rows=stale)
    assert written == int(before["score"].notna().sum())  # only the rows that differ
    pd.testing.assert_frame_equal(table(engine), stale, check_exact=True)
    benchmark.rebuild(engine, questions_dir)
    pd.testing.assert_frame_equal(table(engine), before, check_exact=True)


def test_the_comparison_data_never_reads_an_answer(tmp_path):
    """What the comparison page computes reads the benchmark table, never the answers."""
    eng = build_engine(f"sqlite:///{tmp_path / 'traced.db'}")
    migrate(eng)
    world = make_world(eng, n_participants=3)
    answer_and_submit(eng, world, [2, 3, 4])
    coordinator = coordinator_of(eng, world)
    benchmark.set_consent(eng, coordinator, campaign_id=world.campaign_id, consent=True)
    statements = []

    @event.listens_for(eng, "connect")
    def _trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(statements.append)

    eng.dispose()  # new connections, traced: raw driver cursors included
    admin = Actor(kind="user", user_id=0, email="admin", is_admin=True)
    data = benchmark.table(eng)
    mine = cmp.accompanied(eng, admin, data, min_group_size=3)
    groups = peer_groups(data, questionnaire_id="mini", min_territories=1, min_respondents=3)
    view = cmp.compare(
        data,
        mine,
        questionnaire_id="mini",
        known=(),
        min_territories=1,
        min_respondents=3,
        groups=groups,
    )
    assert view.any_shown and any("benchmarkscore" in s for s in statements)
    assert not [s for s in statements if " answer" in s.lower()]
    eng.dispose()


def test_a_refresh_removes_rows_of_dimensions_gone_and_updates_the_others(engine):
    """The write of a refresh (one upsert on PostgreSQL) deletes the campaign's rows that it
    does not compute and updates the others in place."""
    world = make_world(engine, n_participants=2)
    answer_and_submit(engine, world, [1, 3])
    before = table(engine)
    stale = before.iloc[[0]].assign(dimension_id="ancienne_dimension", score=12.5)
    with session_scope(engine) as s:
        store.replace_rows(s, campaign_ids=[world.campaign_id], rows=pd.concat([before, stale]))
    assert "ancienne_dimension" in set(table(engine)["dimension_id"])
    with session_scope(engine) as s:
        s.connection().execute(text("UPDATE benchmarkscore SET score = -1"))
        written = benchmark.refresh_campaign(s, campaign_id=world.campaign_id, questionnaire=Q)
    assert written == len(before) == 2
    pd.testing.assert_frame_equal(table(engine), before, check_exact=True)  # stale row gone


def test_an_upgrade_through_0008_recomputes_the_comparison_table(tmp_path):
    """Rows stored before 0008 mixed the statements into the scores: the start-up recomputes
    them once when it applies the migration, and leaves them alone afterwards."""
    from alembic import command
    from sqlalchemy import text

    from diagnostic.bootstrap import upgrade
    from diagnostic.demo import load_demo
    from diagnostic.store.engine import alembic_config, build_engine, migrate

    engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate(engine)
        load_demo(engine, ROOT / "questions")
        command.downgrade(alembic_config(engine), "0007")
        with engine.begin() as conn:
            conn.execute(text("UPDATE benchmarkscore SET score = 99"))
        upgrade(engine, ROOT / "questions")
        with engine.connect() as conn:
            stale = conn.execute(text("SELECT count(*) FROM benchmarkscore WHERE score = 99"))
            agreed = conn.execute(
                text("SELECT count(*) FROM benchmarkscore WHERE share_agree IS NOT NULL")
            )
            assert (stale.scalar(), agreed.scalar() > 0) == (0, True)
            conn.execute(text("UPDATE benchmarkscore SET score = 99"))
            conn.commit()
        upgrade(engine, ROOT / "questions")  # already current: nothing recomputed
        with engine.connect() as conn:
            assert conn.execute(text("SELECT min(score) FROM benchmarkscore")).scalar() == 99
    finally:
        engine.dispose()
