"""Hostile texts in a workshop: what people type is shown as typed, never as markup.

Workshop title, territory and campaign names, nicknames, contributions and group labels are
filled with Markdown, HTML and formulas; the console, the screen and the phone must show them
literally (the Markdown each element sends renders to the typed text, with no link, image,
heading or emphasis coming from it), and the Markdown and CSV reports must not turn them into
markup or formulas. The Markdown is rendered with markdown-it-py (CommonMark, raw HTML on, the
strictest reading), close to what Streamlit's renderer does with the same text.
"""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest
from markdown_it import MarkdownIt

from diagnostic.accounts.access import actor_for_user
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.settings import get_settings
from diagnostic.store import accounts, campaigns
from diagnostic.store.engine import session_scope
from diagnostic.workshop import live, minutes, output, programme_for, service
from diagnostic.workshop.figures import grid_chart
from diagnostic.workshop.output import grid_table
from pages._shell import plain
from tests.conftest import ROOT
from tests.factories import make_user, make_world
from tests.markdown_check import flat, hostile_markup, markdown_sources
from tests.test_workshop_output import answer
from tests.test_workshop_pages import app, engine, index_of, signed_in

HOSTILE = [
    "**gras**",
    "[lien](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "# titre",
    "=1+1",
    "voir https://evil.example",
    "www.evil.fr",
    "écrire à a@evil.fr",
]
MULTILINE = "Ligne\n===\n- puce\n---"  # a heading, a list and a rule if read as Markdown
TITLE = "# Séance **gras** <img src=x onerror=alert(1)> [lien](javascript:alert(1))"
TERRITORY_A = "# CC **gras** [lien](javascript:alert(1))"
TERRITORY_B = "<img src=x onerror=alert(1)> =1+1 CC"
CAMPAIGN = "=1+1 **Campagne** <img src=x onerror=alert(1)>"
GROUP = "# groupe **gras** [g](javascript:alert(1))"
AXIS = "instances"  # an axis of the mini questionnaire, as a participant chooses
MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def visible(source: str) -> tuple[str, str]:
    """The HTML of a Markdown text (CommonMark, as a report file is read) and what one sees."""
    rendered = MD.render(source)
    return rendered, html.unescape(re.sub(r"<[^>]+>", "", rendered))


def assert_shown_as_typed(at, literals: list[str]) -> None:
    """Each literal is read as typed and its escaped form was sent; nothing hostile is live."""
    assert not at.exception, at.exception
    sources = markdown_sources(at)
    for source in sources:  # GitHub-flavoured reading, Streamlit's autolinks
        assert not hostile_markup(source), (hostile_markup(source), source)
    rendered = [visible(s) for s in sources]
    for markup, _ in rendered:
        assert "<a " not in markup, markup  # no link at all on these pages
        assert "<img" not in markup and "<script" not in markup, markup
        for tag in ("h1", "h2", "h3", "h4", "strong", "em", "hr", "li"):
            inner = re.findall(rf"<{tag}>(.*?)</{tag}>", markup, flags=re.S)
            # a page's own heading or emphasis may hold a typed text, never create it
            for text in inner:
                assert "titre" not in text or "# titre" in html.unescape(text), markup
                assert "gras" not in text or "**gras**" in html.unescape(text), markup
    seen = flat("\n".join(text for _, text in rendered))
    sent = "\n".join(sources)
    for literal in literals:
        assert flat(literal) in seen, f"« {literal} » n'est pas affiché tel quel"
        if "\n" not in literal:
            assert plain(literal) in sent, f"« {literal} » n'est pas échappé"
    assert "<h1>Ligne" not in "".join(m for m, _ in rendered)


@pytest.fixture
def hostile_room(app_env, questions_dir):
    """Two territories with hostile names, a hostile workshop and five hostile nicknames who
    post the hostile texts at the first collective step, grouped under a hostile label."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    alpha = make_world(engine(), name=TERRITORY_A, n_participants=3)
    beta = make_world(engine(), name=TERRITORY_B, n_participants=3)
    answer(engine(), alpha, [1, 3, 5])
    answer(engine(), beta, [2, 2, 3])
    with session_scope(engine()) as s:
        camp = campaigns.get_campaign(s, campaign_id=alpha.campaign_id)
        camp.title = CAMPAIGN
        s.add(camp)
    user = make_user(engine(), "animation@exemple.fr")
    with session_scope(engine()) as s:
        for w in (alpha, beta):
            accounts.grant(
                s, user_id=user.id, territory_id=w.territory.id, role="facilitator", actor="t"
            )
    actor = actor_for_user(engine(), user.id)
    prog = programme_for(questions_dir)
    made = service.create(
        engine(),
        actor,
        title=TITLE,
        campaign_ids=[alpha.campaign_id, beta.campaign_id],
        controlled=False,
    )
    wid = made.workshop_id
    seats = []
    for i, nickname in enumerate(HOSTILE):
        territory = (alpha, beta)[i % 2].territory.id
        seats.append(
            service.join(engine(), made.code, nickname=nickname, territory_id=territory, role="dgs")
        )
    collective = index_of(prog, "collective")
    service.go_to(engine(), actor, wid, collective, prog)
    posts = [
        service.post(engine(), seat, prog, step=collective, text=text)
        for (seat, _), text in zip(seats, [*HOSTILE], strict=True)
    ]
    posts.append(service.post(engine(), seats[0][0], prog, step=collective, text=MULTILINE))
    for post in posts:
        service.set_group(engine(), actor, wid, post.id, GROUP)
    return {
        "actor": actor,
        "prog": prog,
        "made": made,
        "alpha": alpha,
        "beta": beta,
        "seats": seats,
        "posts": posts,
        "collective": collective,
    }


def test_the_console_shows_hostile_texts_as_typed(hostile_room):
    at = signed_in()
    at.switch_page("pages/atelier.py").run()
    # title, territories, posts, their authors and both pill lists (groups, territories)
    assert_shown_as_typed(at, [TITLE, TERRITORY_A, TERRITORY_B, GROUP, *HOSTILE, MULTILINE])
    pills = {o for g in at.get("button_group") for o in g.options}
    assert plain(GROUP) in pills and plain(TERRITORY_B) in pills
    # commitments: the retained list, and the flash message of the closing
    room = hostile_room
    commitments = index_of(room["prog"], "commitments")
    service.go_to(engine(), room["actor"], room["made"].workshop_id, commitments, room["prog"])
    kept = service.post(
        engine(), room["seats"][1][0], room["prog"], step=commitments, text=TITLE, dimension=AXIS
    )
    service.retain(engine(), room["actor"], room["made"].workshop_id, kept.id, retained=True)
    at.run()
    assert "Engagements retenus (1)" in "\n".join(markdown_sources(at))
    at.checkbox(key="ws_end_sure").check().run()
    at.button(key="ws_end").click().run()
    assert_shown_as_typed(at, [TITLE, f"1 pour {TERRITORY_B}"])


def test_the_screen_shows_hostile_texts_as_typed(hostile_room):
    room = hostile_room
    actor, prog, wid = room["actor"], room["prog"], room["made"].workshop_id
    service.go_to(engine(), actor, wid, 0, prog)
    screen = app(ecran=room["made"].screen_token)
    assert_shown_as_typed(screen, [TITLE, TERRITORY_A, TERRITORY_B])  # welcome: seats by place
    service.go_to(engine(), actor, wid, index_of(prog, "results"), prog)
    screen.run()
    assert_shown_as_typed(screen, [TERRITORY_A, TERRITORY_B])
    service.go_to(engine(), actor, wid, room["collective"], prog)
    screen.run()  # several territories side by side: names, cards, nicknames
    assert_shown_as_typed(screen, [TERRITORY_A, TERRITORY_B, *HOSTILE, MULTILINE])
    service.set_focus(engine(), actor, wid, room["alpha"].territory.id)
    screen.run()  # one territory: its wall, grouped under the hostile label
    assert_shown_as_typed(screen, [TERRITORY_A, GROUP, HOSTILE[0], HOSTILE[2], HOSTILE[4]])


def test_the_grid_chart_draws_names_and_texts_as_text(hostile_room):
    room = hostile_room
    actor, prog, wid = room["actor"], room["prog"], room["made"].workshop_id
    beta = room["beta"].territory.id
    service.go_to(engine(), actor, wid, index_of(prog, "grid"), prog)
    for seat in [s for s, _ in room["seats"] if s.territory_id == beta]:
        for post in room["posts"]:
            if post.territory_id == seat.territory_id:
                service.vote(engine(), seat, kind=live.IMPACT, target=str(post.id), value=3)
                service.vote(engine(), seat, kind=live.EFFORT, target=str(post.id), value=1)
    service.set_focus(engine(), actor, wid, beta)
    service.reveal(engine(), actor, wid, prog.steps[index_of(prog, "grid")].id, True)
    screen = app(ecran=room["made"].screen_token)
    assert_shown_as_typed(screen, [HOSTILE[1], HOSTILE[3]])  # the legend of the discs
    [chart] = screen.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["title"]["text"] == html.escape(TERRITORY_B, quote=False)
    hover = json.dumps([t.get("customdata") for t in spec["data"]], ensure_ascii=False)
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover
    # the same builder for a territory name full of Plotly markup
    info = service.facilitated(engine(), actor, wid)
    votes = service.votes_frame(engine(), wid)
    table = grid_table(info, prog, prog.step(index_of(prog, "grid")), room["posts"], votes)
    names = {p.territory_id: p.territory_name for p in info.places}
    fig = grid_chart(table, names, title='<a href="https://evil.example/">x</a>').to_dict()
    assert fig["layout"]["title"]["text"] == '&lt;a href="https://evil.example/"&gt;x&lt;/a&gt;'


def test_the_phone_shows_hostile_texts_as_typed(hostile_room):
    room = hostile_room
    made, prog = room["made"], room["prog"]
    service.go_to(engine(), room["actor"], made.workshop_id, 0, prog)
    joining = app(atelier=made.code)
    assert_shown_as_typed(joining, [TITLE])
    joining.text_input(key="ws_nickname").input(HOSTILE[1])
    joining.selectbox(key="ws_territory").set_value(room["beta"].territory.id)
    joining.selectbox(key="ws_role").set_value("dgs")
    joining.button[0].click().run()
    assert_shown_as_typed(joining, [TITLE, HOSTILE[1], TERRITORY_B])  # welcome, caption
    service.go_to(engine(), room["actor"], made.workshop_id, room["collective"], prog)
    _, token = room["seats"][0]  # « **gras** », of territory A, who wrote the multi-line post
    phone = app(atelier=made.code, p=token)
    # the caption, the territory's wall (texts, nicknames), « what you wrote »
    assert_shown_as_typed(phone, [TITLE, TERRITORY_A, HOSTILE[0], HOSTILE[2], MULTILINE])
    service.go_to(engine(), room["actor"], made.workshop_id, index_of(prog, "grid"), prog)
    phone.run()  # the candidates to place on the grid
    assert_shown_as_typed(phone, [HOSTILE[0], HOSTILE[2], HOSTILE[4]])
    service.end(engine(), room["actor"], made.workshop_id, prog, get_settings().questions_dir)
    over = app(atelier=made.code, p=token)
    assert_shown_as_typed(over, [TITLE, HOSTILE[0], MULTILINE])


# --- the report ---------------------------------------------------------------------------------


@pytest.fixture
def hostile_record(hostile_room):
    room = hostile_room
    actor, prog, wid = room["actor"], room["prog"], room["made"].workshop_id
    commitments = index_of(prog, "commitments")
    service.go_to(engine(), actor, wid, commitments, prog)
    for text in HOSTILE:
        kept = service.post(
            engine(), room["seats"][2][0], prog, step=commitments, text=text, dimension=AXIS
        )
        service.retain(engine(), actor, wid, kept.id, retained=True)
    questions = get_settings().questions_dir
    results = {
        w.campaign_id: compute_results(
            read_campaign_data(engine(), w.campaign_id, questions), min_group_size=3
        )
        for w in (room["alpha"], room["beta"])
    }
    return output.build_record(engine(), actor, wid, prog, results, min_votes=3)


def test_the_markdown_report_holds_typed_texts_as_text(hostile_record):
    text = output.export(hostile_record, "md").data.decode("utf-8")
    rendered, seen = visible(text)
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    assert "<em>" not in rendered and "<hr" not in rendered
    headings = re.findall(r"<h(\d)>(.*?)</h\1>", rendered)
    # the report's own headings only: its title, its parts, one per territory
    assert [h for level, h in headings if level == "1"] == [
        html.escape(f"Atelier « {TITLE} » du {hostile_record.info.day}", quote=False)
    ]
    assert all(h[0].isdigit() or h == "Engagements retenus" for lv, h in headings if lv == "2")
    territories = {html.escape(n, quote=False) for n in (TERRITORY_A, TERRITORY_B)}
    assert {h for level, h in headings if level == "3"} == territories
    assert set(re.findall(r"<strong>(.*?)</strong>", rendered)) == {GROUP}  # the group's line
    assert set(re.findall(r"<li>(.*?)</li>", rendered)) >= {
        html.escape(f"{h} ({HOSTILE[2]}, DGS)", quote=False) for h in HOSTILE
    }  # each commitment, whole, as one item
    for literal in [TITLE, TERRITORY_A, TERRITORY_B, CAMPAIGN, GROUP, *HOSTILE]:
        assert flat(literal) in flat(seen), literal
    assert flat(MULTILINE) in flat(seen)  # on one line: neither a heading nor a list
    assert "- \\# titre (" in text and "\\[lien\\](javascript:alert(1))" in text


def test_bare_addresses_do_not_become_links_in_the_markdown_report():
    """GitHub-flavoured Markdown links bare addresses and e-mails by itself: not these."""
    typed = "voir https://evil.example, www.evil.fr ou a@b.fr : 12 h 30"
    assert minutes._md(typed) == "voir https\\://evil.example, www\\.evil.fr ou a\\@b.fr : 12 h 30"
    assert visible(minutes._md(typed))[1].strip() == typed


def test_the_csv_report_neutralises_every_hostile_cell(hostile_record):
    import csv
    import io

    data = output.export(hostile_record, "csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    assert rows
    formula = [r for r in rows if r["Contribution"].lstrip("'") == "=1+1"]
    assert formula and all(r["Contribution"] == "'=1+1" for r in formula)
    assert {r["Pseudonyme"] for r in rows if r["Pseudonyme"].lstrip("'") == "=1+1"} == {"'=1+1"}
    for row in rows:  # no cell of any column starts as a formula
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@")), (column, cell)
    assert {TERRITORY_A, TERRITORY_B} <= {r["Territoire"] for r in rows}
    assert {GROUP} == {r["Regroupement"] for r in rows if r["Regroupement"]}
