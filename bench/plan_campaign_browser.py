"""A campaign made in the browser, end to end; its roadmap checked against issue 16's done-when.

Run by hand (not part of `make test`): a fresh SQLite base in a temporary folder, the demo loaded
(for the demo accounts), `streamlit run app.py` on 127.0.0.1 (`tests/live.py`) and Debian's
Chromium, headless, without background networking. Everything a user does goes through the pages:

1. the coordinator (`coordination@demo.fr`) signs in, creates a NEW territory (« Communauté de
   communes du Pays de la Vère », 23 500 inhabitants, 8 member communes), fills two parts of its
   fiche (the débat on the pacte de gouvernance left undone: late since 22 October 2026), creates
   a campaign on the full questionnaire « gouvernance » and invites six people (DGS, DGA and DST
   of the EPCI, the DGS of two communes, the secrétaire générale of a small commune);
2. each personal link is opened in a fresh browser context and the WHOLE questionnaire is filled
   through the widgets, with varied answers (the communes more critical than the EPCI,
   especially on information, instances and decisions; « je ne sais pas » now and then; three or
   four free texts per person), then sent;
3. the coordinator proposes the actions on « Feuille de route », prepares the documents and
   downloads the Word, PDF and Markdown files;
4. the script checks the done-when criteria on the Markdown (page one, 5–8 chantiers, at most 12
   actions + the 2 mandate steps, no date before the document's, every late obligation at the
   top, a quoted free text, the timeline), applies the French-writing rules of
   tests/test_document_prose.py, and renders the PDF's pages to PNG (pypdfium2).

    .venv/bin/python bench/plan_campaign_browser.py                 # ~20 minutes on 2 cores
    .venv/bin/python bench/plan_campaign_browser.py --out /tmp/plan  # keep the files there
    .venv/bin/python bench/plan_campaign_browser.py --respondents 3  # a quicker partial run
    .venv/bin/python bench/plan_campaign_browser.py --roadmap-only   # again on the kept base

The files (docx, pdf, md, page PNGs, screenshots, the server log) stay in `--out`
(default: test-artifacts/plan-campaign/).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import PROBE, click_option, pause  # noqa: E402
from diagnostic.questionnaire import Question, Questionnaire, QuestionType  # noqa: E402
from diagnostic.questionnaire.codecs import DONT_KNOW  # noqa: E402
from diagnostic.vocabulary import MONTHS  # noqa: E402
from tests.live import CHROMIUM, chromium, drawn, running  # noqa: E402

TIMEOUT = 120_000  # ms, for one wait: the machine may be shared
COORDINATION = ("coordination@demo.fr", "demo-diagnostic")
TERRITORY = "Communauté de communes du Pays de la Vère"
COMMUNES = [
    "Bourg-la-Vère",
    "Saint-Aubin-sur-Vère",
    "Montlieu",
    "Les Essarts-le-Vicomte",
    "Villedieu-la-Forêt",
    "Champfleury",
    "La Chapelle-Verte",
    "Sainte-Colombe-des-Bois",
]
# the parts of the questionnaire where the communes feel furthest from the EPCI
SORE = ("d4_instances", "d5_decision", "d8_information")


@dataclass
class Respondent:
    """One invited person and the way they answer."""

    name: str
    role: str  # the invitation's « Fonction » (ROLE_LABELS)
    structure: str
    context: dict[str, str]  # single-choice answers of part 1, by question id
    level: float  # their usual « niveau actuel » (1 to 5)
    sore: float  # added on the SORE parts
    dont_know: float  # share of « je ne sais pas »
    texts: dict[str, str] = field(default_factory=dict)


RESPONDENTS = [
    Respondent(
        "Hélène Garnier",
        "dgs",
        TERRITORY,
        {
            "ctx_fonction": "dgs",
            "ctx_structure": "epci",
            "ctx_anciennete_poste": "de_4_a_6_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": "distinctes",
            "ctx_pacte_gouvernance": "debat_a_venir",
            "ctx_conference_maires": "occasionnelle",
            "ctx_conseil_developpement": "non",
        },
        3.2,
        0.0,
        0.03,
        {
            "d1_enjeux_sous_estimes": "La ressource en eau et le vieillissement de la population "
            "des communes rurales, que nous traitons chacun de notre côté.",
            "d4_instance_a_faire_evoluer": "Il faudrait une conférence des DGS tous les deux mois, "
            "avec un ordre du jour préparé et un relevé de décisions.",
            "d6_frein_principal": "Le manque de temps des équipes, pas la volonté.",
        },
    ),
    Respondent(
        "Marc Lefebvre",
        "dga",
        TERRITORY,
        {
            "ctx_fonction": "dga",
            "ctx_structure": "epci",
            "ctx_anciennete_poste": "de_1_a_3_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": "distinctes",
            "ctx_pacte_gouvernance": "debat_a_venir",
            "ctx_conference_maires": "occasionnelle",
            "ctx_conseil_developpement": "non",
        },
        3.0,
        -0.2,
        0.06,
        {
            "d2_cooperation_supplementaire": "Un service commun de la commande publique ouvert aux "
            "petites communes, avec un agent référent.",
            "d6_frein_principal": "Les communes découvrent nos projets une fois décidés ; il faut "
            "les associer plus tôt.",
            "d3_acteur_manquant": "Les secrétaires de mairie, qui portent tout dans les petites "
            "communes.",
        },
    ),
    Respondent(
        "Karim Benali",
        "dst",
        TERRITORY,
        {
            "ctx_fonction": "dst",
            "ctx_structure": "epci",
            "ctx_anciennete_poste": "plus_de_6_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": "distinctes",
            "ctx_pacte_gouvernance": DONT_KNOW,
            "ctx_conference_maires": DONT_KNOW,
            "ctx_conseil_developpement": DONT_KNOW,
        },
        2.8,
        -0.3,
        0.10,
        {
            "d2_cooperation_supplementaire": "Mutualiser les astreintes voirie et le matériel "
            "entre "
            "les communes du nord du territoire.",
            "d4_instance_a_faire_evoluer": "Un réseau des services techniques, deux fois par an, "
            "pour partager les plannings de travaux.",
        },
    ),
    Respondent(
        "Sophie Marchand",
        "dgs",
        "Bourg-la-Vère",
        {
            "ctx_fonction": "dgs",
            "ctx_structure": "commune",
            "ctx_strate_commune": "de_3500_a_9999",
            "ctx_anciennete_poste": "plus_de_6_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": "distinctes",
            "ctx_pacte_gouvernance": "debat_a_venir",
            "ctx_conference_maires": "occasionnelle",
            "ctx_conseil_developpement": "non",
        },
        2.3,
        -0.8,
        0.05,
        {
            "d6_frein_principal": "On apprend les décisions de la communauté par la presse locale "
            "ou en conseil communautaire, trop tard pour préparer nos élus.",
            "d4_instance_a_faire_evoluer": "Créer un vrai CoDir de territoire avec les DGS des "
            "communes, pas seulement des réunions d'information.",
            "d1_enjeux_sous_estimes": "Le logement des jeunes actifs et la revitalisation du "
            "centre-bourg.",
        },
    ),
    Respondent(
        "Julien Roux",
        "dgs",
        "Saint-Aubin-sur-Vère",
        {
            "ctx_fonction": "dgs",
            "ctx_structure": "commune",
            "ctx_strate_commune": "de_1000_a_3499",
            "ctx_anciennete_poste": "de_1_a_3_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": "distinctes",
            "ctx_pacte_gouvernance": DONT_KNOW,
            "ctx_conference_maires": "occasionnelle",
            "ctx_conseil_developpement": "non",
        },
        2.0,
        -0.7,
        0.08,
        {
            "d6_frein_principal": "Le sentiment que la ville-centre et l'intercommunalité décident "
            "entre elles.",
            "d2_cooperation_supplementaire": "Un groupement de commandes pour l'entretien des "
            "bâtiments et l'éclairage public.",
            "d3_acteur_manquant": "Le département, pour les routes et le social.",
        },
    ),
    Respondent(
        "Nadine Perrin",
        "autre",
        "Champfleury",
        {
            "ctx_fonction": "sgm",
            "ctx_structure": "commune",
            "ctx_strate_commune": "moins_de_500",
            "ctx_anciennete_poste": "plus_de_6_ans",
            "ctx_ville_centre": "oui",
            "ctx_direction_generale": DONT_KNOW,
            "ctx_pacte_gouvernance": DONT_KNOW,
            "ctx_conference_maires": DONT_KNOW,
            "ctx_conseil_developpement": DONT_KNOW,
        },
        1.7,
        -0.5,
        0.14,
        {
            "d4_instance_a_faire_evoluer": "Une réunion des secrétaires de mairie "
            "chaque trimestre, "
            "avec les services de la communauté.",
            "d6_frein_principal": "Seule en mairie, je n'ai pas le temps d'aller aux réunions de "
            "Bourg-la-Vère en journée.",
            "d1_enjeux_sous_estimes": "L'accès aux services pour les personnes âgées sans voiture.",
        },
    ),
]
# single choices outside part 1, as the EPCI's directions and the communes' answer them: no
# CoDir de territoire, a conférence des DGS that meets now and then, seen by the EPCI only
SHARED = {
    "d4_frequence_instance_dg": ("ponctuelle", "aucune"),
    "d7_prochain_diagnostic": ("mi_mandat", "deux_ans"),
}
IMPORTANT = ("d1_", "d4_", "d5_", "d8_")  # where the importance is « Prioritaire » more often


class Answers:
    """How one respondent answers each type of question."""

    def __init__(self, q: Questionnaire, who: Respondent, seed: int) -> None:
        self.q, self.who, self.rng = q, who, random.Random(seed)

    def _level(self, question: Question) -> int:
        section = self.q.section_of(question.id).id
        mean = self.who.level + (self.who.sore if section in SORE else 0.0)
        return max(1, min(5, round(self.rng.gauss(mean, 0.7))))

    def _dk(self) -> bool:
        return self.rng.random() < self.who.dont_know

    def answer(self, page: object, question: Question) -> None:
        t, key = question.type, f"q_{question.id}"
        if t == QuestionType.SINGLE_CHOICE:
            options = [o.id for o in question.options] if question.options else None
            if options is None:  # an agreement statement: 1 to 5
                options = list(self.q.scale_of(question).values)
                chosen: object = max(1, min(5, round(self.rng.gauss(self.who.level + 0.5, 0.8))))
            elif question.id in self.who.context:
                chosen = self.who.context[question.id]
            elif question.id in SHARED:  # what everyone sees the same way, EPCI or commune
                chosen = SHARED[question.id][self.who.context["ctx_structure"] == "commune"]
            else:
                chosen = self.rng.choice(options)
            if question.allow_dont_know:
                options.append(DONT_KNOW)
            if chosen not in options:
                chosen = options[-1]
            click_option(page, key, options.index(chosen))
        elif t == QuestionType.MATURITY:
            values = list(self.q.scale_of(question).values)
            if self._dk() and question.allow_dont_know:
                click_option(page, key, len(values))
            else:
                click_option(page, key, values.index(self._level(question)))
        elif t == QuestionType.CURRENT_TARGET:
            values = list(self.q.scale_of(question).values)
            if self._dk() and question.allow_dont_know:
                click_option(page, f"{key}_current", len(values))
                return
            current = self._level(question)
            target = min(5, current + self.rng.choice((1, 1, 2, 2, 0)))
            click_option(page, f"{key}_current", values.index(current))
            click_option(page, f"{key}_target", values.index(target))
            if question.importance:
                weights = (1, 3, 3) if question.id.startswith(IMPORTANT) else (2, 3, 1)
                importance = self.rng.choices((0, 1, 2), weights=weights)[0]
                click_option(page, f"{key}_importance", importance)
        elif t == QuestionType.GRID:
            values = list(self.q.scale_of(question).values)
            top = len(values) - 1
            columns = ["current", "desired"] if question.desired else ["current"]
            for row in question.rows or []:
                if self._dk() and question.allow_dont_know:
                    for c in columns:
                        click_option(page, f"{key}_{row.id}_{c}", len(values))
                    continue
                now = max(0, min(top, round(self.rng.gauss(top * self.who.level / 6, 1.0))))
                wanted = min(top, now + self.rng.choice((0, 1, 1, 2)))
                for c, v in zip(columns, (now, wanted), strict=False):
                    click_option(page, f"{key}_{row.id}_{c}", v)
        elif t in (QuestionType.RANKING, QuestionType.MULTIPLE_CHOICE):
            options = list(question.options or [])
            n = question.max_choices or 3 if t == QuestionType.RANKING else self.rng.randint(1, 3)
            for option in self.rng.sample(options, min(n, len(options))):
                box = page.locator(f".st-key-{key} input").first  # type: ignore[attr-defined]
                box.scroll_into_view_if_needed()
                box.click()
                box.press_sequentially(option.label[:30])  # the list shows the matching options
                item = page.get_by_role("option", name=option.label).first  # type: ignore[attr-defined]
                pause(page, lambda item=item: item.click())
                page.keyboard.press("Escape")  # type: ignore[attr-defined]
        elif t == QuestionType.TEXT:
            text = self.who.texts.get(question.id)
            if not text:
                return
            area = page.locator(f".st-key-{key}_texte textarea")  # type: ignore[attr-defined]
            area.scroll_into_view_if_needed()
            area.fill(text)
            area.press("Tab")  # leaving the field sends it at once
            from playwright.sync_api import expect

            expect(page.locator(f".st-key-{key}_texte .as-status")).to_have_text(  # type: ignore[attr-defined]
                "Enregistré", timeout=30000
            )
            drawn(page, TIMEOUT)


def shot(page: object, out: Path, name: str) -> None:
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(browser: object, server_url: str) -> object:
    from playwright.sync_api import expect

    context = browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(server_url)
    expect(page.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=60000)
    page.get_by_label("Adresse électronique").fill(COORDINATION[0])
    page.get_by_label("Mot de passe").fill(COORDINATION[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
    return page


def go(page: object, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=link, exact=True).click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30000)  # type: ignore[attr-defined]
    drawn(page, TIMEOUT)


def select(page: object, where: object, label: str, option: str | re.Pattern[str]) -> None:
    """Choose `option` in the selectbox `label` of `where` (the page or a form)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        where.get_by_role("combobox", name=label).click()  # type: ignore[attr-defined]
        item = page.get_by_role("option", name=option, exact=isinstance(option, str))  # type: ignore[attr-defined]
        try:
            item.first.click(timeout=10000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            drawn(page, TIMEOUT)


def pick(page: object, label: str, option: str) -> None:
    select(page, page, label, option)
    drawn(page, TIMEOUT)


def create_territory_and_campaign(page: object, out: Path) -> list[str]:
    """The coordinator's set-up; the six personal links."""
    from playwright.sync_api import expect

    go(page, "Nouveau territoire", "Nouveau territoire")
    form = page.get_by_test_id("stForm")  # type: ignore[attr-defined]
    form.get_by_label("Nom du territoire *").fill(TERRITORY)
    select(page, form, "Type", "Communauté de communes")
    form.get_by_label("Population (facultatif)").fill("23500")
    form.get_by_label(re.compile("^Communes membres")).fill("\n".join(COMMUNES))
    form.get_by_role("button", name="Créer le territoire").click()
    expect(page.get_by_text(f"Territoire « {TERRITORY} » créé")).to_be_visible(timeout=30000)  # type: ignore[attr-defined]
    shot(page, out, "01-territoire")

    # the fiche: the institution, and the pacte's débat not held (late since 22 October 2026)
    go(page, "Fiche du territoire", "Fiche du territoire")
    pick(page, "Territoire", TERRITORY)
    for tab, answers, source in (
        (
            "L'intercommunalité",
            {
                "Régime fiscal": ("select", "Fiscalité professionnelle unique (FPU)"),
                "Population (habitants)": ("number", "23500"),
                "Millésime de la population": ("number", "2023"),
                "Nombre de communes membres (communes)": ("number", "8"),
                "Le bureau comprend tous les maires": ("radio", "Non"),
            },
            "Statuts de la communauté, arrêté préfectoral du 12 décembre 2016",
        ),
        (
            "Gouvernance du mandat",
            {
                "Débat sur l'élaboration d'un pacte de gouvernance tenu": ("radio", "Non"),
                "Conférence des maires instituée": ("radio", "Oui"),
            },
            "Ordres du jour des conseils communautaires depuis avril 2026",
        ),
    ):
        page.get_by_role("tab", name=tab).click()  # type: ignore[attr-defined]
        form = page.get_by_test_id("stForm").filter(has_text=f"Enregistrer « {tab} »")  # type: ignore[attr-defined]
        for label, (kind, value) in answers.items():
            if kind == "radio":
                form.get_by_role("radiogroup", name=label).get_by_text(value, exact=True).click()
            elif kind == "number":
                form.get_by_label(label, exact=True).fill(value)
            else:
                select(page, form, label, value)
        form.get_by_label("Source").first.fill(source)
        form.get_by_role("button", name=f"Enregistrer « {tab} »").click()
        expect(
            page.get_by_text(re.compile(f"« {re.escape(tab)} » : \\d+ informations? enregistrée"))
        ).to_be_visible(  # type: ignore[attr-defined]
            timeout=30000
        )
        drawn(page, TIMEOUT)
    shot(page, out, "02-fiche")

    # the campaign on the full questionnaire
    go(page, "Campagnes", "Campagnes de diagnostic")
    pick(page, "Territoire", TERRITORY)
    form = page.get_by_test_id("stForm").filter(has_text="Créer et ouvrir la campagne")  # type: ignore[attr-defined]
    select(page, form, "Questionnaire", re.compile(r"^Autodiagnostic .* 2026\.2 \(≈ 45"))
    form.get_by_role("button", name="Créer et ouvrir la campagne").click()
    expect(page.get_by_text("Inviter un·e participant·e")).to_be_visible(timeout=30000)  # type: ignore[attr-defined]
    drawn(page, TIMEOUT)
    links = []
    roles = {"dgs": "DGS", "dga": "DGA", "dst": "DST", "autre": "Autre"}
    for who in RESPONDENTS:
        form = page.get_by_test_id("stForm").filter(has_text="Ajouter et obtenir le lien")  # type: ignore[attr-defined]
        form.get_by_label(re.compile("^Nom")).fill(who.name)
        select(page, form, "Fonction", roles[who.role])
        select(page, form, "Structure", who.structure)
        form.get_by_role("button", name="Ajouter et obtenir le lien").click()
        shown = page.get_by_text(f"Lien personnel de {who.name}")  # type: ignore[attr-defined]
        expect(shown).to_be_visible(timeout=30000)
        links.append(page.get_by_test_id("stCode").inner_text().strip())  # type: ignore[attr-defined]
        drawn(page, TIMEOUT)
    shot(page, out, "03-campagne")
    return links


def answer_questionnaire(
    browser: object, q: Questionnaire, link: str, who: Respondent, seed: int, out: Path
) -> int:
    """The whole questionnaire through its widgets, then sent; the number of parts."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Commencer le questionnaire").click(timeout=TIMEOUT)
    drawn(page, TIMEOUT)
    answers = Answers(q, who, seed)
    parts = 0
    while True:
        parts += 1
        heading = page.locator("h2").filter(has_text=re.compile(r"^\d+\. ")).first
        title = re.sub(r"^\d+\. ", "", heading.inner_text().strip())
        section = next(s for s in q.sections if s.title == title)
        for question in section.questions:
            # a question shown under a condition appears once its condition is met
            if page.locator(f'[class*="st-key-q_{question.id}"]').count():
                answers.answer(page, question)
        if parts == 1:
            shot(page, out, f"04-questionnaire-{seed}-partie-1")
        following = page.get_by_role("button", name="Partie suivante →")
        if not following.count():
            break
        pause(page, following.click)
    missing = page.get_by_text(re.compile(r"question obligatoire|questions obligatoires"))
    if missing.count():
        shot(page, out, f"04-questionnaire-{seed}-manque")
        raise RuntimeError(f"{who.name} : {missing.first.inner_text()}")
    pause(page, page.get_by_role("button", name="Envoyer mes réponses").click)
    expect(page.get_by_text("Vos réponses ont été envoyées")).to_be_visible(timeout=30000)
    context.close()
    return parts


def roadmap_documents(page: object, out: Path) -> dict[str, Path]:
    """« Feuille de route »: propose, prepare the documents, download the three files."""
    from playwright.sync_api import expect

    go(page, "Feuille de route", "Feuille de route")
    pick(page, "Territoire", TERRITORY)
    propose = page.get_by_role("button", name="Proposer des actions à partir des résultats")  # type: ignore[attr-defined]
    propose.click(timeout=TIMEOUT)
    expect(page.get_by_text(re.compile(r"actions? ajoutées?"))).to_be_visible(timeout=TIMEOUT)  # type: ignore[attr-defined]
    drawn(page, TIMEOUT)
    shot(page, out, "05-feuille-de-route")
    page.get_by_role("button", name="Préparer les documents").click()  # type: ignore[attr-defined]
    files = {}
    for fmt, label in (("docx", "Word (.docx)"), ("pdf", "PDF"), ("md", "Markdown")):
        button = page.get_by_role("button", name=label)  # type: ignore[attr-defined]
        expect(button).to_be_visible(timeout=240000)
        with page.expect_download() as info:  # type: ignore[attr-defined]
            button.click()
        path = out / f"feuille-de-route.{fmt}"
        info.value.save_as(str(path))
        files[fmt] = path
    return files


# --- the checks ---------------------------------------------------------------------------------


def _section(lines: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, x in enumerate(lines) if x.startswith(start))
    last = next((i for i, x in enumerate(lines) if i > first and x.startswith(end)), len(lines))
    return lines[first:last]


def check(md: Path, day: date) -> list[tuple[str, bool, str]]:
    """Issue 16's « done when » on the Markdown: (criterion, met, what was found)."""
    raw = md.read_text(encoding="utf-8").splitlines()
    lines = [re.sub(r"\\(.)", r"\1", x).replace("**", "").replace("*", "") for x in raw]
    found: list[tuple[str, bool, str]] = []
    headings = [x for x in lines if x.startswith("## ")]
    found.append(
        (
            "page un « Ce qu'il faut retenir » en tête",
            headings[0] == "## Ce qu'il faut retenir",
            headings[0],
        )
    )
    page_one = _section(lines, "## Ce qu'il faut retenir", "## 1.")
    summary = next((x for x in page_one if x.startswith("Le plan principal retient")), "")
    numbers = re.findall(r"(\d+) actions en (\d+) chantiers", summary)
    actions, chantiers = map(int, numbers[0]) if numbers else (0, 0)
    found.append(("5 à 8 chantiers", 5 <= chantiers <= 8, f"{chantiers} chantiers"))
    plan = _section(lines, "## 6. Plan d'action", "## 7.")
    headed = sum(x.startswith("#### A") for x in plan)
    found.append(
        (
            "au plus 12 actions (+ 2 étapes du mandat)",
            0 < actions <= 14 and headed == actions,
            f"{actions} actions annoncées, {headed} détaillées en partie 6",
        )
    )
    table = [x for x in plan if x.startswith("| ") and re.search(r"\| A\d+\. ", x)]
    early, firsts = [], []
    for row in table:
        when = row.strip().strip("|").split(" | ")[3]
        dates = re.findall(rf"({'|'.join(MONTHS)}) (\d{{4}})", when)
        if dates:
            firsts.append(f"{dates[0][0]} {dates[0][1]}")
        early += [row for m, y in dates if (int(y), MONTHS.index(m) + 1) < (day.year, day.month)]
    found.append(
        (
            "aucune action avant la date du document",
            not early and bool(table),
            f"{len(table)} lignes ; débuts : {', '.join(dict.fromkeys(firsts))}"
            + (f" ; AVANT : {early}" if early else ""),
        )
    )
    steps = _section(lines, "## 7.", "## Annexes")
    late = next((x for x in steps if "Sans attendre — obligations en retard" in x), None)
    if late is None:
        found.append(("obligations en retard en tête", False, "aucune obligation en retard"))
    else:
        named = re.findall(r"(?:échéance dépassée le [^(]+|obligation permanente) \(", late)
        ok = (
            late.count("Action du plan : ") == len(named)
            and any("à régulariser sans attendre" in x for x in page_one)
            and "### 6.1 À régulariser sans attendre" in plan
        )
        found.append(
            (
                "chaque obligation en retard en tête (page un, 6.1, 7)",
                ok,
                "; ".join(n.rstrip(" (") for n in named),
            )
        )
    voices = _section(lines, "### 3.5 Paroles de directeurs", "## 4.")
    quotes = [x for x in voices if x.startswith("> « ")]
    found.append(("au moins une parole citée", bool(quotes), f"{len(quotes)} citations"))
    timeline = any("Calendrier du plan principal" in x for x in plan)
    found.append(("calendrier (barres par chantier)", timeline, "partie 6"))
    return found


def prose_rules(files: dict[str, Path]) -> list[str]:
    """The French-writing rules of tests/test_document_prose.py over the three files."""
    from tests import test_document_prose as prose

    broken = []
    for fmt, path in files.items():
        text = prose._read(path, fmt, f"{path.name}")
        for name, (rule, kinds) in prose.RULES.items():
            if fmt in kinds:
                for line in dict.fromkeys(rule(text)):
                    broken.append(f"{fmt} · {name} : {line[:160]}")
    return broken


def render_pdf(pdf: Path, out: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    for index in range(len(document)):
        image = document[index].render(scale=1.4).to_pil()
        image.save(out / f"pdf-page-{index + 1:02d}.png")
    return len(document)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "plan-campaign")
    parser.add_argument("--respondents", type=int, default=len(RESPONDENTS))
    parser.add_argument(
        "--roadmap-only",
        action="store_true",
        help="reprendre la base de --out (campagne déjà remplie) : feuille de route seulement",
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("Chromium de Debian absent : apt-get install chromium")
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="diag-plan-campaign-"))
    base = out / "app.db"  # kept: `python -m diagnostic roadmap --campaign ID` works on it
    if not args.roadmap_only:
        for stale in out.glob("app.db*"):
            stale.unlink()
    elif not base.exists():
        print(f"--roadmap-only : pas de base {base} (lancez d'abord le script sans l'option)")
        return 2
    started = time.perf_counter()
    try:
        questions = tmp / "questions"
        shutil.copytree(ROOT / "questions", questions)
        url = f"sqlite:///{base}"
        from diagnostic.demo import load_demo
        from diagnostic.questionnaire import load_questionnaire
        from diagnostic.store.engine import build_engine, migrate

        if not args.roadmap_only:
            engine = build_engine(url)
            migrate(engine)
            load_demo(engine, questions)  # the demo accounts (and territories, left alone)
            engine.dispose()
        q = load_questionnaire(questions / "questionnaires" / "gouvernance.yaml")
        timings: dict[str, float] = {}
        with running(url, questions, out / "server.log") as server, chromium() as browser:
            t = time.perf_counter()
            page = sign_in(browser, server.url)
            try:
                links = [] if args.roadmap_only else create_territory_and_campaign(page, out)
            except Exception:
                shot(page, out, "erreur-coordination")
                raise
            timings["territoire, fiche, campagne, invitations"] = time.perf_counter() - t
            for seed, (who, link) in enumerate(zip(RESPONDENTS, links, strict=False), start=1):
                if seed > args.respondents:
                    break
                t = time.perf_counter()
                parts = answer_questionnaire(browser, q, link, who, seed, out)
                timings[f"questionnaire de {who.name}"] = time.perf_counter() - t
                print(
                    f"  {who.name} ({who.structure}) : {parts} parties, envoyé "
                    f"en {timings[f'questionnaire de {who.name}']:.0f} s",
                    flush=True,
                )
            t = time.perf_counter()
            page.context.close()  # the coordinator comes back later, in a new session
            page = sign_in(browser, server.url)
            try:
                files = roadmap_documents(page, out)
            except Exception:
                shot(page, out, "erreur-feuille-de-route")
                raise
            timings["feuille de route et documents"] = time.perf_counter() - t
        day = date.today()
        print(f"\nDurées : {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}")
        print(f"total {time.perf_counter() - started:.0f} s ; fichiers dans {out}\n")
        print(f"« Done when » (issue 16), document du {day:%d/%m/%Y} :")
        results = check(files["md"], day)
        for criterion, met, detail in results:
            print(f"  [{'ok' if met else 'NON'}] {criterion} — {detail}")
        broken = prose_rules(files)
        print(
            f"\nRègles d'écriture (tests/test_document_prose.py) : lignes en défaut : {len(broken)}"
        )
        for line in broken[:20]:
            print(f"  · {line}")
        pages = render_pdf(files["pdf"], out)
        print(f"\nPDF : {pages} pages rendues en PNG (pdf-page-NN.png)")
        return 0 if all(met for _, met, _ in results) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
