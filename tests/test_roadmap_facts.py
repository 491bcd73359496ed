"""Triggers on the fiche du territoire: an action fires on a known fact, never on an unknown
one (it waits, and the fact is listed « à compléter »); its evidence reads the fiche in words."""

from __future__ import annotations

from datetime import date

import pytest

from diagnostic.roadmap.library import parse_actions
from diagnostic.roadmap.proposals import facts_to_complete, propose
from diagnostic.territory.facts import load_fiche
from diagnostic.territory.situation import Situation
from tests.conftest import ROOT
from tests.test_roadmap import Q, results_of, seed

FICHE = load_fiche(ROOT / "questions" / "fiche.yaml")
LIBRARY = """\
actions:
  - id: conseil_dev
    dimension: instances
    items: [ins_codir]
    triggers:
      - {fact: conseil_developpement, equals: false}
    title: Débattre de la création d'un conseil de développement
    description: Un débat.
    instrument: CGCT
    pilot: DGS
    validation: Conseil
    horizon: premiere_annee
    indicator: Débat tenu
  - id: conference
    dimension: instances
    items: [ins_codir]
    triggers:
      - {fact: conference_maires, equals: false, also: {bureau_tous_maires: false}}
    title: Installer la conférence des maires
    description: Une conférence.
    instrument: CGCT
    pilot: DGS
    validation: Conseil
    horizon: cent_jours
    indicator: Conférence réunie
  - id: bilan_pacte
    dimension: instances
    items: [ins_codir]
    triggers:
      - {fact: pacte_gouvernance_adopte, equals: true}
    title: Dresser le bilan du pacte de gouvernance
    description: Un bilan.
    instrument: CGCT
    pilot: DGS
    validation: Conseil
    horizon: fin_de_mandat
    indicator: Bilan présenté
  - id: commande
    dimension: instances
    items: [ins_codir]
    triggers:
      - {fact: services_communs, missing_option: Commande publique}
    title: Créer un service commun de la commande publique
    description: Un service.
    instrument: CGCT
    pilot: DGS
    validation: Conseil
    horizon: mi_mandat
    indicator: Service créé
"""
ACTIONS = parse_actions(LIBRARY, Q, fiche=FICHE)
SOURCE = "Délibération du 25 juin 2026, 26/06/2026"


def situation(**facts) -> Situation:
    return Situation(date(2026, 12, 4), facts, fiche=FICHE, sources={k: SOURCE for k in facts})


@pytest.fixture
def results(engine, questions_dir):
    world, _ = seed(engine, [4, 4, 4])  # nothing to do on the answers: only the facts speak
    return results_of(engine, world, questions_dir)


def proposed(results, sit) -> dict[str, tuple]:
    proposals, _ = propose(results, ACTIONS, sit)
    return {p.action_id: p.evidence for p in proposals}


def test_a_known_fact_fires_with_the_fiche_as_evidence(results):
    found = proposed(results, situation(conseil_developpement=False))
    [evidence] = found["conseil_dev"]
    assert evidence.item == "Fiche du territoire"
    assert evidence.trigger == "pas de conseil de développement"
    assert evidence.source == SOURCE
    assert "≤" not in evidence.trigger and "=" not in evidence.trigger  # never a formula


def test_a_known_fact_that_fails_does_not_fire_and_is_not_missing(results):
    sit = situation(
        conseil_developpement=True,
        conference_maires=False,
        bureau_tous_maires=True,  # every mayor sits in the bureau: no conférence needed
        services_communs=["Commande publique", "Archives"],
    )
    assert set(proposed(results, sit)) == set()
    assert [f.fact_id for f in facts_to_complete(ACTIONS, sit)] == [
        "pacte_gouvernance_debat"  # the bilan waits for the pacte (adopte depends on the debate)
    ]


def test_every_fact_of_a_trigger_must_hold(results):
    sit = situation(conference_maires=False, bureau_tous_maires=False, services_communs=[])
    found = proposed(results, sit)
    assert found["conference"][0].trigger == (
        "pas de conférence des maires ; le bureau ne comprend pas tous les maires"
    )
    assert found["commande"][0].trigger == (
        "Services communs (fonctions) : pas de « Commande publique »"
    )


def test_an_unknown_fact_never_fires_and_is_listed_to_complete(results):
    in_library_order = [  # no fiche at all: the ids, in the order of the library
        "conseil_developpement",
        "conference_maires",
        "bureau_tous_maires",
        "pacte_gouvernance_adopte",
        "services_communs",
    ]
    in_fiche_order = [
        "bureau_tous_maires",
        "pacte_gouvernance_debat",  # the adoption waits for the debate, which comes first
        "conference_maires",
        "conseil_developpement",
        "services_communs",
    ]
    for sit, expected in (
        (None, in_library_order),
        (situation(), in_fiche_order),
        (situation(conseil_developpement=None), in_fiche_order),
    ):
        assert proposed(results, sit) == {}
        assert [f.fact_id for f in facts_to_complete(ACTIONS, sit)] == expected
    [waiting] = [
        f for f in facts_to_complete(ACTIONS, situation()) if f.fact_id == "conseil_developpement"
    ]
    assert waiting.label == "Conseil de développement en place"
    assert waiting.actions == ("Débattre de la création d'un conseil de développement",)
    # a proposed action waits for nothing more
    sit = situation(conseil_developpement=False)
    assert "conseil_developpement" not in [
        f.fact_id for f in facts_to_complete(ACTIONS, sit, {"conseil_dev"})
    ]


def test_a_fact_known_false_settles_the_facts_that_depend_on_it(results):
    """No debate on a pacte: none adopted, so the bilan is not proposed and nothing is missing
    about the pacte (facts.effective)."""
    sit = situation(pacte_gouvernance_debat=False)
    assert "bilan_pacte" not in proposed(results, sit)
    assert "pacte_gouvernance_adopte" not in [f.fact_id for f in facts_to_complete(ACTIONS, sit)]
    assert "bilan_pacte" in proposed(
        results, situation(pacte_gouvernance_debat=True, pacte_gouvernance_adopte=True)
    )
