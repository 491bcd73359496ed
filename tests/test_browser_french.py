"""French in every word: the words a person sees or hears on the main pages, in Chromium.

On each page the test collects every text of the document (visible or only read by a screen
reader: the skip link, the heading anchors), every placeholder, title, alt text and ARIA label
or description, Plotly's toolbar titles, the document's title and language; it fails on a list
of English words left by Streamlit or Plotly. Every page of the menu (coordination,
consultant, administration), and the states where Streamlit writes more: a list opened and
searched for a text no option matches, a text field focused and typed in (its « Press Enter »
hint), a table hovered (its toolbar) and searched, a date field's calendar; then a workshop
opened from « Atelier »: a participant's phone (390×844) and the projection (1920×1080).
One demo server for the whole module: the `demo` and `browser` fixtures of
tests/test_browser_accessibility.py."""

from __future__ import annotations

import json
import re

from diagnostic.store import accounts
from diagnostic.store.engine import build_engine, session_scope
from tests.conftest import ROOT
from tests.live import BROWSER, DEMO_PASSWORD, drawn, settle, sign_in
from tests.test_browser_accessibility import browser, demo  # noqa: F401  (module fixtures)

pytestmark = BROWSER
ARTIFACTS = ROOT / "test-artifacts" / "francais"
ADMIN = "administration@demo.fr"  # created by the second test

# Whole words or phrases, case-sensitive (« Pan » is not « panneau »).
ENGLISH = [
    "Choose an option",
    "Choose options",
    "Select all",
    "Press Enter",
    "Press Ctrl",
    "to apply",
    "Skip to main content",
    "Link to heading",
    "Download as CSV",
    "Download data",
    "Search",
    "Fullscreen",
    "Close fullscreen",
    "Show/hide columns",
    "Download plot",
    "None",
    "NaN",
    "nan",
    "Zoom",
    "Pan",
    "Autoscale",
    "Reset axes",
    "Box Select",
    "Lasso Select",
    "Toggle",
    "No results",
    "No options",
    "Clear all",
    "Clear value",
    "Running",
    "Open",
    "Close",
    "Copy",
    "Menu",
    "Settings",
    "Rerun",
    "Loading",
    "Produced with Plotly",
    "Double-click",
    "Empty",
    "yyyy",
    # Streamlit's field hints, lists, number and date fields, editable tables, column menu.
    "Press",
    "to submit",
    "Remove",
    "Increment",
    "Decrement",
    "Choose date",
    "Selected Date",
    "options available",
    "option available",
    "Selected values",
    "Selectbox options",
    "You can only select",
    "Use arrow keys",
    "Previous month",
    "Next month",
    "day",
    "month",
    "year",
    "January",
    "February",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Add row",
    "Delete row",
    "Clear selection",
    "Sort ascending",
    "Sort descending",
    "Pin column",
    "Unpin column",
    "Hide column",
    "Autosize",
    "Type to search",
    "Close Search",
    "Next Result",
    "Previous Result",
    "No data",
    "Select...",
]
FORBIDDEN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")
NOTHING = "zqxw"  # typed in a list's search: no option matches (« No results »)

# Left by Streamlit where no option, setting nor replacement reaches them (why, each):
ALLOWED: dict[str, str] = {
    # index.html's <noscript> text: only shown without JavaScript, where nothing else works.
    "You need to enable JavaScript to run this app.": "Streamlit's index.html, sans JavaScript",
}

COLLECT = """() => {
  const out = [];
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => (n.parentElement && skip.has(n.parentElement.tagName))
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  while (walker.nextNode()) {
    const t = walker.currentNode.nodeValue.trim();
    if (t) out.push(['texte', t]);
  }
  const attrs = ['placeholder', 'title', 'alt', 'aria-label', 'aria-description',
                 'aria-roledescription', 'aria-placeholder', 'aria-valuetext', 'data-title'];
  for (const e of document.querySelectorAll('*')) {
    for (const a of attrs) {
      const v = e.getAttribute(a);
      if (v && v.trim()) out.push([a, v.trim()]);
    }
  }
  out.push(['document.title', document.title]);
  return out;
}"""


def english_in(page) -> list[str]:
    """The English words of the page, as « where: text »; the page is drawn first."""
    drawn(page)
    page.wait_for_timeout(300)
    found = []
    for where, text in page.evaluate(COLLECT):
        if text in ALLOWED:
            continue
        if FORBIDDEN.search(text):
            found.append(f"{where}: {text[:120]}")
    return sorted(set(found))


class Looker:
    """Collects the English words of each page or state looked at, and its screenshot."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.found: dict[str, list[str]] = {}
        self.titles: dict[str, str] = {}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        self.found[name] = english_in(page)
        self.titles[name] = page.title()
        lang = page.evaluate("document.documentElement.lang")
        if lang != "fr":
            self.found[name].append(f"<html lang={lang!r}>")
        shot = ARTIFACTS / f"{self.prefix}{len(self.titles):02d}.png"
        page.screenshot(path=str(shot), full_page=True)

    def typing(self, page, field, name: str) -> None:
        """A text field focused and modified: Streamlit's hint under it (« Press Enter… »)
        shows only then. The character typed is erased afterwards."""
        field.click()
        page.keyboard.type("x")
        page.wait_for_timeout(300)
        self.found[name] = english_in_now(page)
        page.screenshot(path=str(ARTIFACTS / f"{self.prefix}{name[:40]}.png"))
        page.keyboard.press("Backspace")

    def listing(self, page, widget, name: str) -> None:
        """A list opened, its search typed with a text no option matches (« No results »)."""
        widget.click()
        page.keyboard.type(NOTHING)
        page.wait_for_timeout(400)
        self.found[name] = english_in_now(page)
        page.screenshot(path=str(ARTIFACTS / f"{self.prefix}{name[:40]}.png"))
        for _ in NOTHING:
            page.keyboard.press("Backspace")
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)

    def table(self, page, name: str) -> None:
        """The first visible table hovered (its toolbar shows), then its search opened."""
        from playwright.sync_api import expect

        table = page.get_by_test_id("stDataFrame").locator("visible=true").first
        table.scroll_into_view_if_needed()
        table.hover()
        toolbar = page.get_by_test_id("stElementToolbar").locator("visible=true").first
        expect(toolbar).to_be_visible()
        self.found[f"{name}, barre d'outils"] = english_in_now(page)
        page.screenshot(path=str(ARTIFACTS / f"{self.prefix}{name[:30]}-tableau.png"))
        search = toolbar.get_by_role("button", name="Rechercher")
        if search.count():
            search.click()
            page.wait_for_timeout(400)
            self.found[f"{name}, recherche"] = english_in_now(page)
            page.screenshot(path=str(ARTIFACTS / f"{self.prefix}{name[:30]}-recherche.png"))
            page.keyboard.press("Escape")

    def check(self) -> None:
        left = {name: words for name, words in self.found.items() if words}
        out = ARTIFACTS / f"anglais{self.prefix.rstrip('-')}.json"
        out.write_text(json.dumps(left, ensure_ascii=False, indent=1))
        assert left == {}
        assert all(
            t.endswith(" – Diagnostic de gouvernance territoriale") for t in self.titles.values()
        ), self.titles


def english_in_now(page) -> list[str]:
    """`english_in` without waiting for the page to be drawn (an open list, a focused field:
    waiting could let it close)."""
    found = []
    for where, text in page.evaluate(COLLECT):
        if text not in ALLOWED and FORBIDDEN.search(text):
            found.append(f"{where}: {text[:120]}")
    return sorted(set(found))


def test_every_page_speaks_french(demo, browser):  # noqa: F811
    from playwright.sync_api import expect

    server, token, *_ = demo
    look = Looker("")

    # The respondent: introduction and every part of the questionnaire.
    resp = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    resp.goto(server.link(token))
    expect(resp.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=60000)
    look(resp, "Questionnaire, introduction")
    resp.get_by_role("button", name="Commencer le questionnaire").click()
    settle(resp)
    part = 1
    look(resp, f"Questionnaire, partie {part}")
    look.listing(resp, resp.get_by_role("combobox", name="Partie", exact=True), "Liste Partie")
    following = resp.get_by_role("button", name="Partie suivante →")
    while following.count() and following.is_enabled():
        following.click()
        settle(resp)
        part += 1
        look(resp, f"Questionnaire, partie {part}")
        free = resp.locator("textarea:visible")
        if free.count() and "Questionnaire, texte libre" not in look.found:
            look.typing(resp, free.first, "Questionnaire, texte libre")
        assert part < 20
    assert "Questionnaire, texte libre" in look.found

    # The coordination, then the consultant.
    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    coord.goto(server.url)
    expect(coord.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=60000)
    look(coord, "Connexion")
    look.typing(coord, coord.get_by_label("Adresse électronique"), "Connexion, saisie")
    coord.get_by_label("Adresse électronique").fill("coordination@demo.fr")
    coord.get_by_label("Mot de passe").fill("demo-diagnostic")
    coord.get_by_role("button", name="Se connecter").click()
    expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
    look(coord, "Mes territoires")
    nav = coord.get_by_test_id("stSidebarNavItems")
    for link in ("Campagnes", "Résultats"):
        nav.get_by_role("link", name=link, exact=True).click()
        settle(coord)
        look(coord, link)
    look.listing(coord, coord.get_by_role("combobox", name="Territoire"), "Liste Territoire")
    tabs = coord.get_by_role("tab")
    for i in range(1, tabs.count()):
        name = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        settle(coord)
        look(coord, f"Résultats, {name}")
        if name == "Items":
            look.table(coord, "Résultats, Items")
    for link in ("Réunion de consensus", "Feuille de route", "Suivi de la feuille de route"):
        nav.get_by_role("link", name=link, exact=True).click()
        settle(coord)
        look(coord, link)
    if nav.get_by_role("link", name="Atelier", exact=True).count():
        nav.get_by_role("link", name="Atelier", exact=True).click()
        settle(coord)
        look(coord, "Atelier")

    council = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    council = council.new_page()
    sign_in(council, server.url, "conseil@demo.fr")
    council.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Comparaison").click()
    settle(council)
    look(council, "Comparaison")

    look.check()
    # A distinct title per page (a tab of Résultats, a part of the questionnaire: its page's).
    titles = look.titles
    pages = {n: t for n, t in titles.items() if "," not in n}
    assert len(set(pages.values())) == len(pages), titles
    assert titles["Questionnaire, partie 2"] == (
        "Mon questionnaire – Diagnostic de gouvernance territoriale"
    )


def test_the_other_pages_and_the_workshop_speak_french(demo, browser):  # noqa: F811
    """The pages of the menu the first test does not visit, for the coordination (and the
    administration's two), with their fields typed in, lists searched and tables hovered;
    then a workshop opened from « Atelier »: a participant's phone and the projection."""
    from playwright.sync_api import expect

    server, _, url, *_ = demo
    look = Looker("b-")
    engine = build_engine(url)  # an administrator, for « Comptes » and « Journal des actions »
    with session_scope(engine) as s:
        if accounts.user_by_email(s, email=ADMIN) is None:
            accounts.create_user(
                s, email=ADMIN, name="Administration", password=DEMO_PASSWORD, is_admin=True
            )
        s.commit()
    engine.dispose()

    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1200}).new_page()
    sign_in(coord, server.url)
    nav = coord.get_by_test_id("stSidebarNavItems")
    done = {
        "Mes territoires",
        "Campagnes",
        "Résultats",
        "Réunion de consensus",
        "Feuille de route",
        "Suivi de la feuille de route",
        "Atelier",
        "Se déconnecter",
    }
    names = [n.inner_text().strip().split("\n")[-1] for n in nav.get_by_role("link").all()]
    for name in names:
        if name in done:
            continue
        nav.get_by_role("link", name=name, exact=True).click()
        drawn(coord)
        look(coord, name)
        lists = coord.locator("[data-testid=stSelectbox], [data-testid=stMultiSelect]")
        if lists.locator("visible=true").count():
            look.listing(coord, lists.locator("visible=true").first, f"{name}, liste")
        fields = coord.locator("[data-testid=stTextInput] input:visible, textarea:visible")
        if fields.count():
            look.typing(coord, fields.first, f"{name}, saisie")
        if coord.get_by_test_id("stDataFrame").locator("visible=true").count():
            look.table(coord, name)
    assert {"Fiche du territoire", "Nouveau territoire", "Repères et outils"} <= set(look.found)

    # The territory's sheet: every tab (dates, numbers, an editable table).
    nav.get_by_role("link", name="Fiche du territoire", exact=True).click()
    drawn(coord)
    tabs = coord.get_by_role("tab")
    for i in range(1, tabs.count()):
        tab = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        settle(coord)
        look(coord, f"Fiche, {tab}")
    calendar = coord.get_by_role("button", name="Choisir une date").locator("visible=true")
    tabs.nth(0).click()
    settle(coord)
    if calendar.count():
        calendar.first.click()
        coord.wait_for_timeout(400)
        look.found["Fiche, calendrier"] = english_in_now(coord)
        coord.screenshot(path=str(ARTIFACTS / "b-calendrier.png"))
        coord.keyboard.press("Escape")

    admin = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1200}).new_page()
    sign_in(admin, server.url, ADMIN)
    for name in ("Comptes", "Journal des actions"):
        admin.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()
        drawn(admin)
        look(admin, name)
        look.listing(
            admin,
            admin.locator("[data-testid=stSelectbox], [data-testid=stMultiSelect]")
            .locator("visible=true")
            .first,
            f"{name}, liste",
        )
        if admin.get_by_test_id("stDataFrame").locator("visible=true").count():
            look.table(admin, name)

    # A workshop opened by the coordination; a phone joins it; the projection.
    nav.get_by_role("link", name="Atelier", exact=True).click()
    drawn(coord)
    opened = coord.locator(".st-key-ws_code")
    if not opened.count():
        campaigns = coord.get_by_role("combobox", name="Campagnes dont l'atelier")
        campaigns.click()
        coord.get_by_role("option").first.click()
        coord.keyboard.press("Escape")
        coord.get_by_role("button", name="Ouvrir l'atelier").click()
    expect(opened).to_be_visible(timeout=20000)
    settle(coord)
    look(coord, "Atelier, console")
    code = opened.inner_text().replace(" ", "").strip()
    screen_url = coord.locator("[data-testid='stCode'] code").nth(1).inner_text().strip()

    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, device_scale_factor=2
    ).new_page()
    phone.goto(f"{server.url}/?atelier={code.lower()}")
    expect(phone.get_by_role("button", name="Rejoindre l'atelier")).to_be_visible(timeout=30000)
    look(phone, "Téléphone, accueil")
    look.typing(phone, phone.get_by_label("Pseudonyme"), "Téléphone, pseudonyme")
    look.listing(phone, phone.get_by_label("Votre territoire"), "Téléphone, liste")
    phone.get_by_label("Pseudonyme").fill("Alice")
    phone.get_by_label("Pseudonyme").press("Tab")
    phone.get_by_label("Votre fonction").click()
    phone.get_by_role("option", name="DGS", exact=True).click()
    phone.get_by_role("button", name="Rejoindre l'atelier").click()
    expect(phone.get_by_text("Bienvenue Alice")).to_be_visible(timeout=20000)
    look(phone, "Téléphone, atelier")

    screen = browser.new_context(locale="fr-FR", viewport={"width": 1920, "height": 1080})
    screen = screen.new_page()
    screen.goto(screen_url)
    expect(screen.locator(".st-key-ws_code")).to_be_visible(timeout=30000)
    look(screen, "Projection de l'atelier")

    look.check()
