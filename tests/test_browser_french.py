"""French in every word: the words a person sees or hears on the main pages, in Chromium.

On each page the test collects every text of the document (visible or only read by a screen
reader: the skip link, the heading anchors), every placeholder, title, alt text and ARIA label
or description, Plotly's toolbar titles, the document's title and language; it fails on a list
of English words left by Streamlit or Plotly. One demo server for the whole module: the
`demo` and `browser` fixtures of tests/test_browser_accessibility.py."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT
from tests.live import BROWSER, drawn, settle, sign_in
from tests.test_browser_accessibility import browser, demo  # noqa: F401  (module fixtures)

pytestmark = BROWSER
ARTIFACTS = ROOT / "test-artifacts" / "francais"

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
]
FORBIDDEN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")

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


def test_every_page_speaks_french(demo, browser):  # noqa: F811
    from playwright.sync_api import expect

    server, token, *_ = demo
    found: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def look(page, name: str) -> None:
        found[name] = english_in(page)
        titles[name] = page.title()
        lang = page.evaluate("document.documentElement.lang")
        if lang != "fr":
            found[name].append(f"<html lang={lang!r}>")
        page.screenshot(path=str(ARTIFACTS / f"{len(titles):02d}.png"), full_page=True)

    # The respondent: introduction and every part of the questionnaire.
    resp = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    resp.goto(server.link(token))
    expect(resp.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=60000)
    look(resp, "Questionnaire, introduction")
    resp.get_by_role("button", name="Commencer le questionnaire").click()
    settle(resp)
    part = 1
    look(resp, f"Questionnaire, partie {part}")
    following = resp.get_by_role("button", name="Partie suivante →")
    while following.count() and following.is_enabled():
        following.click()
        settle(resp)
        part += 1
        look(resp, f"Questionnaire, partie {part}")
        assert part < 20

    # The coordination, then the consultant.
    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    coord.goto(server.url)
    expect(coord.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=60000)
    look(coord, "Connexion")
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
    tabs = coord.get_by_role("tab")
    for i in range(1, tabs.count()):
        name = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        settle(coord)
        look(coord, f"Résultats, {name}")
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

    left = {name: words for name, words in found.items() if words}
    (ARTIFACTS / "anglais.json").write_text(json.dumps(left, ensure_ascii=False, indent=1))
    assert left == {}
    # A distinct title per page (a tab of Résultats, a part of the questionnaire: its page's).
    pages = {n: t for n, t in titles.items() if "," not in n}
    assert len(set(pages.values())) == len(pages), titles
    assert titles["Questionnaire, partie 2"] == (
        "Mon questionnaire – Diagnostic de gouvernance territoriale"
    )
    assert all(t.endswith(" – Diagnostic de gouvernance territoriale") for t in titles.values())
