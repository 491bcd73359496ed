"""The four demo territories load on the real questionnaire and tell their stories."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date

import pytest
from sqlmodel import col, select

from diagnostic.demo import load_demo, load_demo_file
from diagnostic.questionnaire import QuestionType
from diagnostic.questionnaire.registry import default_questionnaire
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import Campaign, Participant, Territory
from diagnostic.territory.facts import effective
from diagnostic.territory.knowledge import fiche_options, knowledge_items
from diagnostic.territory.knowledge import holds as knowledge_holds
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
    """The territory and its current campaign (the latest opened)."""
    territory = session.exec(select(Territory).where(Territory.name == name)).one()
    return territory, session.exec(
        select(Campaign)
        .where(Campaign.territory_id == territory.id)
        .order_by(col(Campaign.created_at).desc())
    ).first()


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
            assert "ctx_type_epci" not in set(frame.question_id)  # the territory knows its kind
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


def fiche_of(engine, name):
    from diagnostic.accounts.permissions import Actor
    from diagnostic.territory import service

    admin = Actor(kind="user", user_id=0, is_admin=True)
    with session_scope(engine) as s:
        territory = s.exec(select(Territory).where(Territory.name == name)).one()
    return territory, service.territory_facts(engine, admin, territory.id, QUESTIONS)


def test_every_demo_territory_has_a_complete_fiche_consistent_with_its_record(demo_engine):
    engine, report = demo_engine
    demo = load_demo_file(QUESTIONS)
    for spec in demo.territories:
        territory, fiche = fiche_of(engine, spec.name)
        assert fiche.missing == [], spec.name
        values = fiche.values
        assert values["population"] == territory.population
        assert values["nombre_communes"] >= len(spec.communes)
        # what most respondents are given to know of each fact is what the fiche says
        context = spec.profile.context
        full = default_questionnaire(QUESTIONS)
        effective_values = effective(fiche.fiche, values)
        for question in knowledge_items(full):
            given = context.get(question.id)
            if question.type == QuestionType.SINGLE_CHOICE:
                drawn = given if isinstance(given, list) else [given]
                most = Counter(drawn).most_common(1)[0][0]
                assert most in fiche_options(question, effective_values), (spec.name, question.id)
            else:  # an inventory: the options ticked by most are the ones the fiche holds
                assert question.fact is not None
                for option in question.fact.options:
                    holds = knowledge_holds(question.fact.states(option), effective_values)
                    assert (option in given) == bool(holds), (spec.name, option)
        assert values["conseil_developpement"] or values["population"] < 50_000
        if territory.kind in {"ca", "cu", "metropole"}:
            assert values["regime_fiscal"] == "fpu"
        assert values["clect"] == (values["regime_fiscal"] == "fpu")
        for fact in fiche.facts.values():  # every fact entered says where it comes from
            assert fact.value is None or (fact.source and fact.updated_on), fact.field.id


def test_val_de_loir_is_late_on_its_pacte_de_gouvernance_debate(demo_engine):
    """findings.md §3.1: council installed after the March 2026 renewal, no debate on a pacte
    de gouvernance by 4 December 2026 (L5211-11-2), no conference des maires (every mayor sits
    in the bureau), a PCAET not yet adopted although above 20,000 inhabitants."""
    engine, _ = demo_engine
    _, fiche = fiche_of(engine, "Communauté de communes du Val de Loir")
    values = fiche.values
    assert values["installation_conseil"] == date(2026, 4, 9)
    assert values["pacte_gouvernance_debat"] is False
    assert values["pacte_gouvernance_debat_date"] is None
    assert (values["bureau_tous_maires"], values["conference_maires"]) == (True, False)
    assert values["pcaet"] is False and values["population"] > 20_000
    assert values["nombre_communes"] == 5
    assert [c["nom"] for c in values["competences"] if c["interet_communautaire_defini"] is False]


def test_demo_campaigns_open_on_their_story_day_titled_by_the_calendar(demo_engine):
    """A campaign of November 2026 is « de début de mandat 2026-2032 », never « fin de mandat
    2026 »; its moment is read from its opening day, whatever the day the demo is loaded."""
    engine, report = demo_engine
    with session_scope(engine) as s:
        for name in report.territories:
            _, campaign = campaign_of(s, name)
            assert campaign.title == "Autodiagnostic de début de mandat 2026-2032"
            assert campaign.opened_at.date() == campaign.created_at.date() == date(2026, 11, 2)
        current = select(Campaign).where(Campaign.questionnaire_version == "2026.2")
        order = s.exec(current.order_by(Campaign.created_at)).all()
        assert [c.id for c in order] == [1, 2, 3, 4]  # file order kept, the earlier ones after


def test_val_de_loir_respondents_do_not_all_know_the_pacte_debate_is_still_to_come(demo_engine):
    from diagnostic.accounts.permissions import Actor
    from diagnostic.results.model import compute_results
    from diagnostic.results.service import read_campaign_data
    from diagnostic.territory import service

    engine, _ = demo_engine
    with session_scope(engine) as s:
        _, campaign = campaign_of(s, "Communauté de communes du Val de Loir")
    results = compute_results(read_campaign_data(engine, campaign.id, QUESTIONS), min_group_size=3)
    admin = Actor(kind="user", user_id=0, is_admin=True)
    found = service.knowledge_for(engine, admin, campaign.id, QUESTIONS, results)
    pacte = next(f for f in found if f.question_id == "ctx_pacte_gouvernance")
    assert "n'a pas encore eu lieu" in pacte.fiche_says
    assert 0 < pacte.know < pacte.answered  # some know it…
    assert pacte.otherwise >= 1  # …some believe otherwise: the finding shows
