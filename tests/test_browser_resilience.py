"""Real servers under trouble: kill -9 mid-survey, two app processes on one PostgreSQL base,
ten respondents at once. Debian's Chromium driven by Playwright; loopback only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import ROOT
from tests.factories import PASSWORD, make_user, make_world
from tests.live import BROWSER, chromium, running, settle, start_server, stop

pytestmark = BROWSER


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def mini_questions(tmp_path: Path) -> Path:
    folder = tmp_path / "questions"
    (folder / "questionnaires").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", folder / "questionnaires" / "mini.yaml")
    return folder


def prepared(url: str, n: int = 1, coordinator: bool = False):
    engine = build_engine(url)
    migrate(engine)
    user = make_user(engine) if coordinator else None
    world = make_world(engine, n_participants=n, coordinator=user)
    engine.dispose()
    return world


def stored(url: str, pid: int) -> dict:
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            return answer_store.answers_of(s, participant_id=pid)
    finally:
        engine.dispose()


def answer_first_two_sections(page, link: str) -> None:
    from playwright.sync_api import expect

    page.goto(link)
    expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=30000)
    page.get_by_role("button", name="Commencer le questionnaire").click()
    settle(page)
    page.get_by_text("Une commune membre").click()
    settle(page)
    page.get_by_text("Moins de 2 000 habitants").click()
    settle(page)
    page.get_by_role("button", name="Partie suivante →").click()
    settle(page)
    expect(page.get_by_role("heading", name="2. Instances de concertation")).to_be_visible()
    page.get_by_role("radiogroup", name="Niveau actuel").first.get_by_text("2", exact=True).click()
    settle(page)
    page.get_by_role("radiogroup", name="Niveau visé en fin de mandat").get_by_text("4").click()
    settle(page)
    page.get_by_text("Prioritaire").click()
    settle(page)


EXPECTED = {
    "ctx_structure": {"choice": "commune"},
    "ctx_commune_taille": {"choice": "petite"},
    "ins_codir": {"current": 2, "target": 4, "importance": 3},
}


def expect_restored(page, link: str) -> None:
    from playwright.sync_api import expect

    page.goto(link)
    expect(page.get_by_text("· 3 réponses en tout")).to_be_visible(timeout=30000)
    # the link reopens on part 2, where the last answer was given
    expect(page.get_by_text("Reprise à la partie 2")).to_be_visible()
    current = page.get_by_role("radiogroup", name="Niveau actuel").first
    expect(current.get_by_role("radio", name="2", exact=True)).to_be_checked(timeout=20000)
    target = page.get_by_role("radiogroup", name="Niveau visé en fin de mandat")
    expect(target.get_by_role("radio", name="4", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Prioritaire")).to_be_checked()
    page.get_by_role("button", name="← Partie précédente").click()
    expect(page.get_by_role("radio", name="Une commune membre")).to_be_checked(timeout=20000)
    expect(page.get_by_role("radio", name="Moins de 2 000 habitants")).to_be_checked()


def test_kill_9_mid_survey_then_restart_restores_every_answer(browser, tmp_path, mini_questions):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    world = prepared(url)
    pid, token = world.participants[0].id, world.tokens[0]
    server = start_server(url, mini_questions, tmp_path / "server.log")
    try:
        ctx = browser.new_context(locale="fr-FR")
        answer_first_two_sections(ctx.new_page(), server.link(token))
        server.proc.kill()  # SIGKILL: no shutdown handler, no checkpoint, the -wal file stays
        server.proc.wait(timeout=10)
        ctx.close()
    finally:
        stop(server)
    assert (tmp_path / "app.db-wal").exists()
    restarted = start_server(url, mini_questions, tmp_path / "server.log", port=server.port)
    try:
        ctx = browser.new_context(locale="fr-FR")
        expect_restored(ctx.new_page(), restarted.link(token))
        ctx.close()
    finally:
        stop(restarted)
    assert stored(url, pid) == EXPECTED


@pytest.mark.postgres
def test_two_app_processes_share_one_postgresql_base(browser, tmp_path, mini_questions, request):
    from playwright.sync_api import expect

    url = request.getfixturevalue("postgres_url")
    world = prepared(url, n=2, coordinator=True)
    token = world.tokens[0]
    with (
        running(url, mini_questions, tmp_path / "a.log") as a,
        running(url, mini_questions, tmp_path / "b.log") as b,
    ):
        respondent = browser.new_context(locale="fr-FR")
        answer_first_two_sections(respondent.new_page(), a.link(token))  # answers on server A
        respondent.close()
        assert stored(url, world.participants[0].id) == EXPECTED

        coord = browser.new_context(locale="fr-FR").new_page()  # the coordinator on server B
        coord.goto(b.url)
        coord.get_by_label("Adresse électronique").fill("coord@exemple.fr")
        coord.get_by_label("Mot de passe").fill(PASSWORD)
        coord.get_by_role("button", name="Se connecter").click()
        expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
        coord.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Campagnes").click()
        started = coord.get_by_test_id("stMetric").filter(has_text="Ont commencé")
        expect(started.get_by_test_id("stMetricValue")).to_have_text("1", timeout=20000)
        invited = coord.get_by_test_id("stMetric").filter(has_text="Invité·es")
        expect(invited.get_by_test_id("stMetricValue")).to_have_text("2")

        again = browser.new_context(locale="fr-FR")  # the same link on server B
        expect_restored(again.new_page(), b.link(token))
        again.close()


def test_ten_respondents_at_once_every_answer_is_stored(tmp_path):
    """The small version of bench/load_test.py (50 sessions): ten browser contexts answer the
    shipped questionnaire at the same time; afterwards every answer is in the base."""
    from bench.common import questions_folder
    from bench.load_test import run_load

    questions = questions_folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'load.db'}"
    report = run_load(url, questions, tmp_path, sessions=10, answers=3, timeout_s=300)
    log = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
    assert report.errors == [], log
    assert report.missing == []
    assert report.stored == 30
