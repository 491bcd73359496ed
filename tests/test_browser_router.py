"""In Chromium, on a fresh server: the very first visit is to a page's own address, not to
the root. Streamlit would run that page alone in its old "pages folder" mode (no router, no
error guard, every file of pages/ in the menu); pages/_router.py sends it through app.py."""

from __future__ import annotations

from tests.live import BROWSER, chromium, running, settle

pytestmark = BROWSER


def test_first_visit_of_a_fresh_server_to_a_page_goes_through_the_router(tmp_path):
    with (
        running(f"sqlite:///{tmp_path / 'x.db'}", None, tmp_path / "log") as server,
        chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(f"{server.url}/campagne")  # nobody has opened the root of this server yet
        page.get_by_role("heading", name="Connexion des coordinateur·rices").wait_for(timeout=60000)
        settle(page)
        menu = page.locator("[data-testid=stSidebarNav]").inner_text()
        assert "Connexion" in menu and "Repères et outils" in menu
        for helper in ("shell", "router", "resilience", "workshop", "autosave", "app"):
            assert helper not in menu.split(), menu
        # a page that needs an account is not shown to a visitor who has none
        assert page.get_by_text("Créer une campagne").count() == 0
