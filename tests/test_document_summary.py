"""Page one « Ce qu'il faut retenir » and part 5.4 « Gouvernance de la feuille de route », read
on the golden Val de Loir roadmap and on the chantiers file's pacte clauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostic.questionnaire import QuestionnaireError
from diagnostic.roadmap.chantiers import parse_chantiers

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "feuille-de-route-val-de-loir.md"


def _part(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_page_one_comes_first_and_names_the_main_findings():
    text = GOLDEN.read_text(encoding="utf-8")
    assert text.index("## Ce qu'il faut retenir") < text.index("## 1. Contexte et méthode")
    page = _part(text, "## Ce qu'il faut retenir", "## 1. Contexte")
    assert "sur les 10 dimensions" in page
    assert "« Les données utiles à la décision sont partagées" in page  # largest angle mort
    assert "(A7)" in page  # the plan's answer to its largest gap, as part 4.2 says it
    assert "3 obligations légales sont en retard" in page
    assert "débat sur l'élaboration d'un pacte de gouvernance" in page
    assert "Mutualiser avec méthode : d'abord A6." in page
    assert "3 communes sur 5 invitées ont répondu" in page
    assert "Chahaignes-les-Prés" in page and "auto-évaluation, sur 7 questionnaires" in page
    assert "en bureau communautaire, qui réunit tous les maires" in page


def test_roadmap_governance_reads_the_fiche_and_calls_clauses_only_when_needed():
    text = GOLDEN.read_text(encoding="utf-8")
    part = _part(text, "### 5.4 Gouvernance de la feuille de route", "### 5.5")
    assert "dès qu'il est installé (action A8)" in part
    assert "bureau communautaire, qui réunit tous les maires" in part
    assert "conférence des maires" not in part.split("Comment elle est validée")[1].split("\n")[0]
    assert "mars 2029" in part
    assert "7° Les orientations en matière de mutualisation" in part
    assert "chantier « Mutualiser avec méthode » au plan" in part
    assert "5° " not in part  # 5 communes, a bureau of every mayor: no conférences territoriales
    assert "8° " not in part  # never from the results


def test_validation_route_both_bureau_cases():
    from types import SimpleNamespace

    from diagnostic.document.governance import validation_route

    def route(facts):
        situation = SimpleNamespace(fact=lambda f: facts.get(f))
        return validation_route(
            SimpleNamespace(draft=SimpleNamespace(situation=situation, plan=()))
        )

    every = route({"bureau_tous_maires": True, "conference_maires": False})
    assert every[1] == "le bureau communautaire, qui réunit tous les maires"
    assert not any("conférence des maires" in step for step in every)
    apart = route({"bureau_tous_maires": False, "conference_maires": True})
    assert apart[1:3] == ["le bureau communautaire", "la conférence des maires"]
    assert route({})[-1] == "le conseil communautaire, qui l'adopte"


def test_clause_triggers_are_validated():
    text = (ROOT / "questions" / "chantiers.yaml").read_text(encoding="utf-8")
    broken = text.replace("chantiers: [mutualiser]", "chantiers: [inconnu]")
    with pytest.raises(QuestionnaireError, match="CHANTIER-011"):
        parse_chantiers(broken)
    empty = text.replace("        - items: [d2_conventions]\n", "        - {}\n")
    with pytest.raises(QuestionnaireError, match="CHANTIER-013"):
        parse_chantiers(empty)


def test_a_plan_that_institutes_the_codir_is_not_first_read_by_it():
    from types import SimpleNamespace

    from diagnostic.document.governance import first_reading

    def ctx(*action_ids):
        plan = tuple(SimpleNamespace(action_id=a) for a in action_ids)
        return SimpleNamespace(draft=SimpleNamespace(situation=None, plan=plan))

    assert first_reading(ctx("pacte_gouvernance_mandat")) == "le CoDir de territoire"
    assert first_reading(ctx("instituer_codir_territoire")) == (
        "la réunion des DGS de l'intercommunalité et des communes"
    )
