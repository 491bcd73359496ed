"""The issue's done-when, in Chromium, on the demo: Val de Loir has two campaigns (2023 on the
short questionnaire, 2026 on the full one); the coordination updates two statuses of the 2023
roadmap, opens the 2026 campaign's results and reads, per action of the previous roadmap, its
status and the movement of its items; the 2026 roadmap document carries the « Bilan »."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from diagnostic.store.engine import build_engine, session_scope
from diagnostic.store.models import RoadmapFollowUp, RoadmapItem, User
from tests.conftest import ROOT
from tests.live import BROWSER, Server, chromium, drawn, settle, sign_in, start_server, stop

pytestmark = BROWSER
ARTIFACTS = ROOT / "test-artifacts" / "mandat"
VAL = "Communauté de communes du Val de Loir"
EARLIER = "Autodiagnostic de mi-mandat 2020-2026"
CURRENT = "Autodiagnostic de début de mandat 2026-2032"
PACTE = "Élaborer ou réviser le pacte financier et fiscal"
PLATEFORME = "Créer une plateforme de services pour les communes"
SIZES = {"large": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """One server for the module: the shipped questions, the demo loaded at start-up."""
    tmp = tmp_path_factory.mktemp("mandat")
    url = f"sqlite:///{tmp / 'app.db'}"
    server = start_server(url, None, tmp / "server.log", load_demo=True, timeout=90)
    try:
        yield server, url
    finally:
        stop(server)


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def pick(page: object, label: str, option: str) -> None:
    """Choose an option of a selectbox by its label, then wait for the rerun."""
    page.get_by_role("combobox", name=label).click()  # type: ignore[attr-defined]
    page.get_by_role("option", name=option, exact=True).click()  # type: ignore[attr-defined]
    settle(page)


def go(page: object, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    nav = page.get_by_test_id("stSidebarNavItems")  # type: ignore[attr-defined]
    nav.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30000)  # type: ignore[attr-defined]
    settle(page)


def record_status(page: object, title: str, status: str, comment: str) -> None:
    """Open the action's panel, choose the status, write a comment and save it."""
    from playwright.sync_api import expect

    panel = page.get_by_test_id("stExpander").filter(has_text=title).first  # type: ignore[attr-defined]
    if panel.locator("details[open]").count() == 0:  # late actions open already
        panel.locator("summary").click()
        settle(page)
    form = panel.get_by_test_id("stForm").filter(has_text="Nouveau statut")
    choice = form.get_by_role("combobox", name="Statut")
    choice.click()
    choice.fill(status)  # the list filters as one types
    page.get_by_role("option", name=status, exact=True).click()  # type: ignore[attr-defined]
    form.get_by_label("Commentaire (facultatif)").fill(comment)
    form.get_by_role("button", name="Enregistrer le statut").click()
    settle(page)
    expect(page.get_by_text(f"statut « {status} » enregistré")).to_be_visible(timeout=30000)  # type: ignore[attr-defined]


def test_the_coordination_closes_the_mandate_loop_on_the_demo(demo):
    from playwright.sync_api import expect

    server, url = demo
    with chromium() as browser:
        context = browser.new_context(
            locale="fr-FR", viewport=SIZES["large"], accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, server.url)

        # the follow-up of the 2023 roadmap: two statuses updated
        go(page, "Suivi de la feuille de route", "Suivi de la feuille de route")
        pick(page, "Territoire", VAL)
        pick(page, "Campagne", EARLIER)
        expect(page.get_by_text("Avancement par chantier")).to_be_visible(timeout=30000)
        drawn(page)
        shot(page, "01-suivi-2023")
        record_status(page, PACTE, "En cours", "Cabinet retenu, premier comité des maires fixé.")
        record_status(page, PLATEFORME, "Faite", "Offre numérique ouverte aux communes.")
        drawn(page)
        shot(page, "02-suivi-deux-statuts")
        page.set_viewport_size(SIZES["telephone"])
        settle(page)
        page.wait_for_timeout(1000)
        shot(page, "02b-suivi-telephone")
        page.set_viewport_size(SIZES["large"])
        settle(page)

        # the 2026 campaign's results: the previous roadmap, action by action
        go(page, "Résultats", "Résultats du diagnostic")
        pick(page, "Territoire", VAL)
        campaign = page.get_by_role("combobox", name="Campagne").input_value()
        assert campaign == CURRENT, campaign  # the latest campaign comes first
        page.get_by_role("tab", name="Bilan précédent").click()
        settle(page)
        review = page.get_by_role("tabpanel", name="Bilan précédent")
        expect(review.get_by_text(re.compile(r"9 actions retenues"))).to_be_visible(timeout=30000)
        drawn(page)
        shot(page, "03-bilan-precedent")
        text = review.inner_text()
        for title, status in (
            (PACTE, "En cours"),
            (PLATEFORME, "Faite"),
            ("Doter le CoDir de territoire d'un relevé de décisions", "Abandonnée"),
            ("Formaliser le circuit de décision commun", "Faite"),
            ("Faire valider par les exécutifs une lettre de mission", "À lancer"),
        ):
            assert re.search(re.escape(title) + r".*· " + status, text), (title, status)
        assert "Action faite, perception en hausse de 2 niveaux" in text  # the decision circuit
        assert "Action abandonnée, perception inchangée : le besoin demeure" in text
        assert "Action en cours" in text  # the pacte financier, just moved on
        assert "Action faite, perception inchangée" in text  # the platform, just done
        assert "5 faites, 2 en cours, 1 abandonnée, 1 à lancer" in text  # after the two updates
        assert f"Avant : {EARLIER} (version courte du questionnaire, 2026.1)" in text
        assert f"après : {CURRENT} (questionnaire complet, 2026.2)" in text
        page.set_viewport_size(SIZES["telephone"])  # the same reading on a phone
        settle(page)
        review.get_by_text(PLATEFORME).first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        shot(page, "04-bilan-precedent-telephone")
        page.set_viewport_size(SIZES["large"])
        settle(page)

        # the 2026 roadmap document carries the « Bilan » with the statuses just entered
        go(page, "Feuille de route", "Feuille de route")
        pick(page, "Territoire", VAL)
        propose = page.get_by_role("button", name="Proposer des actions à partir des résultats")
        if propose.count():
            propose.click()
            settle(page)
        page.get_by_role("button", name="Préparer les documents").click()
        markdown = page.get_by_role("button", name="Markdown")
        expect(markdown).to_be_visible(timeout=180000)
        with page.expect_download() as info:
            markdown.click()
        document = Path(info.value.path()).read_text(encoding="utf-8")
        context.close()

    assert "Bilan de la feuille de route précédente" in document
    bilan = document.split("Bilan de la feuille de route précédente", 1)[1].split("\n## ", 1)[0]
    assert f"| {PACTE} | En cours |" in bilan
    assert f"| {PLATEFORME} | Faite |" in bilan

    # both statuses are in the history, recorded by the coordination
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            rows = s.exec(
                select(RoadmapFollowUp.status, RoadmapItem.title, User.email)
                .join(RoadmapItem, RoadmapItem.id == RoadmapFollowUp.item_id)
                .join(User, User.id == RoadmapFollowUp.recorded_by)
                .where(
                    RoadmapFollowUp.comment.in_(  # type: ignore[union-attr]
                        [
                            "Cabinet retenu, premier comité des maires fixé.",
                            "Offre numérique ouverte aux communes.",
                        ]
                    )
                )
            ).all()
        assert sorted(rows) == [
            ("en_cours", PACTE, "coordination@demo.fr"),
            ("fait", PLATEFORME, "coordination@demo.fr"),
        ]
    finally:
        engine.dispose()
