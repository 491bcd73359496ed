"""Search and cross-links of « Repères et outils »."""

from __future__ import annotations

from diagnostic.roadmap.references import fold, load_library, search
from tests.conftest import ROOT

LIB = load_library(ROOT / "questions")


def test_search_ignores_case_and_accents_and_needs_every_word():
    assert fold("Conférence des MAIRES") == "conference des maires"
    found = [r.id for r in search(LIB.references, "conference maires")]
    assert "conference_maires" in found
    assert search(LIB.references, "conference maires zzzz") == []


def test_search_by_article_and_kind():
    found = [r.id for r in search(LIB.references, "L5211-11-2")]
    assert "pacte_gouvernance" in found
    figures = search(LIB.references, "", {"chiffre_cle"})
    assert figures and all(r.kind == "chiffre_cle" and r.date for r in figures)


def test_every_reference_is_reachable_and_citations_resolve():
    cited = {r for q in LIB.questionnaire.questions() for r in q.references}
    cited |= {r for a in LIB.actions for r in a.references}
    assert cited <= {r.id for r in LIB.references}
    ref = LIB.reference("pacte_gouvernance")
    assert ref is not None
    assert LIB.cited_by_questions("pacte_gouvernance") or LIB.cited_by_actions("pacte_gouvernance")
    assert LIB.reference("inconnu") is None
