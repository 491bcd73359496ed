"""The four demo territories load on the real questionnaire and tell their stories."""

from __future__ import annotations

import statistics

import pytest
from sqlmodel import select

from diagnostic.demo import load_demo
from diagnostic.questionnaire.registry import default_questionnaire
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import Campaign, Participant, Territory
from tests.conftest import ROOT

QUESTIONS = ROOT / "questions"


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory):
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    migrate(engine)
    report = load_demo(engine, QUESTIONS)
    yield engine, report
    engine.dispose()


def campaign_of(session, name):
    territory = session.exec(select(Territory).where(Territory.name == name)).one()
    return territory, session.exec(
        select(Campaign).where(Campaign.territory_id == territory.id)
    ).one()


def test_four_territories_with_story_communes_and_campaign(demo_engine):
    engine, report = demo_engine
    assert len(report.territories) == 4
    q = default_questionnaire(QUESTIONS)
    with session_scope(engine) as s:
        for name in report.territories:
            territory, campaign = campaign_of(s, name)
            assert len(territory.story) > 200
            assert (campaign.questionnaire_id, campaign.questionnaire_version) == (q.id, q.version)
            people = s.exec(select(Participant).where(Participant.campaign_id == campaign.id)).all()
            assert sum(p.submitted_at is not None for p in people) >= 7
            assert any(p.submitted_at is None and p.started_at is not None for p in people)


def test_answers_are_consistent_with_the_territory(demo_engine):
    engine, report = demo_engine
    with session_scope(engine) as s:
        for name in report.territories:
            territory, campaign = campaign_of(s, name)
            frame = answer_store.campaign_answers(s, campaign_id=campaign.id)
            kinds = {v["choice"] for v in frame[frame.question_id == "ctx_type_epci"]["value"]}
            assert kinds == {territory.kind}
            people = {
                p.id: p
                for p in s.exec(select(Participant).where(Participant.campaign_id == campaign.id))
            }
            for _, row in frame[frame.question_id == "ctx_structure"].iterrows():
                at_epci = people[row.participant_id].structure_id == territory.id
                assert row.value["choice"] == ("epci" if at_epci else "commune")


def mean_level(session, name, at_epci):
    territory, campaign = campaign_of(session, name)
    frame = answer_store.campaign_answers(session, campaign_id=campaign.id)
    people = {
        p.id: p
        for p in session.exec(select(Participant).where(Participant.campaign_id == campaign.id))
    }
    levels = [
        row.level
        for _, row in frame.dropna(subset=["level"]).iterrows()
        if (people[row.participant_id].structure_id == territory.id) == at_epci
        and row.question_id.startswith("d")
    ]
    return statistics.mean(levels)


def test_the_stories_show_in_the_numbers(demo_engine):
    engine, _ = demo_engine
    with session_scope(engine) as s:
        # the XXL agglomeration: the EPCI sees things far better than its communes do
        gap_xxl = mean_level(s, "Communauté d'agglomération Loire-Bocage", True) - mean_level(
            s, "Communauté d'agglomération Loire-Bocage", False
        )
        gap_rivieres = mean_level(
            s, "Communauté de communes des Trois Rivières", True
        ) - mean_level(s, "Communauté de communes des Trois Rivières", False)
        assert gap_xxl > 0.8
        assert abs(gap_rivieres) < gap_xxl / 2
        assert mean_level(s, "Métropole Estuaire-Atlantique", False) > mean_level(
            s, "Communauté de communes du Val de Loir", False
        )
