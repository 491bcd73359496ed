"""What the respondents know of the fiche's facts (territory/knowledge.py and the service):
counts, the privacy threshold, no fiche, the territory's own fiche, the declarations checked."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import load_questionnaire, parse_questionnaire
from diagnostic.questionnaire.source import parse_yaml
from diagnostic.territory import knowledge, service
from diagnostic.territory.facts import load_fiche
from tests.conftest import FIXTURES, ROOT, _reset_caches
from tests.factories import make_user, make_world
from tests.knowledge_kit import ADMIN, answer, conseil, fill_fiche, with_knowledge

FICHE = load_fiche(ROOT / "questions" / "fiche.yaml")
MINI = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    folder = tmp_path_factory.mktemp("q")
    (folder / "questionnaires").mkdir()
    (folder / "questionnaires" / "mini.yaml").write_text(MINI, encoding="utf-8")
    with_knowledge(folder)
    return load_questionnaire(folder / "questionnaires" / "mini.yaml")


def choices(*rows: tuple[int, str, str | None]) -> pd.DataFrame:
    """The tidy choices: (participant, structure_kind, option or None for « Je ne sais pas »)."""
    return pd.DataFrame(
        [
            {
                "participant_id": pid,
                "question_id": "ctx_conseil",
                "option_id": option,
                "dont_know": option is None,
                "structure_kind": kind,
            }
            for pid, kind, option in rows
        ]
    )


FIVE = choices(
    (1, "epci", "oui"), (2, "commune", "oui"), (3, "commune", "oui"), (4, "commune", "non"),
    (5, "epci", None),
)  # fmt: skip


def test_counts_who_knows_who_does_not_and_who_says_otherwise(q):
    [found] = knowledge.findings(
        q,
        FIVE,
        {"conseil_developpement": True},
        min_group_size=3,
        origins={"conseil_developpement": "Délibération du 2 juin 2026, 03/06/2026"},
        fiche=FICHE,
    )
    assert (found.answered, found.know, found.dont_know, found.other) == (5, 3, 1, (("Non", 1),))
    assert found.gap
    assert found.sentence == (
        "Le conseil de développement : selon la fiche du territoire, un conseil de "
        "développement est en place (Délibération du 2 juin 2026, 03/06/2026). Sur 5 "
        "répondants, 3 le savent, 1 répond « Je ne sais pas » et 1 pense autrement : « Non »."
    )
    assert found.groups == ()  # 2 at the intercommunality: no breakdown at all


def test_a_finding_needs_the_threshold_exactly_and_a_breakdown_every_group_reaching_it(q):
    facts = {"conseil_developpement": False}
    at_limit = knowledge.findings(q, FIVE, facts, min_group_size=5)
    assert [f.answered for f in at_limit] == [5]
    assert knowledge.findings(q, FIVE, facts, min_group_size=6) == []
    six = pd.concat([FIVE, choices((6, "epci", "non"))])
    [found] = knowledge.findings(q, six, facts, min_group_size=3, fiche=FICHE)
    assert [(g.label, g.know, g.answered) for g in found.groups] == [
        ("intercommunalité", 1, 3),
        ("communes", 1, 3),
    ]
    assert "Savent : 1 sur 3 côté intercommunalité ; 1 sur 3 côté communes." in found.sentence


def test_no_fact_on_the_fiche_no_finding(q):
    assert knowledge.findings(q, FIVE, {}, min_group_size=3) == []
    assert knowledge.findings(q, FIVE, {"conseil_developpement": None}, min_group_size=3) == []


def test_an_inventory_reads_each_linked_option_apart(q):
    frame = pd.DataFrame(
        [
            {"participant_id": p, "question_id": "ctx_outils", "option_id": o, "dont_know": False,
             "structure_kind": "commune"}
            for p, o in [(1, "conference"), (1, "pacte"), (2, "codir"), (3, "conference")]
        ]
    )  # fmt: skip
    [found] = knowledge.findings(q, frame, {"conference_maires": False}, min_group_size=3)
    assert (found.option_id, found.know, found.otherwise) == ("conference", 1, 2)
    assert "2 le citent pourtant" in found.sentence
    [found] = knowledge.findings(
        q, frame, {"conference_maires": True}, min_group_size=3, fiche=FICHE
    )
    assert "selon la fiche du territoire, la conférence des maires est instituée" in found.sentence
    assert "2 le savent et 1 ne le cite pas" in found.sentence


def test_a_fact_that_depends_on_a_no_reads_no(q):
    """No debate on a pacte: no pacte adopted (facts.effective), so the pacte's option is
    settled even though « adopté » was never entered."""
    text = MINI.replace(
        "          - {id: codir, label: CoDir de territoire}\n",
        "          - {id: codir, label: CoDir de territoire}\n"
        "        fact: {options: {pacte: {pacte_gouvernance_adopte: true}}}\n",
    )
    mini = parse_questionnaire(text)
    frame = pd.DataFrame(
        [
            {"participant_id": p, "question_id": "ctx_outils", "option_id": "pacte",
             "dont_know": False, "structure_kind": "commune"}
            for p in (1, 2, 3)
        ]
    )  # fmt: skip
    facts = {"pacte_gouvernance_debat": False}
    assert knowledge.findings(mini, frame, facts, min_group_size=3) == []  # without the rules
    [found] = knowledge.findings(mini, frame, facts, min_group_size=3, fiche=FICHE)
    assert (found.know, found.otherwise) == (0, 3)


def test_the_service_reads_the_campaign_territorys_own_fiche(engine, questions_dir, monkeypatch):
    with_knowledge(questions_dir)
    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))  # results_for reads the settings
    _reset_caches()
    ours = make_user(engine, "a@exemple.fr")
    theirs = make_user(engine, "b@exemple.fr")
    a = make_world(engine, name="CC A", coordinator=ours, n_participants=3)
    b = make_world(engine, name="CC B", coordinator=theirs, n_participants=3)
    for world, choice in ((a, "oui"), (b, "oui")):
        answer(engine, world, questions_dir, [conseil(choice)] * 3)
    assert service.knowledge_for(engine, ADMIN, a.campaign_id, questions_dir) == []  # empty fiche
    fill_fiche(engine, a.territory.id, questions_dir, conseil_developpement=True)
    fill_fiche(engine, b.territory.id, questions_dir, conseil_developpement=False)
    [found_a] = service.knowledge_for(engine, ADMIN, a.campaign_id, questions_dir)
    [found_b] = service.knowledge_for(engine, ADMIN, b.campaign_id, questions_dir)
    assert (found_a.know, found_b.know) == (3, 0)
    assert "Délibération du 2 juin 2026" in found_a.origin
    from diagnostic.accounts.permissions import Actor

    stranger = Actor(
        kind="user", user_id=theirs.id, memberships=frozenset({(b.territory.id, "coordinator")})
    )
    with pytest.raises(AccessDenied):
        service.knowledge_for(engine, stranger, a.campaign_id, questions_dir)
    (questions_dir / "fiche.yaml").unlink()
    assert service.knowledge_for(engine, ADMIN, a.campaign_id, questions_dir) == []
    monkeypatch.undo()
    _reset_caches()


def test_declarations_are_checked_against_the_fiche(q):
    text = MINI.replace(
        "          - {id: codir, label: CoDir de territoire}\n",
        "          - {id: codir, label: CoDir de territoire}\n"
        "        fact:\n"
        "          options:\n"
        "            pacte: {conseil_des_sages: true}\n"
        "            conference: {conference_maires: oui}\n",
    )
    data = parse_yaml(text, "q.yaml")
    problems = knowledge.mirror_problems(parse_questionnaire(text), FICHE, data, "q.yaml")
    assert [(p.code, p.line) for p in problems] == [("FICHE-005", 48), ("FICHE-006", 49)]
    assert "information inconnue « conseil_des_sages »" in str(problems[0])
    assert "écrivez true ou false" in str(problems[1])
    shipped = ROOT / "questions" / "questionnaires" / "gouvernance.yaml"
    full = load_questionnaire(shipped)
    assert knowledge.mirror_problems(full, FICHE, parse_yaml(shipped.read_text(), "g"), "g") == []
    assert [x.id for x in knowledge.knowledge_items(full)] == [
        "ctx_pacte_gouvernance",
        "ctx_conference_maires",
        "ctx_conseil_developpement",
        "ctx_instruments",
    ]


def test_a_list_fact_states_true_for_at_least_one_entry_and_false_for_none():
    """`services_communs: true` in an inventory's `fact:` says « there is a service commun »."""
    from diagnostic.territory.facts import value_problem

    ads = ["Instruction du droit des sols (ADS)"]
    assert knowledge.holds({"services_communs": True}, {"services_communs": ads}) is True
    assert knowledge.holds({"services_communs": True}, {"services_communs": []}) is False
    assert knowledge.holds({"services_communs": False}, {"services_communs": []}) is True
    assert knowledge.holds({"services_communs": True}, {"services_communs": None}) is None
    field = FICHE.field("services_communs")
    assert value_problem(field, True) is None and value_problem(field, False) is None
    assert value_problem(field, "Cuisine centrale") is not None
