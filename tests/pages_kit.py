"""What the page tests share: the app under AppTest, the engine of the settings, sign-in."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import get_engine, session_scope
from tests.conftest import ROOT
from tests.factories import PASSWORD, store_answers

APP = str(ROOT / "app.py")


def app(token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if token:
        at.query_params["t"] = token
    return at.run()


def engine():
    from diagnostic.store.engine import migrate

    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def signed_in(email: str) -> AppTest:
    at = app()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def stored(pid: int) -> dict:
    with session_scope(engine()) as s:
        return answer_store.answers_of(s, participant_id=pid)


def started(token: str) -> AppTest:
    at = app(token)
    if at.button(key="start") is not None and any(b.key == "start" for b in at.button):
        at.button(key="start").click().run()
    return at


def submit_answers(world, levels):
    from diagnostic.questionnaire import load_questionnaire
    from diagnostic.store import campaigns
    from tests.conftest import FIXTURES

    q = load_questionnaire(FIXTURES / "mini.yaml")
    with session_scope(engine()) as s:
        for p, level in zip(world.participants, levels, strict=False):
            raw = {
                "ins_debat": {"level": level},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
            }
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)


def open_tab(at: AppTest, label: str, key: str = "res_tab") -> AppTest:
    """Open a lazy tab (`st.tabs(..., key=key, on_change="rerun")`: only the open tab's
    content is drawn) as a click on its label does, and rerun."""
    at.session_state[key] = label
    return at.run()


def each_tab(at: AppTest, key: str = "res_tab") -> Iterator[AppTest]:
    """Every lazy tab of the page opened in turn (the AppTest after each): what a reader can
    reach on a page whose tabs are drawn only when opened."""
    for label in [t.label for t in at.tabs]:
        yield open_tab(at, label, key)
