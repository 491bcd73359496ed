"""AppTest of « Repères et outils » and of the references cited by the questions."""

from __future__ import annotations

import pytest

from diagnostic.settings import get_settings
from tests.conftest import ROOT
from tests.factories import make_world
from tests.pages_kit import app, engine, started, titles


@pytest.fixture
def real_questions(app_env, monkeypatch):
    monkeypatch.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
    get_settings.cache_clear()
    from diagnostic.questionnaire import registry

    registry.clear_cache()


def test_references_page_searches_without_accents(real_questions):
    at = app()
    at.switch_page("pages/reperes.py").run()
    assert titles(at) == ["Repères et outils"]
    total = at.caption[0].value
    at.text_input(key="ref_query").input("conference des maires").run()
    assert not at.exception
    assert at.caption[0].value != total
    assert any("La conférence des maires" in m.value for m in at.markdown)
    at.text_input(key="ref_query").input("introuvable-xyz").run()
    assert "Aucun repère ne correspond" in at.info[0].value


def test_questions_show_the_references_they_cite(real_questions):
    from diagnostic.questionnaire.registry import default_questionnaire

    q = default_questionnaire(ROOT / "questions")
    world = make_world(engine(), questionnaire=(q.id, q.version), n_participants=1)
    at = started(world.tokens[0])
    index = next(i for i, s in enumerate(q.sections) if any(x.references for x in s.questions))
    at.selectbox(key="section_picker").set_value(index).run()
    assert not at.exception
    assert any(e.label.startswith("Repères : ") for e in at.expander)


# --- results ----------------------------------------------------------------------------------
