"""The session's record and its files: Word, Markdown, CSV; private notes never leave."""

from __future__ import annotations

import dataclasses
import io
import shutil

import pandas as pd
import pytest

from diagnostic.accounts.access import actor_for_user
from diagnostic.document.charts import render_all
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.store import accounts, campaigns
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.workshop import live, minutes, output, prints, priorities, programme_for, service
from tests.conftest import FIXTURES, ROOT
from tests.factories import make_user, make_world, store_answers


def answer(engine, world, levels: list[int]) -> None:
    """Submitted answers to the two scored items of the mini questionnaire."""
    q = load_questionnaire(FIXTURES / "mini.yaml")
    with session_scope(engine) as s:
        for p, level in zip(world.participants, levels, strict=False):
            raw = {
                "ins_debat": {"level": level},
                "ins_codir": {"current": level, "target": 4, "importance": 3},
            }
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)


def play_session(engine, questions_dir):
    """A finished workshop: shared and private notes, a re-vote, points, a grid, a commitment.
    Returns the facilitator, the workshop id, the programme and the results by campaign."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    world = make_world(engine, name="CC Alpha", n_participants=4)
    answer(engine, world, [1, 1, 5, 5])
    user = make_user(engine, "animation@exemple.fr")
    with session_scope(engine) as s:
        accounts.grant(
            s, user_id=user.id, territory_id=world.territory.id, role="facilitator", actor="t"
        )
    actor = actor_for_user(engine, user.id)
    made = service.create(
        engine, actor, title="Séminaire", campaign_ids=[world.campaign_id], controlled=False
    )
    wid = made.workshop_id
    prog = programme_for(questions_dir)
    index = {s.kind: i for i, s in reversed(list(enumerate(prog.steps)))}
    seats = [
        service.join(engine, made.code, nickname=n, territory_id=world.territory.id, role="dgs")[0]
        for n in ("Alice", "Bruno", "Chloé")
    ]
    service.go_to(engine, actor, wid, index["personal"], prog)
    service.post(engine, seats[0], prog, step=index["personal"], text='=HYPERLINK("x")', share=True)
    service.post(engine, seats[1], prog, step=index["personal"], text="Secret de Bruno")
    service.go_to(engine, actor, wid, index["revote"], prog)
    for seat, level in zip(seats, (3, 3, 4), strict=True):
        service.vote(
            engine,
            seat,
            kind=live.LEVEL,
            target="ins_debat",
            value=level,
            campaign_id=world.campaign_id,
        )
    service.go_to(engine, actor, wid, index["collective"], prog)
    chantier = service.post(
        engine, seats[2], prog, step=index["collective"], text="Une conférence des DGS"
    )
    service.set_group(engine, actor, wid, chantier.id, "Instances")
    service.go_to(engine, actor, wid, index["dots"], prog)
    for seat, dots in zip(seats, (2, 1), strict=False):  # Chloé gives none
        priorities.set_dots(
            engine, seat, prog, step=index["dots"], post_id=chantier.id, points=dots
        )
    service.go_to(engine, actor, wid, index["grid"], prog)
    for seat in seats:
        service.vote(engine, seat, kind=live.IMPACT, target=str(chantier.id), value=3)
        service.vote(engine, seat, kind=live.EFFORT, target=str(chantier.id), value=1)
    service.go_to(engine, actor, wid, index["commitments"], prog)
    kept = service.post(
        engine,
        seats[0],
        prog,
        step=index["commitments"],
        text="Réunir la conférence en mars",
        dimension="instances",  # an axis of the mini questionnaire, as a participant chooses
    )
    service.retain(engine, actor, wid, kept.id, retained=True)
    service.end(engine, actor, wid, prog, questions_dir)
    results = {
        world.campaign_id: compute_results(
            read_campaign_data(engine, world.campaign_id, questions_dir), min_group_size=3
        )
    }
    return actor, wid, prog, results


@pytest.fixture
def session_done(tmp_path, questions_dir):
    engine = build_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)
    actor, wid, prog, results = play_session(engine, questions_dir)
    record = output.build_record(
        engine, actor, wid, prog, results, min_votes=3, questions_dir=questions_dir
    )
    yield record, engine, actor, wid
    engine.dispose()


def test_the_record_holds_the_session_without_private_notes(session_done):
    record, *_ = session_done
    assert record.seats == {record.info.places[0].territory_id: 3}
    assert [p.text for p in record.commitments] == ["Réunir la conférence en mars"]
    assert all("Secret" not in p.text for p in record.posts)
    assert sum(record.private_notes.values()) == 1
    [revote] = record.revotes
    row = revote.table.set_index("question_id").loc["ins_debat"]
    assert (row["mean_before"], row["mean_after"]) == (3.0, pytest.approx(10 / 3))
    assert bool(row["shown"])
    grid = record.grid.iloc[0]
    assert (grid["impact"], grid["effort"], grid["quadrant"]) == (3.0, 1.0, "Gain rapide")


def test_markdown(session_done):
    record, *_ = session_done
    text = output.export(record, "md").data.decode("utf-8")
    assert text.startswith(f"# Atelier « Séminaire » du {record.info.day}")
    assert "## Engagements retenus" in text
    assert (
        "- Réunir la conférence en mars (Alice, DGS) — axe « Instances de concertation » "
        "— inscrit au projet de feuille de route" in text
    )
    assert (  # step 2: the items the room discussed, with their reading
        "## 2. Ce que disent nos diagnostics (résultats)\n\n> Les items où nos regards divergent"
        in text
    )
    assert (
        "2. Les instances laissent de la place au débat contradictoire. — niveau moyen 3,0 / 5"
        in text
    )
    assert "Secret de Bruno" not in text
    assert "_1 note personnelle non partagée._" in text
    assert "**Instances**\n- Une conférence des DGS (Chloé, DGS)" in text
    assert "Sans regroupement" not in text  # a lone unnamed group needs no heading
    assert (
        "| Les instances laissent de la place au débat contradictoire. | 3,0 | 3,3 | +0,3 |" in text
    )
    assert "| Une conférence des DGS | CC Alpha | 3,0 | 1,0 | 3 | Gain rapide |" in text


def test_csv_neutralises_formulas_and_word_opens(session_done):
    record, engine, actor, wid = session_done
    csv = output.export(record, "csv")
    text = csv.data.decode("utf-8-sig")
    assert csv.filename.endswith(".csv") and csv.mime == "text/csv"
    assert "'=HYPERLINK" in text and "Secret" not in text
    assert text.splitlines()[0].startswith("Étape;Titre de l'étape;Territoire;Pseudonyme")
    from docx import Document

    word = output.export(record, "docx")
    assert word.filename.endswith(".docx")
    body = "\n".join(p.text for p in Document(io.BytesIO(word.data)).paragraphs)
    assert "Réunir la conférence en mars (Alice, DGS)" in body and "Secret" not in body
    output.record_export(engine, actor, wid, "md")
    with pytest.raises(ValueError, match="format inconnu"):
        output.export(record, "pdf")


def test_the_screen_shows_the_same_revote_and_grid_as_the_record(session_done, questions_dir):
    record, engine, actor, wid = session_done
    prog, info = record.programme, record.info
    place = info.places[0]
    revote = next(s for s in prog.steps if s.kind == "revote")
    data = read_campaign_data(engine, place.campaign_id, questions_dir)
    results = {place.campaign_id: compute_results(data, min_group_size=3)}
    [(shown, rows)] = output.screen_revotes(engine, wid, info.places, revote, results, min_votes=3)
    assert shown == place and rows == record.revotes[0].table.to_dict("records")
    gone = output.screen_revotes(engine, wid, info.places, revote, {}, min_votes=3)
    assert gone == [(place, [])]  # no results: nothing to re-vote
    grid = next(s for s in prog.steps if s.kind == "grid")
    mine = output.screen_grid(engine, info, prog, grid, {place.territory_id})
    assert list(mine["text"]) == list(record.grid["text"]) == ["Une conférence des DGS"]
    assert output.screen_grid(engine, info, prog, grid, {place.territory_id + 1}).empty


def test_the_three_files_are_made_at_once(session_done):
    record, engine, actor, wid = session_done
    files = output.files(engine, actor, record)
    assert list(files) == list(output.FILE_LABELS) == ["docx", "md", "csv", "png"]
    assert [f.filename.rsplit(".", 1)[1] for f in files.values()] == ["docx", "md", "csv", "png"]
    assert output.FILE_LABELS["png"] == "Image du tableau (PNG)"


def test_word_carries_every_step_and_its_charts_with_alt_text(session_done):
    from docx import Document

    record, *_ = session_done
    word = Document(io.BytesIO(output.export(record, "docx").data))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    steps = [h for h in headings if h[:2].rstrip(".").isdigit()]
    assert len(steps) == len(record.programme.steps)
    assert "2. Ce que disent nos diagnostics (résultats)" in steps
    numbered = [p.text for p in word.paragraphs if p.style.name == "List Number"]
    assert numbered[1].startswith("Les instances laissent de la place au débat contradictoire.")
    pictures = word.inline_shapes
    assert len(pictures) == 3  # the re-vote (CC Alpha), the points and the grid
    described = [s._inline.docPr for s in pictures]
    assert all(d.get("descr") and d.get("title") for d in described)
    assert "avant 3,0 → maintenant 3,3 (+0,3)" in described[0].get("descr")
    assert "Une conférence des DGS : 3 points" in described[1].get("descr")
    assert "1. Une conférence des DGS : Gain rapide" in described[2].get("descr")
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert captions == [d.get("title") for d in described]
    assert captions[0].startswith("Nouveau vote, CC Alpha : niveau moyen")
    [revote, _dots, grid] = word.tables
    assert [c.text for c in grid.rows[0].cells][:2] == ["N°", "Chantier"]
    assert [c.text for c in grid.rows[1].cells][:2] == ["1", "Une conférence des DGS"]
    shifts = {r.cells[0].text: r.cells[3].text for r in revote.rows[1:]}
    assert shifts["Les instances laissent de la place au débat contradictoire."] == "+0,3"


def test_the_board_image_is_1920_pixels_wide(session_done):
    from PIL import Image

    record, *_ = session_done
    board = output.export(record, "png")
    assert board.mime == "image/png" and board.filename.endswith("-tableau.png")
    image = Image.open(io.BytesIO(board.data))
    assert image.width == prints.BOARD_WIDTH_PX and image.height > 1000
    titles = [p.title for p in minutes.panels(record)]
    assert titles == ["7. Nos chantiers prioritaires", "9. Nos priorités",
                      "10. Impact et effort", "11. Nos premiers pas ensemble"]  # fmt: skip
    [chantiers] = minutes.panels(record)[0].columns
    assert chantiers.lines == (("group", "Instances"), ("post", "Une conférence des DGS"))


DOTS = pd.DataFrame(
    {
        "post_id": [1, 2, 3],
        "text": ["Un pacte de gouvernance", "Former les secrétaires de mairie", "Rien"],
        "group": ["Instances", None, None],
        "territory": ["CC Alpha", "CC Alpha", "CC Alpha"],
        "dots": [4, 7, 0],
        "voters": [5, 5, 5],
    }
)


def test_the_dot_chart_from_a_hand_made_tally():
    assert prints.dots_rows(DOTS) == (
        ("Former les secrétaires de mairie", 7),
        ("[Instances] Un pacte de gouvernance", 4),
    )
    chart = prints.dots_print(DOTS, "CC Alpha")
    assert chart.caption.startswith("Points répartis, CC Alpha (5 votant·es)")
    assert "Former les secrétaires de mairie : 7 points" in chart.alt
    assert render_all([chart])[chart.key].startswith(b"\x89PNG")
    assert prints.dots_print(DOTS.assign(dots=0), "CC Alpha") is None


def test_a_dot_step_s_tally_reaches_every_file(session_done):
    """The dot step (another branch adds it): its tally, when the record holds one."""
    from docx import Document

    record, *_ = session_done
    chantiers = record.programme.index_of("chantiers")
    dotted = dataclasses.replace(record, dots={chantiers: DOTS})
    text = output.export(dotted, "md").data.decode("utf-8")
    assert "| Former les secrétaires de mairie | — | 7 | 5 |" in text
    word = Document(io.BytesIO(output.export(dotted, "docx").data))
    assert len(word.inline_shapes) == 3
    dots = minutes.panels(dotted)[0]  # the step whose tally it is
    assert dots.dots[0] == ("Former les secrétaires de mairie (CC Alpha)", 7)


def test_typed_text_is_drawn_as_written():
    """A « $ » in a post opens no formula (matplotlib's mathtext) in a chart or the board."""
    frame = DOTS.assign(text=["$x^2$ et 10 $", "a_b", "c"], dots=[1, 1, 1])
    chart = prints.dots_print(frame, "$CC$")
    assert render_all([chart])[chart.key].startswith(b"\x89PNG")
    panel = prints.Panel("1. $titre$", "$", (prints.Column("$", (("post", "$a$"),)),))
    assert prints.board_image("$", "$", [panel]).startswith(b"\x89PNG")
