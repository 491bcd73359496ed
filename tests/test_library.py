"""Tests of the action library and « repères et outils » loader, and of the shipped files."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from diagnostic.questionnaire import QuestionnaireError, QuestionType, load_questionnaire
from diagnostic.questionnaire.source import load_yaml
from diagnostic.roadmap.library import (
    Horizon,
    ReferenceKind,
    cited_reference_problems,
    load_actions,
    load_references,
    parse_actions,
    parse_references,
)
from diagnostic.territory.facts import load_fiche
from tests.hostile import check_hostile_files

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "questions"
MINI = load_questionnaire(ROOT / "tests" / "fixtures" / "mini.yaml")
REFS = ["pacte", "codir"]


def _actions(triggers: str, **fields: str) -> str:
    """One action against the mini questionnaire; `triggers` is the YAML of its trigger list."""
    values = {
        "id": "instituer_codir",
        "dimension": "instances",
        "items": "[ins_codir, ins_debat, ctx_structure, ctx_outils, act_priorites, act_grille]",
        "references": "[codir]",
        **fields,
    }
    triggers = textwrap.indent(textwrap.dedent(triggers).strip(), " " * 6)
    return (
        "actions:\n"
        f"  - id: {values['id']}\n"
        f"    dimension: {values['dimension']}\n"
        f"    items: {values['items']}\n"
        "    triggers:\n"
        f"{triggers}\n"
        "    title: Instituer un CoDir de territoire\n"
        "    description: Réunir à date fixe les directions générales.\n"
        "    instrument: Charte de fonctionnement\n"
        "    pilot: Direction générale de l'intercommunalité\n"
        "    validation: Conférence des maires\n"
        "    horizon: cent_jours\n"
        "    indicator: Nombre de séances tenues\n"
        f"    references: {values['references']}\n"
    )


def _problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        parse_actions(text, MINI, REFS, name="actions.yaml")
    return [str(p) for p in info.value.problems]


# --- The loader on small inline files --------------------------------------------------------


def test_every_trigger_kind_is_accepted() -> None:
    text = _actions(
        """
        - {item: ins_codir, level_at_most: 2}
        - {item: ins_codir, target_at_least: 4, gap_at_least: 2}
        - {item: ins_debat, divergence: true}
        - {item: ctx_structure, answer_in: [commune]}
        - {item: ctx_outils, missing_option: codir}
        - {item: act_priorites, ranked: mobilites}
        - {item: act_grille, row: region, level_at_most: 1, target_at_least: 3}
        - {item: act_grille, gap_at_least: 2}
        """
    )
    (action,) = parse_actions(text, MINI, REFS)
    assert action.horizon is Horizon.CENT_JOURS
    assert [list(t.tests) for t in action.triggers][1] == ["target_at_least", "gap_at_least"]
    assert action.triggers[6].row == "region"


def test_unknown_trigger_item_is_reported_with_its_line() -> None:
    problems = _problems(_actions("- {item: ins_inconnue, level_at_most: 2}"))
    assert problems == [
        "actions.yaml:6: action « instituer_codir » : le déclencheur renvoie à une question "
        "inconnue « ins_inconnue » — écrivez l'identifiant d'une question du questionnaire "
        "« mini » [ACTION-003]"
    ]


def test_trigger_item_must_be_listed_in_items() -> None:
    problems = _problems(_actions("- {item: ins_debat, level_at_most: 2}", items="[ins_codir]"))
    assert problems == [
        "actions.yaml:6: action « instituer_codir » : la question « ins_debat » du déclencheur "
        "manque dans items — ajoutez « ins_debat » à la liste items de l'action [ACTION-004]"
    ]


def test_unknown_reference() -> None:
    problems = _problems(_actions("- {item: ins_codir, level_at_most: 2}", references="[absent]"))
    assert problems == [
        "actions.yaml:14: action « instituer_codir » : repère inconnu « absent » — "
        "ajoutez-le à questions/references.yaml ou corrigez l'identifiant [REPERE-002]"
    ]


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (
            "{item: ins_codir, level_at_most: 7}",
            "niveau 7 absent de l'échelle de « ins_codir » (1, 2, 3, 4, 5)",
        ),
        ("{item: ins_codir, target_at_least: 0}", "niveau 0 absent de l'échelle de « ins_codir »"),
        (
            "{item: act_grille, level_at_most: 5}",
            "niveau 5 absent de l'échelle de « act_grille » (0, 1, 2, 3, 4)",
        ),
        ("{item: ins_codir, gap_at_least: 5}", "écart 5 impossible sur l'échelle de « ins_codir »"),
        (
            "{item: ins_debat, gap_at_least: 1}",
            "le test « gap_at_least » ne s'applique pas à « ins_debat » (question maturity)",
        ),
        (
            "{item: ctx_outils, level_at_most: 1}",
            "le test « level_at_most » ne s'applique pas à « ctx_outils »",
        ),
        (
            "{item: ctx_structure, missing_option: commune}",
            "le test « missing_option » ne s'applique pas",
        ),
        (
            "{item: ctx_structure, answer_in: [commune, region]}",
            "option inconnue de « ctx_structure » : region",
        ),
        (
            "{item: ctx_outils, missing_option: conseil}",
            "option inconnue de « ctx_outils » : conseil",
        ),
        ("{item: act_priorites, ranked: sante}", "option inconnue de « act_priorites » : sante"),
        (
            "{item: ins_codir, row: region, level_at_most: 2}",
            "« row » ne s'applique qu'à une grille",
        ),
        (
            "{item: act_grille, row: commune, level_at_most: 2}",
            "ligne inconnue « commune » dans la grille « act_grille »",
        ),
    ],
)
def test_trigger_tests_are_checked_against_the_question(trigger: str, message: str) -> None:
    problems = _problems(_actions(f"- {trigger}"))
    assert len(problems) == 1
    assert problems[0].startswith("actions.yaml:6: action « instituer_codir » : ")
    assert message in problems[0]


def test_dimension_must_be_a_scored_section() -> None:
    problems = _problems(_actions("- {item: ins_codir, level_at_most: 2}", dimension="contexte"))
    assert len(problems) == 1
    assert "actions.yaml:3:" in problems[0] and "dimension inconnue « contexte »" in problems[0]


def test_all_problems_are_reported_at_once() -> None:
    text = _actions(
        """
        - {item: ins_codir, level_at_most: 9}
        - {item: ins_absente, level_at_most: 2}
        """,
        references="[codir, absent]",
    )
    problems = _problems(text)
    assert [p.split(":")[1] for p in problems] == ["6", "7", "15"]


def test_schema_errors_are_in_french_with_lines() -> None:
    text = _actions("- {item: ins_codir}").replace("horizon: cent_jours", "horizon: demain")
    text = text.replace("    pilot:", "    pilote: X\n    pilot:")
    problems = _problems(text)
    assert any(
        p.startswith("actions.yaml:6:") and "précise au moins un test parmi" in p for p in problems
    )
    assert any(
        p.startswith("actions.yaml:10:") and "champ inconnu « pilote »" in p for p in problems
    )
    assert any(
        p.startswith("actions.yaml:13:") and "valeur « demain » non permise pour « horizon »" in p
        for p in problems
    )
    assert all("« instituer_codir » : " in p for p in problems)


def test_missing_field_and_duplicate_action() -> None:
    one = _actions("- {item: ins_codir, level_at_most: 2}")
    missing = one.replace("    indicator: Nombre de séances tenues\n", "")
    assert any("champ obligatoire manquant : « indicator »" in p for p in _problems(missing))
    twice = one + one.removeprefix("actions:\n")
    assert _problems(twice) == [
        "actions.yaml:15: action « instituer_codir » en double (déjà utilisée ligne 2) — changez "
        "l'un des deux identifiants : chacun doit être unique [CHAMP-017]"
    ]


def test_yaml_syntax_error_has_a_line() -> None:
    problems = _problems("actions:\n  - id: a\n    title: [non fermé\n    horizon: x\n")
    assert len(problems) == 1 and problems[0].startswith("actions.yaml:")
    assert "syntaxe YAML invalide" in problems[0]


def test_hostile_action_files_are_answered_quickly_with_their_line(tmp_path: Path) -> None:
    check_hostile_files(lambda path: load_actions(path, MINI, REFS), tmp_path, "actions.yaml")


def test_hostile_reference_files_are_answered_quickly_with_their_line(tmp_path: Path) -> None:
    check_hostile_files(load_references, tmp_path, "references.yaml")


def test_missing_file() -> None:
    with pytest.raises(QuestionnaireError, match="fichier introuvable"):
        load_references(ROOT / "questions" / "absent.yaml")


def _reference(**fields: str) -> str:
    values = {
        "id": "pacte_gouvernance",
        "kind": "cadre_juridique",
        "date": '"2019-12-27"',
        "article": "Code général des collectivités territoriales, art. L5211-11-2",
        "url": "https://example.org/pacte",
        **fields,
    }
    lines = [
        "references:",
        f"  - id: {values['id']}",
        f"    kind: {values['kind']}",
        "    title: Le pacte de gouvernance",
        "    summary: Un débat obligatoire, un pacte facultatif.",
        "    source:",
        "      text: Landot & associés",
        f"      url: {values['url']}",
    ]
    lines += [f"    date: {values['date']}"] if values["date"] else []
    lines += [f"    article: {values['article']}"] if values["article"] else []
    return "\n".join(lines) + "\n"


def test_reference_is_parsed_and_unquoted_dates_are_accepted() -> None:
    (ref,) = parse_references(_reference(date="2019-12-27"))
    assert ref.kind is ReferenceKind.CADRE_JURIDIQUE and ref.date == "2019-12-27"
    assert not ref.to_verify


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"article": ""},
            "refs.yaml:2: « pacte_gouvernance » : un repère « cadre_juridique » précise son",
        ),
        (
            {"kind": "chiffre_cle", "date": ""},
            "refs.yaml:2: « pacte_gouvernance » : un repère « chiffre_cle » précise sa date",
        ),
        (
            {"kind": "loi"},
            "refs.yaml:3: « pacte_gouvernance » : valeur « loi » non permise pour « kind »",
        ),
        (
            {"url": "www.example.org"},
            "refs.yaml:8: « pacte_gouvernance » : « url » a une forme invalide",
        ),
        (
            {"date": '"27/12/2019"'},
            "refs.yaml:9: « pacte_gouvernance » : « date » a une forme invalide",
        ),
    ],
)
def test_reference_errors(fields: dict[str, str], message: str) -> None:
    with pytest.raises(QuestionnaireError) as info:
        parse_references(_reference(**fields), "refs.yaml")
    assert any(str(p).startswith(message) for p in info.value.problems), info.value.problems


def test_duplicate_reference() -> None:
    text = _reference() + _reference().removeprefix("references:\n")
    with pytest.raises(
        QuestionnaireError, match=r"refs.yaml:11: repère « pacte_gouvernance » en double"
    ):
        parse_references(text, "refs.yaml")


def test_references_cited_by_questions_must_exist_each_on_its_line() -> None:
    path = QUESTIONS / "questionnaires" / "gouvernance.yaml"
    full = load_questionnaire(path)
    _, data = load_yaml(path)
    assert cited_reference_problems(MINI, [], data, "q.yaml") == []
    problems = cited_reference_problems(full, ["pacte_gouvernance"], data, str(path))
    assert "pacte_gouvernance" not in {str(p) for p in problems}
    [problem] = [p for p in problems if "« ctx_conference_maires »" in str(p)]
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("      - id: ctx_conference_maires")
    line = next(i for i in range(start, len(lines)) if "references:" in lines[i]) + 1
    assert str(problem) == (
        f"{path}:{line}: « ctx_conference_maires » : repère inconnu « conference_maires » — "
        "ajoutez-le à questions/references.yaml ou corrigez l'identifiant [REPERE-002]"
    )


# --- The shipped library ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> tuple:
    questionnaire = load_questionnaire(QUESTIONS / "questionnaires" / "gouvernance.yaml")
    references = load_references(QUESTIONS / "references.yaml")
    actions = load_actions(QUESTIONS / "actions.yaml", questionnaire, references)
    return questionnaire, references, actions


def test_shipped_references(shipped: tuple) -> None:
    _, references, _ = shipped
    # 2026.2 adds the legal frame of the new items (3DS, intérêt communautaire, L5211-57,
    # comité social territorial, secrétaires généraux de mairie, protection sociale, PCAET).
    assert 20 <= len(references) <= 45
    assert {r.kind for r in references} == set(ReferenceKind)
    for ref in references:
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", ref.summary)) <= 4, ref.id
    legal = {r.id: r.article for r in references if r.kind == ReferenceKind.CADRE_JURIDIQUE}
    for needed, article in {
        "pacte_gouvernance": "L5211-11-2",
        "conference_maires": "L5211-11-3",
        "conseil_developpement": "L5211-10-1",
        "services_communs": "L5211-4-2",
        "mise_a_disposition": "L5211-4-1",
    }.items():
        assert article in (legal[needed] or ""), needed


def test_shipped_actions(shipped: tuple) -> None:
    questionnaire, _, actions = shipped
    assert len(actions) >= 40
    by_dimension = {s.id: 0 for s in questionnaire.dimensions}
    for action in actions:
        by_dimension[action.dimension] += 1
    assert min(by_dimension.values()) >= 3, by_dimension
    assert {a.horizon for a in actions} == set(Horizon)


def test_action_titles_start_with_an_infinitive(shipped: tuple) -> None:
    for action in shipped[2]:
        verb = action.title.split()[0].lower()
        assert verb.endswith(("er", "ir", "re", "oir")), action.title
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", action.description)) <= 4, action.id


def test_every_scored_item_can_lead_to_an_action(shipped: tuple) -> None:
    questionnaire, _, actions = shipped
    triggered = {t.item for a in actions for t in a.triggers}
    scored = {q.id for q in questionnaire.questions() if q.scored}
    assert scored <= triggered, scored - triggered
    grids = [q for q in questionnaire.questions() if q.type == QuestionType.GRID]
    assert all(g.id in triggered for g in grids)


def test_shipped_actions_also_validate_against_the_short_questionnaire_ids(shipped: tuple) -> None:
    # The short variant reuses the full ids: any action item present there means the same thing.
    short = load_questionnaire(QUESTIONS / "questionnaires" / "gouvernance-court.yaml")
    questionnaire, _, actions = shipped
    shared = {q.id for q in short.questions()} & {i for a in actions for i in a.items}
    assert shared
    assert all(short.question(i) == questionnaire.question(i) for i in shared)


# --- Triggers on the facts of the fiche du territoire -----------------------------------------

FICHE = load_fiche(QUESTIONS / "fiche.yaml")


def _fact_problems(triggers: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        parse_actions(_actions(triggers), MINI, REFS, name="actions.yaml", fiche=FICHE)
    return [str(p) for p in info.value.problems]


def test_fact_triggers_are_accepted_with_their_tests() -> None:
    text = _actions(
        """
        - {fact: conseil_developpement, equals: false}
        - {fact: regime_fiscal, in: [fpu]}
        - {fact: services_communs, missing_option: Commande publique}
        - {fact: conference_maires, equals: false, also: {bureau_tous_maires: false}}
        """
    )
    (action,) = parse_actions(text, MINI, REFS, fiche=FICHE)
    assert [t.tests for t in action.triggers] == [
        {"equals": False},
        {"in": ["fpu"]},
        {"missing_option": "Commande publique"},
        {"equals": False},
    ]
    assert action.triggers[3].facts == ["conference_maires", "bureau_tous_maires"]
    assert parse_actions(text, MINI, REFS)  # without the fiche: the facts are not checked


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (
            "- {fact: conseil_des_sages, equals: true}",
            "information inconnue « conseil_des_sages » — choisissez parmi les informations de "
            "fiche.yaml : regime_fiscal, population",
        ),
        (
            "- {fact: pcaet, equals: oui}",
            "« pcaet » : oui ou non attendu (valeur lue : « oui ») — écrivez true ou false "
            "[FICHE-006]",
        ),
        (
            "- {fact: regime_fiscal, in: [fpu, tpu]}",
            "« regime_fiscal » : choix inconnu « tpu » (choix possibles : fpu, fa)",
        ),
        (
            "- {fact: services_communs, missing_option: Cantine}",
            "« services_communs » : « Cantine » n'est pas l'une des propositions de la fiche — "
            "écrivez l'une des propositions : Instruction du droit des sols (ADS) ;",
        ),
        (
            "- {fact: pcaet, missing_option: pcaet}",
            "le test « missing_option » ne s'applique pas à l'information « pcaet » de la fiche "
            "(bool) — tests possibles pour cette information : equals [ACTION-013]",
        ),
        (
            "- {fact: installation_conseil, equals: true}",
            "le test « equals » ne s'applique pas à l'information « installation_conseil » de la "
            "fiche (date) — tests possibles pour cette information : aucun",
        ),
        (
            "- {fact: conference_maires, equals: false, also: {bureau_tous_maires: 1}}",
            "« bureau_tous_maires » : oui ou non attendu",
        ),
        (
            "- {item: ins_codir, fact: pcaet, equals: false}",
            "un déclencheur porte soit sur une question (item), soit sur une information de la "
            "fiche du territoire (fact) : les deux sont donnés — gardez « item: » ou « fact: », "
            "l'un des deux [ACTION-012]",
        ),
        (
            "- {item: ins_codir, level_at_most: 2, also: {pcaet: false}}",
            "le test « also » ne s'applique pas à « ins_codir »",
        ),
        ("- {fact: pcaet}", "un déclencheur précise au moins un test parmi equals, in, missing"),
    ],
)
def test_fact_triggers_are_checked_against_the_fiche(trigger: str, message: str) -> None:
    problems = _fact_problems(trigger)
    assert any(message in p for p in problems), problems
    assert all(p.startswith("actions.yaml:6: ") for p in problems), problems


def test_shipped_actions_read_facts_from_the_fiche_never_a_majority(shipped: tuple) -> None:
    questionnaire, references, _ = shipped
    actions = load_actions(QUESTIONS / "actions.yaml", questionnaire, references, FICHE)
    facts = {f for a in actions for t in a.triggers for f in t.facts}
    assert {"pacte_gouvernance_debat", "conference_maires", "conseil_developpement"} <= facts
    mirrored = {q.id for q in questionnaire.questions() if q.fact is not None}
    read = {t.item for a in actions for t in a.triggers}
    assert not read & mirrored  # a knowledge item never triggers: the fiche does
