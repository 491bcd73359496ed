"""The chantiers of the roadmap (questions/chantiers.yaml, diagnostic/roadmap/chantiers.py): the
shipped file, its checks with their lines, and the helpers the selection will use (order,
exclusions, requirements, conditions on the fiche, indicator values)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.questionnaire import QuestionnaireError
from diagnostic.roadmap.chantiers import (
    Chantiers,
    Condition,
    Phase,
    _ancestors,
    apply_exclusions,
    fits,
    indicator_values,
    load_chantiers,
    order,
    parse_chantiers,
    unfit,
    with_requirements,
)
from diagnostic.roadmap.references import load_library
from tests import chantiers_kit as ck
from tests.conftest import ROOT

QUESTIONS = ROOT / "questions"


@pytest.fixture(scope="module")
def shipped() -> Chantiers:
    return load_chantiers(QUESTIONS)


# --- the shipped file ------------------------------------------------------------------------


def test_every_action_of_the_library_is_in_exactly_one_chantier(shipped: Chantiers) -> None:
    library = [a.id for a in load_library(QUESTIONS).actions]
    listed = [a for c in shipped.chantiers for a in c.action_ids]
    assert sorted(listed) == sorted(library)
    assert len(listed) == len(set(listed)) == len(library)


def test_the_shipped_plan_has_six_to_nine_chantiers_over_the_whole_mandate(
    shipped: Chantiers,
) -> None:
    assert 6 <= len(shipped.chantiers) <= 9
    assert {p for c in shipped.chantiers for p in c.phases} == set(Phase)
    for chantier in shipped.chantiers:
        assert chantier.objectif.endswith(".")
        assert chantier.pilote and chantier.validation


def test_the_body_that_steers_comes_before_what_it_steers(shipped: Chantiers) -> None:
    """Findings §3.2: actions piloted by the CoDir rely on it; the finance chantier is one
    sequence; the pacte's clauses follow the pacte."""
    before = _ancestors(shipped.requires())
    library = {a.id: a for a in load_library(QUESTIONS).actions}
    bodies = {"CoDir de territoire": "instituer_codir_territoire"}
    bodies["Conférence des DGS"] = "conference_dgs_reguliere"
    for action_id, action in library.items():
        for body, instituted in bodies.items():
            steered = action.pilot.startswith(body) or action.validation.startswith(body)
            if steered and action_id not in {instituted, "reseau_secretaires_generaux"}:
                assert instituted in before[action_id], f"{action_id} : {body} d'abord"
    ordered = order(
        shipped,
        [
            "solidarite_communes_fragiles",
            "regles_fonds_concours",
            "pacte_financier_fiscal",
            "evaluation_charges_transparente",
            "analyse_financiere_consolidee",
        ],
    )
    assert ordered == [
        "evaluation_charges_transparente",
        "analyse_financiere_consolidee",
        "pacte_financier_fiscal",
        "solidarite_communes_fragiles",
        "regles_fonds_concours",
    ]
    assert order(shipped, ["traitement_desaccords", "pacte_gouvernance_mandat"]) == [
        "pacte_gouvernance_mandat",
        "traitement_desaccords",
    ]


def test_sector_conferences_make_no_sense_when_the_bureau_holds_every_mayor(
    shipped: Chantiers,
) -> None:
    action = "conferences_territoriales_maires"
    small = {"bureau_tous_maires": True, "nombre_communes": 5}
    large = {"bureau_tous_maires": False, "nombre_communes": 40}
    assert unfit(shipped, [action, "instituer_codir_territoire"], small) == [action]
    assert unfit(shipped, [action], large) == []
    assert unfit(shipped, [action], {}) == []  # an unknown fact does not rule it out
    assert unfit(shipped, ["evaluation_charges_transparente"], {"regime_fiscal": "fa"})


def test_the_overlapping_bodies_of_the_findings_are_not_proposed_side_by_side(
    shipped: Chantiers,
) -> None:
    """Findings §3.2: conférence des DGS, réseaux, CoDir and two « relevés de décisions »."""
    proposed = [
        "instituer_codir_territoire",
        "structurer_codir_territoire",
        "conference_dgs_reguliere",
        "reseau_secretaires_generaux",
        "releve_decisions_partage",
        "reseaux_metiers",
    ]
    small = apply_exclusions(shipped, proposed, {"nombre_communes": 5})
    assert small.kept == [
        "instituer_codir_territoire",
        "releve_decisions_partage",
        "reseaux_metiers",
    ]
    why = {d.action: (d.group.id, d.kept) for d in small.dropped}
    assert why["structurer_codir_territoire"] == (
        "codir_institue_ou_structure",
        "instituer_codir_territoire",
    )
    assert why["conference_dgs_reguliere"][1] == "instituer_codir_territoire"
    large = apply_exclusions(shipped, proposed, {"nombre_communes": 40})
    assert large.kept == [
        "instituer_codir_territoire",
        "conference_dgs_reguliere",
        "releve_decisions_partage",
        "reseaux_metiers",
    ]
    unknown = apply_exclusions(shipped, proposed, {})  # unknown size: one body
    assert unknown.kept == small.kept


def test_effort_and_indicator_rule_are_given_for_every_action(shipped: Chantiers) -> None:
    for entry in shipped.entries().values():
        assert entry.effort.jours[1] >= 1
        assert entry.effort.appui is None or entry.effort.appui in shipped.appuis
    assert shipped.regle_indicateur.base == "score_actuel"


# --- checks, each on its line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (ck.chantiers_text(ck.CODIR, ck.RELEVE.replace("[codir]", "[x]")), "CHANTIER-001", 12),
        (ck.chantiers_text(ck.CODIR, ck.RELEVE, ck.CODIR), "CHANTIER-003", 13),
        (
            ck.chantiers_text(ck.CODIR, ck.RELEVE, second=(ck.SECTEURS, ck.RELEVE)),
            "CHANTIER-003",
            21,
        ),
        (
            ck.chantiers_text(ck.CODIR.replace("codir,", "codir, requiert: [releve],"), ck.RELEVE),
            "CHANTIER-004",
            11,
        ),
        (
            ck.chantiers_text(ck.CODIR.replace("codir,", "codir, requiert: [codir],"), ck.RELEVE),
            "CHANTIER-004",
            11,
        ),
        (
            ck.chantiers_text(group=ck.GROUP.replace("[codir, releve]", "[codir]")),
            "CHANTIER-005",
            22,
        ),
        (
            ck.chantiers_text(group=ck.GROUP.replace("[codir, releve]", "[codir, inconnue]")),
            "CHANTIER-001",
            22,
        ),
        (
            ck.chantiers_text(
                ck.CODIR.replace("codir,", "codir, condition: {si: {fiscalite: fpu}},")
            ),
            "FICHE-005",
            11,
        ),
        (
            ck.chantiers_text(
                group=ck.GROUP.replace("motif", "cumul_si: {plus_de: {communes: 3}}, motif")
            ),
            "FICHE-005",
            22,
        ),
        (
            ck.chantiers_text(
                ck.CODIR.replace("codir,", "codir, condition: {au_plus: {pcaet: 3}},")
            ),
            "CHANTIER-006",
            11,
        ),
        (ck.chantiers_text(ck.CODIR.replace("[0, 0]", "[500, 100]")), "CHANTIER-007", 11),
    ],
)
def test_each_problem_is_reported_on_its_line(text: str, code: str, line: int) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        ck.parse(text)
    found = [(p.code, p.line) for p in caught.value.problems]
    assert (code, line) in found, [str(p) for p in caught.value.problems]


def test_an_action_left_out_of_every_chantier_is_named() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        ck.load_with_orphan(ck.chantiers_text())
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("CHANTIER-002", 3)
    assert "« orpheline »" in problem.message


def test_a_cycle_is_reported_once_as_a_ring() -> None:
    text = ck.chantiers_text(ck.CODIR.replace("codir,", "codir, requiert: [releve],"), ck.RELEVE)
    with pytest.raises(QuestionnaireError) as caught:
        ck.parse(text)
    cycles = [p for p in caught.value.problems if p.code == "CHANTIER-004"]
    assert len(cycles) == 1 and "codir → releve → codir" in cycles[0].message


def test_without_the_library_the_file_is_checked_on_its_own() -> None:
    parsed = parse_chantiers(ck.chantiers_text(), "chantiers.yaml")
    assert [c.id for c in parsed.chantiers] == ["collectif", "decision"]


def test_validate_covers_the_chantiers_and_reports_an_action_added_without_chantier(
    tmp_path, capsys
) -> None:
    import shutil

    from diagnostic.cli import main

    folder = tmp_path / "questions"
    shutil.copytree(QUESTIONS, folder)
    actions = (folder / "actions.yaml").read_text(encoding="utf-8")
    start = actions.index("  - id: analyse_financiere_consolidee")
    copy = actions[start:].replace("analyse_financiere_consolidee", "analyse_bis", 1)
    (folder / "actions.yaml").write_text(actions + "\n" + copy, encoding="utf-8")
    assert main(["validate", str(folder / "chantiers.yaml")]) == 1
    out = capsys.readouterr().out
    assert "« analyse_bis » de questions/actions.yaml n'est rangée dans aucun chantier" in out
    assert "[CHANTIER-002]" in out


# --- order, exclusions, requirements ---------------------------------------------------------


def _library(requires: dict[str, list[str]]) -> Chantiers:
    entries = [
        {"action": a, "requiert": r, "effort": {"jours": [1, 2], "budget": [0, 0]}}
        for a, r in requires.items()
    ]
    return Chantiers.model_validate(
        {
            "appuis": {"cnfpt": "CNFPT"},
            "regle_indicateur": {
                "base": "score_actuel",
                "cible": "niveau_vise",
                "paliers_sans_niveau_vise": 1,
                "mesure": "Au prochain autodiagnostic",
            },
            "chantiers": [
                {
                    "id": "c",
                    "titre": "C",
                    "objectif": "O.",
                    "phases": ["debut"],
                    "pilote": "P",
                    "validation": "V",
                    "actions": entries,
                }
            ],
        }
    )


def test_order_is_stable_when_requires_already_hold() -> None:
    lib = _library({"a": [], "b": ["a"], "c": ["b"], "d": []})
    assert order(lib, ["a", "d", "b", "c"]) == ["a", "d", "b", "c"]
    assert order(lib, ["c", "b", "a", "d"]) == ["a", "b", "c", "d"]
    assert order(lib, ["c", "a", "a", "x"]) == ["a", "c", "x"]  # transitive, repeats, unknown


def test_with_requirements_brings_the_proposed_body_into_the_plan() -> None:
    lib = _library({"codir": [], "releve": ["codir"], "charte": ["codir"]})
    assert with_requirements(lib, ["releve"], ["codir", "releve", "charte"]) == ["codir", "releve"]
    assert with_requirements(lib, ["releve"], ["releve"]) == ["releve"]  # the CoDir exists


def test_exclusions_keep_the_highest_priority_when_asked() -> None:
    shipped = load_chantiers(QUESTIONS)
    proposed = ["circuit_decision_ecrit", "cartographie_instances"]
    assert apply_exclusions(shipped, proposed).kept == ["circuit_decision_ecrit"]
    urgent = {"circuit_decision_ecrit": 0.4, "cartographie_instances": 0.9}
    assert apply_exclusions(shipped, proposed, priority=urgent).kept == ["cartographie_instances"]


def test_fits_reads_known_facts_and_waits_on_unknown_ones() -> None:
    cond = Condition(sauf_si={"bureau_tous_maires": True}, plus_de={"nombre_communes": 15})
    assert fits(cond, {"bureau_tous_maires": False, "nombre_communes": 16}) is True
    assert fits(cond, {"bureau_tous_maires": False, "nombre_communes": 15}) is False
    assert fits(cond, {"bureau_tous_maires": True}) is False
    assert fits(cond, {"bureau_tous_maires": False}) is None
    assert fits(None, {}) is True
    assert fits(Condition(au_plus={"nombre_communes": 10}), {"nombre_communes": 10}) is True


def test_indicator_baseline_is_the_score_and_target_the_wished_level(shipped: Chantiers) -> None:
    rule = shipped.regle_indicateur
    assert indicator_values(rule, 29.0, 64.0, 25.0) == (29.0, 64.0)
    assert indicator_values(rule, 14.0, None, 25.0) == (14.0, 39.0)  # one level up
    assert indicator_values(rule, 90.0, None, 25.0) == (90.0, 100.0)  # within the ceiling
    assert indicator_values(rule, 50.0, 40.0, 25.0) == (50.0, 75.0)  # wished below today
    assert indicator_values(rule, None, 60.0, 25.0) is None


# --- properties ------------------------------------------------------------------------------

NAMES = [f"a{i}" for i in range(8)]
EXCLUDABLE = sorted(
    {a for group in load_chantiers(QUESTIONS).exclusions for a in group.actions}
    | {"pacte_gouvernance_mandat", "reseaux_metiers"}
)


@st.composite
def acyclic(draw: st.DrawFn) -> dict[str, list[str]]:
    """Random requirements without cycle: an action only requires actions named before it."""
    return {
        name: draw(st.lists(st.sampled_from(NAMES[:i]), unique=True, max_size=3)) if i else []
        for i, name in enumerate(NAMES)
    }


@settings(max_examples=60, deadline=None)
@given(acyclic(), st.permutations(NAMES), st.integers(min_value=1, max_value=8))
def test_order_respects_every_requirement_and_keeps_the_set(
    requires: dict[str, list[str]], shuffled: list[str], size: int
) -> None:
    lib = _library(requires)
    chosen = shuffled[:size]
    out = order(lib, chosen)
    assert sorted(out) == sorted(chosen)
    for action in out:
        for need in requires[action]:
            if need in out:
                assert out.index(need) < out.index(action)
    assert order(lib, out) == out  # already ordered: unchanged


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(EXCLUDABLE), unique=True))
def test_exclusions_leave_at_most_one_per_group(proposed: list[str]) -> None:
    shipped = load_chantiers(QUESTIONS)
    filtered = apply_exclusions(shipped, proposed, {"nombre_communes": 5})
    assert set(filtered.kept) | {d.action for d in filtered.dropped} == set(proposed)
    assert [a for a in proposed if a in filtered.kept] == filtered.kept
    for group in shipped.exclusions:
        assert len([a for a in group.actions if a in filtered.kept]) <= 1
