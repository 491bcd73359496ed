"""A small chantiers file and its action library, for tests of roadmap/chantiers.py and of the
CHANTIER codes (tests/test_messages.py, tests/test_chantiers.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from diagnostic.roadmap.chantiers import Chantiers, parse_chantiers
from diagnostic.territory.facts import load_fiche
from tests.conftest import ROOT

SHIPPED_FICHE = load_fiche(ROOT / "questions" / "fiche.yaml")

# The library the small file is checked against: ids and items.
LIBRARY = [
    SimpleNamespace(id="codir", items=["d4_codir_territoire"]),
    SimpleNamespace(id="releve", items=["d5_suivi_decisions"]),
    SimpleNamespace(id="secteurs", items=["d5_consultation_amont"]),
]

CODIR = "{action: codir, effort: {jours: [2, 4], budget: [0, 0]}}"
RELEVE = "{action: releve, requiert: [codir], effort: {jours: [1, 2], budget: [0, 0]}}"
SECTEURS = "{action: secteurs, effort: {jours: [1, 2], budget: [0, 0]}}"
GROUP = "{id: releves, titre: Un relevé, actions: [codir, releve], motif: Double emploi.}"


def chantiers_text(*entries: str, group: str = GROUP, second: tuple[str, ...] = (SECTEURS,)) -> str:
    """Two chantiers; the first one's actions from line 11 (CODIR, RELEVE by default), then a
    second chantier holding `second`, then one exclusion group."""
    first = entries or (CODIR, RELEVE)
    text = (
        "appuis: {cnfpt: CNFPT}\n"
        "regle_indicateur: {base: score_actuel, cible: niveau_vise, "
        "paliers_sans_niveau_vise: 1, mesure: Au prochain autodiagnostic}\n"
        "chantiers:\n"
        "  - id: collectif\n"
        "    titre: Installer le collectif\n"
        "    objectif: Réunir les directions.\n"
        "    phases: [debut]\n"
        "    pilote: DGS\n"
        "    validation: Conférence des maires\n"
        "    actions:\n"
    )
    text += "".join(f"      - {e}\n" for e in first)
    text += (
        "  - id: decision\n"
        "    titre: Partager la décision\n"
        "    objectif: Associer les communes.\n"
        "    phases: [debut, mi]\n"
        "    pilote: DGS\n"
        "    validation: Bureau\n"
        "    actions:\n"
    )
    text += "".join(f"      - {e}\n" for e in second)
    return text + f"exclusions:\n  - {group}\n"


def parse(text: str, library: list[SimpleNamespace] | None = None) -> Chantiers:
    return parse_chantiers(
        text, "chantiers.yaml", LIBRARY if library is None else library, SHIPPED_FICHE
    )


def load(text: str, _: Path | None = None) -> str:
    """A loader for tests/test_messages.py."""
    parse(text)
    return "chantiers.yaml"


def load_with_orphan(text: str, _: Path | None = None) -> str:
    """As `load`, against a library holding one action no chantier lists."""
    parse(text, [*LIBRARY, SimpleNamespace(id="orpheline", items=["d1_diagnostic_partage"])])
    return "chantiers.yaml"
