"""Typed text is never interpreted, on every page: names, titles, free texts and notes full of
Markdown, HTML and bare addresses are shown as typed, with no link, image, heading or emphasis
coming from them (see tests/markdown_check.py for the two readings of what a page sends)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import accounts, campaigns, consensus, roadmap
from diagnostic.store.engine import session_scope
from diagnostic.store.models import User
from diagnostic.territory.service import save_facts
from tests.conftest import FIXTURES, ROOT
from tests.factories import PASSWORD, make_user, make_world, store_answers
from tests.markdown_check import (
    flat,
    hostile_markup,
    markdown_sources,
    streamlit_autolinks,
    visible,
)
from tests.pages_kit import each_tab
from tests.test_errors import engine

APP = str(ROOT / "app.py")
TERRITORY = "# titre https://evil.example"
CAMPAIGN = "a@evil.fr [x](javascript:alert(1))"
PERSON = "<b>x</b> www.evil.fr"
USER = "**gras** contact@evil.fr"
ACTION = "# titre www.evil.fr/page"
ACTION_TEXT = "voir https://evil.example/page?x=1 ou a@evil.fr <img src=x onerror=alert(1)>"
OWNER = "DGS <b>x</b> a@evil.fr"
RATIONALE = "[x](javascript:alert(1)) http://evil.example :red[rouge]"
FREE_TEXT = "https://evil.example **gras** $x^2$"
FACT_SOURCE = "# délibération [x](javascript:alert(1)) www.evil.fr"
FACT_ITEM = "<i>ADS</i> a@evil.fr"
COMPETENCE = "**Voirie** https://evil.example"
LITERALS = [
    TERRITORY,
    CAMPAIGN,
    PERSON,
    USER,
    ACTION,
    ACTION_TEXT,
    OWNER,
    RATIONALE,
    FREE_TEXT,
    FACT_SOURCE,
    FACT_ITEM,
    COMPETENCE,
]


@pytest.fixture
def hostile_world(app_env, questions_dir):
    """An admin and a territory whose every typed text is hostile, with submitted answers, a
    consensus, a roadmap action, a workshop and a fiche (written by the admin)."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    admin = make_user(engine(), "admin@exemple.fr", admin=True)
    with session_scope(engine()) as s:
        s.get(User, admin.id).name = USER
    world = make_world(engine(), name=TERRITORY, n_participants=3)
    q = load_questionnaire(FIXTURES / "mini.yaml")
    with session_scope(engine()) as s:
        campaigns.get_campaign(s, campaign_id=world.campaign_id).title = CAMPAIGN
        for p, level in zip(world.participants, [1, 3, 5], strict=True):
            s.get(type(p), p.id).name = PERSON
            raw = {
                "ins_debat": {"level": level},
                "ins_codir": {"current": level, "target": 4, "importance": 3},
                "act_libre": {"text": FREE_TEXT},
            }
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)
        consensus.save_consensus(
            s,
            campaign_id=world.campaign_id,
            question_id="ins_debat",
            level=3,
            target=4,
            rationale=RATIONALE,
            user_id=admin.id,
            actor="t",
        )
        roadmap.add_item(
            s,
            campaign_id=world.campaign_id,
            fields={
                "title": ACTION,
                "description": ACTION_TEXT,
                "owner": OWNER,
                "indicator": RATIONALE,
                "dimension": "instances",
            },
            origin="manual",
            actor="t",
        )
    with session_scope(engine()) as s:
        admin_actor = accounts.actor_for(s, user_id=admin.id)
    save_facts(
        engine(),
        admin_actor,
        world.territory.id,
        questions_dir,
        values={"services_communs": [FACT_ITEM], "competences": [{"nom": COMPETENCE}]},
        sources={"services_communs": FACT_SOURCE},
    )
    return world


def signed_in(email: str = "admin@exemple.fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def inert(at: AppTest) -> str:
    """Check every piece of Markdown of the page; the text a reader sees."""
    assert not at.exception, at.exception
    sources = markdown_sources(at)
    for source in sources:
        assert not hostile_markup(source), (hostile_markup(source), source)
    return flat("\n".join(visible(s)[1] for s in sources))


PAGES_SHOWING = {
    "pages/accueil.py": [TERRITORY, CAMPAIGN],
    "pages/campagne.py": [CAMPAIGN],
    "pages/resultats.py": [],
    "pages/comparaison.py": [],
    "pages/consensus.py": [],
    "pages/feuille_de_route.py": [],
    "pages/suivi.py": [ACTION, OWNER, RATIONALE],  # the kept action, its pilot, its indicator
    "pages/atelier.py": [],
    "pages/atelier_projection.py": [],
    "pages/territoire.py": [],
    "pages/fiche.py": [],
    "pages/comptes.py": [],
    "pages/journal.py": [],
    "pages/reperes.py": [],
    "pages/confidentialite.py": [],
}


@pytest.mark.parametrize("path", list(PAGES_SHOWING))
def test_every_page_shows_typed_texts_as_typed(hostile_world, served, path):
    at = signed_in()
    at.switch_page(path).run()
    seen = inert(at)
    if path == "pages/resultats.py":  # lazy tabs: every one opened and read
        seen += "\n".join(inert(tab) for tab in each_tab(at))
    assert flat(USER) in seen  # the sidebar's « Connecté·e : … »
    shown = [literal for literal in LITERALS if flat(literal) in seen]
    print(path, shown)
    for literal in PAGES_SHOWING[path]:
        assert flat(literal) in seen, f"« {literal} » n'est pas affiché tel quel sur {path}"


def test_the_fiche_read_only_shows_typed_texts_as_typed(hostile_world, served):
    consultant = make_user(engine(), "conseil@exemple.fr")
    with session_scope(engine()) as s:
        accounts.grant(
            s,
            user_id=consultant.id,
            territory_id=hostile_world.territory.id,
            role="consultant",
            actor="t",
        )
    at = signed_in("conseil@exemple.fr")
    at.switch_page("pages/fiche.py").run()
    seen = inert(at)
    for literal in (FACT_SOURCE, FACT_ITEM, COMPETENCE, USER):
        assert flat(literal) in seen, literal


def test_the_questionnaire_shows_typed_texts_as_typed(hostile_world, served):
    with session_scope(engine()) as s:
        for p in hostile_world.participants:
            campaigns.reopen(s, participant_id=p.id, actor="t")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["t"] = hostile_world.tokens[0]
    at.run()
    seen = inert(at)
    assert flat(TERRITORY) in seen or flat(CAMPAIGN) in seen, seen
    at.button[0].click().run()  # the introduction, then the first section
    inert(at)


def test_an_error_message_shows_the_typed_name_as_typed(app_env, served):
    make_user(engine(), "admin@exemple.fr", admin=True)
    at = signed_in()
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC")
    at.text_area(key="t_communes").input("www.evil.fr\nWWW.EVIL.FR")
    at.button[0].click().run()
    seen = inert(at)
    assert "en double" in seen and "evil.fr" in seen.lower()


@pytest.mark.parametrize(
    "typed",
    ["https://evil.example", "www.evil.fr", "a@evil.fr", "x HTTP://A.FR WwW.b.fr", "mailto:a@b.fr"],
)
def test_plain_leaves_no_autolink_to_streamlit(typed):
    from pages._shell import plain

    shown = visible(plain(typed))[1]
    assert streamlit_autolinks(typed)  # Streamlit would link it as typed
    assert not streamlit_autolinks(shown)
    assert flat(shown) == typed
