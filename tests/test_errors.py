"""Errors are product text: an unexpected fault shows a French message with an incident
reference (the traceback goes to the server's log), and no page crashes on empty data."""

from __future__ import annotations

import logging
import re
import shutil
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

import diagnostic.campaigns.coordination
from diagnostic.accounts.access import actor_for_user
from diagnostic.accounts.permissions import PAGES
from diagnostic.store import accounts, privacy, territories
from diagnostic.store.engine import session_scope
from diagnostic.workshop import service
from tests.conftest import ROOT
from tests.factories import make_user, make_world
from tests.pages_kit import engine, signed_in

APP = str(ROOT / "app.py")


def shown(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.title, *at.info, *at.error, *at.warning]
    return "\n".join(str(e.value) for e in parts)


def test_streamlit_never_shows_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_an_unexpected_error_shows_a_french_message_and_logs_the_traceback(
    app_env, served, monkeypatch, caplog
):
    make_user(engine())
    at = signed_in("coord@exemple.fr")

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/chemin.py: boom")

    monkeypatch.setattr(diagnostic.campaigns.coordination, "my_territories", broken)
    with caplog.at_level(logging.ERROR):
        at.switch_page("pages/accueil.py").run()
    assert not at.exception  # nothing reaches Streamlit's own error box
    [error] = at.error
    match = re.search(r"Référence de l'incident : ([0-9A-F]{8})\.", error.value)
    assert match, error.value
    assert error.value.startswith("Une erreur inattendue est survenue")
    assert "Vos réponses déjà enregistrées sont conservées." in error.value
    text = shown(at)
    assert "boom" not in text and "/srv/secret" not in text and "Traceback" not in text
    [record] = [r for r in caplog.records if match[1] in r.getMessage()]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "boom" in str(record.exc_info[1])
    assert [e.value for e in at.title] == ["Mes territoires"]  # the menu and page are kept


def test_streamlit_control_flow_goes_through_the_guard(app_env, served):
    """st.stop, st.rerun and st.switch_page are never taken for an error."""
    make_user(engine())
    at = signed_in("coord@exemple.fr")  # home without territory: the page calls st.stop()
    assert "aucun territoire" in at.info[0].value
    at.switch_page("pages/deconnexion.py").run()  # signs out and reruns
    assert not at.exception
    assert [e.value for e in at.title] == [
        "Diagnostic de la gouvernance administrative du territoire"
    ]
    assert "Une erreur inattendue" not in shown(at)


# --- every page on an empty base ------------------------------------------------------------

BASES = ["aucun territoire", "territoire sans campagne", "campagne sans réponse"]
MENU = [
    p.path
    for p in PAGES
    if not p.link_only and p.key not in {"questionnaire", "deconnexion", "connexion"}
]


def build(base: str) -> None:
    make_user(engine(), "admin@exemple.fr", admin=True)
    if base == "territoire sans campagne":
        with session_scope(engine()) as s:
            territories.create_territory(s, name="CC Vide", kind="cc", communes=[("Alpha", None)])
    elif base == "campagne sans réponse":
        make_world(engine(), name="CC Neuve", n_participants=0)


def assert_no_error(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert "Une erreur inattendue" not in shown(at)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("path", MENU)
def test_every_page_opens_on_an_empty_base(app_env, questions_dir, served, base, path):
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    build(base)
    at = signed_in("admin@exemple.fr")
    at.switch_page(path).run()
    assert_no_error(at)
    assert at.title or at.header or at.markdown  # the page drew something


@pytest.mark.parametrize(
    "params",
    [{"t": "inconnu"}, {"atelier": "ABC123"}, {"ecran": "inconnu"}, {}],
    ids=["lien de questionnaire", "code d'atelier", "lien d'écran", "sans lien"],
)
def test_links_and_public_pages_on_an_empty_base(app_env, questions_dir, served, params):
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_no_error(at)
    for path in ("pages/connexion.py", "pages/reperes.py", "pages/confidentialite.py")[
        : 0 if params else 3
    ]:
        at.switch_page(path).run()
        assert_no_error(at)


def test_a_workshop_whose_campaigns_were_erased(app_env, questions_dir, served):
    """The screen, the console and the phones of a workshop left without any territory."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    user = make_user(engine(), "animation@exemple.fr")
    world = make_world(engine(), name="CC Alpha", n_participants=3)
    with session_scope(engine()) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="facilitator", actor="t"
        )
    actor = actor_for_user(engine(), user.id)
    made = service.create(
        engine(), actor, title="Séminaire", campaign_ids=[world.campaign_id], controlled=False
    )
    seat, token = service.join(
        engine(), made.code, nickname="Ana", territory_id=world.territory.id, role="dgs"
    )
    with session_scope(engine()) as s:
        privacy.delete_campaign(s, campaign_id=world.campaign_id, actor="t")
    assert service.find(engine(), made.code).places == ()
    # Nobody runs it any more (tests/test_workshop_store.py); its screen, its phones and the
    # facilitator's console still answer in French, without an error.
    screen = AppTest.from_file(APP, default_timeout=60)
    screen.query_params["ecran"] = made.screen_token
    screen.run()
    assert_no_error(screen)
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["atelier"] = made.code
    phone.query_params["p"] = token
    phone.run()
    assert_no_error(phone)
    assert "Atelier terminé" in shown(phone)
    console = signed_in("animation@exemple.fr")
    console.switch_page("pages/atelier.py").run()
    assert_no_error(console)
    assert "Séminaire" not in shown(console)
    assert "Lien d'écran invalide" in shown(screen)


def test_a_fragment_rerun_is_guarded_too(caplog):
    """The live workshop's fragments rerun alone, outside app.py: the same guard wraps them
    (a bug: a French message and a logged reference; the database away: its French message)."""
    from sqlalchemy.exc import OperationalError
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from pages._resilience import guarded

    def bug() -> None:
        raise ValueError("boom")

    def database_away() -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    def stop() -> None:
        raise StopException()

    with caplog.at_level(logging.WARNING):
        guarded(bug)()
        guarded(database_away)()
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert re.fullmatch(r"unexpected error, incident [0-9A-F]{8}", error.getMessage())
    assert isinstance(error.exc_info[1], ValueError)
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    with pytest.raises(StopException):  # Streamlit's control flow goes through
        guarded(stop)()
    assert guarded(bug).__qualname__ == bug.__qualname__  # the fragment keeps its identity
