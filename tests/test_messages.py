"""The catalogue of coded messages (diagnostic/questionnaire/messages.py), one broken file per code.

Each case writes a small broken file inline and checks that its loader answers with the code, at
`file:line`, with a fix; the table of docs/codes-erreur.md is the catalogue, word for word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from diagnostic.comparison.service import check_renamed, parse_renamed
from diagnostic.demo import parse_demo_file
from diagnostic.questionnaire import (
    QuestionnaireError,
    load_questionnaire,
    messages,
    parse_questionnaire,
)
from diagnostic.questionnaire.source import MAX_YAML_BYTES, parse_yaml
from diagnostic.roadmap.library import parse_actions, parse_references
from diagnostic.territory.calendar import parse_calendar
from diagnostic.territory.facts import load_fiche, parse_fiche
from diagnostic.territory.obligations import parse_obligations
from diagnostic.workshop.programme import parse_programme
from tests import chantiers_kit as ck
from tests import hostile
from tests.conftest import ROOT

MINI = load_questionnaire(ROOT / "tests" / "fixtures" / "mini.yaml")

HEAD = """\
id: essai
version: "1"
title: Essai
estimated_minutes: 5
scales:
  maturite:
    label: Maturité
    levels:
      1: {label: Un}
      2: {label: Deux}
      3: {label: Trois}
sections:
  - id: s
    title: S
    questions:
"""  # the questions follow, one a line, from line 16


def questionnaire(*questions: str, **head: str) -> str:
    """HEAD with `head` values replaced (key: new text of its line) and the questions."""
    text = HEAD
    for key, line in head.items():
        text = re.sub(rf"(?m)^{key}:.*$", lambda _, line=line: line, text, count=1)
    return text + "".join(f"      - {q}\n" for q in questions)


A = "{id: a, type: maturity, text: Q}"


def action(trigger: str = "{item: ins_codir, level_at_most: 2}", **fields: str) -> str:
    """One action of the library against the mini questionnaire; its trigger on line 6."""
    values = {
        "id": "instituer_codir",
        "dimension": "instances",
        "items": "[ins_codir, ins_debat, ctx_structure, ctx_outils, act_priorites, act_grille]",
        "horizon": "cent_jours",
        "references": "[codir]",
        **fields,
    }
    return (
        "actions:\n"
        f"  - id: {values['id']}\n"
        f"    dimension: {values['dimension']}\n"
        f"    items: {values['items']}\n"
        "    triggers:\n"
        f"      - {trigger}\n"
        "    title: Instituer un CoDir de territoire\n"
        "    description: Réunir à date fixe les directions générales.\n"
        "    instrument: Charte de fonctionnement\n"
        "    pilot: Direction générale de l'intercommunalité\n"
        "    validation: Conférence des maires\n"
        f"    horizon: {values['horizon']}\n"
        "    indicator: Nombre de séances tenues\n"
        f"    references: {values['references']}\n"
    )


REFERENCE = """\
references:
  - id: pacte
    kind: {kind}
    title: Le pacte de gouvernance
    summary: Un débat obligatoire.
    source: {{text: CGCT, url: {url}}}
"""


def reference(kind: str = "methode", url: str = "https://example.org") -> str:
    return REFERENCE.format(kind=kind, url=url)


ATELIER = """\
id: essai
version: "1"
title: Essai
intro: Un atelier d'essai.
steps:
"""  # the steps follow, one a line, from line 6


def atelier(*steps: str) -> str:
    return ATELIER + "".join(f"  - {s}\n" for s in steps)


def step(ident: str, kind: str, extra: str = "") -> str:
    return f"{{id: {ident}, kind: {kind}, title: T, prompt: P., minutes: 2{extra}}}"


COLLECTIVE = step("ensemble", "collective")

PACTE = "{id: pacte, titre: T, depuis: renouvellement, delai: {mois: 9}, base_legale: CGCT}"


def calendrier(
    renewal: str = "{id: r2026, libelle: R, tours: [2026-03-15, 2026-03-22]}",
    deadline: str = PACTE,
    title: str = "Autodiagnostic de {moment} {mandat}",
) -> str:
    """A calendar: the renewal under test on line 3, the title on line 8, the deadline on 11."""
    return (
        "renouvellements:\n"
        "  - {id: r2020, libelle: R, tours: [2020-03-15, 2020-06-28]}\n"
        f"  - {renewal}\n"
        "moments:\n"
        "  debut_mois: 24\n"
        "  fin_mois: 24\n"
        "  libelles: {debut: début, mi: mi, fin: fin}\n"
        f'  titre: "{title}"\n'
        "  titre_sans_mandat: Autodiagnostic\n"
        "echeances:\n"
        f"  - {deadline}\n"
        "  - {id: cdci, titre: T, depuis: renouvellement, delai: {mois: 6}, fenetre: true, "
        "base_legale: CGCT}\n"
        "  - {id: rapport, titre: T, depuis: annuel, le: {mois: 9, jour: 30}, base_legale: CGCT}\n"
    )


CALENDAR = parse_calendar(calendrier())


def obligation(*lines: str) -> str:
    """One obligation; the given lines from line 6."""
    head = "obligations:\n  - id: debat\n    titre: T\n    exige: E\n    base_legale: CGCT\n"
    return head + "".join(f"    {line}\n" for line in lines)


FICHE = """\
id: fiche
version: "1"
title: Fiche
intro: Une fiche d'essai.
groups:
  - id: g
    title: G
    facts:
      - {id: population, label: Population, type: int}
      - {id: population_millesime, label: Millésime, type: int}
"""  # more facts follow, one a line, from line 11


def fiche(*facts: str) -> str:
    return FICHE + "".join(f"      - {f}\n" for f in facts)


DEMO_FICHE = """\
accounts: []
territories:
  - name: CC Essai
    kind: cc
    story: Une histoire.
    communes: [{name: Alpha}]
    campaign: Essai
    profile: {}
    participants: []
    fiche:
      source: Fiche d'essai
      updated_on: 2026-11-20
      facts:
"""  # the facts follow, one a line, from line 14


def demo_fiche(*facts: str) -> str:
    return DEMO_FICHE + "".join(f"        {f}\n" for f in facts)


# --- loaders: each returns the name it gave the file --------------------------------------------


def _file(data: bytes, folder: Path) -> str:
    path = folder / "q.yaml"
    path.write_bytes(data)
    load_questionnaire(path)
    return str(path)


def _absent(_: str, folder: Path) -> str:
    load_questionnaire(folder / "absent.yaml")
    return str(folder / "absent.yaml")


def _folder(_: str, folder: Path) -> str:
    load_questionnaire(folder)
    return str(folder)


def _long_name(_: str, folder: Path) -> str:
    path = folder / ("x" * 300 + ".yaml")
    load_questionnaire(path)
    return str(path)


def _questionnaire(text: str, _: Path) -> str:
    parse_questionnaire(text, "q.yaml")
    return "q.yaml"


def _actions(text: str, _: Path) -> str:
    parse_actions(text, MINI, ["codir"], name="actions.yaml")
    return "actions.yaml"


def _actions_on_fiche(text: str, _: Path) -> str:
    shipped = load_fiche(ROOT / "questions" / "fiche.yaml")
    parse_actions(text, MINI, ["codir"], name="actions.yaml", fiche=shipped)
    return "actions.yaml"


def _references(text: str, _: Path) -> str:
    parse_references(text, "references.yaml")
    return "references.yaml"


def _atelier(text: str, _: Path) -> str:
    parse_programme(text, "atelier.yaml")
    return "atelier.yaml"


def _demo(text: str, _: Path) -> str:
    parse_demo_file(parse_yaml(text, "territoires.yaml"), "territoires.yaml")
    return "territoires.yaml"


def _calendrier(text: str, _: Path) -> str:
    parse_calendar(text, "calendrier.yaml")
    return "calendrier.yaml"


def _obligations(text: str, _: Path) -> str:
    parse_obligations(
        text, CALENDAR, ["pacte_gouvernance"], "obligations.yaml", actions=["pacte_mandat"]
    )
    return "obligations.yaml"


def _fiche(text: str, _: Path) -> str:
    parse_fiche(text, "fiche.yaml")
    return "fiche.yaml"


def _demo_fiche(text: str, _: Path) -> str:
    shipped = load_fiche(ROOT / "questions" / "fiche.yaml")
    parse_demo_file(parse_yaml(text, "territoires.yaml"), "territoires.yaml", shipped)
    return "territoires.yaml"


def _renamed(text: str, _: Path) -> str:
    data = parse_yaml(text, "renamed.yaml")
    problems = check_renamed(
        parse_renamed(data, "renamed.yaml"), data, "renamed.yaml", ROOT / "questions"
    )
    if problems:
        raise QuestionnaireError(problems)
    return "renamed.yaml"


def _clauses(trigger: str, number: int = 1, twice: bool = False) -> str:
    """A « clauses_pacte » section after ck.chantiers_text(); its first clause on line 27."""
    clause = f"    - {{numero: {number}, titre: Une clause, quand: [{trigger}]}}\n"
    return "clauses_pacte:\n  article: Un article\n  seuil: 40\n  clauses:\n" + clause * (
        2 if twice else 1
    )


Loader = Callable[[Any, Path], str]

# code, loader, broken file, line of the problem
CASES: list[tuple[str, Loader, Any, int]] = [
    ("YAML-001", _absent, "", 0),
    ("YAML-002", _folder, "", 0),
    ("YAML-003", _long_name, "", 0),
    ("YAML-004", _questionnaire, "# " + "x" * MAX_YAML_BYTES + "\n", 1),
    ("YAML-005", _file, hostile.bad_byte_on_line_7(), 7),
    ("YAML-006", _questionnaire, HEAD + "title: " + "[" * 60 + "\n", 16),
    ("YAML-007", _questionnaire, "id: essai\nsections: &boucle\n  - questions: *boucle\n", 3),
    ("YAML-008", _questionnaire, "id: essai\nliste: [" + "1, " * 50_001 + "]\n", 2),
    ("YAML-009", _file, hostile.billion_laughs()[0], 7),
    ("YAML-010", _questionnaire, HEAD + "      - {id: a, type: maturity\n", 17),
    ("YAML-011", _questionnaire, questionnaire("{id: a, type: maturity, text: \x07Q}"), 16),
    ("YAML-012", _questionnaire, "# rien\n", 1),
    ("CHAMP-001", _questionnaire, "- id: essai\n", 1),
    ("CHAMP-002", _questionnaire, questionnaire("{id: a, type: maturity}"), 16),
    ("CHAMP-003", _questionnaire, questionnaire(A, title="titre: Essai"), 3),
    ("CHAMP-004", _actions, action(horizon="demain"), 12),
    ("CHAMP-005", _questionnaire, questionnaire("{id: a, type: echelle, text: Q}"), 16),
    ("CHAMP-006", _questionnaire, questionnaire("{id: Question-1, type: maturity, text: Q}"), 16),
    ("CHAMP-007", _questionnaire, questionnaire(A, version="version: 1 bis"), 2),
    ("CHAMP-008", _questionnaire, questionnaire(A, title="title: 2026"), 3),
    (
        "CHAMP-009",
        _questionnaire,
        questionnaire(A, estimated_minutes="estimated_minutes: 5 min"),
        4,
    ),
    (
        "CHAMP-010",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, required: oui}"),
        16,
    ),
    ("CHAMP-011", _actions, action(references="codir"), 14),
    (
        "CHAMP-012",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, levels: [1]}"),
        16,
    ),
    ("CHAMP-013", _questionnaire, questionnaire("{id: a, type: maturity, text: ''}"), 16),
    ("CHAMP-014", _questionnaire, questionnaire(A, estimated_minutes="estimated_minutes: 500"), 4),
    (
        "CHAMP-015",
        _questionnaire,
        questionnaire(f"{{id: {'a' * 61}, type: maturity, text: Q}}"),
        16,
    ),
    ("CHAMP-016", _questionnaire, questionnaire(A, estimated_minutes="estimated_minutes: .inf"), 4),
    ("CHAMP-017", _questionnaire, questionnaire(A, A), 17),
    (
        "QUESTION-001",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, scale: x}"),
        16,
    ),
    (
        "QUESTION-002",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, levels: {1: Un, 2: Deux}}"),
        16,
    ),
    (
        "QUESTION-003",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, levels: {1: Un, 2: Un, 3: Trois}}"),
        16,
    ),
    (
        "QUESTION-004",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, show_if: {question: z, at_least: 2}}"),
        16,
    ),
    (
        "QUESTION-005",
        _questionnaire,
        questionnaire(
            "{id: a, type: maturity, text: Q, show_if: {question: b, at_least: 2}}",
            "{id: b, type: maturity, text: Q}",
        ),
        16,
    ),
    (
        "QUESTION-006",
        _questionnaire,
        questionnaire(
            "{id: a, type: single_choice, text: Q, options: [{id: oui, label: Oui}]}",
            "{id: b, type: maturity, text: Q, show_if: {question: a, equals: non}}",
        ),
        17,
    ),
    (
        "QUESTION-007",
        _questionnaire,
        questionnaire(A).replace("      3: {label: Trois}", "      4: {label: Quatre}"),
        6,
    ),
    (
        "QUESTION-008",
        _questionnaire,
        questionnaire(A, "{id: b, type: maturity, text: Q, show_if: {question: a}}"),
        17,
    ),
    (
        "QUESTION-009",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, options: [{id: x, label: X}]}"),
        16,
    ),
    ("QUESTION-010", _questionnaire, questionnaire("{id: a, type: single_choice, text: Q}"), 16),
    ("QUESTION-011", _questionnaire, questionnaire("{id: a, type: ranking, text: Q}"), 16),
    ("QUESTION-012", _questionnaire, questionnaire("{id: a, type: grid, text: Q}"), 16),
    (
        "QUESTION-013",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, rows: [{id: x, label: X}]}"),
        16,
    ),
    (
        "QUESTION-014",
        _questionnaire,
        questionnaire(
            "{id: a, type: multiple_choice, text: Q, options: [{id: x, label: X}], max_choices: 2}"
        ),
        16,
    ),
    (
        "QUESTION-015",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, fact: {id: pcaet, options: {x: true}}}"),
        16,
    ),
    (
        "QUESTION-016",
        _questionnaire,
        questionnaire(
            "{id: a, type: single_choice, text: Q, options: [{id: oui, label: Oui}], "
            "fact: {id: pcaet, options: {non: false}}}"
        ),
        16,
    ),
    (
        "QUESTION-017",
        _questionnaire,
        questionnaire(
            "{id: a, type: single_choice, text: Q, options: [{id: oui, label: Oui}], "
            "fact: {options: {oui: true}}}"
        ),
        16,
    ),
    (
        "QUESTION-018",
        _questionnaire,
        questionnaire("{id: a, type: maturity, text: Q, prefill: {from: role, options: {dgs: x}}}"),
        16,
    ),
    (
        "QUESTION-019",
        _questionnaire,
        questionnaire(
            "{id: a, type: single_choice, text: Q, options: [{id: oui, label: Oui}], "
            "prefill: {from: role, options: {dgs: non}}}"
        ),
        16,
    ),
    (
        "QUESTION-020",
        _questionnaire,
        questionnaire(
            "{id: a, type: single_choice, text: Q, options: [{id: epci, label: EPCI}], "
            "prefill: {from: structure, options: {communaute: epci}}}"
        ),
        16,
    ),
    ("ACTION-001", _actions, action(items="[ins_codir, ins_absente]"), 4),
    ("ACTION-002", _actions, action(dimension="contexte"), 3),
    ("ACTION-003", _actions, action("{item: ins_absente, level_at_most: 2}"), 6),
    ("ACTION-004", _actions, action(items="[ins_debat]"), 6),
    ("ACTION-005", _actions, action("{item: ins_codir, row: region, level_at_most: 2}"), 6),
    ("ACTION-006", _actions, action("{item: act_grille, row: commune, level_at_most: 2}"), 6),
    ("ACTION-007", _actions, action("{item: ctx_outils, level_at_most: 1}"), 6),
    ("ACTION-008", _actions, action("{item: ins_codir, level_at_most: 7}"), 6),
    ("ACTION-009", _actions, action("{item: ins_codir, gap_at_least: 5}"), 6),
    ("ACTION-010", _actions, action("{item: ctx_outils, missing_option: conseil}"), 6),
    ("ACTION-011", _actions, action("{item: ins_codir}"), 6),
    ("ACTION-012", _actions, action("{item: ins_codir, fact: pcaet, equals: false}"), 6),
    ("ACTION-013", _actions_on_fiche, action("{fact: pcaet, missing_option: Archives}"), 6),
    (
        "ACTION-014",
        _actions,
        action().replace(
            "pilot: Direction générale de l'intercommunalité", "pilot: CoDir de territoire"
        ),
        10,  # reported on the pilot's line
    ),
    ("REPERE-001", _references, reference(kind="cadre_juridique"), 2),
    ("REPERE-002", _actions, action(references="[codir, absent]"), 14),
    ("ATELIER-001", _atelier, atelier(step("seul", "personal", ", items: 3")), 6),
    ("ATELIER-002", _atelier, atelier(COLLECTIVE, step("accueil", "welcome")), 7),
    ("ATELIER-003", _atelier, atelier(step("seul", "personal", ", source: x")), 6),
    ("ATELIER-004", _atelier, atelier(COLLECTIVE, step("grille", "grid")), 7),
    (
        "ATELIER-005",
        _atelier,
        atelier(COLLECTIVE, step("grille", "grid", ", source: plus_tard")),
        7,
    ),
    (
        "ATELIER-006",
        _atelier,
        atelier(step("seul", "personal"), step("grille", "grid", ", source: seul")),
        7,
    ),
    ("ATELIER-007", _atelier, atelier(step("seul", "personal", ", dots: 2")), 6),
    (
        "ATELIER-008",
        _atelier,
        atelier(
            COLLECTIVE,
            step("points", "dots", ", source: ensemble"),
            step("encore", "dots", ", source: ensemble"),
        ),
        8,
    ),
    ("RENOMME-001", _renamed, "renamed:\n  gouvernance:\n    - d1_ancien\n", 2),
    ("RENOMME-002", _renamed, "renamed:\n  inconnu: {}\n", 2),
    ("RENOMME-003", _renamed, "renamed:\n  gouvernance:\n    d1_ancien: d1_vision\n", 3),
    ("RENOMME-004", _renamed, "renamed:\n  gouvernance:\n    d1_vision: d1_nouveau\n", 3),
    ("CALENDRIER-001", _calendrier, calendrier("{id: r2010, libelle: R, tours: [2010-03-14]}"), 3),
    (
        "CALENDRIER-002",
        _calendrier,
        calendrier("{id: r2026, libelle: R, tours: [2026-03-22, 2026-03-15]}"),
        3,
    ),
    ("CALENDRIER-003", _calendrier, calendrier("{id: r2032, libelle: R, mois: '2032-03'}"), 3),
    (
        "CALENDRIER-004",
        _calendrier,
        calendrier(deadline="{id: pacte, titre: T, depuis: renouvellement, base_legale: CGCT}"),
        11,
    ),
    (
        "CALENDRIER-005",
        _calendrier,
        calendrier(
            deadline="{id: r, titre: T, depuis: annuel, le: {mois: 9, jour: 30}, "
            "delai: {mois: 1}, base_legale: CGCT}"
        ),
        11,
    ),
    (
        "CALENDRIER-006",
        _calendrier,
        calendrier(
            deadline="{id: r, titre: T, depuis: annuel, le: {mois: 2, jour: 29}, base_legale: C}"
        ),
        11,
    ),
    ("CALENDRIER-007", _calendrier, calendrier(deadline=PACTE.replace("9}", "9, jours: 3}")), 11),
    ("CALENDRIER-008", _calendrier, calendrier(title="Autodiagnostic {annee}"), 8),
    ("OBLIGATION-001", _obligations, obligation("fait: debat", "echeance: inconnue"), 7),
    ("OBLIGATION-002", _obligations, obligation("echeance: pacte"), 2),
    ("OBLIGATION-003", _obligations, obligation("fait: debat", "echeance: cdci"), 2),
    ("OBLIGATION-004", _obligations, obligation("fait: debat", "echeance: rapport"), 7),
    (
        "OBLIGATION-005",
        _obligations,
        obligation("fait: debat", "actions: [pacte_mandat, pacte_inconnu]"),
        7,
    ),
    ("CHANTIER-001", ck.load, ck.chantiers_text(ck.CODIR, ck.RELEVE.replace("[codir]", "[x]")), 12),
    ("CHANTIER-002", ck.load_with_orphan, ck.chantiers_text(), 3),
    ("CHANTIER-003", ck.load, ck.chantiers_text(ck.CODIR, ck.RELEVE, ck.CODIR), 13),
    (
        "CHANTIER-004",
        ck.load,
        ck.chantiers_text(ck.CODIR.replace("codir,", "codir, requiert: [releve],"), ck.RELEVE),
        11,
    ),
    (
        "CHANTIER-005",
        ck.load,
        ck.chantiers_text(group=ck.GROUP.replace("[codir, releve]", "[codir, codir]")),
        22,
    ),
    (
        "CHANTIER-006",
        ck.load,
        ck.chantiers_text(
            ck.CODIR.replace("codir,", "codir, condition: {plus_de: {bureau_tous_maires: 3}},"),
            ck.RELEVE,
        ),
        11,
    ),
    ("CHANTIER-007", ck.load, ck.chantiers_text(ck.CODIR.replace("[2, 4]", "[4, 2]")), 11),
    (
        "CHANTIER-008",
        ck.load,
        ck.chantiers_text(ck.CODIR.replace("[0, 0]}", "[0, 0], appui: x, jours_appui: [1, 2]}")),
        11,
    ),
    (
        "CHANTIER-009",
        ck.load,
        ck.chantiers_text(ck.CODIR.replace("[0, 0]}", "[0, 0], jours_appui: [1, 2]}")),
        11,
    ),
    (
        "CHANTIER-010",
        ck.load,
        ck.chantiers_text(ck.CODIR.replace("codir,", "codir, indicateur_items: [d1_autre],")),
        11,
    ),
    ("CHANTIER-011", ck.load, ck.chantiers_text() + _clauses("{chantiers: [inconnu]}"), 27),
    (
        "CHANTIER-012",
        ck.load,
        ck.chantiers_text() + _clauses("{chantiers: [collectif]}", number=1, twice=True),
        28,
    ),
    ("CHANTIER-013", ck.load, ck.chantiers_text() + _clauses("{}"), 27),
    (
        "CHANTIER-014",
        ck.load,
        ck.chantiers_text() + _clauses("{fiche: {si: {bureau_tous_maires: true}}}"),
        27,
    ),
    (
        "CHANTIER-015",
        ck.load,
        ck.chantiers_text().replace("pilote: DGS\n", "pilote: CoDir de territoire\n", 1),
        8,  # the pilot names a body and no « pilote_interim » says who steers until it exists
    ),
    ("FICHE-001", _fiche, fiche("{id: regime, label: Régime, type: choice}"), 11),
    ("FICHE-002", _fiche, fiche("{id: pcaet, label: PCAET, type: bool, unit: ans}"), 11),
    ("FICHE-003", _fiche, fiche("{id: le, label: Le, type: date, depends_on: population}"), 11),
    ("FICHE-004", _fiche, FICHE.replace("population_millesime", "communes"), 5),
    ("FICHE-005", _demo_fiche, demo_fiche("conseil_des_sages: true"), 14),
    ("FICHE-006", _demo_fiche, demo_fiche("nombre_communes: beaucoup"), 14),
    (
        "FICHE-007",
        _demo_fiche,
        demo_fiche("pacte_gouvernance_debat: false", "pacte_gouvernance_debat_date: 2026-04-09"),
        15,
    ),
]


# A code's other ways of breaking a file, each reported on the line to fix.
MORE_CASES: list[tuple[str, Loader, Any, int]] = [
    (
        "ACTION-014",
        _actions,
        action().replace(
            "pilot: Direction générale de l'intercommunalité",
            "pilot: DGS\n    pilot_interim: la conférence des DGS",
        ),
        11,  # the interim pilot names a body: reported on its own line
    ),
    (
        "CHANTIER-015",
        ck.load,
        ck.chantiers_text().replace(
            "pilote: DGS\n", "pilote: DGS\n    pilote_interim: le CoDir de territoire\n", 1
        ),
        9,  # the interim pilot names a body: reported on its own line
    ),
]


@pytest.mark.parametrize(
    ("code", "load", "text", "line"),
    CASES + MORE_CASES,
    ids=[case[0] for case in CASES] + [f"{case[0]}-bis" for case in MORE_CASES],
)
def test_a_broken_file_gets_its_code_at_file_line_with_a_fix(
    code: str, load: Loader, text: Any, line: int, tmp_path: Path
) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load(text, tmp_path)
    found = [p for p in caught.value.problems if p.code == code]
    assert found, [str(p) for p in caught.value.problems]
    problem = found[0]
    message = messages.CATALOGUE[code]
    assert str(problem).startswith(f"{problem.path}:{line}: "), str(problem)
    assert str(problem).endswith(f" — {problem.fix} [{code}]")
    assert problem.fix and message.fix.split("{")[0] in problem.fix
    assert not re.search(r"\{\w+\}", str(problem))  # every value of the templates was given


def test_every_code_of_the_catalogue_has_its_broken_file() -> None:
    assert [case[0] for case in CASES] == list(messages.CATALOGUE)


def test_codes_are_unique_and_well_formed() -> None:
    entries = [v for v in vars(messages).values() if isinstance(v, messages.Message)]
    assert len(entries) == len(messages.CATALOGUE)
    for code, message in messages.CATALOGUE.items():
        assert re.fullmatch(r"[A-Z]+-\d{3}", code)
        assert message.what and message.fix


def catalogue_table() -> str:
    """The table of docs/codes-erreur.md: code, what is wrong, how to fix it."""

    def plain(template: str) -> str:
        return re.sub(r"\{\w+\}", "…", template)

    rows = [
        f"| `{code}` | {plain(m.what)} | {plain(m.fix)} |" for code, m in messages.CATALOGUE.items()
    ]
    return "\n".join(["| code | problème | comment corriger |", "|---|---|---|", *rows])


def test_every_code_is_documented_word_for_word() -> None:
    doc = (ROOT / "docs" / "codes-erreur.md").read_text(encoding="utf-8")
    table = catalogue_table()
    assert table in doc, f"docs/codes-erreur.md : remplacez le tableau par\n\n{table}\n"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/codes-erreur.md" in readme
