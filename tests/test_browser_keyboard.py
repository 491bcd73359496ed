"""The whole questionnaire answered with the keyboard only, in its own file: the longest browser
test (about 100 s) then runs on the other worker than the accessibility checks it shares its
helpers with (`pytest -n 2 --dist loadfile` gives a file to one worker)."""

from __future__ import annotations

from diagnostic.answering.responses import progress
from diagnostic.questionnaire import load_questionnaire
from diagnostic.questionnaire.codecs import DONT_KNOW
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import build_engine, session_scope
from tests.live import BROWSER, drawn
from tests.test_browser_accessibility import (  # noqa: F401  (module fixtures: its own server)
    ARTIFACTS,
    QUESTIONNAIRE,
    answer_by_keyboard,
    browser,
    demo,
    heading_on_top,
    is_button,
    tab_until,
)

pytestmark = BROWSER


def test_whole_questionnaire_by_keyboard_only(demo, browser):  # noqa: F811
    """Every required question of the 11 parts (and the optional ones of each kind) answered,
    the parts changed and the answers sent with the keyboard only; then the base holds a
    complete answer set, sent, and the grids' shortcuts gave the rows their answers."""
    from playwright.sync_api import expect

    server, _, url, _, token = demo
    q = load_questionnaire(QUESTIONNAIRE)
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(server.link(token))
    expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible(timeout=60000)
    drawn(page)
    tab_until(page, is_button("Commencer le questionnaire"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Questions obligatoires répondues")).to_be_visible(timeout=30000)
    drawn(page)
    turn = 0
    for number, section in enumerate(q.sections, start=1):
        for question in section.questions:
            if not page.locator(f".st-key-card_{question.id}").count():
                continue  # not shown: its condition is not met
            answer_by_keyboard(page, question, turn)
            turn += 1
        if number < len(q.sections):
            tab_until(page, is_button("Partie suivante →"), limit=200)
            page.keyboard.press("Enter")
            heading = f"{number + 1}. {q.sections[number].title}"
            expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30000)
            drawn(page)
            heading_on_top(page, heading)
    expect(page.get_by_role("alert").filter(has_text="sans réponse")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "clavier-derniere-partie.png"))
    tab_until(page, is_button("Envoyer mes réponses"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vos réponses ont été envoyées. Merci !")).to_be_visible(timeout=30000)

    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            from diagnostic.store.campaigns import participant_by_token

            participant = participant_by_token(s, token=token)
            stored = answer_store.answers_of(s, participant_id=participant.id)
            sent = participant.submitted_at is not None
    finally:
        engine.dispose()
    state = progress(q, stored)
    assert sent and state.complete and state.missing_required == []
    assert state.required_answered == state.required > 60
    grid = stored["d2_modes_mutualisation"]["rows"]
    rows = [r.id for r in q.question("d2_modes_mutualisation").rows or []]
    assert [grid[r] for r in rows[:5]] == [{"current": 2, "desired": 3}] * 4 + [
        {"current": DONT_KNOW, "desired": DONT_KNOW}
    ]
    assert all(grid[r]["desired"] == grid[r]["current"] for r in rows[5:])
    assert len(stored["d1_politiques_prioritaires"]["ranking"]) == 5
    assert stored["d1_enjeux_sous_estimes"] == {"text": "Une réponse écrite au clavier"}
