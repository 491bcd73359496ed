"""A whole live workshop in real browsers: a facilitator, a projector and four phones (two per
territory, the fourth a late joiner), through every step including points and the grid.

Debian's Chromium driven by Playwright against `streamlit run serve.py` (app.py); each person
has their own browser context (own cookies, own Streamlit session). Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT
from tests.live import BROWSER, chromium, start_server, stop

ARTIFACTS = ROOT / "test-artifacts" / "atelier"
FACILITATOR = ("animation@demo.fr", "animation-atelier")
VAL = "Communauté de communes du Val de Loir"
TROIS = "Communauté de communes des Trois Rivières"
pytestmark = BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port: demo territories, a facilitator account, fast refresh."""
    tmp = tmp_path_factory.mktemp("atelier")
    questions = tmp / "questions"  # the small test questionnaire: a quick demo to load
    (questions / "questionnaires").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", questions / "questionnaires")
    shutil.copytree(ROOT / "questions" / "demo", questions / "demo")
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions / "atelier.yaml")
    url = f"sqlite:///{tmp / 'app.db'}"
    settings = {
        "MIN_GROUP_SIZE": "2",  # two phones per territory are enough to show a re-vote
        "WORKSHOP_REFRESH_SECONDS": "2",  # phones every 2 s, screen and console every 1 s
    }
    env = {**os.environ, "DATABASE_URL": url, "QUESTIONS_DIR": str(questions), "LOAD_DEMO": "true"}
    prepare = (
        "from diagnostic.bootstrap import prepare_database;"
        "from diagnostic.settings import get_settings;"
        "from diagnostic.store import accounts, territories;"
        "from diagnostic.store.engine import session_scope;"
        "eng = prepare_database(get_settings());"
        "s = session_scope(eng).__enter__();"
        f"u = accounts.create_user(s, email='{FACILITATOR[0]}', name='Animation',"
        f" password='{FACILITATOR[1]}');"
        "ids = [t.id for t in territories.root_territories(s)"
        f" if t.name in ({VAL!r}, {TROIS!r})];"
        "[accounts.grant(s, user_id=u.id, territory_id=i, role='facilitator', actor='test')"
        " for i in ids];"
        "s.commit()"
    )
    subprocess.run([sys.executable, "-c", prepare], cwd=ROOT, env=env, check=True)
    running = start_server(url, questions, tmp / "server.log", load_demo=True, settings=settings)
    yield running.url
    stop(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def shot(page: object, name: str, *, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)  # type: ignore[attr-defined]


def settle(page: object) -> None:
    page.wait_for_timeout(200)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=20000
    )


def phone(browser: object, url: str) -> object:
    ctx = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    page = ctx.new_page()
    page.goto(url, wait_until="commit")  # the four phones load side by side
    return page


def join(page: object, nickname: str, territory: str, role: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Rejoindre l'atelier")).to_be_visible(timeout=30000)
    page.get_by_label("Pseudonyme").fill(nickname)
    page.get_by_label("Pseudonyme").press("Tab")
    page.get_by_label("Votre territoire").click()
    page.get_by_role("option", name=territory).click()
    page.get_by_label("Votre fonction").click()
    page.get_by_role("option", name=role, exact=True).click()
    page.get_by_role("button", name="Rejoindre l'atelier").click()
    expect(page.get_by_text(f"Bienvenue {nickname}")).to_be_visible(timeout=20000)


def write(page: object, text: str, *, share: bool = False, axis: str | None = None) -> None:
    from playwright.sync_api import expect

    box = page.get_by_role("textbox").last
    box.fill(text)
    if share:
        page.get_by_text("Partager avec la salle (").click()
    if axis:  # a commitment: its roadmap axis, chosen among all of them (none by default)
        axes = page.get_by_role("radiogroup", name="Axe de la feuille de route")
        expect(axes.get_by_role("radio")).to_have_count(2)  # the test questionnaire has two
        axes.get_by_text(axis, exact=True).click()
    page.get_by_role("button", name="Envoyer").click()
    mine = page.locator("[class*='st-key-mine_']")  # « Ce que vous avez écrit »
    expect(mine.get_by_text(text)).to_be_visible(timeout=20000)


def give_dots(screen: object, fac: object, alice: object, bruno: object, driss: object) -> None:
    """Dot voting: Alice gives two points to Bruno's post and one to her own; Bruno one to
    Alice's; Driss, on the other territory, one to Chloé's (his territory's only post); the
    phones confirm each, the projection sorts each territory's tally, the console counts."""
    from playwright.sync_api import expect

    def tap(page: object, text: str, points: int = 1) -> None:
        card = page.locator("[class*='st-key-ws_dot_']").filter(has_text=text).first
        choice = card.get_by_role("radiogroup", name="Vos points sur cette contribution")
        choice.get_by_text(str(points), exact=True).click()
        settle(page)
        said = f"{points} point{'s' if points > 1 else ''} sur cette contribution."
        expect(card.get_by_text(said)).to_be_visible(timeout=20000)

    left = alice.locator(".st-key-ws_dots_left")
    expect(left).to_have_text("Il vous reste 3 points sur 3", timeout=20000)
    tap(alice, "Un tableau de bord partagé", 2)
    tap(alice, "Installer une conférence des DGS")
    expect(left).to_contain_text("Vous avez donné vos 3 points.")
    tap(bruno, "Installer une conférence des DGS")
    expect(bruno.locator(".st-key-ws_dots_left")).to_have_text("Il vous reste 2 points sur 3")
    tap(driss, "Un séminaire annuel des cadres")
    shot(alice, "08a-telephone-points")
    # the page writes what it drew in its address, and the browser keeps it (lagging)
    assert re.search(r"[?&]etat=\d+\.\d+", alice.url), alice.url
    expect(screen.get_by_text("4 points donnés").first).to_be_visible(timeout=20000)
    expect(screen.get_by_text("1 point donné").first).to_be_visible(timeout=20000)
    expect(fac.get_by_text("3 participant·es ont voté sur 4")).to_be_visible(timeout=20000)
    shot(screen, "08b-ecran-points")


def place_on_grid(screen: object, fac: object) -> None:
    """The facilitator moves Chloé's post (Driss's one vote: 2, 2) on the grid: it appears on
    the screen, marked as placed by the facilitator."""
    from playwright.sync_api import expect

    fac.get_by_text("Placer les chantiers sur la grille").click()
    item = fac.locator("[class*='st-key-ws_place_']").filter(has_text="Un séminaire annuel").first
    slider = item.get_by_role("slider").first  # impact
    slider.focus()
    slider.press("ArrowRight")  # from Driss's vote: impact 2,1
    settle(fac)
    expect(item.get_by_text("placé par l'animation")).to_be_visible(timeout=20000)
    expect(screen.get_by_text("placé par l'animation").first).to_be_visible(timeout=20000)


def pause_and_one_more_minute(fac: object, screen: object, phone: object) -> None:
    """The facilitator pauses: « En pause » on the screen and the phone; + 1 minute; resume."""
    from playwright.sync_api import expect

    fac.get_by_role("button", name="Pause").click()
    settle(fac)
    expect(screen.locator(".st-key-ws_paused")).to_have_text("En pause", timeout=20000)
    expect(phone.locator(".st-key-ws_paused")).to_have_text("En pause", timeout=20000)
    fac.get_by_role("button", name="+ 1 minute").click()
    settle(fac)
    fac.get_by_role("button", name="Reprendre").click()
    settle(fac)
    expect(screen.locator(".st-key-ws_paused")).to_have_count(0, timeout=20000)


def reveal(fac: object, screen: object, count: str) -> None:
    """A vote step: the screen shows how many voted, the results once the facilitator
    reveals them."""
    from playwright.sync_api import expect

    expect(screen.locator(".st-key-ws_votes_count")).to_have_text(count, timeout=20000)
    expect(screen.get_by_text("s'afficheront quand l'animation les révélera")).to_be_visible()
    fac.get_by_role("button", name="Révéler les résultats").click()
    settle(fac)
    expect(fac.get_by_role("button", name="Masquer les résultats")).to_be_visible(timeout=20000)


def test_a_whole_workshop_from_join_to_roadmap(server, browser):
    from playwright.sync_api import expect

    # --- the facilitator opens a workshop on two territories -------------------------------
    fac = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    fac.goto(server)
    fac.get_by_label("Adresse électronique").fill(FACILITATOR[0])
    fac.get_by_label("Mot de passe").fill(FACILITATOR[1])
    fac.get_by_role("button", name="Se connecter").click()
    nav = fac.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Atelier").click()
    expect(fac.get_by_role("heading", name="Atelier « Et demain")).to_be_visible(timeout=20000)
    campaigns = fac.get_by_role("combobox", name="Campagnes dont l'atelier")
    for territory in (VAL, TROIS):
        campaigns.click()
        fac.get_by_role("option", name=territory).click()
    fac.keyboard.press("Escape")
    fac.get_by_role("button", name="Ouvrir l'atelier").click()
    code_box = fac.locator(".st-key-ws_code")
    expect(code_box).to_be_visible(timeout=20000)
    code = code_box.inner_text().replace(" ", "").strip()
    assert len(code) == 6 and not set(code) & set("01OIL")
    screen_url = fac.locator("[data-testid='stCode'] code").nth(1).inner_text().strip()
    assert "?ecran=" in screen_url
    shot(fac, "01-console")

    # --- the projector follows through the read-only screen link ----------------------------
    screen = browser.new_context(
        locale="fr-FR", viewport={"width": 1920, "height": 1080}
    ).new_page()
    screen.goto(screen_url)
    expect(screen.locator(".st-key-ws_code")).to_have_text(code[:3] + " " + code[3:], timeout=30000)
    expect(
        screen.get_by_role("img", name="Scannez pour rejoindre")
        .or_(screen.get_by_text("Scannez pour rejoindre"))
        .first
    ).to_be_visible()

    # --- three phones join with the code, no account; a fourth comes in late -----------------
    join_url = f"{server}/?atelier={code.lower()}"
    alice, bruno, chloe, driss = (phone(browser, join_url) for _ in range(4))
    join(alice, "Alice", VAL, "DGS")
    join(bruno, "Bruno", VAL, "DST")
    join(chloe, "Chloé", TROIS, "DGA")
    shot(alice, "02-telephone-accueil", full=True)
    expect(screen.get_by_text("3 personnes ont rejoint")).to_be_visible(timeout=20000)
    shot(screen, "03-ecran-accueil")

    def go_to(title: str) -> None:
        """Move the room to a step with its pill; the console then shows « Étape n sur … »."""
        number = title.split(".", 1)[0]
        heading = fac.get_by_role("heading", name=f"Étape {number} sur")
        for _ in range(3):  # a click that lands during a live refresh may be dropped: again
            fac.get_by_role("radio", name=title, exact=True).click()
            settle(fac)
            try:
                expect(heading).to_be_visible(timeout=5000)
                return
            except AssertionError:
                continue
        expect(heading).to_be_visible()

    # --- results, then personal time: a shared note and a private one ------------------------
    go_to("2. Ce que disent nos diagnostics")
    expect(screen.get_by_text("niveau moyen").first).to_be_visible(timeout=20000)
    shot(screen, "04-ecran-resultats")
    go_to("3. Ce que je retiens")
    join(driss, "Driss", TROIS, "Élu·e")  # a late joiner lands on the step under way
    for p in (alice, bruno, chloe, driss):
        expect(p.get_by_role("heading", name="3. Ce que je retiens")).to_be_visible(timeout=20000)
    write(alice, "Nos écarts sur les instances sont plus grands que je ne pensais", share=True)
    write(bruno, "Note privée : relire le pacte de gouvernance")
    expect(screen.get_by_text("Nos écarts sur les instances")).to_be_visible(timeout=20000)
    expect(screen.get_by_text("relire le pacte")).to_have_count(0)
    shot(screen, "05-ecran-temps-personnel")
    pause_and_one_more_minute(fac, screen, bruno)

    # a dropped connection / reload: the seat and the posts are still there
    chloe.reload()
    expect(chloe.get_by_text("Chloé · DGA")).to_be_visible(timeout=30000)
    write(chloe, "Associer les secrétaires de mairie dès janvier", share=True)
    chloe.reload()
    mine = chloe.locator("[class*='st-key-mine_']")
    expect(mine.get_by_text("Associer les secrétaires de mairie dès janvier")).to_be_visible(
        timeout=30000
    )

    # --- quick re-vote on the most divergent items --------------------------------------------
    go_to("6. Et maintenant, où en sommes-nous ?")
    for p, level in ((alice, "4"), (bruno, "3")):
        groups = p.get_by_role("radiogroup", name="Niveau aujourd'hui, selon vous")
        expect(groups.first).to_be_visible(timeout=20000)
        for group in groups.all():
            group.get_by_text(level, exact=False).first.click()
            settle(p)
    reveal(fac, screen, "2 votes sur 4")
    now = screen.get_by_test_id("stMetric").filter(has_text="Maintenant")  # the largest figures
    expect(now.filter(has_text=re.compile(r"\d,\d")).first).to_be_visible(timeout=20000)
    shot(screen, "06-ecran-nouveau-vote")

    # --- collective time per territory, then the impact x effort grid --------------------------
    go_to("7. Nos chantiers prioritaires")
    expect(alice.get_by_role("heading", name="7. Nos chantiers")).to_be_visible(timeout=20000)
    write(alice, "Installer une conférence des DGS trimestrielle")
    write(bruno, "Un tableau de bord partagé des services communs")
    expect(chloe.get_by_role("heading", name="7. Nos chantiers")).to_be_visible(timeout=20000)
    write(chloe, "Un séminaire annuel des cadres du territoire")
    expect(screen.get_by_text("Un séminaire annuel des cadres")).to_be_visible(timeout=20000)
    shot(screen, "07-ecran-chantiers")
    go_to("9. Nos priorités")
    give_dots(screen, fac, alice, bruno, driss)
    go_to("10. Impact et effort")
    votes = ((alice, "Fort", "Faible"), (bruno, "Fort", "Moyen"), (driss, "Moyen", "Moyen"))
    for p, impact, effort in votes:
        expect(p.get_by_role("radiogroup", name="Effort").first).to_be_visible(timeout=20000)
        for title, value in (("Impact", impact), ("Effort", effort)):
            for group in p.get_by_role("radiogroup", name=title).all():
                group.get_by_text(value, exact=True).click()
                settle(p)
    shot(alice, "08-telephone-grille", full=True)
    reveal(fac, screen, "3 votes sur 4")
    expect(screen.locator(".js-plotly-plot").first).to_be_visible(timeout=20000)
    expect(screen.get_by_text("Gain rapide").first).to_be_visible(timeout=20000)
    place_on_grid(screen, fac)
    shot(screen, "09-ecran-grille")

    # --- commitments: the facilitator retains them ----------------------------------------------
    go_to("11. Nos premiers pas ensemble")
    expect(alice.get_by_role("heading", name="11. Nos premiers pas")).to_be_visible(timeout=20000)
    commitment = "Réunir la conférence des DGS avant le 31 mars, portée par le DGS de la CC"
    write(alice, commitment, axis="Acteurs et besoins")
    sent = alice.get_by_text("Axe de la feuille de route : « Acteurs et besoins »")
    expect(sent).to_be_visible(timeout=20000)
    fac.get_by_text("Réunir la conférence des DGS avant le 31 mars").first.wait_for(timeout=20000)
    fac.get_by_text("Retenir comme engagement").first.click()
    settle(fac)
    expect(fac.get_by_text("★ engagement retenu").first).to_be_visible(timeout=20000)
    expect(screen.get_by_text("★ " + commitment)).to_be_visible(timeout=20000)
    shot(screen, "10-ecran-engagements")
    shot(fac, "11-console-engagements", full=True)

    # --- the end: commitments into the roadmap, exports ----------------------------------------
    fac.get_by_text("Je clos l'atelier").click()
    fac.get_by_role("button", name="Clore l'atelier").click()
    done = fac.get_by_text("Engagements inscrits aux projets de feuille de route : 1 pour")
    expect(done).to_be_visible(timeout=20000)
    for p in (alice, driss):
        expect(p.get_by_role("heading", name="Atelier terminé")).to_be_visible(timeout=20000)
    fac.get_by_role("button", name="Préparer les fichiers du compte rendu").click()
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Word").click()
    assert download.value.suggested_filename.endswith(".docx")
    with fac.expect_download() as download:
        fac.get_by_role("button", name="Image du tableau (PNG)").click()
    assert download.value.suggested_filename.endswith(".png")

    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    coord.goto(server)
    coord.get_by_label("Adresse électronique").fill("coordination@demo.fr")
    coord.get_by_label("Mot de passe").fill("demo-diagnostic")
    coord.get_by_role("button", name="Se connecter").click()
    coord.get_by_test_id("stSidebarNavItems").get_by_role(
        "link", name="Feuille de route", exact=True
    ).click()
    territory = coord.get_by_role("combobox", name="Territoire")
    territory.click()
    coord.get_by_role("option", name=VAL).click()
    item = coord.get_by_text("Réunir la conférence des DGS avant le 31 mars").first
    expect(item).to_be_visible(timeout=20000)
    item.click()
    expect(coord.get_by_text("Issue de l'atelier").first).to_be_visible()
    expect(coord.get_by_text("Acteurs et besoins").first).to_be_visible()
    shot(coord, "12-feuille-de-route", full=True)
