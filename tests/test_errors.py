"""Errors are product text: an unexpected fault shows a French message with an incident
reference (the traceback goes to the server's log), and no page crashes on empty data."""

from __future__ import annotations

import logging
import re
import runpy
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

import diagnostic.coordination
from tests.conftest import ROOT
from tests.factories import PASSWORD, make_user

APP = str(ROOT / "app.py")


def engine():
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine, migrate

    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def signed_in(email: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


@pytest.fixture
def served(monkeypatch):
    """Every run goes through app.py, as on the server.

    A served app's first st.navigation turns off Streamlit's pages/ folder mode for the
    process; AppTest turns it on again at every run (app.py sits next to pages/), and then
    runs a page it switched to without the router. Here every run starts at app.py."""
    from streamlit.runtime.scriptrunner import script_runner

    monkeypatch.setattr(
        script_runner, "_mpa_v1", lambda path: runpy.run_path(path, run_name="__main__")
    )


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

    monkeypatch.setattr(diagnostic.coordination, "my_territories", broken)
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
