"""Paper questionnaires: the layout matches the import file, the PDF of the demo campaign
carries its codes on every page, and the import file filled for the printed codes imports."""

from __future__ import annotations

import csv
import io
import re

import pypdf
import pytest
from sqlmodel import select

from diagnostic.answering.paper import ROW_SEPARATOR
from diagnostic.answering.paper_form import (
    Campaign,
    Choices,
    FreeText,
    Grid,
    Levels,
    Ranking,
    Respondent,
    build_forms,
    template_rows,
)
from diagnostic.cli import main
from diagnostic.demo import load_demo
from diagnostic.questionnaire import load_questionnaire, registry
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.settings import get_settings
from diagnostic.store.engine import build_engine, get_engine, migrate, session_scope
from diagnostic.store.models import Answer, AuditEvent, Participant, Territory
from diagnostic.store.models import Campaign as CampaignRow
from tests.conftest import FIXTURES, ROOT
from tests.factories import make_user, make_world
from tests.pages_kit import engine, signed_in

QUESTIONS = ROOT / "questions"
MINI = load_questionnaire(FIXTURES / "mini.yaml")


def forms_of(questionnaire, *codes):
    respondents = tuple(Respondent(code) for code in codes)
    return build_forms(questionnaire, Campaign("CC Test", "Campagne 2026", respondents))


# --- the layout, pure -------------------------------------------------------------------------


def test_the_form_follows_the_questionnaire_and_the_import_file_follows_the_form():
    (form,) = forms_of(MINI, "12")
    printed = [q.code for q in form.questions]
    assert printed == [q.id for q in MINI.questions()]
    assert [q.number for q in form.questions] == list(range(1, len(printed) + 1))
    keys = [row[1] for row in template_rows([form])[1:]]
    expected = []
    for question in MINI.questions():
        if question.rows:
            expected += [f"{question.id}{ROW_SEPARATOR}{r.id}" for r in question.rows]
        else:
            expected.append(question.id)
    assert keys == expected
    assert template_rows([form])[0] == [
        "participant",
        "question",
        "value",
        "current",
        "target",
        "importance",
    ]
    assert {row[0] for row in template_rows([form])[1:]} == {"12"}


def test_each_type_gets_its_pen_layout_with_the_codes_of_the_import():
    (form,) = forms_of(MINI, "1")
    by_code = {q.code: q for q in form.questions}
    structure = by_code["ctx_structure"]
    assert isinstance(structure.answer, Choices) and not structure.answer.multiple
    assert [b.code for b in structure.answer.boxes] == ["epci", "commune"]
    assert not structure.dont_know  # allow_dont_know: false
    assert by_code["ctx_outils"].answer.multiple
    codir = by_code["ins_codir"].answer
    assert isinstance(codir, Levels)
    assert [r.column for r in codir.rows] == ["current", "target"]
    assert [b.code for b in codir.importance] == ["1", "2", "3"]
    assert codir.levels[0].detail == "Aucune réunion."  # the question's own words
    assert by_code["ins_codir"].dont_know
    assert [r.column for r in by_code["ins_debat"].answer.rows] == ["value"]
    kinds = {type(q.answer) for q in form.questions}
    assert {Choices, Levels, Grid, Ranking, FreeText} <= kinds
    grid = next(q.answer for q in form.questions if isinstance(q.answer, Grid))
    assert all(ROW_SEPARATOR in row.code for row in grid.rows)


def test_a_conditional_question_says_which_answer_it_follows():
    (form,) = forms_of(MINI, "1")
    size = next(q for q in form.questions if q.code == "ctx_commune_taille")
    assert size.condition == "Si vous avez répondu « Une commune membre » à la question 1"


def test_the_real_questionnaire_conditions_read_in_french():
    q = get_questionnaire(
        QUESTIONS, "gouvernance", registry.default_questionnaire(QUESTIONS).version
    )
    (form,) = forms_of(q, "1")
    said = {x.code: x.condition for x in form.questions if x.condition}
    assert said and all(s.startswith("Si vous avez ") for s in said.values())
    assert "« Oui, une ville-centre" in said["ctx_direction_generale"]
    assert " ou « " in said["d3_conseil_developpement_avis"]


# --- the demo campaign: PDF, codes, import ----------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("paper") / "demo.db"
    eng = build_engine(f"sqlite:///{path}")
    migrate(eng)
    load_demo(eng, QUESTIONS)
    eng.dispose()
    return path


@pytest.fixture
def demo_cli(demo_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{demo_db}")
    monkeypatch.setenv("QUESTIONS_DIR", str(QUESTIONS))
    monkeypatch.setenv("LOAD_DEMO", "false")
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()
    yield get_engine(f"sqlite:///{demo_db}")
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()


def open_campaign(eng):
    """The demo campaign with the most people who have not sent their answers."""
    with session_scope(eng) as s:
        people = s.exec(select(Participant).where(Participant.submitted_at.is_(None))).all()
        counts: dict[int, int] = {}
        for p in people:
            counts[p.campaign_id] = counts.get(p.campaign_id, 0) + 1
        cid = max(counts, key=counts.get)
        return s.get(CampaignRow, cid), sorted(
            p.id for p in people if p.campaign_id == cid and p.revoked_at is None
        )


def print_forms(demo_cli, tmp_path, capsys, campaign_id):
    pdf, template = tmp_path / "papier.pdf", tmp_path / "saisie.csv"
    code = main(["paper", "--campaign", str(campaign_id), "-o", str(pdf), "--csv", str(template)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return pdf, template, out


def test_the_demo_forms_carry_the_respondent_code_and_page_count_on_every_page(
    demo_cli, tmp_path, capsys
):
    campaign, expected = open_campaign(demo_cli)
    pdf, template, out = print_forms(demo_cli, tmp_path, capsys, campaign.id)
    assert f"codes répondant·e {', '.join(map(str, expected))}" in out
    reader = pypdf.PdfReader(pdf)
    texts = [page.extract_text() for page in reader.pages]
    pages: dict[str, list[tuple[int, int]]] = {}
    for text in texts:
        (code,) = set(re.findall(r"Code répondant·e : (\d+)", text))
        n, total = map(int, re.search(r"page (\d+) / (\d+)", text).groups())
        assert f"Code répondant·e {code} · gouvernance" in text  # the footer too
        pages.setdefault(code, []).append((n, total))
    assert list(pages) == [str(i) for i in expected]
    for numbers in pages.values():
        total = numbers[0][1]
        assert numbers == [(n, total) for n in range(1, total + 1)]
    q = get_questionnaire(QUESTIONS, campaign.questionnaire_id, campaign.questionnaire_version)
    first_form = "\n".join(texts[: len(pages[str(expected[0])])])
    at = [first_form.find(question.id) for question in q.questions()]
    assert -1 not in at and at == sorted(at)  # every question code, in the order of the file
    assert "Niveau actuel" in first_form and "Je ne sais pas / sans objet" in first_form


def fill(q, row):
    """A plausible pen answer in the cells of one line of the import file."""
    participant, key, *_ = row
    qid, _, grid_row = key.partition(ROW_SEPARATOR)
    question = q.question(qid)
    cells = dict.fromkeys(["value", "current", "target", "importance"], "")
    kind = question.type.value
    if grid_row:
        cells["current"] = "1"
        if question.desired:
            cells["target"] = "2"
    elif kind == "current_target":
        cells.update(current="2", target="4", importance="3" if question.importance else "")
    elif kind == "maturity" or (kind == "single_choice" and not question.options):
        cells["value"] = "3"
    elif kind == "single_choice":
        cells["value"] = question.options[0].id
    elif kind in ("multiple_choice", "ranking"):
        most = question.max_choices or 2
        cells["value"] = "|".join(o.id for o in question.options[: min(most, 2)])
    else:
        cells["value"] = "Écrit au stylo ; « recopié » tel quel"
    return [participant, key, *cells.values()]


def test_the_import_file_filled_for_the_printed_codes_imports(demo_cli, tmp_path, capsys):
    campaign, _ = open_campaign(demo_cli)
    pdf, template, _ = print_forms(demo_cli, tmp_path, capsys, campaign.id)
    printed = {
        code
        for page in pypdf.PdfReader(pdf).pages
        for code in re.findall(r"Code répondant·e : (\d+)", page.extract_text())
    }
    q = get_questionnaire(QUESTIONS, campaign.questionnaire_id, campaign.questionnaire_version)
    rows = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert {r[0] for r in rows[1:]} == printed
    filled = tmp_path / "rempli.csv"
    with filled.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(rows[0])
        writer.writerows(fill(q, row) for row in rows[1:])
    code = main(["import-answers", str(filled), "--campaign", str(campaign.id), "--submit"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    with session_scope(demo_cli) as s:
        for pid in map(int, printed):
            stored = {
                a.question_id: a for a in s.exec(select(Answer).where(Answer.participant_id == pid))
            }
            assert set(stored) == {x.id for x in q.questions()}
            assert stored["d1_diagnostic_partage"].level == 2
            assert stored["d1_diagnostic_partage"].target == 4
            grid = stored["d2_modes_mutualisation"].value["rows"]
            assert set(grid) == {r.id for r in q.question("d2_modes_mutualisation").rows}
            assert s.get(Participant, pid).submitted_at is not None
    # everyone has sent now: nothing left to print
    assert main(["paper", "--campaign", str(campaign.id), "-o", str(tmp_path / "x.pdf")]) == 1
    assert "aucun questionnaire à imprimer" in capsys.readouterr().err


# --- blank forms: new people for paper, who write their function and structure -----------------


def blank_forms(demo_cli, tmp_path, capsys, campaign_id, count):
    pdf, template = tmp_path / "vierges.pdf", tmp_path / "saisie-vierges.csv"
    argv = ["paper", "--campaign", str(campaign_id), "--blank", str(count), "-o", str(pdf)]
    code = main([*argv, "--csv", str(template)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    (codes,) = re.findall(r"codes? répondant·e ([\d, ]+)\)", out)
    rows = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig")), delimiter=";"))
    return pdf, rows, codes.split(", ")


def the_campaign_and_its_communes(eng):
    with session_scope(eng) as s:
        campaign = s.exec(select(CampaignRow).order_by(CampaignRow.id)).first()
        communes = s.exec(select(Territory).where(Territory.parent_id == campaign.territory_id))
        return campaign, sorted(communes, key=lambda t: t.id)


def test_blank_forms_are_printed_filled_by_hand_and_imported(demo_cli, tmp_path, capsys):
    campaign, communes = the_campaign_and_its_communes(demo_cli)
    pdf, rows, codes = blank_forms(demo_cli, tmp_path, capsys, campaign.id, 2)
    with session_scope(demo_cli) as s:
        people = [s.get(Participant, int(c)) for c in codes]
        assert [(p.name, p.role, p.structure_id) for p in people] == [
            (None, "autre", campaign.territory_id)
        ] * 2
        invited = s.exec(select(AuditEvent).where(AuditEvent.action == "participant.invite"))
        assert {f"participant:{c}" for c in codes} <= {e.target for e in invited}
    texts = [page.extract_text().replace("\xa0", " ") for page in pypdf.PdfReader(pdf).pages]
    printed = [code for t in texts for code in re.findall(r"Code répondant·e : (\d+)", t)[:1]]
    assert sorted(set(printed)) == sorted(codes)
    firsts = [t for t in texts if "Votre fonction" in t]
    assert len(firsts) == 2 and all("page 1 /" in t for t in firsts)
    for code in ("_fonction", "_structure", "dgs", "encadrant", "elu", "autre"):
        assert code in firsts[0]
    assert "Votre structure : intercommunalité, ou nom de la commune" in firsts[0]
    assert "À remettre à" not in firsts[0]
    # the import file: the two lines to fill by hand first, for each code
    assert [r[:2] for r in rows[1:] if r[1].startswith("_")] == [
        [c, key] for c in codes for key in ("_fonction", "_structure")
    ]
    starts = [i for i, r in enumerate(rows) if r[1] == "_fonction"]
    assert [rows[i + 1][1] for i in starts] == ["_structure"] * 2
    q = get_questionnaire(QUESTIONS, campaign.questionnaire_id, campaign.questionnaire_version)
    hand = {
        (codes[0], "_fonction"): "dst",
        (codes[0], "_structure"): communes[0].name,
        (codes[1], "_fonction"): "ELU",
        (codes[1], "_structure"): communes[1].code,
    }
    filled = tmp_path / "rempli.csv"
    with filled.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(rows[0])
        for row in rows[1:]:
            if row[1].startswith("_"):
                writer.writerow([row[0], row[1], hand[(row[0], row[1])], "", "", ""])
            else:
                writer.writerow(fill(q, row))
    code = main(["import-answers", str(filled), "--campaign", str(campaign.id)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), out
    assert "fonction ou structure renseignée pour 2 personnes" in out
    with session_scope(demo_cli) as s:
        got = [
            (s.get(Participant, int(c)).role, s.get(Participant, int(c)).structure_id)
            for c in codes
        ]
        assert got == [("dst", communes[0].id), ("elu", communes[1].id)]
        for c in codes:
            answers = s.exec(select(Answer).where(Answer.participant_id == int(c))).all()
            assert {a.question_id for a in answers} == {x.id for x in q.questions()}
        logged = s.exec(select(AuditEvent).where(AuditEvent.action == "participant.identify"))
        changes = {(e.target, tuple(sorted(e.details))) for e in logged}
        assert (f"participant:{codes[0]}", ("campaign_id", "line", "role", "source")) in changes
    # printed again, they are no longer blank: their function and structure are known
    again = tmp_path / "again.pdf"
    argv = ["paper", "--campaign", str(campaign.id), "--participant", codes[0], "-o", str(again)]
    assert main(argv) == 0
    capsys.readouterr()
    first = pypdf.PdfReader(again).pages[0].extract_text().replace("\xa0", " ")
    assert "Votre fonction" not in first and f"DST, {communes[0].name}" in first


def test_a_wrong_commune_is_refused_with_its_line(demo_cli, tmp_path, capsys):
    campaign, _ = the_campaign_and_its_communes(demo_cli)
    _, rows, (code,) = blank_forms(demo_cli, tmp_path, capsys, campaign.id, 1)
    filled = tmp_path / "faux.csv"
    filled.write_text(
        ";".join(rows[0]) + f"\n{code};_fonction;dgs;;;\n{code};_structure;Atlantide;;;\n"
        f"{code};d1_diagnostic_partage;;2;4;3\n",
        encoding="utf-8",
    )
    assert main(["import-answers", str(filled), "--campaign", str(campaign.id)]) == 1
    out, err = capsys.readouterr()
    assert f"{filled}:3: colonne « value » : structure « Atlantide » inconnue" in out
    assert "1 erreur" in err and "aucune réponse importée" in err
    with session_scope(demo_cli) as s:
        person = s.get(Participant, int(code))
        assert (person.role, person.structure_id) == ("autre", campaign.territory_id)
        assert not s.exec(select(Answer).where(Answer.participant_id == int(code))).all()


def test_blank_forms_count_and_options_are_checked(demo_cli, tmp_path, capsys):
    campaign, _ = the_campaign_and_its_communes(demo_cli)
    out = str(tmp_path / "x.pdf")
    assert main(["paper", "--campaign", str(campaign.id), "--blank", "0", "-o", out]) == 1
    assert "de 1 à 200 à la fois" in capsys.readouterr().err
    argv = ["paper", "--campaign", str(campaign.id), "--blank", "2", "--participant", "1"]
    assert main([*argv, "-o", out]) == 1
    assert "sans --participant" in capsys.readouterr().err


# --- the campaign page --------------------------------------------------------------------------


def test_the_campaign_page_offers_the_paper_forms(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=2)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert not at.exception
    assert "Questionnaires papier" in [h.value for h in at.subheader]
    codes = ", ".join(str(p.id) for p in world.participants)
    assert any(f"codes répondant·e : {codes}" in c.value for c in at.caption)


def test_the_campaign_page_makes_blank_forms_even_before_any_invitation(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=0)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert not at.exception
    assert "Questionnaires papier" in [h.value for h in at.subheader]
    at.number_input(key="blank_count").set_value(2).run()
    at.button(key="blank_make").click().run()
    assert not at.exception and not at.error
    with session_scope(engine()) as s:
        people = s.exec(select(Participant).where(Participant.campaign_id == world.campaign_id))
        made = sorted(p.id for p in people)
    assert len(made) == 2
    codes = ", ".join(map(str, made))
    assert [m.value for m in at.success] == [
        f"2 questionnaires vierges — codes répondant·e : {codes}"
    ]
    assert any(f"codes répondant·e : {codes}" in c.value for c in at.caption)
