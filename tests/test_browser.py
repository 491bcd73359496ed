"""The main journey in a real browser: Debian's Chromium driven by Playwright, real server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from diagnostic.store.engine import build_engine, migrate
from tests.conftest import ROOT
from tests.factories import make_world
from tests.live import BROWSER, chromium, drawn, start_server, stop

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = BROWSER


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The server's SQLite base (tests add respondents to it directly)."""
    return f"sqlite:///{tmp_path_factory.mktemp('base') / 'app.db'}"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, questions_dir_module: Path, database: str
) -> Iterator[str]:
    """`streamlit run serve.py` (app.py) on a free loopback port, with the demo loaded in a
    fresh base."""
    tmp = tmp_path_factory.mktemp("server")
    running = start_server(database, questions_dir_module, tmp / "server.log", load_demo=True)
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


PLOTLY_LOADED = (
    "performance.getEntriesByType('resource').some(e => e.name.includes('/js/PlotlyChart.'))"
)
TABLES_LOADED = (
    "performance.getEntriesByType('resource').some(e => e.name.includes('/js/DataFrame.'))"
)


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
    # the charts' and tables' code loads while the coordinator reads, before any chart or
    # table (pages/_preload.py)
    coord.wait_for_function(f"() => {PLOTLY_LOADED} && {TABLES_LOADED}", timeout=20000)
    coord.wait_for_function("() => window.diagnosticChartsLoaded === true", timeout=20000)

    coord.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Campagnes").click()
    heading = coord.get_by_role("heading", name="Campagnes de diagnostic")
    expect(heading).to_be_visible(timeout=30000)  # a long page: slow under load
    expect(coord.get_by_text("Ont envoyé")).to_be_visible(timeout=30000)
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
    expect(
        resp.get_by_role("radiogroup", name="Quelle est la taille de votre commune ?")
    ).to_be_visible()
    resp.get_by_text("Moins de 2 000 habitants").click()
    resp.wait_for_timeout(800)
    shot(resp, "05-section-1")

    # close the browser, open the same link elsewhere: everything is where it was
    resp_ctx.close()
    again = browser.new_context(locale="fr-FR", viewport={"width": 1000, "height": 900}).new_page()
    again.goto(link)
    expect(again.get_by_text("Questions obligatoires répondues")).to_be_visible(timeout=30000)
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
    ranking = again.get_by_role("combobox", name="Classez les 3 politiques publiques prioritaires.")
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
    assert not again.evaluate(f"() => {PLOTLY_LOADED} || {TABLES_LOADED}")  # never loads them

    nav = coord.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Mes territoires").click()
    expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible()
    nav.get_by_role("link", name="Campagnes").click()
    expect(sent.get_by_test_id("stMetricValue")).to_have_text(str(sent_before + 1), timeout=20000)
    shot(coord, "08-participation")


STATUS = ".as-status"  # the line under the autosaved text field (pages/_autosave.py)


def test_typed_text_survives_closing_the_tab_resumes_there_and_nothing_leaves_the_machine(
    server, browser, database
):
    """Issue 13, points 2, 3 and 10, on a phone (390×844): a free text typed without leaving the
    field is stored within about two seconds; the browser closed 2.5 s after the last key and
    the link reopened elsewhere lands on the part answered last and finds the text; every
    request of the journey goes to the app's own origin."""
    from urllib.parse import urlsplit

    from playwright.sync_api import expect

    engine = build_engine(database)
    try:
        migrate(engine)  # the server migrates at its first page; this test may come first
        world = make_world(engine, name="CC Téléphone", n_participants=1)
    finally:
        engine.dispose()
    link = f"{server}/?t={world.tokens[0]}"
    origin = urlsplit(server).netloc
    requests: list[str] = []
    phone = {"viewport": {"width": 390, "height": 844}, "locale": "fr-FR", "has_touch": True}

    ctx = browser.new_context(**phone)
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=30000)
    page.get_by_role("button", name="Commencer le questionnaire").click()
    page.get_by_text("L'intercommunalité (EPCI)").click()
    drawn(page)
    page.get_by_role("button", name="Partie suivante →").click()
    expect(page.get_by_role("heading", name="2. Instances de concertation")).to_be_visible()
    page.get_by_role("radiogroup", name="Niveau actuel").nth(1).get_by_text("3 — Formalisé").click()
    drawn(page)
    page.get_by_role("button", name="Partie suivante →").click()
    expect(page.get_by_role("heading", name="3. Acteurs et besoins")).to_be_visible()
    drawn(page)
    field = page.get_by_role("textbox", name="Quel acteur manque aujourd'hui autour de la table ?")
    expect(field).to_be_visible()
    assert "Ctrl" not in page.inner_text("body")  # no English (nor any) « press to apply » hint
    field.click()
    field.press_sequentially("La chambre d'agriculture, souvent absente", delay=30)
    expect(page.locator(STATUS)).to_have_text("Modification en cours…")
    page.wait_for_timeout(2500)  # without leaving the field
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    expect(page.locator(STATUS)).to_have_text("Enregistré")
    field.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "09-texte-enregistre-telephone.png"))
    ctx.close()

    again_ctx = browser.new_context(**phone)
    again_ctx.on("request", lambda r: requests.append(r.url))
    again = again_ctx.new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="3. Acteurs et besoins")).to_be_visible(timeout=30000)
    resumed = again.get_by_text("Reprise à la partie 3, là où vous vous étiez arrêté·e")
    expect(resumed).to_be_visible()
    expect(
        again.get_by_role("textbox", name="Quel acteur manque aujourd'hui autour de la table ?")
    ).to_have_value("La chambre d'agriculture, souvent absente")
    drawn(again)
    shot(again, "10-reprise-partie-3-telephone")
    again_ctx.close()

    assert requests
    outside = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue  # inline, fetched from nowhere
        if parts.scheme == "blob":  # blob:http://127.0.0.1:port/uuid — made by the page itself
            parts = urlsplit(parts.path)
        if parts.netloc != origin:
            outside.append(url)
    assert outside == [], outside
