"""The main journey in a real browser: Debian's Chromium driven by Playwright, real server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.live import BROWSER, chromium, start_server, stop

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, questions_dir_module: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, with the demo loaded in a fresh base."""
    tmp = tmp_path_factory.mktemp("server")
    running = start_server(
        f"sqlite:///{tmp / 'app.db'}", questions_dir_module, tmp / "server.log", load_demo=True
    )
    yield running.url
    stop(running)


@pytest.fixture(scope="module")
def questions_dir_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("questions")
    (folder / "questionnaires").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", folder / "questionnaires" / "mini.yaml")
    shutil.copytree(ROOT / "questions" / "demo", folder / "demo")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def settle(page: object) -> None:
    """Wait until Streamlit has finished the rerun triggered by the last interaction."""
    page.wait_for_timeout(250)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=20000
    )


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_coordinator_invites_and_respondent_answers_resumes_submits(server, browser):
    from playwright.sync_api import expect

    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    coord.goto(server)
    expect(coord.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=30000)
    shot(coord, "01-connexion")
    coord.get_by_label("Adresse électronique").fill("coordination@demo.fr")
    coord.get_by_label("Mot de passe").fill("demo-diagnostic")
    coord.get_by_role("button", name="Se connecter").click()
    expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=20000)
    expect(coord.get_by_text("Communauté de communes du Val de Loir").first).to_be_visible()
    shot(coord, "02-mes-territoires")

    coord.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Campagnes").click()
    expect(coord.get_by_role("heading", name="Campagnes de diagnostic")).to_be_visible()
    expect(coord.get_by_text("Ont envoyé")).to_be_visible()
    sent = coord.get_by_test_id("stMetric").filter(has_text="Ont envoyé")
    sent_before = int(sent.get_by_test_id("stMetricValue").inner_text())
    coord.get_by_label("Nom (facultatif").fill("Camille Petit")
    coord.get_by_role("button", name="Ajouter et obtenir le lien").click()
    code = coord.locator("[data-testid='stCode'] code").first
    expect(code).to_contain_text("?t=", timeout=20000)
    link = code.inner_text().strip()
    shot(coord, "03-campagne-invitation")

    resp_ctx = browser.new_context(locale="fr-FR", viewport={"width": 1000, "height": 900})
    resp = resp_ctx.new_page()
    resp.goto(link)
    expect(resp.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=30000)
    shot(resp, "04-introduction")
    resp.get_by_role("button", name="Commencer le questionnaire").click()
    resp.get_by_text("Une commune membre").click()
    expect(resp.get_by_text("Quelle est la taille de votre commune ?")).to_be_visible()
    resp.get_by_text("Moins de 2 000 habitants").click()
    resp.wait_for_timeout(800)
    shot(resp, "05-section-1")

    # close the browser, open the same link elsewhere: everything is where it was
    resp_ctx.close()
    again = browser.new_context(locale="fr-FR", viewport={"width": 1000, "height": 900}).new_page()
    again.goto(link)
    expect(again.get_by_text("questions répondues sur")).to_be_visible(timeout=30000)
    expect(again.get_by_role("radio", name="Une commune membre")).to_be_checked()
    expect(again.get_by_role("radio", name="Moins de 2 000 habitants")).to_be_checked()

    again.get_by_role("button", name="Partie suivante →").click()
    expect(again.get_by_role("heading", name="2. Instances de concertation")).to_be_visible()
    group = again.get_by_role("radiogroup", name="Niveau actuel").first
    group.get_by_text("2", exact=True).click()
    again.get_by_role("radiogroup", name="Niveau visé en fin de mandat").get_by_text("4").click()
    again.get_by_text("Prioritaire").click()
    again.get_by_role("radiogroup", name="Niveau actuel").nth(1).get_by_text(
        "3 — Formalisé"
    ).click()
    again.wait_for_timeout(500)
    shot(again, "06-section-2")
    again.get_by_role("button", name="Partie suivante →").click()
    expect(again.get_by_role("heading", name="3. Acteurs et besoins")).to_be_visible()
    ranking = again.get_by_role("combobox", name="Classement (dans l'ordre de priorité)")
    for option in ("Habitat et logement", "Mobilités et transports", "Transition écologique"):
        ranking.click()
        ranking.press_sequentially(option[:8])
        again.get_by_role("option", name=option).click()
        again.keyboard.press("Escape")
        settle(again)
    for row in ("Département", "Région"):
        again.get_by_role("radiogroup", name=f"{row} — Aujourd'hui").get_by_text("1").click()
        again.get_by_role("radiogroup", name=f"{row} — Souhaitée").get_by_text("3").click()
        settle(again)
    again.get_by_role("button", name="Envoyer mes réponses").click()
    expect(again.get_by_text("Vos réponses ont été envoyées")).to_be_visible(timeout=20000)
    shot(again, "07-envoye")

    nav = coord.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Mes territoires").click()
    expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible()
    nav.get_by_role("link", name="Campagnes").click()
    expect(sent.get_by_test_id("stMetricValue")).to_have_text(str(sent_before + 1), timeout=20000)
    shot(coord, "08-participation")
