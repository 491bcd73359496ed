"""The coordinator's journey in a real browser: results, consensus meeting, roadmap documents,
the roadmap's follow-up and the mandate loop, all on one demo server for the module.

Debian's Chromium driven by Playwright against `streamlit run` on the demo territories.
Screenshots go to test-artifacts/coordination/."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from diagnostic.demo import load_demo
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import ConsensusScore, RoadmapFollowUp, RoadmapItem, User
from tests.conftest import ROOT
from tests.live import BROWSER, Server, chromium, drawn, settle, sign_in, start_server, stop
from tests.smtp_kit import Inbox, smtp_server

pytestmark = BROWSER
ARTIFACTS = ROOT / "test-artifacts" / "coordination"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Inbox]]:
    """The demo server, its database URL, and the inbox of a local mail server (aiosmtpd)
    the app sends its invitations to."""
    tmp = tmp_path_factory.mktemp("coordination")
    questions = tmp / "questions"
    shutil.copytree(ROOT / "questions", questions)
    url = f"sqlite:///{tmp / 'app.db'}"
    engine = build_engine(url)
    migrate(engine)
    load_demo(engine, questions)
    engine.dispose()
    with smtp_server() as (inbox, smtp):
        mail = {
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": smtp.security,
            "SMTP_SENDER": smtp.sender,
            "SMTP_PER_MINUTE": "600",
        }
        server = start_server(url, questions, tmp / "server.log", settings=mail)
        try:
            yield server, url, inbox
        finally:
            stop(server)


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_results_consensus_and_roadmap_download(demo):
    import docx
    from playwright.sync_api import expect

    server, url, *_ = demo
    with chromium() as browser:
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, server.url)
        nav = page.get_by_test_id("stSidebarNavItems")

        # results of the first territory: the synthesis and its radar chart
        nav.get_by_role("link", name="Résultats").click()
        expect(page.get_by_role("heading", name="Résultats du diagnostic")).to_be_visible(
            timeout=30000
        )
        settle(page)
        territory = page.get_by_role("combobox", name="Territoire").input_value()
        assert territory.startswith("Communauté"), territory
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60000)
        shot(page, "01-resultats")
        page.get_by_role("tab", name="Regards croisés").click()
        settle(page)
        expect(page.get_by_role("heading", name="Angles morts")).to_be_visible()
        shot(page, "02-regards-croises")

        # the consensus meeting: record the level the group agrees on for the first item
        nav.get_by_role("link", name="Réunion de consensus").click()
        expect(page.get_by_role("heading", name="Réunion de consensus")).to_be_visible()
        settle(page)
        form = page.get_by_test_id("stForm")
        form.get_by_role("radiogroup", name="Niveau retenu par le collectif").get_by_text(
            "2", exact=True
        ).click()
        target = form.get_by_role("radiogroup", name="Niveau visé en fin de mandat")
        if target.count():
            target.get_by_text("4", exact=True).click()
        form.get_by_label("Justification").fill("Accord en séance : instances à formaliser.")
        form.get_by_role("button", name="Enregistrer le consensus").click()
        settle(page)
        expect(page.get_by_text("Consensus enregistré")).to_be_visible(timeout=20000)
        shot(page, "03-consensus")

        # the roadmap: propose actions, prepare the documents, download the Word file
        nav.get_by_role("link", name="Feuille de route", exact=True).click()
        expect(page.get_by_role("heading", name="Feuille de route")).to_be_visible()
        settle(page)
        propose = page.get_by_role("button", name="Proposer des actions à partir des résultats")
        if propose.count():
            propose.click()
            settle(page)
        expect(page.get_by_text(re.compile(r"actions? ajoutées?"))).to_be_visible(timeout=60000)
        page.get_by_role("button", name="Préparer les documents").click()
        word = page.get_by_role("button", name="Word (.docx)")
        expect(word).to_be_visible(timeout=120000)
        shot(page, "04-feuille-de-route")
        with page.expect_download() as info:
            word.click()
        download = info.value
        assert download.suggested_filename.endswith(".docx")
        content = Path(download.path()).read_bytes()
        context.close()

    document = docx.Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("Plan d'action" in h for h in headings), headings
    assert territory in "\n".join(p.text for p in document.paragraphs)
    assert document.inline_shapes, "le document doit contenir les graphiques"

    # the consensus typed in the browser is in the base, with its rationale
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            from sqlmodel import select

            rows = s.exec(
                select(ConsensusScore).where(
                    ConsensusScore.rationale == "Accord en séance : instances à formaliser."
                )
            ).all()
            assert [r.level for r in rows] == [2]
    finally:
        engine.dispose()


def test_the_coordination_edits_a_fact_of_the_fiche(demo):
    """Val de Loir adopts its PCAET: the fact, its source, its date and its author are saved."""
    from playwright.sync_api import expect

    from diagnostic.store import facts as facts_store
    from diagnostic.store.models import Territory, User

    server, url, *_ = demo
    source = "Délibération du 3 décembre 2026 adoptant le PCAET"
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, server.url)
        page.get_by_test_id("stSidebarNavItems").get_by_role(
            "link", name="Fiche du territoire"
        ).click()
        expect(page.get_by_role("heading", name="Fiche du territoire")).to_be_visible()
        settle(page)
        page.get_by_role("combobox", name="Territoire").click()
        page.get_by_role("option", name="Communauté de communes du Val de Loir").click()
        settle(page)
        expect(page.get_by_text("Fiche complète")).to_be_visible(timeout=20000)
        page.get_by_role("tab", name="Projets et plans").click()
        form = page.get_by_test_id("stForm").filter(has_text="Enregistrer « Projets et plans »")
        pcaet = form.get_by_role("radiogroup", name="Plan climat-air-énergie territorial")
        pcaet.get_by_text("Oui", exact=True).click()
        form.get_by_label("Source").nth(2).fill(source)
        shot(page, "05-fiche-saisie")
        form.get_by_role("button", name="Enregistrer « Projets et plans »").click()
        settle(page)
        expect(page.get_by_text("« Projets et plans » : 1 information enregistrée.")).to_be_visible(
            timeout=20000
        )
        expect(form.get_by_text("mis à jour le").last).to_be_visible()
        shot(page, "06-fiche-enregistree")
        context.close()

    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            from sqlmodel import select

            territory = s.exec(
                select(Territory).where(Territory.name == "Communauté de communes du Val de Loir")
            ).one()
            stored = facts_store.facts_of(s, territory_id=territory.id)["pcaet"]
            author = s.exec(select(User).where(User.email == "coordination@demo.fr")).one()
        assert (stored.value, stored.source, stored.updated_by) == (True, source, author.name)
    finally:
        engine.dispose()


SUIVI = "Communauté d'agglomération Loire-Bocage"  # not the territory the journey above edits


def _kept_plan(url: str) -> int:
    """Loire-Bocage's roadmap generated, its first four main actions kept, one done and one
    under way (as the coordination, through the services); the campaign's id."""
    from datetime import date, timedelta

    from diagnostic.campaigns.coordination import campaigns, my_territories
    from diagnostic.results.service import results_for
    from diagnostic.roadmap import planning, tracking
    from diagnostic.roadmap.references import load_library
    from diagnostic.store import accounts
    from diagnostic.territory.service import situation_for

    questions = ROOT / "questions"
    engine = build_engine(url)
    try:
        with session_scope(engine) as s:
            user = accounts.user_by_email(s, email="coordination@demo.fr")
            actor = accounts.actor_for(s, user_id=user.id)
        territory = next(t for t in my_territories(engine, actor) if t.name == SUIVI)
        campaign_id = campaigns(engine, actor, territory.id)[0].id
        results = results_for(engine, actor, campaign_id)
        situation = situation_for(engine, actor, campaign_id, questions)
        actions = load_library(questions).actions
        planning.regenerate(engine, actor, campaign_id, results, actions, situation)
        main = [i for i in planning.plan(engine, actor, campaign_id) if i.main][:4]
        for item in main:
            planning.edit(engine, actor, campaign_id, item.id, status="accepted")
        day = date.today() - timedelta(days=20)
        tracking.record(engine, actor, campaign_id, main[0].id, status="fait", on=day)
        tracking.record(
            engine, actor, campaign_id, main[1].id, status="en_cours", on=day, progress=40
        )
        return campaign_id
    finally:
        engine.dispose()


def test_the_coordination_follows_the_roadmap(demo):
    """The « Suivi » page on a kept plan: a status recorded in the browser goes to the history;
    the page looked at on a wide screen and on a phone."""
    from playwright.sync_api import expect

    server, url, *_ = demo
    campaign_id = _kept_plan(url)
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, server.url)
        nav = page.get_by_test_id("stSidebarNavItems")
        nav.get_by_role("link", name="Suivi de la feuille de route").click()
        heading = page.get_by_role("heading", name="Suivi de la feuille de route")
        expect(heading).to_be_visible(timeout=30000)
        settle(page)
        page.get_by_role("combobox", name="Territoire").click()
        page.get_by_role("option", name=SUIVI).click()
        settle(page)
        expect(page.get_by_text("Avancement par chantier")).to_be_visible(timeout=30000)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60000)
        shot(page, "05-suivi")
        first = page.get_by_test_id("stExpander").nth(0)
        first.locator("summary").click()
        drawn(page)
        form = first.get_by_test_id("stForm").nth(1)
        saved = page.get_by_text("enregistré.")
        for attempt in range(2):  # under load a click during a redraw can be lost: click again
            form.get_by_label("Commentaire (facultatif)").fill("Réunion de lancement tenue.")
            form.get_by_role("button", name="Enregistrer le statut").click()
            settle(page)
            try:
                expect(saved).to_be_visible(timeout=30000 if attempt == 0 else 45000)
                break
            except AssertionError:
                if attempt:
                    raise
        page.get_by_test_id("stExpander").nth(0).locator("summary").click()
        settle(page)
        page.get_by_text("Historique").first.scroll_into_view_if_needed()
        shot(page, "06-suivi-action")
        page.set_viewport_size({"width": 390, "height": 844})
        settle(page)
        page.get_by_role(
            "heading", name="Suivi de la feuille de route"
        ).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        shot(page, "07-suivi-telephone")
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        shot(page, "08-suivi-telephone-calendrier")
        page.get_by_text("Historique").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        shot(page, "09-suivi-telephone-action")
        context.close()
    engine = build_engine(url)
    try:
        from diagnostic.store.followup import history

        with session_scope(engine) as s:
            changes = [c for cs in history(s, campaign_id=campaign_id).values() for c in cs]
        typed = [c for c in changes if c.comment == "Réunion de lancement tenue."]
        assert len(changes) == 3 and len(typed) == 1
        assert typed[0].by == "Claire Martin (coordination, démonstration)"
    finally:
        engine.dispose()


# --- the mandate loop (issue 17), on the same demo server -------------------------------------
# The issue's done-when, in Chromium, on the demo: Val de Loir has two campaigns (2023 on the
# short questionnaire, 2026 on the full one); the coordination updates two statuses of the 2023
# roadmap, opens the 2026 campaign's results and reads, per action of the previous roadmap, its
# status and the movement of its items; the 2026 roadmap document carries the « Bilan ».

MANDATE_ARTIFACTS = ROOT / "test-artifacts" / "mandat"
VAL = "Communauté de communes du Val de Loir"
EARLIER = "Autodiagnostic de mi-mandat 2020-2026"
CURRENT = "Autodiagnostic de début de mandat 2026-2032"
PACTE = "Élaborer ou réviser le pacte financier et fiscal"
PLATEFORME = "Créer une plateforme de services pour les communes"
SIZES = {"large": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}


def mandate_shot(page: object, name: str) -> None:
    MANDATE_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(MANDATE_ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _pick(page: object, label: str, option: str) -> None:
    """Choose an option of a selectbox by its label, then wait for the rerun."""
    page.get_by_role("combobox", name=label).click()  # type: ignore[attr-defined]
    page.get_by_role("option", name=option, exact=True).click()  # type: ignore[attr-defined]
    settle(page)


def _go(page: object, link: str, heading: str) -> None:
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

    server, url, *_ = demo
    with chromium() as browser:
        context = browser.new_context(
            locale="fr-FR", viewport=SIZES["large"], accept_downloads=True
        )
        page = context.new_page()
        sign_in(page, server.url)

        # the follow-up of the 2023 roadmap: two statuses updated
        _go(page, "Suivi de la feuille de route", "Suivi de la feuille de route")
        _pick(page, "Territoire", VAL)
        _pick(page, "Campagne", EARLIER)
        expect(page.get_by_text("Avancement par chantier")).to_be_visible(timeout=30000)
        drawn(page)
        mandate_shot(page, "01-suivi-2023")
        record_status(page, PACTE, "En cours", "Cabinet retenu, premier comité des maires fixé.")
        record_status(page, PLATEFORME, "Faite", "Offre numérique ouverte aux communes.")
        drawn(page)
        mandate_shot(page, "02-suivi-deux-statuts")
        page.set_viewport_size(SIZES["telephone"])
        settle(page)
        page.wait_for_timeout(1000)
        mandate_shot(page, "02b-suivi-telephone")
        page.set_viewport_size(SIZES["large"])
        settle(page)

        # the 2026 campaign's results: the previous roadmap, action by action
        _go(page, "Résultats", "Résultats du diagnostic")
        # the territory and the campaign worked on stay chosen from page to page
        assert page.get_by_role("combobox", name="Territoire").input_value() == VAL
        assert page.get_by_role("combobox", name="Campagne").input_value() == EARLIER
        _pick(page, "Campagne", CURRENT)
        assert "campagne=" in page.url and "territoire=" in page.url  # a link one can share
        page.get_by_role("tab", name="Bilan précédent").click()
        settle(page)
        review = page.get_by_role("tabpanel", name="Bilan précédent")
        expect(review.get_by_text(re.compile(r"9 actions retenues"))).to_be_visible(timeout=30000)
        drawn(page)
        mandate_shot(page, "03-bilan-precedent")
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
        mandate_shot(page, "04-bilan-precedent-telephone")
        page.set_viewport_size(SIZES["large"])
        settle(page)

        # the 2026 roadmap document carries the « Bilan » with the statuses just entered
        _go(page, "Feuille de route", "Feuille de route")
        assert page.get_by_role("combobox", name="Campagne").input_value() == CURRENT
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


RIVES = "CC des Rives du Test"
LINKED = re.compile(r"(http://127\.0\.0\.1:\d+/\?t=[A-Za-z0-9_-]+)")


def test_a_coordinator_invites_by_mail_reminds_those_not_started_and_stays_signed_in(demo):
    """Issue 19's day: a new territory and its campaign, six people invited by e-mail (the
    local mail server receives six personal links that open), three of them start, a reminder
    goes to the three others only; a reload keeps the coordinator signed in on the same
    territory, and Résultats, Réunion de consensus and Feuille de route open on it."""
    from playwright.sync_api import expect

    server, _, inbox = demo
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, server.url)
        _go(page, "Nouveau territoire", "Nouveau territoire")
        page.get_by_label("Nom du territoire *").fill(RIVES)
        page.get_by_label("Communes membres").fill("Rives-Amont\nRives-Aval")
        page.get_by_role("button", name="Créer le territoire").click()
        expect(page.get_by_text(f"Territoire « {RIVES} » créé")).to_be_visible(timeout=30000)

        _go(page, "Campagnes", "Campagnes de diagnostic")
        territory = page.get_by_role("combobox", name="Territoire")
        assert territory.input_value() == RIVES  # the territory just created
        page.get_by_role("button", name="Créer et ouvrir la campagne").click()
        expect(page.get_by_text("Inviter un·e participant·e")).to_be_visible(timeout=30000)
        settle(page)
        page.get_by_text("Message d'invitation et date limite").click()
        page.get_by_role("spinbutton", name="jour, Date limite de réponse").click()
        page.keyboard.type("15012027")  # jour, mois, année: the field moves on by itself
        page.get_by_role("button", name="Enregistrer le message").click()
        expect(page.get_by_text("Message d'invitation enregistré")).to_be_visible(timeout=30000)
        people = [(f"Personne {i}", f"personne{i}@rives-du-test.fr") for i in range(1, 7)]
        for name, address in people:
            page.get_by_label("Nom (facultatif").fill(name)
            page.get_by_label("Adresse électronique (facultative").fill(address)
            page.get_by_role("button", name="Ajouter et obtenir le lien").click()
            expect(page.get_by_text(f"Lien personnel de {name}")).to_be_visible(timeout=30000)
            settle(page)
        page.get_by_role("button", name="Envoyer les invitations").click()
        expect(page.get_by_text("6 invitations envoyées")).to_be_visible(timeout=60000)
        links = {}
        for _, address in people:
            (message,) = inbox.to(address)
            links[address] = LINKED.search(message.get_content()).group(1)

        # three of them open their link and start
        for _, address in people[:3]:
            them = browser.new_context(locale="fr-FR").new_page()
            them.goto(links[address])
            them.get_by_role("button", name="Commencer le questionnaire").click(timeout=60000)
            expect(them.get_by_text("Questions obligatoires répondues")).to_be_visible(
                timeout=30000
            )
            them.context.close()

        # the reminder goes to the three who have not started, and to them only
        page.reload()
        expect(page.get_by_role("heading", name="Campagnes de diagnostic")).to_be_visible(
            timeout=30000
        )
        settle(page)
        page.get_by_text("celles et ceux qui n'ont pas commencé").click()
        settle(page)
        page.get_by_role("button", name="Relancer").click()
        expect(page.get_by_text("3 relances envoyées")).to_be_visible(timeout=60000)
        for _, address in people[3:]:
            assert [m["Subject"].startswith("Relance") for m in inbox.to(address)] == [False, True]
        for _, address in people[:3]:
            assert len(inbox.to(address)) == 1  # the invitation only
        shot(page, "19-invitations-relances")

        # a reload, then the other pages: still signed in, still on the same territory
        page.reload()
        expect(page.get_by_role("heading", name="Campagnes de diagnostic")).to_be_visible(
            timeout=30000
        )
        expect(page.get_by_text("Connecté·e : Claire Martin")).to_be_visible()
        assert page.get_by_role("combobox", name="Territoire").input_value() == RIVES
        for link, heading in (
            ("Résultats", "Résultats du diagnostic"),
            ("Réunion de consensus", "Réunion de consensus"),
            ("Feuille de route", "Feuille de route"),
        ):
            _go(page, link, heading)
            assert page.get_by_role("combobox", name="Territoire").input_value() == RIVES, link
        context.close()
