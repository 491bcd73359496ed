"""The mandate loop on the demo: Val de Loir's 2023 mid-mandate campaign on the archived short
questionnaire, its roadmap kept and followed, beside the current 2026 campaign; a coordinator
creates a mid-mandate campaign on the short variant from the campaign page."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlmodel import col, select

from diagnostic.accounts.permissions import Actor
from diagnostic.demo import load_demo, load_demo_file, parse_demo_file
from diagnostic.questionnaire import QuestionnaireError
from diagnostic.roadmap import tracking
from diagnostic.store import accounts
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import AuditEvent, Campaign, Participant, Territory
from tests.conftest import ROOT

QUESTIONS = ROOT / "questions"
VAL = "Communauté de communes du Val de Loir"
ADMIN = Actor(kind="user", user_id=0, is_admin=True)


def fresh_engine(folder):
    engine = build_engine(f"sqlite:///{folder / 'demo.db'}")
    migrate(engine)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = fresh_engine(tmp_path_factory.mktemp("mandate"))
    load_demo(engine, QUESTIONS)
    yield engine
    engine.dispose()


def campaigns_of(session, name):
    territory = session.exec(select(Territory).where(Territory.name == name)).one()
    stmt = select(Campaign).where(Campaign.territory_id == territory.id)
    return list(session.exec(stmt.order_by(col(Campaign.created_at))))


def earlier(engine) -> int:
    with session_scope(engine) as s:
        return campaigns_of(s, VAL)[0].id


def test_val_de_loir_has_its_2023_mid_mandate_campaign_on_the_archived_short_variant(demo):
    with session_scope(demo) as s:
        before, current = campaigns_of(s, VAL)
        assert (before.questionnaire_id, before.questionnaire_version) == (
            "gouvernance_court",
            "2026.1",
        )
        assert before.title == "Autodiagnostic de mi-mandat 2020-2026"
        assert before.opened_at.date() == date(2023, 3, 14)
        assert current.id == 1 and current.questionnaire_id == "gouvernance"  # golden file's
        assert before.id == 5  # entered after the four current campaigns, whose ids stay
        assert before.benchmark_consent == current.benchmark_consent
        people = s.exec(select(Participant).where(Participant.campaign_id == before.id)).all()
        assert len(people) == 8 and all(p.submitted_at is not None for p in people)
        assert all(p.submitted_at.year == 2023 for p in people)
        structures = {p.structure_id for p in people}
        assert len(structures) == 5  # the EPCI and four of its communes
        frame = answer_store.campaign_answers(s, campaign_id=before.id)
        short = {q for q in frame.question_id}
        assert "d4_codir_territoire" in short and "d4_frequence_instance_dg" not in short
        for name in ("Communauté d'agglomération Loire-Bocage", "Métropole Estuaire-Atlantique"):
            assert len(campaigns_of(s, name)) == 1


def test_the_earlier_campaign_leaves_every_current_answer_as_it_was(demo, tmp_path):
    """The 2023 campaign draws from its own generator: without it, the current campaigns get
    exactly the same answers (so the golden roadmap of 2026 does not move)."""
    folder = tmp_path / "questions"
    shutil.copytree(QUESTIONS, folder)
    path = folder / "demo" / "territoires.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    previous:\n")
    end = text.index("\n  - name: Communauté d'agglomération Loire-Bocage")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    alone = fresh_engine(tmp_path)
    load_demo(alone, folder)
    columns = ["participant_id", "question_id", "value", "level", "target", "importance"]
    for campaign_id in (1, 2, 3, 4):
        with session_scope(demo) as s:
            with_earlier = answer_store.campaign_answers(s, campaign_id=campaign_id)[columns]
        with session_scope(alone) as s:
            without = answer_store.campaign_answers(s, campaign_id=campaign_id)[columns]
        assert with_earlier.astype(str).equals(without.astype(str)), campaign_id
    with session_scope(alone) as s:
        assert len(s.exec(select(Campaign)).all()) == 4
    alone.dispose()


def test_the_2023_roadmap_is_kept_and_followed_through_the_mandate(demo):
    follow = tracking.follow_ups(demo, ADMIN, earlier(demo))
    statuses = {f.item.action_id: f.status for f in follow}
    assert len(follow) >= 6
    counts = {s: list(statuses.values()).count(s) for s in set(statuses.values())}
    assert counts["fait"] >= 2 and counts["en_cours"] >= 2
    assert counts["abandonne"] == 1 and counts["a_lancer"] >= 1
    assert statuses["structurer_codir_territoire"] == "abandonne"  # why 2026 has no CoDir
    spec = load_demo_file(QUESTIONS).territories[0].previous[0]
    assert spec.roadmap is not None
    for f in follow:
        days = [c.on for c in f.history]
        assert days == sorted(days)  # oldest first
        for change in f.history:
            assert spec.roadmap.adopted <= change.on < date(2026, 11, 2)
            assert change.by == "Claire Martin (coordination, démonstration)"
            assert change.recorded_at.date() == change.on  # entered on its story's day
        if f.status == "fait":
            assert f.progress == 100
    circuits = next(f for f in follow if f.item.action_id == "circuits_information")
    assert [c.status for c in circuits.history] == ["en_cours", "fait"]
    assert "d8_circulation_information" in circuits.links  # from its trigger's evidence
    with session_scope(demo) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "roadmap.follow_up")).all()
        assert len(events) == sum(len(f.history) for f in follow)
        assert {e.actor for e in events} == {"coordination@demo.fr"}


def test_done_actions_moved_their_items_and_the_others_did_not(demo):
    """The story the loop tells: the information and decision circuits, done, are perceived
    higher in 2026; the yearly review to the elected officials, done too, did not move (« à
    interroger »); the CoDir, abandoned, is still missing."""

    def mean(engine, campaign_id, item):
        with session_scope(engine) as s:
            frame = answer_store.campaign_answers(s, campaign_id=campaign_id)
            sent = {
                p.id
                for p in s.exec(select(Participant).where(Participant.campaign_id == campaign_id))
                if p.submitted_at is not None
            }
        rows = frame[(frame.question_id == item) & frame.participant_id.isin(sent)]
        return rows.level.dropna().mean()

    before = earlier(demo)

    def moved(item):
        return mean(demo, 1, item) - mean(demo, before, item)

    assert moved("d5_circuit_decision") >= 0.9
    assert moved("d8_circulation_information") >= 0.4
    assert abs(moved("d7_bilan_elus")) < 0.3
    assert mean(demo, 1, "d4_codir_territoire") < 2.5


def test_both_campaigns_feed_the_comparison_on_their_shared_items(demo):
    from diagnostic.comparison import benchmark
    from diagnostic.comparison import service as cmp

    with session_scope(demo) as s:
        user = accounts.user_by_email(s, email="conseil@demo.fr")
        actor = accounts.actor_for(s, user_id=user.id)
    table = benchmark.table(demo)
    runs = cmp.campaigns_for_evolution(demo, actor, table, 1, min_group_size=3)
    assert list(runs["campaign_id"]) == [5, 1]  # by the day they opened, not by id
    pairs = cmp.evolution_pairs(QUESTIONS, runs, 5, 1)
    assert len(pairs) == 11 and "d8_circulation_information" in pairs


def test_a_follow_up_status_outside_the_four_is_refused_on_its_line():
    path = QUESTIONS / "demo" / "territoires.yaml"
    from diagnostic.questionnaire.source import load_yaml

    _, data = load_yaml(path)
    change = data["territories"][0]["previous"][0]["roadmap"]["follow_up"]["circuits_information"]
    change[0]["status"] = "termine"
    with pytest.raises(QuestionnaireError) as caught:
        parse_demo_file(data, "territoires.yaml")
    assert "territoires.yaml:" in str(caught.value) and "termine" in str(caught.value)


def test_a_follow_up_of_an_action_not_kept_stops_the_load(tmp_path):
    folder = tmp_path / "questions"
    shutil.copytree(QUESTIONS, folder)
    path = folder / "demo" / "territoires.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("            circuit_decision_ecrit:\n", "            charte_codir:\n")
    )
    engine = fresh_engine(tmp_path)
    with pytest.raises(ValueError, match="« charte_codir » suivie n'est pas au plan retenu"):
        load_demo(engine, folder)
    engine.dispose()


def test_a_folder_without_the_short_questionnaire_loads_without_the_earlier_campaign(
    questions_dir, tmp_path
):
    engine = fresh_engine(tmp_path)
    report = load_demo(engine, questions_dir)  # the small test questionnaire only
    assert len(report.territories) == 4
    with session_scope(engine) as s:
        assert len(campaigns_of(s, VAL)) == 1
    engine.dispose()


def test_a_coordinator_creates_a_mid_mandate_campaign_on_the_short_variant(tmp_path, monkeypatch):
    """The campaign page offers the latest version of each questionnaire, the full one first;
    the short variant is chosen and the campaign opens on it."""
    from diagnostic.questionnaire import registry
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine
    from tests.pages_kit import app

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("QUESTIONS_DIR", str(QUESTIONS))
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    load_demo(engine, QUESTIONS)
    at = app()
    at.text_input(key="login_email").input("coordination@demo.fr")
    at.text_input(key="login_password").input("demo-diagnostic")
    at.button[0].click().run()
    at.switch_page("pages/campagne.py").run()
    at.selectbox(key="camp_territory").set_value(1).run()  # Val de Loir
    assert not at.exception
    choice = at.selectbox(key="camp_questionnaire")
    # the latest version of each, what tells them apart first (a phone cuts long labels)
    assert choice.options == [
        "Questionnaire complet — ≈ 45 min, version 2026.2",
        "Version courte — ≈ 10 min, version 2026.2",
    ]
    choice.set_value(("gouvernance_court", "2026.2"))
    at.text_input(key="camp_title").input("Bilan de mi-mandat 2029")
    at.button(key="FormSubmitter:campaign_form-Créer et ouvrir la campagne").click().run()
    assert not at.exception
    with session_scope(engine) as s:
        new = s.exec(select(Campaign).order_by(col(Campaign.id).desc())).first()
        assert (new.title, new.questionnaire_id, new.questionnaire_version) == (
            "Bilan de mi-mandat 2029",
            "gouvernance_court",
            "2026.2",
        )
        assert new.territory_id == 1
    assert at.selectbox(key="camp_pick").value == new.id  # shown once created
    assert any("gouvernance\\_court version 2026\\.2" in c.value for c in at.caption)
    get_settings.cache_clear()
    get_engine.cache_clear()
