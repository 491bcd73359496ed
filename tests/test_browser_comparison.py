"""A consultant compares a CA and two CC, each against its own anonymous peer group, reads a
three-campaign trend and downloads the workbook and the slides, in Chromium."""

from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.live import BROWSER, chromium, drawn, sign_in, start_server, stop
from tests.test_browser import shot

pytestmark = BROWSER

VAL = "Communauté de communes du Val de Loir"


def third_campaign(url: str) -> None:
    """A third campaign of the Val de Loir (the full questionnaire, six respondents), so that
    its trend runs over three campaigns."""
    from sqlmodel import select

    from diagnostic.comparison import benchmark
    from diagnostic.demo import DemoProfile, generate_answers
    from diagnostic.questionnaire.registry import default_questionnaire
    from diagnostic.store import campaigns
    from diagnostic.store.engine import build_engine, session_scope
    from diagnostic.store.models import Campaign, Territory
    from tests.factories import store_answers

    engine = build_engine(url)
    q = default_questionnaire(ROOT / "questions")
    rng = random.Random(2027)
    with session_scope(engine) as s:
        territory_id = s.exec(select(Territory.id).where(Territory.name == VAL)).one()
        campaign = campaigns.create_campaign(
            s,
            territory_id=territory_id,
            title="Point d'étape 2027",
            questionnaire_id=q.id,
            questionnaire_version=q.version,
        )
        s.get(Campaign, campaign.id).benchmark_consent = True
        for _ in range(6):
            p, _token = campaigns.add_participant(
                s, campaign_id=campaign.id, role="dgs", structure_id=territory_id
            )
            answers = generate_answers(q, DemoProfile(base=3.4), rng, at_epci=True, role="dgs")
            store_answers(s, q, p.id, answers)
            campaigns.mark_submitted(s, participant_id=p.id)
        campaign_id = campaign.id
    benchmark.refresh(engine, campaign_id, ROOT / "questions")
    engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, 60 synthetic consenting peers of every kind (bench/generate.py: CC and CA
    drawn like the French ones) and a third Val de Loir campaign, behind a real server."""
    tmp = tmp_path_factory.mktemp("comparison")
    url_db = f"sqlite:///{tmp / 'app.db'}"
    env = {**os.environ, "DATABASE_URL": url_db, "LOAD_DEMO": "true"}
    env.pop("QUESTIONS_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "diagnostic", "demo"], cwd=ROOT, env=env, check=True, stdout=-3
    )
    subprocess.run(
        [sys.executable, "bench/generate.py", "--territories", "60", "--consent", "1"]
        + ["--db", url_db],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=-3,
    )
    third_campaign(url_db)
    running = start_server(url_db, None, tmp / "server.log", load_demo=True, timeout=60)
    yield running.url
    stop(running)


def test_consultant_compares_a_ca_and_two_cc_each_in_its_own_group_and_exports(server):
    import openpyxl
    from playwright.sync_api import expect
    from pptx import Presentation

    with chromium() as browser:
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1400, "height": 2200}, accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, server, "conseil@demo.fr")
        nav = page.get_by_test_id("stSidebarNavItems")
        nav.get_by_role("link", name="Comparaison").click()
        heading = page.get_by_role("heading", name="Comparaison entre territoires")
        expect(heading).to_be_visible(timeout=60000)
        drawn(page, 60000)
        said = page.get_by_test_id("stAlert").first
        expect(said).to_contain_text("son propre groupe de pairs", timeout=30000)
        text = said.inner_text()
        # the CA's own band is too small: its whole kind; each CC in its own band
        assert re.search(r"Loire-Bocage : CA de toutes tailles — \d+ territoires", text)
        assert re.search(r"Trois Rivières : CC de 30 000 à 49 999 hab\. — \d+ territoires", text)
        assert re.search(r"Val de Loir : CC de 15 000 à 29 999 hab\. — \d+ territoires", text)
        page.get_by_role("tab", name="Position").click()
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=60000
        )
        for group in ("CA de toutes tailles", "CC de 30 000 à 49 999 hab."):
            shown = page.get_by_text(f"Position dans le groupe : {group}").first
            expect(shown).to_be_attached(timeout=30000)
        shot(page, "10-comparaison-position")
        assert "synthétique" not in page.content()  # peers are never named

        page.get_by_role("tab", name="Évolution").click()
        page.get_by_label("Territoire", exact=True).click()
        page.get_by_role("option", name=VAL).click()
        drawn(page, 60000)
        expect(page.get_by_text("Tendance sur 3 campagnes")).to_be_visible(timeout=60000)
        caution = page.get_by_text("n'ont pas répondu au même questionnaire")
        expect(caution).to_be_visible(timeout=30000)

        page.get_by_role("tab", name="Exporter").click()
        books = {}
        for fmt, label in (("xlsx", "Classeur Excel"), ("pptx", "Diaporama PowerPoint")):
            with page.expect_download(timeout=60000) as download:
                page.get_by_role("button", name=re.compile(label)).click()
            got = download.value
            assert re.fullmatch(
                rf"comparaison-loire-bocage-trois-rivieres-val-de-loir-.*\.{fmt}",
                got.suggested_filename,
            )
            books[fmt] = Path(got.path()).read_bytes()
        context.close()

    book = openpyxl.load_workbook(io.BytesIO(books["xlsx"]))
    trend = [r for r in book["Tendance"].iter_rows(values_only=True)][1:]
    assert {r[1] for r in trend if r[0] == VAL} == {
        "Autodiagnostic de mi-mandat 2020-2026",
        "Autodiagnostic de début de mandat 2026-2032",
        "Point d'étape 2027",
    }
    ranks = [r for r in book["Rangs"].iter_rows(values_only=True)]
    groups = {r[0]: r[1] for r in ranks[1:]}
    assert groups["Communauté d'agglomération Loire-Bocage"] == "CA de toutes tailles"
    slides = list(Presentation(io.BytesIO(books["pptx"])).slides)
    titles = [s.shapes.title.text for s in slides]
    assert f"{VAL} : évolution sur 3 campagnes" in titles
    assert "Position dans le groupe : CA de toutes tailles" in titles
