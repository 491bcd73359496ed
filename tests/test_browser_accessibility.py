"""Accessibility in the browser: axe-core on the main pages and on every page of the respondent
(desktop and phone, with 24 px touch targets), the questionnaire answered by keyboard only.

axe-core 4.14.1 (Deque Systems, MPL-2.0) is vendored unmodified in tests/vendor/axe-core/ with
its licence; its SHA-256 is checked so that the file in use is the one stated."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator

import pytest

from diagnostic.demo import load_demo
from diagnostic.questionnaire import QuestionType, load_questionnaire
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import ROOT
from tests.live import BROWSER, Server, chromium, drawn, settle, start_server, stop

pytestmark = BROWSER
DK_LABEL = "Je ne sais pas / sans objet"  # pages/_question_widgets.DK_LABEL
ARTIFACTS = ROOT / "test-artifacts" / "accessibilite"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}) ${v.help} : ` +
         v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.failureSummary).join(' | '));
}"""


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, str, str, str, str]]:
    """The server on the demo territories; yields it, a respondent's token, the base URL,
    another respondent's token and a third one (starting the questionnaire stores the answers
    the invitation gives, so each test that starts it has its own respondent)."""
    tmp = tmp_path_factory.mktemp("a11y")
    questions = tmp / "questions"
    shutil.copytree(ROOT / "questions", questions)
    url = f"sqlite:///{tmp / 'app.db'}"
    engine = build_engine(url)
    migrate(engine)
    report = load_demo(engine, questions)
    engine.dispose()
    server = start_server(url, questions, tmp / "server.log")
    try:
        yield server, report.links[0][1], url, report.links[1][1], report.links[2][1]
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def violations(page) -> list[str]:
    settle(page)
    page.wait_for_timeout(500)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG)


def heading_on_top(page, name: str) -> None:
    """After a move to another part, its heading is at the top of the viewport (below
    Streamlit's top bar) and has the keyboard focus, and the part picker names it."""
    from playwright.sync_api import expect

    heading = page.get_by_role("heading", name=name, exact=True)
    expect(heading).to_be_focused(timeout=10000)
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] <= 150, box
    assert page.evaluate("() => document.activeElement.tagName") == "H2"
    expect(page.get_by_role("combobox", name="Partie", exact=True)).to_have_value(name)


def test_vendored_axe_is_the_stated_version():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text(encoding="utf-8").startswith("/*! axe v4.14.1")
    assert (AXE.parent / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License")


def test_main_pages_have_no_serious_accessibility_violation(demo, browser):
    """The coordination's pages (the respondent's: the next test)."""
    from playwright.sync_api import expect

    server = demo[0]
    found: dict[str, list[str]] = {}
    coord = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    coord.goto(server.url)
    expect(coord.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=60000)
    found["Connexion"] = violations(coord)
    coord.get_by_label("Adresse électronique").fill("coordination@demo.fr")
    coord.get_by_label("Mot de passe").fill("demo-diagnostic")
    coord.get_by_role("button", name="Se connecter").click()
    expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
    found["Mes territoires"] = violations(coord)
    nav = coord.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Campagnes").click()
    expect(coord.get_by_role("heading", name="Campagnes de diagnostic")).to_be_visible()
    found["Campagnes"] = violations(coord)
    nav.get_by_role("link", name="Résultats").click()
    settle(coord)
    found["Résultats"] = violations(coord)
    assert {page: v for page, v in found.items() if v} == {}


SIZES = {
    "bureau": {"viewport": {"width": 1280, "height": 900}},
    "telephone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
# WCAG 2.5.8 (target size, minimum): every option of a choice, button, combobox, checkbox and
# expander header of the main area is at least 24 × 24 CSS px (hidden ones are left out).
SMALL_TARGETS = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const targets = '[data-testid="stRadioOption"], button, [role="combobox"], summary, '
    + '[data-testid="stCheckbox"] label';
  const small = [];
  for (const e of main.querySelectorAll(targets)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (getComputedStyle(e).visibility === 'hidden') continue;
    if (r.width < 24 || r.height < 24) {
      const name = (e.getAttribute('aria-label') || e.innerText || '').trim().split('\\n')[0];
      const group = e.closest('[role="radiogroup"]');
      const where = group ? ` (${group.getAttribute('aria-label') || ''})` : '';
      small.push(`${e.tagName.toLowerCase()} « ${name.slice(0, 50)} »${where.slice(0, 60)} : `
        + `${Math.round(r.width)} × ${Math.round(r.height)} px`);
    }
  }
  return small;
}"""
WHOLE_PAGE = """() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  return Math.ceil(block ? block.scrollHeight : document.body.scrollHeight) + 160;
}"""


QUESTIONNAIRE = ROOT / "questions" / "questionnaires" / "gouvernance.yaml"
PRIVACY = "Données personnelles : ce qui est conservé, qui le voit, vos droits"
GRID_CLICKS = [
    ("Ressources humaines (paie, carrières, recrutement)", "Aujourd'hui", "2"),
    ("Ressources humaines (paie, carrières, recrutement)", "Souhaitée", "3"),
    ("Commande publique", "Aujourd'hui", "1"),
]


def look(page, size: str, name: str, found: dict[str, list[str]], shot: str = "") -> None:
    """axe-core on the page (and, on the phone, the size of every target): what is wrong
    goes to `found`; `shot`, a picture of the whole page on the phone in test-artifacts."""
    found[f"{name} ({size})"] = violations(page)
    if size != "telephone":
        return
    found[f"{name} ({size}) : cibles de moins de 24 px"] = page.evaluate(SMALL_TARGETS)
    if shot:
        page.set_viewport_size({"width": 390, "height": page.evaluate(WHOLE_PAGE)})
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"telephone-{shot}.png"), scale="css")
        page.set_viewport_size(SIZES["telephone"]["viewport"])
        page.wait_for_timeout(200)


def answer_the_rest(url: str, token: str) -> None:
    """Store « Je ne sais pas » (or the first option where it is not offered) for every
    question shown still without a complete answer, as the respondent would one by one."""
    from diagnostic.answering.respondent import open_invitation, record_answer
    from diagnostic.answering.responses import visible_questions
    from diagnostic.questionnaire.codecs import is_answered as answered

    engine = build_engine(url)
    try:
        inv = open_invitation(engine, ROOT / "questions", token)
        assert inv is not None
        q, pid, answers = inv.questionnaire, inv.participant.id, dict(inv.answers)
        assert pid is not None
        while todo := [
            x for x in visible_questions(q, answers) if not answered(x, answers.get(x.id))
        ]:
            x = todo[0]
            raw = {"dont_know": True} if x.allow_dont_know else {"choice": x.options[0].id}
            record_answer(engine, inv.actor(), q, pid, x.id, raw)
            answers[x.id] = raw
    finally:
        engine.dispose()


def test_every_respondent_page_has_no_serious_accessibility_violation(demo, browser):
    """The respondent's introduction, every part of the questionnaire (with the grid's
    shortcuts shown), « Mes données » opened and the confirmation once sent: at a desktop's
    size and a phone's, no serious or critical axe-core violation, and on the phone every
    target at least 24 × 24 px. A picture of each part on the phone in test-artifacts."""
    from playwright.sync_api import expect

    server, _, url, token, _ = demo
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    pages = {}
    for size, options in SIZES.items():
        page = browser.new_context(locale="fr-FR", **options).new_page()
        page.goto(server.link(token))
        expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=60000)
        look(page, size, "Introduction", found, "introduction")
        pages[size] = page
    titles = [s.title for s in load_questionnaire(QUESTIONNAIRE).sections]
    parts = 0
    for size, page in pages.items():
        page.get_by_role("button", name="Commencer le questionnaire").click()
        expect(page.get_by_text("Questions obligatoires répondues")).to_be_visible(timeout=30000)
        drawn(page)
        back = page.get_by_role("button", name="← Partie précédente")
        while back.count():  # the phone comes back where the desktop answered last
            back.click()
            drawn(page)
        part = 1
        while True:
            drawn(page)
            if size == "bureau" and part == 3:
                # A row answered (the next one offers « même réponse »), and a row answered
                # today only (the grid offers to copy today's level into « souhaitée »).
                for row, column, value in GRID_CLICKS:
                    group = page.get_by_role("radiogroup", name=f"{row} — {column}", exact=True)
                    group.get_by_text(value, exact=True).click()
                    drawn(page)
            if part == 3:
                for shortcut in ("↳ Même réponse que la ligne précédente", "Reporter le niveau"):
                    expect(page.get_by_role("button", name=shortcut)).to_have_count(1)
            look(page, size, f"Partie {part}", found, f"partie-{part:02d}")
            following = page.get_by_role("button", name="Partie suivante →")
            if not following.count():
                break
            following.click()
            settle(page)
            part += 1
            if size == "bureau":
                heading_on_top(page, f"{part}. {titles[part - 1]}")
        parts = max(parts, part)
        # « Mes données », opened.
        page.get_by_text(PRIVACY, exact=True).click()
        page.get_by_text("Effacer mes réponses", exact=True).click()
        look(page, size, "Mes données", found, "mes-donnees")
    assert parts == len(titles) == 11

    answer_the_rest(url, token)
    for size, page in pages.items():
        page.reload()
        expect(page.get_by_text("Questions obligatoires répondues")).to_be_visible(timeout=60000)
        drawn(page)
        if size == "bureau":
            page.get_by_role("button", name="Envoyer mes réponses").click()
        expect(page.get_by_text("Vos réponses ont été envoyées. Merci !")).to_be_visible(
            timeout=30000
        )
        look(page, size, "Réponses envoyées", found, "envoyees")
    assert {page: v for page, v in found.items() if v} == {}


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e) return {tag: '', type: '', name: '', group: '', checked: false};
  const label = e.closest('label');
  const group = e.closest('[role="radiogroup"]');
  return {
    tag: e.tagName,
    type: e.getAttribute('type') || '',
    name: (e.getAttribute('aria-label') || (label ? label.innerText : e.innerText) || '')
      .trim().split('\\n')[0],
    group: group ? group.getAttribute('aria-label') || '' : '',
    checked: !!e.checked,
  };
}"""
ACTIVE_OPTION = """() => {
  const id = document.activeElement && document.activeElement.getAttribute('aria-activedescendant');
  const option = id && document.getElementById(id);
  return option ? option.innerText.trim() : '';
}"""


FOCUSED_NAME = """(name) => {
  const e = document.activeElement;
  return !!e && e.innerText.trim() === name;
}"""
FOCUSED_GROUP = """(name) => {
  const g = document.activeElement && document.activeElement.closest('[role="radiogroup"]');
  return !!g && g.getAttribute('aria-label') === name;
}"""


def focused(page) -> dict:
    """Tag, type, accessible name (first line), radio group and state of the focused element."""
    return page.evaluate(FOCUSED)


def tab_until(page, predicate, limit: int = 80) -> dict:
    """Press Tab (and nothing else) until the focused element satisfies predicate(focused)."""
    trail = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if predicate(current):
            return current
        trail.append(f"{current['tag']}:{current['name'][:40]}")
    raise AssertionError(f"élément jamais atteint au clavier ({limit} tabulations) : {trail}")


def key(page, name: str) -> dict:
    """Press one key, wait until the rerun it caused is drawn; the element then focused."""
    page.keyboard.press(name)
    drawn(page)
    return focused(page)


def is_radio(group: str, name: str = ""):
    """The focused element is an option starting with `name` of a radio group whose accessible
    name starts with `group` (« Niveau actuel — <the question> »)."""
    return lambda f: (
        f["type"] == "radio" and f["group"].startswith(group) and f["name"].startswith(name)
    )


def is_button(name: str):
    return lambda f: f["tag"] == "BUTTON" and f["name"] == name


def is_combobox(name: str):
    return lambda f: f["tag"] == "INPUT" and f["name"].startswith(name)


def reach(page, option: str) -> bool:
    """Down the open list with the arrows until `option` is the highlighted one."""
    for _ in range(10):  # the filtered list may already highlight it: no arrow then
        if page.evaluate(ACTIVE_OPTION) == option:
            return True
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(30)
    return page.evaluate(ACTIVE_OPTION) == option


def choose(page, option: str) -> None:
    """In the focused multiselect: type the start of an option, go down to it with the arrows,
    Enter to add it, Escape to close the list."""
    for attempt in range(3):
        # Under load a rerun drawn while typing can eat letters or the open list: then, as a
        # person would, clear the field and type again.
        if attempt:
            page.keyboard.press("Control+A")
            page.keyboard.press("Backspace")
            settle(page)
        page.keyboard.type(option[:6])
        page.wait_for_timeout(100)
        if reach(page, option):
            break
    else:
        raise AssertionError(f"option jamais atteinte avec les flèches : {option}")
    page.keyboard.press("Enter")
    # Under load the rerun that stores the choice can draw the list open again after Escape;
    # a Tab on an open list would then add its highlighted option. Close it once the page has
    # settled, as a person would before moving on.
    settle(page)
    page.keyboard.press("Escape")
    drawn(page)
    if page.locator("[role=listbox]").count():
        page.keyboard.press("Escape")
    from playwright.sync_api import expect

    expect(page.locator("[role=listbox]")).to_have_count(0)


def test_questionnaire_by_keyboard_only(demo, browser):
    """Start, answer every kind of widget of parts 1 and 2 (vertical and horizontal radios, a
    conditional question, a multiple choice, a ranking, a free text), change part: with Tab,
    Space, arrows, Enter, Escape and typing only; then every answer is in the base.

    The page is waited for (`drawn`) after each key that changes an answer, as a person sees
    the page before pressing the next key: Streamlit draws a grey placeholder until a widget's
    code is loaded, and a placeholder cannot take the focus."""
    from playwright.sync_api import expect

    server, token, url, *_ = demo
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(server.link(token))
    expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=60000)
    drawn(page)
    tab_until(page, is_button("Commencer le questionnaire"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Questions obligatoires répondues")).to_be_visible(timeout=30000)
    drawn(page)

    # Part 1. A vertical radio group: Space chooses the focused option, an arrow the next one.
    dgs = "Directeur·rice général·e des services (DGS)"
    tab_until(page, is_radio("Quelle fonction exercez-vous ?", dgs))
    assert key(page, "Space")["checked"]
    assert key(page, "ArrowDown")["name"] == "Directeur·rice général·e adjoint·e (DGA)"
    expect(
        page.get_by_role("radio", name="Directeur·rice général·e adjoint·e (DGA)")
    ).to_be_checked()
    expect(page.get_by_text("2 réponses en tout")).to_be_visible()
    # The next question, prefilled from the invitation (a commune): Tab reaches its choice;
    # corrected and back, the conditional question just after it goes and comes again.
    assert key(page, "Tab")["name"] == "Une commune membre"
    expect(page.get_by_text("Réponse préremplie d'après votre invitation")).to_be_visible()
    assert key(page, "ArrowUp")["name"] == "L'intercommunalité (communauté ou métropole)"
    expect(
        page.get_by_role("radiogroup", name="Quelle est la population de votre commune ?")
    ).to_have_count(0)
    assert key(page, "ArrowDown")["name"] == "Une commune membre"
    expect(
        page.get_by_role("radiogroup", name="Quelle est la population de votre commune ?")
    ).to_be_visible()
    assert key(page, "Tab")["name"] == "Moins de 500 habitants"
    assert key(page, "ArrowDown")["name"] == "De 500 à 999 habitants"
    # A multiple choice.
    tab_until(page, is_combobox("À votre connaissance, parmi les instruments suivants"))
    choose(page, "Groupements de commandes")
    choose(page, "Projet de territoire")
    expect(page.get_by_text("4 réponses en tout")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "clavier-partie-1.png"))

    tab_until(page, is_button("Partie suivante →"), limit=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="2. Enjeux et priorités partagés")).to_be_visible(
        timeout=30000
    )
    drawn(page)
    heading_on_top(page, "2. Enjeux et priorités partagés")

    # Part 2. Horizontal radios: current level, target level, importance.
    tab_until(page, is_radio("Niveau actuel", "1"))
    key(page, "Space")
    assert key(page, "ArrowRight")["name"] == "2"
    assert key(page, "Tab")["group"].startswith("Niveau visé en fin de mandat — ")
    key(page, "Space")
    for _ in range(3):
        key(page, "ArrowRight")
    assert focused(page)["name"] == "4"
    assert key(page, "Tab")["group"].startswith("Importance pour le territoire — ")
    key(page, "Space")
    assert key(page, "ArrowRight")["name"] == "Importante"
    # A maturity level (vertical radios whose options carry a description).
    tab_until(page, is_radio("Niveau actuel", "1 —"))
    key(page, "Space")
    assert key(page, "ArrowDown")["name"].startswith("2 —")
    # A ranking: the order of choice is the order of priority.
    tab_until(page, is_combobox("Classez les 5 politiques publiques"))
    choose(page, "Mobilités et transports")
    choose(page, "Énergie")
    expect(page.get_by_text("Votre classement :")).to_be_visible()
    ranked = page.get_by_role("list").filter(has_text="Mobilités et transports")
    expect(ranked.get_by_role("listitem")).to_have_text(["Mobilités et transports", "Énergie"])
    # A free text, saved when the field is left.
    tab_until(page, lambda f: f["tag"] == "TEXTAREA")
    page.keyboard.type("Le logement des jeunes actifs")
    key(page, "Tab")
    expect(page.get_by_text("7 réponses en tout")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "clavier-partie-2.png"))

    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            from diagnostic.store.campaigns import participant_by_token

            pid = participant_by_token(s, token=token).id
            stored = answer_store.answers_of(s, participant_id=pid)
    finally:
        engine.dispose()
    assert stored == {
        "ctx_fonction": {"choice": "dga"},
        "ctx_structure": {"choice": "commune"},
        "ctx_strate_commune": {"choice": "de_500_a_999"},
        "ctx_instruments": {"choices": ["groupements_commandes", "projet_territoire"]},
        "d1_diagnostic_partage": {"current": 2, "target": 4, "importance": 2},
        "d1_transition_ecologique": {"level": 2},
        "d1_politiques_prioritaires": {"ranking": ["mobilites", "energie"]},
        "d1_enjeux_sous_estimes": {"text": "Le logement des jeunes actifs"},
    }


def answer_by_keyboard(page, question, turn: int) -> None:
    """Answer `question` (its card is on the page, after the focus) with the keyboard only,
    in one of a few ways chosen by `turn`: the first option (Space) or the next one (an
    arrow), « Je ne sais pas » (an arrow back from the first option wraps to the last),
    the grid's shortcuts, options typed in a list, a text typed."""
    kind = question.type
    if kind == QuestionType.SINGLE_CHOICE:
        if tab_until(page, is_radio(question.text))["checked"]:
            return  # prefilled from the invitation: kept
        key(page, "Space" if question.options is None or turn % 2 == 0 else "ArrowDown")
    elif kind == QuestionType.MATURITY:
        tab_until(page, is_radio(f"Niveau actuel — {question.text}"))
        key(page, "ArrowDown" if turn % 2 else "Space")
    elif kind == QuestionType.CURRENT_TARGET:
        tab_until(page, is_radio(f"Niveau actuel — {question.text}"))
        if turn % 3 == 2:
            assert key(page, "ArrowLeft")["name"] == DK_LABEL  # target, importance disabled
            return
        key(page, "ArrowRight" if turn % 3 else "Space")
        assert key(page, "Tab")["group"] == f"Niveau visé en fin de mandat — {question.text}"
        for _ in range(2):
            key(page, "ArrowRight")
        if question.importance:
            assert key(page, "Tab")["group"] == f"Importance pour le territoire — {question.text}"
            key(page, "ArrowLeft" if turn % 2 else "Space")
    elif kind == QuestionType.GRID:
        answer_grid(page, question)
    elif kind in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        tab_until(page, is_combobox(question.text[:60]))
        depth = question.max_choices if kind == QuestionType.RANKING else 2
        for option in reversed((question.options or [])[-depth:]):
            choose(page, option.label)
    elif kind == QuestionType.TEXT:
        tab_until(page, lambda f: f["tag"] == "TEXTAREA")
        page.keyboard.type("Une réponse écrite au clavier")
        key(page, "Tab")


def answer_grid(page, question) -> None:
    """The first row by its cells; the next three with « même réponse que la ligne
    précédente » (Enter); one row « NSP » in both columns (an arrow back); the others today
    only, then « souhaitée » for all of them with the button that reports today's level."""
    rows = [r.label for r in question.rows or []]
    tab_until(page, is_radio(f"{rows[0]} — Aujourd'hui"))
    for _ in range(2):
        key(page, "ArrowRight")
    assert key(page, "Tab")["group"] == f"{rows[0]} — Souhaitée"
    for _ in range(3):
        key(page, "ArrowRight")
    same = is_button("↳ Même réponse que la ligne précédente")
    tab_until(page, same)
    for _ in rows[1:4]:  # the focus goes on to the next row's shortcut by itself
        key(page, "Enter")
        page.wait_for_function(FOCUSED_NAME, arg="↳ Même réponse que la ligne précédente")
    tab_until(page, is_radio(f"{rows[4]} — Aujourd'hui"))
    key(page, "ArrowLeft")
    assert key(page, "Tab")["group"] == f"{rows[4]} — Souhaitée"
    assert key(page, "ArrowLeft")["name"] == "NSP"
    for i, row in enumerate(rows[5:]):
        tab_until(page, is_radio(f"{row} — Aujourd'hui"))
        key(page, "Space" if i % 2 else "ArrowRight")
    n = len(rows) - 5
    tab_until(
        page,
        is_button(f"Reporter le niveau d'aujourd'hui dans « Souhaitée » ({n} lignes sans réponse)"),
    )
    key(page, "Enter")
    page.wait_for_function(FOCUSED_GROUP, arg=f"{rows[-1]} — Souhaitée")  # the grid's end
