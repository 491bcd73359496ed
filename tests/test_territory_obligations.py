"""Legal obligations checked from a territory's facts (diagnostic/territory/obligations.py,
questions/obligations.yaml): statuses, thresholds, deadline days, unknown facts, the report."""

from __future__ import annotations

import datetime as dt

import pytest

from diagnostic.questionnaire import QuestionnaireError
from diagnostic.territory.obligations import (
    State,
    Status,
    evaluate,
    load_rules,
    parse_obligations,
    report,
)
from tests.conftest import ROOT

RULES = load_rules(ROOT / "questions")
D = dt.date
DECEMBER = D(2026, 12, 4)

# Facts the evaluation needs beyond the first list of the fiche (questions/fiche.yaml has them).
ADDED_FACTS = {
    "pacte_gouvernance_decide",
    "conseil_developpement_debat",
    "dernier_transfert_date",
    # the rules of procedure and information added in December 2026
    "avis_commune_concernee",
    "services_communs",
    "services_communs_avis_cst",
    "conseil_developpement_rapport_debattu",
    "information_conseillers_municipaux",
    "competences",
}

# A Val de Loir-like CC: installed in April 2026, the pacte debate never held.
VAL_DE_LOIR = {
    "regime_fiscal": "fpu",
    "nombre_communes": 6,
    "bureau_tous_maires": True,
    "installation_conseil": D(2026, 4, 9),
    "pacte_gouvernance_debat": False,
    "conseil_developpement": False,
    "clect": True,
    "pcaet": True,
    "contrat_de_ville": False,
    "rapport_activite_date": D(2026, 9, 18),
}


def status_of(
    ident: str,
    facts: dict[str, object],
    kind: str = "cc",
    population: int | None = 21_800,
    on: dt.date = DECEMBER,
) -> Status:
    found = [s for s in evaluate(RULES, facts, kind, population, on) if s.obligation.id == ident]
    assert len(found) == 1, ident
    return found[0]


def test_val_de_loir_in_december_2026_pacte_debate_late_and_cdci_window_passed():
    debate = status_of("pacte_gouvernance_debat", VAL_DE_LOIR)
    assert debate.state == State.EN_RETARD
    assert debate.label == "en retard (échéance 22 octobre 2026)"
    assert "L5211-11-2" in debate.basis
    cdci = status_of("cdci_eau", VAL_DE_LOIR)
    assert cdci.state == State.FENETRE_PASSEE
    assert cdci.label == "passée (fenêtre close le 22 septembre 2026)"
    # no debate, so no decided pacte to adopt; 21,800 inhabitants: no conseil de développement
    assert status_of("pacte_gouvernance_adoption", VAL_DE_LOIR).state == State.SANS_OBJET
    assert status_of("conseil_developpement", VAL_DE_LOIR).state == State.SANS_OBJET
    # the bureau holds every mayor: no conférence des maires required
    assert status_of("conference_maires", VAL_DE_LOIR).state == State.SANS_OBJET
    assert status_of("rapport_activite", VAL_DE_LOIR).state == State.A_JOUR


def test_60000_inhabitants_without_conseil_de_developpement_is_late_or_to_check():
    missing = status_of("conseil_developpement", {"conseil_developpement": False}, "ca", 60_000)
    assert missing.state == State.EN_RETARD
    assert missing.label == "en retard (obligation permanente)"
    assert "L5211-10-1" in missing.basis
    unknown = status_of("conseil_developpement", {}, "ca", 60_000)
    assert (unknown.state, unknown.missing) == (State.A_VERIFIER, ("conseil_developpement",))
    from_the_fiche = {"population": 60_000, "conseil_developpement": False}
    assert status_of("conseil_developpement", from_the_fiche, "ca", None).state == State.EN_RETARD


@pytest.mark.parametrize(
    ("ident", "fact", "population", "state"),
    [
        ("conseil_developpement", "conseil_developpement", 50_000, State.SANS_OBJET),
        ("conseil_developpement", "conseil_developpement", 50_001, State.EN_RETARD),
        ("pcaet", "pcaet", 20_000, State.SANS_OBJET),
        ("pcaet", "pcaet", 20_001, State.EN_RETARD),
        ("pcaet", "pcaet", None, State.A_VERIFIER),
    ],
)
def test_thresholds_are_strictly_more_than_as_the_law_says(ident, fact, population, state):
    found = status_of(ident, {fact: False}, "cc", population)
    assert found.state == state
    if state == State.SANS_OBJET:
        assert "seuil de plus de" in found.why
    if population is None:
        assert found.missing == ("population",)


def test_the_pcaet_deadline_is_the_fixed_day_of_the_law():
    assert status_of("pcaet", {"pcaet": False}, "ca", 40_000).label == (
        "en retard (échéance 31 décembre 2018)"
    )


def test_the_deadline_day_itself_is_still_on_time_the_day_after_is_late():
    on_the_day = status_of("pacte_gouvernance_debat", VAL_DE_LOIR, on=D(2026, 10, 22))
    assert on_the_day.label == "à faire (échéance 22 octobre 2026)"
    day_after = status_of("pacte_gouvernance_debat", VAL_DE_LOIR, on=D(2026, 10, 23))
    assert day_after.state == State.EN_RETARD
    assert status_of("cdci_eau", {}, on=D(2026, 9, 22)).label == (
        "fenêtre ouverte (jusqu'au 22 septembre 2026)"
    )
    assert status_of("cdci_eau", {}, on=D(2026, 9, 23)).state == State.FENETRE_PASSEE


def test_an_empty_fiche_leaves_applicable_obligations_to_check_naming_the_facts():
    debate = status_of("pacte_gouvernance_debat", {}, population=30_000)
    assert debate.state == State.A_VERIFIER
    assert debate.missing == ("pacte_gouvernance_debat", "pacte_gouvernance_debat_date")
    assert debate.why.startswith("fiche incomplète : pacte_gouvernance_debat")
    conference = status_of("conference_maires", {}, population=30_000)
    assert conference.state == State.A_VERIFIER
    assert conference.missing == ("bureau_tous_maires", "conference_maires")
    assert status_of("clect", {}).missing == ("regime_fiscal", "clect")
    assert status_of("rapport_activite", {}).missing == ("rapport_activite_date",)
    assert status_of("clect_evaluation", {"regime_fiscal": "fpu"}).missing == (
        "dernier_transfert_date",
    )


def test_a_known_failing_condition_wins_over_unknown_ones_and_a_met_obligation_is_up_to_date():
    # the debate did not happen: no pacte can have been decided, whatever the fiche omits
    assert status_of("pacte_gouvernance_adoption", {"pacte_gouvernance_debat": False}).state == (
        State.SANS_OBJET
    )
    adopted = {
        "pacte_gouvernance_debat": True,
        "pacte_gouvernance_adopte": True,
        "pacte_gouvernance_adoption_date": D(2026, 11, 30),
    }
    found = status_of("pacte_gouvernance_adoption", adopted)  # « décidé » not recorded
    assert (found.state, found.why) == (State.A_JOUR, "le 30 novembre 2026")
    assert status_of("clect", {"regime_fiscal": "fa"}).state == State.SANS_OBJET


def test_a_date_counts_only_within_the_period_and_up_to_the_evaluation_day():
    earlier = {"pacte_gouvernance_debat": True, "pacte_gouvernance_debat_date": D(2020, 9, 1)}
    previous = status_of("pacte_gouvernance_debat", earlier)
    assert previous.state == State.EN_RETARD and "avant le 15 mars 2026" in previous.why
    later = {"pacte_gouvernance_debat_date": D(2026, 12, 10)}
    assert status_of("pacte_gouvernance_debat", later).state == State.EN_RETARD
    assert status_of("pacte_gouvernance_debat", later, on=D(2026, 12, 10)).state == State.A_JOUR
    said_no = {"pacte_gouvernance_debat": False, "pacte_gouvernance_debat_date": D(2026, 5, 1)}
    assert status_of("pacte_gouvernance_debat", said_no).state == State.EN_RETARD


@pytest.mark.parametrize(
    ("on", "last", "label"),
    [
        (D(2026, 12, 4), D(2026, 9, 18), "à jour"),
        (D(2026, 12, 4), D(2025, 9, 20), "en retard (échéance 30 septembre 2026)"),
        (D(2026, 5, 1), D(2025, 9, 20), "à faire (échéance 30 septembre 2026)"),
        (D(2026, 9, 30), D(2025, 9, 20), "à faire (échéance 30 septembre 2026)"),
        (D(2026, 5, 1), D(2024, 9, 1), "en retard (échéance 30 septembre 2025)"),
        (D(2026, 5, 1), D(2026, 9, 18), "à vérifier"),  # only a later act is known
    ],
)
def test_the_annual_activity_report_counts_per_calendar_year(on, last, label):
    assert status_of("rapport_activite", {"rapport_activite_date": last}, on=on).label == label


def test_the_clect_reports_within_nine_months_of_a_transfer():
    facts = {
        "regime_fiscal": "fpu",
        "dernier_transfert_date": D(2026, 1, 1),
        "clect_derniere_evaluation": D(2025, 6, 1),
    }
    assert status_of("clect_evaluation", facts).label == "en retard (échéance 1er octobre 2026)"
    facts["clect_derniere_evaluation"] = D(2026, 7, 1)
    assert status_of("clect_evaluation", facts).state == State.A_JOUR


def test_kinds_a_metropole_always_has_its_conference_a_commune_has_no_obligation():
    with_bureau = {"bureau_tous_maires": True, "conference_maires": False}
    assert status_of("conference_maires_metropole", with_bureau, "metropole").state == (
        State.EN_RETARD
    )
    assert status_of("conference_maires", with_bureau, "metropole").state == State.SANS_OBJET
    statuses = evaluate(RULES, VAL_DE_LOIR, "commune", 3_000, D(2026, 12, 4))
    assert {s.state for s in statuses} == {State.SANS_OBJET}


OWN_RULE = """\
obligations:
  - id: reglement
    titre: Règlement intérieur
    exige: Adopter le règlement intérieur.
    base_legale: CGCT, art. L2121-8
    date: reglement_interieur_date
    echeance: reglement_interieur
"""


def test_a_deadline_from_the_installation_uses_the_fiche_else_the_renewal_and_says_so():
    rules = parse_obligations(OWN_RULE, RULES.calendar)
    installed = {"installation_conseil": D(2026, 4, 10)}
    found = evaluate(rules, installed, "cc", 21_800, D(2026, 10, 11))
    assert found[0].state == State.A_VERIFIER  # the date of the act is not in the fiche
    late = evaluate(
        rules,
        {**installed, "reglement_interieur_date": D(2026, 10, 30)},
        "cc",
        None,
        D(2026, 10, 11),
    )
    assert late[0].label == "en retard (échéance 10 octobre 2026)"
    estimated = evaluate(
        rules, {"reglement_interieur_date": D(2026, 10, 30)}, "cc", None, D(2026, 10, 1)
    )
    assert estimated[0].label == "en retard (échéance 22 septembre 2026)"
    assert "faute de date d'installation du conseil" in estimated[0].why


def test_an_unknown_reference_of_an_obligation_is_reported_on_its_line():
    text = OWN_RULE + "    reference: absent\n"
    with pytest.raises(QuestionnaireError) as caught:
        parse_obligations(text, RULES.calendar, ["pacte_gouvernance"], "obligations.yaml")
    assert [str(p).split(" — ")[0] for p in caught.value.problems] == [
        "obligations.yaml:8: « reglement » : repère inconnu « absent »"
    ]


def test_facts_are_named_by_the_fiche_labels_when_given():
    found = evaluate(
        RULES,
        VAL_DE_LOIR,
        "cc",
        21_800,
        D(2026, 12, 4),
        labels={"pacte_gouvernance_debat": "Débat sur le pacte de gouvernance tenu"},
    )
    debate = next(s for s in found if s.obligation.id == "pacte_gouvernance_debat")
    assert debate.why.startswith("Débat sur le pacte de gouvernance tenu : non")


def test_the_report_lists_worst_first_with_status_and_basis_then_counts():
    lines = report(evaluate(RULES, VAL_DE_LOIR, "cc", 21_800, D(2026, 12, 4)))
    assert lines[0] == (
        "Débat sur l'élaboration d'un pacte de gouvernance : en retard (échéance 22 octobre "
        "2026) — CGCT, art. L5211-11-2, I, 1°"
    )
    assert lines[1].startswith("    pacte_gouvernance_debat : non ; échéance déduite du texte")
    cdci = next(i for i, line in enumerate(lines) if line.startswith("Réunion de la CDCI"))
    assert lines[cdci].endswith(
        ": passée (fenêtre close le 22 septembre 2026) — CGCT, art. L5211-45-1"
    )
    assert not lines[cdci + 1].startswith("    ")  # a settled rule: no « à vérifier » line
    pcaet = next(i for i, line in enumerate(lines) if line.startswith("Plan climat"))
    assert lines[pcaet + 2].startswith("    règle à vérifier sur les textes (Échéance du 31")
    assert lines[-1] == (
        "17 obligations : 1 en retard, 6 à vérifier, 1 passée, 3 à jour, 6 sans objet"
    )
    headings = [line for line in lines[:-1] if not line.startswith("    ")]
    assert len(headings) == len(RULES.items)


def test_the_evaluation_reads_only_facts_of_the_fiche():
    from diagnostic.territory.facts import load_fiche

    fiche = load_fiche(ROOT / "questions" / "fiche.yaml")
    assert RULES.facts_read() <= set(fiche.fields)
    assert RULES.facts_read() >= ADDED_FACTS


def rule_tables() -> str:
    """The two tables of docs/methodes.md (§ 16 and § 17), written from the data files and
    separated by a blank line."""
    from diagnostic.territory.calendar import Anchor, Nature

    kinds = {"cc": "CC", "ca": "CA", "cu": "CU", "metropole": "métropole"}
    anchors = {
        Anchor.RENOUVELLEMENT: "renouvellement",
        Anchor.INSTALLATION: "installation du conseil",
        Anchor.EVENEMENT: "date de la fiche",
        Anchor.ANNUEL: "chaque année",
        Anchor.DATE: "date fixe",
    }
    natures = {Nature.LEGALE: "légale", Nature.DEDUITE: "déduite", Nature.INDICATIVE: "indicative"}

    def delay(d) -> str:  # type: ignore[no-untyped-def]
        if d.depuis == Anchor.ANNUEL:
            return f"le {d.le.jour:02d}/{d.le.mois:02d}"
        if d.depuis == Anchor.DATE:
            return d.date.strftime("%d/%m/%Y")
        unit = f"{d.delai.mois} mois" if d.delai.mois else f"{d.delai.jours} jours"
        return f"{unit} après `{d.fait}`" if d.fait else unit

    def shown(value: object) -> str:
        return {True: "oui", False: "non"}.get(value, str(value))  # type: ignore[call-overload]

    def nature(d) -> str:  # type: ignore[no-untyped-def]
        flags = [natures[d.nature]]
        flags += [
            text
            for flag, text in (
                (d.facultatif, "facultative"),
                (d.fenetre, "fenêtre"),
                (d.a_verifier, "à vérifier"),
            )
            if flag
        ]
        return ", ".join(flags)

    rows = [
        "| échéance | à partir de | délai | base légale | nature |",
        "|---|---|---|---|---|",
        *(
            f"| `{d.id}` | {anchors[d.depuis]} | {delay(d)} | {d.base_legale} | {nature(d)} |"
            for d in RULES.calendar.echeances
        ),
        "",
        "| obligation | s'applique à | vérifiée sur | échéance | base légale |",
        "|---|---|---|---|---|",
    ]
    for ob in RULES.items:
        c = ob.condition
        scope = [", ".join(kinds[k] for k in c.types)]
        if c.population_plus_de is not None:
            scope.append(f"plus de {c.population_plus_de:,} habitants".replace(",", " "))
        scope += [f"si `{f}` = {shown(v)}" for f, v in c.si.items()]
        scope += [f"sauf si `{f}` = {shown(v)}" for f, v in c.sauf_si.items()]
        scope += [f"si `{f}` n'est pas vide" for f in c.si_liste]
        checked = " ou ".join(f"`{f}`" for f in (ob.date, ob.fait) if f) or "—"
        due = f"`{ob.echeance}`" if ob.echeance else "permanente"
        flag = " (à vérifier)" if ob.a_verifier else ""
        rows.append(
            f"| `{ob.id}`{flag} | {' ; '.join(scope)} | {checked} | {due} | {ob.base_legale} |"
        )
    return "\n".join(rows)


def test_every_rule_is_documented_word_for_word():
    doc = (ROOT / "docs" / "methodes.md").read_text(encoding="utf-8")
    for table in rule_tables().split("\n\n"):
        assert table in doc, f"docs/methodes.md : remplacez le tableau par\n\n{table}\n"


# --- links to the action library (« actions ») ---------------------------------------------------


def test_an_unknown_linked_action_is_reported_on_its_line_with_the_known_ones():
    text = OWN_RULE + "    actions: [reglement_adopte, reglement_inconnu]\n"
    with pytest.raises(QuestionnaireError) as caught:
        parse_obligations(text, RULES.calendar, None, "obligations.yaml", ["reglement_adopte"])
    [problem] = caught.value.problems
    assert str(problem).startswith(
        "obligations.yaml:8: « reglement » : action inconnue « reglement_inconnu » : elle n'est "
        "pas dans questions/actions.yaml"
    )
    assert problem.code == "OBLIGATION-005" and "(reglement_adopte)" in problem.fix
    # without the library, links are not checked (a folder without actions.yaml)
    assert parse_obligations(text, RULES.calendar).items[0].actions == [
        "reglement_adopte",
        "reglement_inconnu",
    ]


def test_the_shipped_links_name_actions_of_the_library():
    from diagnostic.roadmap.references import load_library

    library = load_library(ROOT / "questions")
    known = {a.id for a in library.actions}
    linked = {a for ob in RULES.items for a in ob.actions}
    assert linked <= known
    by_id = {ob.id: ob.actions for ob in RULES.items}
    assert by_id["pacte_gouvernance_debat"] == ["pacte_gouvernance_mandat"]
    assert by_id["cdci_eau"] == ["cdci_eau_sujets_territoire"]
    # the syndicates' yearly meeting no longer prepares the CDCI: it outlives the window
    syndicats = next(a for a in library.actions if a.id == "coordination_syndicats")
    assert "commission départementale" not in syndicats.description


def link_table() -> str:
    """The table of docs/methodes.md that lists the actions each obligation links to."""
    rows = ["| obligation | actions de la feuille de route |", "|---|---|"]
    rows += [
        f"| `{ob.id}` | {', '.join(f'`{a}`' for a in ob.actions)} |"
        for ob in RULES.items
        if ob.actions
    ]
    return "\n".join(rows)


def test_every_link_to_an_action_is_documented_word_for_word():
    doc = (ROOT / "docs" / "methodes.md").read_text(encoding="utf-8")
    table = link_table()
    assert table in doc, f"docs/methodes.md : remplacez le tableau par\n\n{table}\n"


# --- the rules of procedure and information added in December 2026 ------------------------------

PERMANENT_RULES = [
    # (obligation, its yes/no fact, the facts that make it apply)
    ("avis_commune_concernee", "avis_commune_concernee", {}),
    ("information_conseillers_municipaux", "information_conseillers_municipaux", {}),
    ("services_communs_cst", "services_communs_avis_cst", {"services_communs": ["ADS"]}),
    (
        "conseil_developpement_rapport",
        "conseil_developpement_rapport_debattu",
        {"conseil_developpement": True},
    ),
]


@pytest.mark.parametrize(("ident", "fact", "applies"), PERMANENT_RULES)
def test_a_permanent_rule_is_up_to_date_late_or_to_check_from_its_fact(ident, fact, applies):
    met = status_of(ident, {**applies, fact: True})
    assert (met.state, met.label) == (State.A_JOUR, "à jour")
    late = status_of(ident, {**applies, fact: False})
    assert (late.state, late.label) == (State.EN_RETARD, "en retard (obligation permanente)")
    assert late.due is None
    unknown = status_of(ident, dict(applies))
    assert (unknown.state, unknown.missing) == (State.A_VERIFIER, (fact,))
    # every kind of EPCI à fiscalité propre, whatever its population; never a commune
    for kind in ("cc", "ca", "cu", "metropole"):
        assert status_of(ident, {**applies, fact: False}, kind, 1_000).state == State.EN_RETARD
    assert status_of(ident, {**applies, fact: False}, "commune").state == State.SANS_OBJET
    assert not RULES_BY_ID[ident].a_verifier


RULES_BY_ID = {ob.id: ob for ob in RULES.items}


def test_the_opinion_of_the_single_commune_concerned_is_a_rule_of_procedure():
    rule = RULES_BY_ID["avis_commune_concernee"]
    assert "L5211-57" in rule.base_legale and rule.echeance is None
    assert "trois mois" in rule.exige and "deux tiers" in rule.exige


def test_the_cst_opinion_applies_only_where_there_are_services_communs():
    none = status_of(
        "services_communs_cst", {"services_communs": [], "services_communs_avis_cst": False}
    )
    assert (none.state, none.why) == (State.SANS_OBJET, "services_communs : aucun")
    unknown = status_of("services_communs_cst", {"services_communs_avis_cst": False})
    assert (unknown.state, unknown.missing) == (State.A_VERIFIER, ("services_communs",))
    # a yes wins over an unknown list: the conventions had their opinion
    assert status_of("services_communs_cst", {"services_communs_avis_cst": True}).state == (
        State.A_JOUR
    )
    assert "L5211-4-2" in RULES_BY_ID["services_communs_cst"].base_legale


def test_the_activity_report_of_the_conseil_de_developpement_only_where_one_exists():
    without = {"conseil_developpement": False, "conseil_developpement_rapport_debattu": False}
    assert status_of("conseil_developpement_rapport", without, "ca", 120_000).state == (
        State.SANS_OBJET
    )
    # below the 50,000 threshold, a voluntary conseil still has its report debated
    below = {"conseil_developpement": True, "conseil_developpement_rapport_debattu": False}
    assert status_of("conseil_developpement_rapport", below, "cc", 50_000).state == (
        State.EN_RETARD
    )
    unknown = status_of(
        "conseil_developpement_rapport", {"conseil_developpement_rapport_debattu": False}
    )
    assert unknown.missing == ("conseil_developpement",)


def row(name: str, defined: bool | None) -> dict[str, object]:
    return {"nom": name, "interet_communautaire_defini": defined, "a_la_carte": False}


def test_the_interet_communautaire_is_read_on_the_table_of_competences():
    defined = [row("Voirie d'intérêt communautaire", True), row("GEMAPI", None)]
    met = status_of("interet_communautaire", {"competences": defined})
    assert met.state == State.A_JOUR
    assert met.why == "intérêt communautaire défini pour chaque compétence qui en dépend"
    undefined = [*defined, row("Action sociale", False), row("Équipements sportifs", False)]
    late = status_of("interet_communautaire", {"competences": undefined})
    assert late.state == State.EN_RETARD
    assert late.why == "intérêt communautaire non défini : Action sociale, Équipements sportifs"
    unknown = status_of("interet_communautaire", {})
    assert (unknown.state, unknown.missing) == (State.A_VERIFIER, ("competences",))
    rule = RULES_BY_ID["interet_communautaire"]
    assert "deux ans" in rule.exige and "L5214-16, IV" in rule.base_legale
    assert rule.actions == ["carte_competences_partagee"] and not rule.a_verifier


def test_rules_settled_in_december_2026_carry_no_flag_and_the_kept_ones_say_why():
    settled = {
        "conseil_developpement_debat",
        "pacte_financier_fiscal",
        "cdci_eau",
        "avis_commune_concernee",
        "services_communs_cst",
        "conseil_developpement_rapport",
        "information_conseillers_municipaux",
        "interet_communautaire",
    }
    assert not any(RULES_BY_ID[i].a_verifier for i in settled)
    kept = {ob.id for ob in RULES.items if ob.a_verifier}
    assert kept == {"conference_maires_metropole", "pcaet"}
    assert all("Reste à confirmer" in (RULES_BY_ID[i].note or "") for i in kept)
