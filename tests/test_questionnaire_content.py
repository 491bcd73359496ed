"""Meta-tests on the shipped questionnaires: structure, anchors, wording rules, short variant."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from diagnostic.questionnaire import Question, Questionnaire, QuestionType, load_questionnaire
from diagnostic.roadmap.library import load_references

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "questions"
FULL = QUESTIONS / "questionnaires" / "gouvernance.yaml"
SHORT = QUESTIONS / "questionnaires" / "gouvernance-court.yaml"

# Acronyms a respondent may not know: a question whose text uses one must explain it in its help.
ACRONYMS = [
    "ADEME", "ADS", "ANCT", "ARS", "CAF", "CCAS", "CDG", "CGCT", "CIAS", "CIF", "CLECT",
    "CLS", "CNFPT", "CoDir", "CRTE", "CTG", "DGA", "DGS", "DST", "EPCI", "GEMAPI", "INSET",
    "NOTRe", "PAT", "PCAET", "PETR", "PLUi", "PPI", "RGPD", "RH", "SCoT", "SIG", "SIVOM",
    "SIVU", "SPL", "SEM",
]  # fmt: skip

DIMENSIONS = [
    "d1_enjeux",
    "d2_cooperation",
    "d3_acteurs",
    "d4_instances",
    "d5_decision",
    "d6_culture",
    "d7_pilotage",
    "d8_information",
    "d9_elus_administration",
    "d10_ressources",
]


@pytest.fixture(scope="module")
def full() -> Questionnaire:
    return load_questionnaire(FULL)


@pytest.fixture(scope="module")
def short() -> Questionnaire:
    return load_questionnaire(SHORT)


def _anchored(q: Questionnaire) -> list[Question]:
    return [
        x for x in q.questions() if x.type in {QuestionType.MATURITY, QuestionType.CURRENT_TARGET}
    ]


def _acronyms_in(text: str) -> list[str]:
    return [a for a in ACRONYMS if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text)]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c)))


def test_full_questionnaire_identity(full: Questionnaire) -> None:
    assert full.key == ("gouvernance", "2026.2")
    # Timed by bench/questionnaire_time.py (bench/RESULTS.md, § 9): 219 inputs and 8,300 words,
    # 36 to 56 minutes depending on the reader; 45 for the central reader.
    assert 40 <= full.estimated_minutes <= 56
    assert 50 <= len(full.questions()) <= 80


def test_sections_are_context_then_ten_dimensions(full: Questionnaire) -> None:
    assert not full.sections[0].scored
    assert [s.id for s in full.dimensions] == DIMENSIONS
    for section in full.dimensions:
        assert section.intro, section.id
        assert len([q for q in section.questions if q.scored]) >= 3, section.id


def test_question_ids_carry_their_section_prefix(full: Questionnaire) -> None:
    for section in full.sections:
        prefix = "ctx_" if section.id == "contexte" else section.id.split("_")[0] + "_"
        for q in section.questions:
            assert q.id.startswith(prefix), q.id


def test_every_anchored_item_has_five_specific_levels(full: Questionnaire) -> None:
    generic = {lvl.description for lvl in full.scales["maturite"].levels.values()}
    for q in _anchored(full):
        levels = q.level_descriptions
        assert levels is not None, f"{q.id} : niveaux propres à l'item manquants"
        assert sorted(levels) == [1, 2, 3, 4, 5], q.id
        assert len(set(levels.values())) == 5, q.id
        assert not generic & set(levels.values()), f"{q.id} reprend un descripteur générique"


def test_no_level_description_is_shared_between_items(full: Questionnaire) -> None:
    seen: dict[str, str] = {}
    for q in _anchored(full):
        for text in (q.level_descriptions or {}).values():
            assert _normalise(text) not in seen, f"{q.id} et {seen.get(_normalise(text))}"
            seen[_normalise(text)] = q.id


def test_current_target_items_ask_importance(full: Questionnaire) -> None:
    items = [q for q in full.questions() if q.type == QuestionType.CURRENT_TARGET]
    assert len(items) >= 25
    assert all(q.importance for q in items)
    # Single-level maturity items stay the exception.
    assert len([q for q in full.questions() if q.type == QuestionType.MATURITY]) < len(items)


def test_perception_items_use_the_agreement_scale(full: Questionnaire) -> None:
    labels = [lvl.label for lvl in full.scales["accord"].levels.values()]
    assert labels[0] == "Pas du tout d'accord" and labels[-1] == "Tout à fait d'accord"
    culture = [q for q in full.questions() if full.section_of(q.id).id == "d6_culture"]
    assert sum(q.scale == "accord" for q in culture) >= 3


def test_rankings_and_grids(full: Questionnaire) -> None:
    policies = full.question("d1_politiques_prioritaires")
    assert policies.type == QuestionType.RANKING and policies.max_choices == 5
    assert len(policies.options or []) >= 20
    needs = full.question("d3_besoins_prioritaires")
    assert needs.type == QuestionType.RANKING and needs.max_choices == 3
    actors = full.question("d3_relations_acteurs")
    assert actors.type == QuestionType.GRID and actors.desired and actors.scale == "intensite"
    assert 12 <= len(actors.rows or []) <= 18
    assert full.scales["intensite"].values == [0, 1, 2, 3, 4]


def test_free_text_questions_are_optional_and_few(full: Questionnaire) -> None:
    for section in full.sections:
        texts = [q for q in section.questions if q.type == QuestionType.TEXT]
        assert len(texts) <= 2, section.id
        assert all(not q.required for q in texts)


def test_no_duplicated_wording(full: Questionnaire) -> None:
    texts = [_normalise(q.text) for q in full.questions()]
    assert len(texts) == len(set(texts))


def test_statements_end_with_a_period_and_questions_with_a_question_mark(
    full: Questionnaire,
) -> None:
    for q in full.questions():
        if q.scored or q.scale == "accord":
            assert q.text.endswith("."), f"{q.id} : une affirmation finit par un point"
        elif q.type in {
            QuestionType.SINGLE_CHOICE,
            QuestionType.MULTIPLE_CHOICE,
            QuestionType.TEXT,
        }:
            assert q.text.endswith("?"), f"{q.id} : une question finit par « ? »"
        else:
            assert q.text.endswith(("?", ".")), q.id


@pytest.mark.parametrize("path", [FULL, SHORT], ids=["complet", "court"])
def test_acronyms_in_a_question_are_explained_in_its_help(path: Path) -> None:
    for q in load_questionnaire(path).questions():
        for acronym in _acronyms_in(q.text):
            assert q.help and acronym in q.help, f"{q.id} : expliquer « {acronym} » dans help"
        for option in [*(q.options or []), *(q.rows or [])]:
            if _acronyms_in(option.label):
                assert "(" in option.label or option.help, f"{q.id} › {option.id}"


def test_caf_is_always_disambiguated() -> None:
    files = [FULL, SHORT, QUESTIONS / "actions.yaml", QUESTIONS / "references.yaml"]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"\bCAF\b", line):
                around = line[max(0, match.start() - 40) : match.end() + 60]
                assert (
                    "cadre d'auto-évaluation des fonctions publiques" in around
                    or "allocations familiales" in around
                ), f"{path.name} : « CAF » ambigu : {around!r}"


def test_question_references_exist(full: Questionnaire) -> None:
    known = {r.id for r in load_references(QUESTIONS / "references.yaml")}
    cited = {ref for q in full.questions() for ref in q.references}
    assert cited, "les questions citent des repères"
    assert cited <= known, cited - known


def test_short_variant_copies_the_full_items(full: Questionnaire, short: Questionnaire) -> None:
    assert short.id == "gouvernance_court"
    assert short.version == full.version
    assert 12 <= len(short.questions()) <= 18
    assert 8 <= short.estimated_minutes <= 12  # timed like the full one: 8 to 12 minutes
    for q in short.questions():
        original = full.question(q.id)  # KeyError if the id is unknown
        assert q == original, f"{q.id} diffère du questionnaire complet"
        assert short.section_of(q.id).id == full.section_of(q.id).id
        assert short.scale_of(q) == full.scale_of(original)


def test_short_variant_keeps_sections_and_covers_every_dimension(
    full: Questionnaire, short: Questionnaire
) -> None:
    for section in short.sections:
        twin = next(s for s in full.sections if s.id == section.id)
        assert (section.title, section.intro, section.scored) == (
            twin.title,
            twin.intro,
            twin.scored,
        )
    assert [s.id for s in short.dimensions] == DIMENSIONS
    assert all(any(q.scored for q in s.questions) for s in short.dimensions if s.id != "d6_culture")


def test_the_previous_version_stays_readable_for_the_campaigns_launched_with_it() -> None:
    from diagnostic.questionnaire.registry import default_questionnaire, questionnaires

    shipped = questionnaires(FULL.parent.parent)
    for key in [("gouvernance", "2026.1"), ("gouvernance_court", "2026.1")]:
        assert key in shipped, key
    assert default_questionnaire(FULL.parent.parent).key == ("gouvernance", "2026.2")


ARCHIVED = QUESTIONS / "questionnaires" / "gouvernance-2026.1.yaml"
# Items of 2026.2 whose legal minimum is out of the scale (docs/methodes.md, § 18).
LEGAL_FLOOR = {
    "d5_preparation_une_commune": "L5211-57",
    "d3_conseil_developpement_avis": "L5211-10-1",
    "d2_agents_associes": "L5211-4-2",
    "d10_evaluation_charges": "1609 nonies C",
    "d8_association_conseillers_municipaux": "L5211-40-2",
}
# References added with version 2026.2: each is cited by a question or an action.
NEW_REFERENCES = [
    "interet_communautaire",
    "transferts_a_la_carte_3ds",
    "avis_commune_concernee",
    "comite_social_territorial",
    "secretaires_generaux_mairie",
    "protection_sociale_complementaire",
    "pcaet",
]


def test_renamed_ids_exist_in_the_previous_and_the_current_version(full: Questionnaire) -> None:
    from diagnostic.questionnaire.source import load_yaml

    archived = load_questionnaire(ARCHIVED)
    renamed = load_yaml(QUESTIONS / "renamed.yaml")[1]["renamed"]["gouvernance"] or {}
    for old, new in renamed.items():
        assert archived.question(old) and full.question(new), (old, new)
        assert archived.question(old).type == full.question(new).type, (old, new)


def test_the_archived_version_keeps_its_ids_and_the_replaced_items() -> None:
    archived = load_questionnaire(ARCHIVED)
    assert archived.key == ("gouvernance", "2026.1")
    ids = {q.id for q in archived.questions()}
    assert len(ids) == 77
    replaced = {
        "d5_decision_une_commune",
        "d3_conseil_developpement",
        "d4_secretaires_generaux",
        "d8_conseillers_municipaux",
        "d9_neutralite_dg",
        "d6_connaissance_homologues",
    }
    assert replaced <= ids
    assert not replaced & {q.id for q in load_questionnaire(FULL).questions()}


def test_legal_minimums_stay_out_of_the_maturity_scale(full: Questionnaire) -> None:
    for qid, article in LEGAL_FLOOR.items():
        q = full.question(qid)
        assert q.help and article in q.help and "pas évalué" in q.help, qid
        assert q.level_descriptions and q.level_descriptions[1], qid


def test_every_reference_added_in_2026_2_is_cited(full: Questionnaire) -> None:
    from diagnostic.roadmap.library import load_actions

    references = load_references(QUESTIONS / "references.yaml")
    actions = load_actions(QUESTIONS / "actions.yaml", full, references)
    cited = {r for q in full.questions() for r in q.references}
    cited |= {r for a in actions for r in a.references}
    known = {r.id: r for r in references}
    for ref in NEW_REFERENCES:
        assert ref in known and ref in cited, ref
        assert known[ref].source.url and known[ref].source.url.startswith("https://"), ref
        assert not known[ref].to_verify, ref
