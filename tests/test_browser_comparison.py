"""A consultant compares three demo territories with an anonymous peer group, in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT
from tests.live import BROWSER, chromium, start_server, stop
from tests.test_browser import settle, shot

pytestmark = BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo and 60 synthetic consenting peers (bench/generate.py) behind a real server."""
    tmp = tmp_path_factory.mktemp("comparison")
    url_db = f"sqlite:///{tmp / 'app.db'}"
    env = {**os.environ, "DATABASE_URL": url_db, "LOAD_DEMO": "true"}
    env.pop("QUESTIONS_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "diagnostic", "demo"], cwd=ROOT, env=env, check=True, stdout=-3
    )
    subprocess.run(
        [
            sys.executable,
            "bench/generate.py",
            "--territories",
            "60",
            "--consent",
            "1",
            "--db",
            url_db,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=-3,
    )
    running = start_server(url_db, None, tmp / "server.log", load_demo=True, timeout=60)
    yield running.url
    stop(running)


def test_consultant_sees_three_territories_in_an_anonymous_peer_group(server):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 2200})
        page = page.new_page()
        page.goto(server)
        page.get_by_label("Adresse électronique").fill("conseil@demo.fr")
        page.get_by_label("Mot de passe").fill("demo-diagnostic")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
        nav = page.get_by_test_id("stSidebarNavItems")
        nav.get_by_role("link", name="Comparaison").click()
        expect(page.get_by_role("heading", name="Comparaison entre territoires")).to_be_visible()
        settle(page)
        for name in ("Loire-Bocage", "Trois Rivières", "Val de Loir"):
            expect(page.get_by_text(name).first).to_be_visible()
        page.get_by_label("Taille (population)").click()
        page.get_by_role("option", name="toutes tailles").click()
        settle(page)
        expect(page.get_by_text("territoires ayant accepté la comparaison")).to_be_visible()
        page.get_by_role("tab", name="Position").click()
        expect(page.get_by_text("Position dans le groupe")).to_be_visible(timeout=20000)
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 1", timeout=30000
        )
        shot(page, "10-comparaison-position")
        assert "synthétique" not in page.content()  # peers are never named
        browser.close()
