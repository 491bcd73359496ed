"""The roadmap document: Word, PDF and Markdown opened and read back, numbers checked."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from datetime import date

import docx
import pytest
from PIL import Image
from pypdf import PdfReader

from diagnostic import document
from diagnostic.document import charts, content
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results, labels
from diagnostic.results.service import read_campaign_data
from diagnostic.roadmap.library import load_references
from diagnostic.roadmap.model import HORIZON_LABELS, PlanItem, PointToInvestigate, RoadmapDraft
from diagnostic.roadmap.references import Library
from diagnostic.store import campaigns
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.territory.calendar import moment
from diagnostic.territory.facts import fiche_for
from diagnostic.territory.obligations import TABLE_COLUMNS, evaluate, load_rules
from diagnostic.territory.situation import Situation
from tests.conftest import FIXTURES, ROOT
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")
GOUVERNANCE = ROOT / "questions" / "questionnaires" / "gouvernance.yaml"
PLAN_HEADER = ["Axe", "Action", "Pilote / porteur", "Échéance", "Indicateur", "Statut"]
H1 = [
    "Ce qu'il faut retenir",
    "1. Contexte et méthode",
    "2. Le diagnostic par dimension",
    "3. Regards croisés et angles morts",
    "4. Priorités",
    "5. Gouvernance proposée",
    "6. Plan d'action",
    "7. Prochaines étapes",
    "Annexes",
]


def _plain(text: str) -> str:
    """The text as typed: the writers print French non-breaking spaces (« », :, ;)."""
    return text.replace("\u00a0", " ")


def _texts(word) -> list[str]:
    """The paragraphs of the body, without the entries of the table of contents."""
    return [_plain(p.text) for p in word.paragraphs if not p.style.name.startswith("toc ")]


def _save(engine, participant_id, q, raw_answers):
    with session_scope(engine) as s:
        store_answers(s, q, participant_id, raw_answers)
        campaigns.mark_submitted(s, participant_id=participant_id)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """4 respondents on the mini questionnaire: the EPCI at level 4, the communes at 2 and 1."""
    tmp_path = tmp_path_factory.mktemp("document")
    engine = build_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    w = make_world(engine, coordinator=make_user(engine), n_participants=4)
    for p, level in zip(w.participants, [4, 2, 1, 4], strict=True):
        _save(
            engine,
            p.id,
            Q,
            {
                "ctx_structure": {"choice": "epci" if level == 4 else "commune"},
                "ins_debat": {"level": level},
                "ins_codir": {"current": level, "target": 5, "importance": 3},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
                "act_grille": {"rows": {"departement": {"current": 1, "desired": 3}}},
            },
        )
    qdir = tmp_path / "questions" / "questionnaires"
    qdir.mkdir(parents=True)
    shutil.copy(FIXTURES / "mini.yaml", qdir / "mini.yaml")
    data = read_campaign_data(engine, w.campaign_id, qdir.parent)
    return compute_results(data, min_group_size=2)


def _item(position, dimension, title, **extra):
    fields = dict(
        id=position + 1,
        action_id=None,
        dimension=dimension,
        title=title,
        description="Une description de l'action.",
        horizon="premiere_annee",
        owner="Direction générale",
        indicator="Un indicateur",
        status="proposed",
        priority=None,
        position=position,
        origin="manual",
        edited=False,
        change=None,
        details={},
    )
    fields.update(extra)
    return PlanItem(**fields)


EVIDENCE = {
    "question_id": "ins_codir",
    "item": Q.question("ins_codir").text,
    "trigger": "niveau 2,5 sur 5, visé 5",
    "summary": "score 44/100 aujourd'hui, 100/100 visé ; jugé prioritaire (3 sur 3)",
    "source": "réponses individuelles",
}


@pytest.fixture(scope="module")
def draft(results):
    plan = (
        _item(
            0,
            "instances",
            "Instituer un CoDir de territoire",
            action_id="codir",
            horizon="cent_jours",
            owner="CoDir de territoire",
            indicator="Nombre de séances tenues",
            status="accepted",
            priority=6.5,
            origin="generated",
            details={
                "instrument": "Charte de fonctionnement du CoDir",
                "validation": "Conférence des maires",
                "references": ["conference_maires"],
                "shared_by": "constat partagé par 2 communes sur 2",
                "evidence": [EVIDENCE],
            },
        ),
        _item(1, "instances", "Écrire la cartographie des instances", horizon="mi_mandat"),
        _item(2, "acteurs", "Réunir les partenaires chaque année", horizon=None, owner=None),
    )
    point = PointToInvestigate(
        "ins_debat", "instances", Q.question("ins_debat").text, "avis opposés ; 6 réponses"
    )
    return RoadmapDraft(
        territory="CC Test",
        campaign="Campagne",
        questionnaire="mini 1",
        generated_on=date(2026, 11, 29),
        participation={"invited": 4, "started": 4, "submitted": 4},
        plan=plan,
        points=(point,),
        dimension_titles={s.id: s.title for s in Q.sections},
    )


@pytest.fixture(scope="module")
def library():
    refs = load_references(ROOT / "questions" / "references.yaml")
    return Library(tuple(refs), (), Q)


@pytest.fixture(scope="module")
def built(draft, results, library):
    return document.build_documents(draft, results, library, ("docx", "pdf", "md"))


def test_charts_are_png_at_print_resolution_one_per_chart(results):
    chosen = charts.charts_for(results, labels(Q))
    keys = [c.key for c in chosen]
    assert keys == [
        "radar",
        "gaps",
        "kinds",
        "dimension:instances",
        "grid:act_grille",
        "priorities:act_priorites",
    ]
    for chart in chosen:
        png = charts.render(chart)
        assert charts.render(chart) == png  # deterministic: same data, same bytes
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == round(charts.WIDTH_IN * charts.DPI)
        assert round(image.info["dpi"][0]) == charts.DPI


def test_docx_has_real_headings_in_order(built):
    word = docx.Document(io.BytesIO(built["docx"].data))
    headings = [
        (p.style.name, _plain(p.text)) for p in word.paragraphs if p.style.name.startswith("Head")
    ]
    assert [t for s, t in headings if s == "Heading 1"] == H1
    assert ("Heading 2", "2.1 Instances de concertation") in headings
    assert ("Heading 2", "3.3 Points à instruire collectivement") in headings
    assert ("Heading 3", "A1. Instituer un CoDir de territoire") in headings
    props = word.core_properties
    assert props.title.endswith("CC Test") and props.author == "Diagnostic de gouvernance"
    assert props.language == "fr-FR"


def test_docx_action_plan_table_and_evidence(built, draft):
    word = docx.Document(io.BytesIO(built["docx"].data))
    plan = next(t for t in word.tables if [c.text for c in t.rows[0].cells] == PLAN_HEADER)
    rows = [[_plain(c.text) for c in row.cells] for row in plan.rows[1:]]
    assert rows == [
        [
            "Instances de concertation",
            "A1. Instituer un CoDir de territoire",
            "CoDir de territoire",
            HORIZON_LABELS["cent_jours"],
            "Nombre de séances tenues",
            "Retenue",
        ],
        [
            "Instances de concertation",
            "A2. Écrire la cartographie des instances",
            "Direction générale",
            "Mi-mandat (2029)",
            "Un indicateur",
            "Proposée",
        ],
        ["Acteurs et besoins", "A3. Réunir les partenaires chaque année", "à désigner", "à fixer"]
        + ["Un indicateur", "Proposée"],
    ]
    texts = _texts(word)
    why = texts.index("Pourquoi cette action ?")
    evidence = texts[why + 1]
    assert evidence.startswith("« Une instance régulière réunit les directeurs généraux")
    assert "niveau 2,5 sur 5, visé 5 — score 44/100 aujourd'hui" in evidence
    assert "Vu de l'intercommunalité : 75/100 ; vu des communes : 12/100" in evidence
    # the communes that share the finding, against those that answered and the members
    assert texts[why + 2] == (
        "Constat partagé par les 2 communes répondantes, soit toutes les communes membres."
    )
    assert any(
        t.startswith("Pourquoi cette action ? Action ajoutée par le collectif") for t in texts
    )


def test_docx_has_every_chart_as_an_image(built, results):
    word = docx.Document(io.BytesIO(built["docx"].data))
    assert len(word.inline_shapes) == len(charts.charts_for(results, labels(Q))) == 6
    width = word.inline_shapes[0].width
    assert width.cm == pytest.approx(16, abs=0.05)


def test_docx_numbers_match_the_results(built, results):
    word = docx.Document(io.BytesIO(built["docx"].data))
    dims = results.dimensions.set_index("dimension_id")
    instances = round(dims.loc["instances", "score"])  # 43.75 -> 44
    assert instances == 44
    texts = _texts(word)
    start = texts.index("2.1 Instances de concertation")
    assert texts[start + 1].startswith(f"En bref : score {instances}/100 aujourd'hui")
    crossed = "Regards croisés : vu de l'intercommunalité, 75/100 ; vu des communes, 12/100"
    assert texts[start + 2] == crossed + " (63 points d'écart)."
    annex = next(t for t in word.tables if t.rows[0].cells[0].text == "Dimension")
    row = next(r for r in annex.rows if r.cells[0].text == "Instances de concertation")
    assert row.cells[1].text == str(instances)
    assert row.cells[2].text == str(round(dims.loc["instances", "target_score"]))  # 100
    points = next(
        t for t in word.tables if [c.text for c in t.rows[0].cells][:2] == ["Axe", "Item"]
    )
    assert (
        _plain(points.rows[1].cells[1].text)
        == "Les instances laissent de la place au débat contradictoire"
    )


def test_pdf_text_outline_and_numbers(built, results):
    reader = PdfReader(io.BytesIO(built["pdf"].data))
    text = _plain("\n".join(page.extract_text() for page in reader.pages))
    for heading in H1:
        assert heading in text
    assert "Instituer un CoDir de territoire" in text
    assert "Gouvernance proposée" in text and "Écrire la cartographie" in text
    assert "« Une instance régulière" in text and "niveau 2,5" in text
    assert (
        f"score {round(results.dimensions.set_index('dimension_id').loc['instances', 'score'])}/100"
        in text
    )
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == H1
    assert reader.metadata.title.endswith("CC Test")
    assert len(reader.pages[0].images) == 0 and sum(len(p.images) for p in reader.pages) == 6


def test_markdown_headings_and_plan_table(built):
    text = built["md"].data.decode("utf-8")
    assert text.startswith("# Feuille de route de la gouvernance administrative — CC Test\n")
    for heading in H1:
        assert f"\n## {heading}\n" in text
    assert "\n#### A1. Instituer un CoDir de territoire\n" in text
    assert "| " + " | ".join(PLAN_HEADER) + " |" in text
    assert (
        "| Instances de concertation | A1. Instituer un CoDir de territoire | "
        "CoDir de territoire | Dans les 100 jours | Nombre de séances tenues | Retenue |"
    ) in text
    assert "(graphique : Maturité par dimension" in text and "voir la version Word ou PDF" in text


def test_exports_have_names_and_types(built):
    assert built["docx"].filename == "feuille-de-route-cc-test.docx"
    assert built["pdf"].mime == "application/pdf" and built["pdf"].data.startswith(b"%PDF")
    assert built["md"].filename == "feuille-de-route-cc-test.md"


def test_charts_are_rendered_once_for_several_formats(draft, results, monkeypatch):
    document.clear_caches()
    calls = []
    render = charts.render
    monkeypatch.setattr(charts, "render", lambda chart: calls.append(chart.key) or render(chart))
    document.build_documents(draft, results, None, ("docx", "pdf"))
    assert len(calls) == len(set(calls)) == 6
    calls.clear()
    md = document.build_document(draft, results, None, "md")
    assert calls == [] and md.data.startswith(b"# ")


def test_a_document_asked_again_is_neither_drawn_nor_written_again(draft, results, monkeypatch):
    """Same data: the same bytes, no chart drawn, no file written; one action less: the text
    changes and only what depends on it is redone; other data: every chart drawn again."""
    document.clear_caches()
    first = document.build_documents(draft, results, None, ("docx", "pdf", "md"))
    drawn, written = [], []
    render, write = charts.render, document.docx_writer.write
    monkeypatch.setattr(charts, "render", lambda chart: drawn.append(chart.key) or render(chart))
    monkeypatch.setattr(
        document.docx_writer, "write", lambda *a: written.append("docx") or write(*a)
    )
    again = document.build_documents(draft, results, None, ("docx", "pdf", "md"))
    assert (drawn, written) == ([], [])
    assert {f: e.data for f, e in again.items()} == {f: e.data for f, e in first.items()}

    shorter = RoadmapDraft(**{**draft.__dict__, "plan": draft.plan[:-1]})
    changed = document.build_documents(shorter, results, None, ("docx", "md"))
    assert written == ["docx"] and changed["md"].data != first["md"].data
    assert set(drawn) <= {"timeline"}  # the results' charts are those already drawn

    drawn.clear()
    other = replace(
        results, dimensions=results.dimensions.assign(score=results.dimensions["score"] / 2)
    )
    document.build_documents(draft, other, None, ("pdf",))
    assert "radar" in drawn and "gaps" in drawn


def test_charts_drawn_ahead_are_not_drawn_again(draft, results, monkeypatch):
    document.clear_caches()
    charts.draw_ahead(results, labels(results.questionnaire)).join(60)
    drawn = []
    render = charts.render
    monkeypatch.setattr(charts, "render", lambda chart: drawn.append(chart.key) or render(chart))
    document.build_documents(draft, results, None, ("pdf",))
    assert set(drawn) <= {"timeline"}


def test_unknown_format_is_refused(draft, results):
    with pytest.raises(ValueError, match="format de document inconnu : odt"):
        document.build_document(draft, results, None, "odt")


def test_empty_plan_still_makes_a_document(draft, results):
    empty = RoadmapDraft(**{**draft.__dict__, "plan": (), "points": ()})
    text = document.build_document(empty, results, None, "md").data.decode("utf-8")
    assert "Le plan d'action ne compte encore aucune action." in text
    assert "Aucun item ne fait apparaître de divergence marquée" in text


@pytest.fixture
def governance_results(tmp_path):
    """3 respondents on the full questionnaire who describe their instances."""
    q = load_questionnaire(GOUVERNANCE)
    engine = build_engine(f"sqlite:///{tmp_path / 'g.db'}")
    migrate(engine)
    w = make_world(engine, questionnaire=(q.id, q.version), n_participants=3)
    pacte = ["debat_a_venir", "debat_a_venir", "en_cours"]
    for p, answer in zip(w.participants, pacte, strict=True):
        _save(
            engine,
            p.id,
            q,
            {
                "ctx_pacte_gouvernance": {"choice": answer},
                "ctx_conference_maires": {"choice": "bureau_tous_maires"},
                "ctx_instruments": {"choices": ["projet_territoire"]},
                "d4_codir_territoire": {"current": 2, "target": 4, "importance": 3},
            },
        )
    qdir = tmp_path / "questions" / "questionnaires"
    qdir.mkdir(parents=True)
    shutil.copy(GOUVERNANCE, qdir / GOUVERNANCE.name)
    return compute_results(read_campaign_data(engine, w.campaign_id, qdir.parent), min_group_size=3)


def _governance_draft(results, situation=None, knowledge=(), min_group=None):
    extra: dict = {"knowledge": tuple(knowledge)} if knowledge else {}
    if min_group:
        extra["min_group_size"] = min_group
    return RoadmapDraft(
        territory="CC Test",
        campaign="Campagne",
        questionnaire="gouvernance 2026.1",
        generated_on=date(2026, 11, 29),
        participation={"invited": 3, "started": 3, "submitted": 3},
        plan=(_item(0, "d4_instances", "Instituer un CoDir de territoire"),),
        points=(),
        dimension_titles={s.id: s.title for s in results.questionnaire.sections},
        situation=situation,
        extra=extra,
    )


def _part_5_1(text: str) -> str:
    part = text[text.index("### 5.1 Les instances") :]
    return _plain(part[: part.index("\n### ", 5)])


def test_governance_without_a_fiche_states_no_fact_from_the_answers(governance_results, library):
    """No fiche: 5.1 says so, and never settles a fact by the answers (2 of 3 say the pacte
    debate is to come, 3 of 3 that the bureau holds every mayor: neither is stated)."""
    results = governance_results
    draft = _governance_draft(results)
    doc = content.assemble(draft, results, library, [])
    assert not [b for b in doc.blocks if getattr(b, "key", "") == "instances"]
    text = document.build_document(draft, results, library, "md").data.decode("utf-8")
    part = _part_5_1(text)
    assert "La fiche du territoire n'est pas renseignée" in part
    assert "Le débat n'a pas encore eu lieu" not in part and "majorité" not in part
    assert (
        "- CoDir de territoire (comité de direction commun aux communes et à "
        "l'intercommunalité) : aucun des 3 répondants n'en connaît l'existence"
    ) in part
    assert "Projet de territoire" not in part  # a fact of the fiche: not read from the answers
    steps = next(b for b in doc.blocks if getattr(b, "key", "") == "steps")
    assert [when for when, _ in steps.rows][:3] == [
        "29 novembre 2026",
        "Fin 2026",
        "Dans les 100 jours — d'ici le 9 mars 2027",
    ]
    assert "en conférence des maires" in steps.rows[0][1]  # the law's rule, not the answers
    assert "La fiche du territoire ne dit pas encore où en est le pacte." in steps.rows[1][1]
    assert "Situation déclarée" not in text
    assert "« Une instance régulière réunit les directeurs et directrices généraux" in text
    assert "25/100 aujourd'hui, 75/100 visé en fin de mandat" in text
    assert "art. L5211-11-3" in text  # the conférence des maires, quoted from the library


def test_mini_questionnaire_without_situation_keeps_5_1_short(draft, results):
    text = document.build_document(draft, results, None, "md").data.decode("utf-8")
    part = _part_5_1(text)
    assert "La fiche du territoire n'est pas renseignée" in part
    assert "|" not in part and "Pratiques" not in part


# A fiche that contradicts the majority: 2 of the 3 respondents say the pacte debate is to come,
# the fiche says it was held and a pacte is being drawn up; the projet de territoire, ticked by
# all, is not on the fiche.
GOVERNANCE_FICHE = {
    "pacte_gouvernance_debat": True,
    "pacte_gouvernance_debat_date": date(2026, 5, 12),
    "pacte_gouvernance_decide": True,
    "pacte_gouvernance_adopte": False,
    "bureau_tous_maires": True,
    "conference_maires": False,
    "pacte_financier_fiscal": False,
}
SOURCES = {"pacte_gouvernance_debat": "Délibération du 12 mai 2026, 13/05/2026"}


def _fiche_situation(facts):
    fiche = fiche_for(ROOT / "questions")
    return Situation(date(2026, 11, 29), facts, fiche=fiche, sources=SOURCES)


def _knowledge(results, facts, min_group):
    from diagnostic.territory.knowledge import findings

    fiche = fiche_for(ROOT / "questions")
    choices = results.responses.choices
    return findings(
        results.questionnaire,
        choices,
        facts,
        min_group_size=min_group,
        origins=SOURCES,
        fiche=fiche,
    )


def test_governance_reads_the_fiche_beside_what_the_respondents_know(governance_results, library):
    results = governance_results
    situation = _fiche_situation(GOVERNANCE_FICHE)
    known = _knowledge(results, GOVERNANCE_FICHE, 3)
    draft = _governance_draft(results, situation, known)
    doc = content.assemble(draft, results, library, [])
    table = next(b for b in doc.blocks if getattr(b, "key", "") == "instances")
    assert table.columns == (
        "Instance ou instrument",
        "Selon la fiche du territoire",
        "Ce qu'en savent les répondants",
        "Cadre",
    )
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Le pacte de gouvernance"] == (
        "Le débat sur l'élaboration d'un pacte de gouvernance a eu lieu ; Date du débat sur le "
        "pacte de gouvernance : 12/05/2026 ; le conseil a décidé d'élaborer un pacte de "
        "gouvernance ; le pacte de gouvernance n'est pas encore adopté (Délibération du 12 mai "
        "2026, 13/05/2026)",
        "1 répondant sur 3 le sait",  # en_cours; the majority (debat_a_venir) is wrong
        "CGCT, art. L5211-11-2, I, 1°",
    )
    assert rows["La conférence des maires"] == (
        "Le bureau comprend tous les maires ; pas de conférence des maires",
        "3 répondants sur 3 le savent",
        "CGCT, art. L5211-11-3",
    )
    # a fact the fiche does not give: never the answers' majority (3 of 3 ticked it)
    assert rows["Projet de territoire"] == (
        "Non renseigné sur la fiche",
        "à comparer une fois la fiche complétée",
        "–",
    )
    assert rows["Pacte financier et fiscal"][:2] == (
        "Pas de pacte financier et fiscal",
        "3 répondants sur 3 le savent",
    )
    assert rows["Le conseil de développement"][0] == "Non renseigné sur la fiche"
    assert rows["Signataire d'un contrat de ville"][1] == "non demandé aux répondants"
    text = document.build_document(draft, results, library, "md").data.decode("utf-8")
    part = _part_5_1(text)
    assert "d'après la fiche du territoire tenue par la coordination" in part
    assert "(détail en partie 3.4)" in part and "### 3.4 Ce que savent" in text
    assert "Le débat n'a pas encore eu lieu" not in part
    steps = next(b for b in doc.blocks if getattr(b, "key", "") == "steps")
    assert "en bureau communautaire" in steps.rows[0][1]  # the fiche: every mayor in the bureau
    assert (
        "Selon la fiche du territoire : le débat sur l'élaboration d'un pacte de gouvernance a "
        "eu lieu ; le conseil a décidé d'élaborer un pacte de gouvernance ; le pacte de "
        "gouvernance n'est pas encore adopté."
    ) in steps.rows[1][1]


def test_governance_respects_the_privacy_threshold(governance_results, library):
    """3 answers, a threshold of 4: no count of what the respondents know, no practice."""
    results = governance_results
    situation = _fiche_situation(GOVERNANCE_FICHE)
    known = _knowledge(results, GOVERNANCE_FICHE, 4)
    assert known == []
    draft = _governance_draft(results, situation, known, min_group=4)
    doc = content.assemble(draft, results, library, [])
    table = next(b for b in doc.blocks if getattr(b, "key", "") == "instances")
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Le pacte de gouvernance"][1] == "non détaillé : moins de 4 réponses"
    assert rows["Projet de territoire"][1] == "à comparer une fois la fiche complétée"
    part = _part_5_1(document.build_document(draft, results, library, "md").data.decode("utf-8"))
    assert "sur 3" not in part and "des 3 répondants" not in part
    assert "moins de 4 réponses (règle de confidentialité)" in part
    assert "(détail en partie 3.4)" not in part


def test_governance_fiche_without_facts_reads_as_not_filled_in(governance_results, library):
    results = governance_results
    draft = _governance_draft(results, _fiche_situation({"population": 21_800}))
    part = _part_5_1(document.build_document(draft, results, library, "md").data.decode("utf-8"))
    assert "La fiche du territoire n'est pas renseignée" in part and "| " not in part


# --- the territory's situation: obligations, duties first, moment -------------------------------

RULES = load_rules(ROOT / "questions")
# A Val de Loir-like CC on 29 November 2026: the pacte debate never held (late since 22 October),
# the CDCI window passed, the conseil de développement debate due by 22 December.
FICHE = {
    "regime_fiscal": "fpu",
    "population": 21_800,
    "bureau_tous_maires": True,
    "installation_conseil": date(2026, 4, 9),
    "pacte_gouvernance_debat": False,
    "conseil_developpement": False,
    "conseil_developpement_debat": False,
    "clect": True,
    "pcaet": True,
    "contrat_de_ville": False,
    "rapport_activite_date": date(2026, 9, 18),
}
DEBATE = (
    "À régulariser sans attendre : Débat sur l'élaboration d'un pacte de gouvernance — échéance "
    "dépassée le 22 octobre 2026 — CGCT, art. L5211-11-2, I, 1°"
)
MOMENT = "Campagne de début de mandat 2026-2032 — prochain renouvellement attendu en mars 2032"


def _situation(facts):
    day = date(2026, 11, 29)
    names = {k: f.label for k, f in fiche_for(ROOT / "questions").fields.items()}
    statuses = evaluate(RULES, facts, "cc", None, day, names)
    when = moment(RULES.calendar, date(2026, 11, 2))
    return Situation(day, facts, tuple(statuses), when, fiche=fiche_for(ROOT / "questions"))


@pytest.fixture(scope="module")
def situated(draft, results, library):
    pacte = _item(
        3,
        "acteurs",
        "Préparer le pacte de gouvernance du mandat",
        action_id="pacte_gouvernance_mandat",
        horizon="premiere_annee",  # stored before the fiche said it was late: the law dates it
        origin="generated",
    )
    situated = RoadmapDraft(
        **{**draft.__dict__, "plan": (pacte, *draft.plan), "situation": _situation(FICHE)}
    )
    return document.build_documents(situated, results, library, ("docx", "pdf", "md"))


def test_markdown_lists_the_obligations_at_the_document_date_worst_first(situated):
    text = situated["md"].data.decode("utf-8")
    assert f"- **Moment du mandat :** {MOMENT}\n" in text
    assert "campagne « Campagne », conduite en début de mandat 2026-2032 (prochain" in text
    section = text[text.index("### 1.3 Obligations légales du territoire") :]
    assert section.index("Situation au 29 novembre 2026, d'après la fiche du territoire") > 0
    rows = [line for line in section.split("\n## ")[0].splitlines() if line.startswith("| ")]
    assert rows[0] == "| " + " | ".join(TABLE_COLUMNS) + " |"
    assert rows[2] == (
        "| Débat sur l'élaboration d'un pacte de gouvernance | en retard | 22 octobre 2026 | "
        "CGCT, art. L5211-11-2, I, 1° | Débat sur l'élaboration d'un pacte de gouvernance "
        "tenu : non ; échéance déduite du texte |"
    )
    states = [row.split(" | ")[1] for row in rows[2:]]
    assert states == sorted(
        states,
        key=[
            "en retard",
            "à vérifier",
            "à faire",
            "fenêtre ouverte",
            "fenêtre passée",
            "à jour",
            "sans objet",
        ].index,
    )
    assert "| Réunion de la CDCI sur l'eau après le renouvellement | fenêtre passée |" in text
    assert "« À vérifier » : la fiche ne dit pas encore" in section


def test_markdown_puts_the_late_obligation_first_in_the_plan_and_the_next_steps(situated):
    text = situated["md"].data.decode("utf-8")
    assert (
        "| Acteurs et besoins | A1. Préparer le pacte de gouvernance du mandat | "
        "Direction générale | Sans attendre (échéance dépassée le 22 octobre 2026) |"
    ) in text
    assert "### 6.1 Obligations légales à remplir\n" in text
    assert "### 6.2 Instances de concertation\n" in text
    plan = text[text.index("### 6.1 Obligations légales à remplir") :]
    assert plan.index("#### A1. Préparer le pacte") < plan.index("#### A2. Instituer un CoDir")
    assert f"**Obligation légale :** {DEBATE}." in plan
    assert "d'ici le 29 novembre 2027" in text  # « Dans l'année »: the others…
    steps = text[text.index("## 7. Prochaines étapes") :]
    late = next(
        line for line in steps.splitlines() if "Sans attendre — obligations en retard" in line
    )
    assert (
        "Débat sur l'élaboration d'un pacte de gouvernance : échéance dépassée le 22 octobre"
        in late
    )
    assert "Action du plan : A1." in late
    assert "Préparer le pacte" not in steps.split("Dans l'année")[1]  # …but not the pacte
    assert "| 22 décembre 2026 — échéance indicative |" in steps  # the law sets no day
    assert "100 premiers jours" not in text


def test_part_5_agrees_with_part_1_3_on_the_pacte(situated):
    """The mini questionnaire asks nothing of the fiche: 5.1 states the fiche's facts alone."""
    part = _part_5_1(situated["md"].data.decode("utf-8"))
    assert (
        "| Le pacte de gouvernance | Le débat sur l'élaboration d'un pacte de gouvernance n'a "
        "pas encore eu lieu | non demandé aux répondants | CGCT, art. L5211-11-2, I, 1° |"
    ) in part
    assert "| Les services communs | Non renseigné sur la fiche |" in part
    assert "(détail en partie 3.4)" not in part


def test_word_and_pdf_carry_the_obligations_and_the_duty(situated):
    word = docx.Document(io.BytesIO(situated["docx"].data))
    headings = [(p.style.name, _plain(p.text)) for p in word.paragraphs]
    assert ("Heading 2", "1.3 Obligations légales du territoire") in headings
    assert ("Heading 2", "6.1 Obligations légales à remplir") in headings
    table = next(t for t in word.tables if [c.text for c in t.rows[0].cells] == list(TABLE_COLUMNS))
    assert [_plain(c.text) for c in table.rows[1].cells][:3] == [
        "Débat sur l'élaboration d'un pacte de gouvernance",
        "en retard",
        "22 octobre 2026",
    ]
    texts = [_plain(p.text) for p in word.paragraphs]
    assert f"Obligation légale : {DEBATE}." in texts
    assert f"Moment du mandat : {MOMENT}" in texts  # the title page
    pdf = _plain(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(situated["pdf"].data)).pages)
    )
    flat = " ".join(pdf.split())
    assert "1.3 Obligations légales du territoire" in flat
    assert "À régulariser sans attendre : Débat sur l'élaboration d'un pacte de gouvernance" in flat
    assert "Campagne de début de mandat 2026-2032" in flat


def test_an_empty_fiche_asks_to_complete_it_instead_of_a_table(draft, results, library):
    empty = RoadmapDraft(**{**draft.__dict__, "situation": _situation({"population": 21_800})})
    text = document.build_document(empty, results, library, "md").data.decode("utf-8")
    section = text[text.index("### 1.3 Obligations légales du territoire") :].split("\n## ")[0]
    assert "Complétez la fiche du territoire pour vérifier les obligations." in section
    assert "| Obligation |" not in section


def test_knowledge_of_the_fiche_is_a_subsection_of_the_crossed_views(draft, results):
    from diagnostic.document import markdown_writer
    from diagnostic.territory.knowledge import Finding

    gap = Finding(
        question_id="ctx_pacte_gouvernance",
        option_id=None,
        subject="Le pacte de gouvernance",
        fiche_says="le débat sur l'élaboration d'un pacte de gouvernance n'a pas encore eu lieu",
        origin="Ordres du jour des conseils d'avril à novembre 2026, 20/11/2026",
        answered=7,
        know=3,
        dont_know=1,
        other=(("Le pacte est en cours d'élaboration", 2), ("Le pacte est adopté", 1)),
    )
    known = Finding("ctx_conseil", None, "Le conseil de développement", "pas de conseil de "
                    "développement", "", 7, 7, 0, ())  # fmt: skip
    with_knowledge = RoadmapDraft(**{**draft.__dict__, "extra": {"knowledge": (gap, known)}})
    text = markdown_writer.write(content.assemble(with_knowledge, results, None, [])).decode()
    section = text.split("3.4 Ce que savent les répondants de la situation du territoire")[1]
    section = section.split("\n## ")[0]
    assert (
        "Le pacte de gouvernance : selon la fiche du territoire, le débat sur l'élaboration d'un "
        "pacte de gouvernance n'a pas encore eu lieu (Ordres du jour des conseils d'avril à "
        "novembre 2026, 20/11/2026). Sur 7 répondants, 3 le savent, 1 répond « Je ne sais pas » "
        "et 3 pensent autrement : « Le pacte est en cours d'élaboration » (2) ; « Le pacte est "
        "adopté » (1)."
    ) in section.replace("\u00a0", " ")
    assert "Connu de tous les répondants" in section and "Le conseil de développement." in section
    plain = markdown_writer.write(content.assemble(draft, results, None, [])).decode()
    assert "Ce que savent les répondants" not in plain  # no fiche that settles a fact: nothing


def test_page_one_in_every_format(built):
    """« Ce qu'il faut retenir » opens the document in Word, PDF and Markdown, before part 1."""
    md = built["md"].data.decode("utf-8")
    assert md.index("## Ce qu'il faut retenir") < md.index("## 1. Contexte et méthode")
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(built["docx"].data)).paragraphs)
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(built["pdf"].data)).pages)
    for text in (md, _plain(word), _plain(pdf)):
        assert "Ce projet est à amender" in _plain(text)
        assert "auto-évaluation" in _plain(text) or "aucun constat" in _plain(text)
