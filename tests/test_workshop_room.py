"""The workshop as a room lives it (issue 20): the commitment's roadmap axis chosen among all of
them and confirmed, the territory chosen by each participant, drafts kept per step, one's own
posts followed, a vote confirmed. AppTest of the phone, checked against the service."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.accounts.access import actor_for_user
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.settings import get_settings
from diagnostic.store import accounts
from diagnostic.store import roadmap as roadmap_store
from diagnostic.store.engine import get_engine, migrate, session_scope
from diagnostic.workshop import WorkshopError, live, priorities, programme_for, service
from tests.conftest import ROOT
from tests.factories import PASSWORD, field_data, make_user, make_world, send_text
from tests.test_workshop_output import answer

APP = str(ROOT / "app.py")
GOUVERNANCE = ("gouvernance", "2026.1")  # the real questionnaire: ten roadmap axes


def engine():
    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def phone(code: str, token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["atelier"] = code
    if token:
        at.query_params["p"] = token
    return at.run()


def texts(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.title, *at.subheader, *at.info]
    parts += [*at.error, *at.success, *at.warning]
    return "\n".join(str(e.value) for e in parts)


@pytest.fixture
def room(app_env, questions_dir):
    """Two territories (one on the ten-axis questionnaire, one on the small test one), a
    facilitator of both and an open workshop showing them."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    for source in (ROOT / "questions" / "questionnaires").glob("gouvernance-2026.1.yaml"):
        shutil.copy(source, questions_dir / "questionnaires" / source.name)
    alpha = make_world(engine(), name="CC Alpha", questionnaire=GOUVERNANCE)
    beta = make_world(engine(), name="CC Beta", n_participants=3)
    answer(engine(), beta, [2, 2, 3])
    user = make_user(engine(), "animation@exemple.fr")
    with session_scope(engine()) as s:
        for w in (alpha, beta):
            accounts.grant(
                s, user_id=user.id, territory_id=w.territory.id, role="facilitator", actor="t"
            )
    actor = actor_for_user(engine(), user.id)
    made = service.create(
        engine(),
        actor,
        title="Séminaire",
        campaign_ids=[alpha.campaign_id, beta.campaign_id],
        controlled=True,
    )
    return alpha, beta, actor, made, programme_for(questions_dir)


def index_of(prog, kind: str) -> int:
    return next(i for i, s in enumerate(prog.steps) if s.kind == kind)


def test_a_commitment_goes_to_the_axis_chosen_among_all_ten_and_says_which(room):
    alpha, beta, actor, made, prog = room
    seat, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=alpha.territory.id, role="dgs"
    )
    step = index_of(prog, "commitments")
    service.go_to(engine(), actor, made.workshop_id, step, prog)
    axes = {
        d.id: d.title
        for d in get_questionnaire(get_settings().questions_dir, *GOUVERNANCE).dimensions
    }
    assert len(axes) == 10
    at = phone(made.code, token)
    assert not at.exception
    choice = at.radio(key=f"ws_axis_{step}_0")
    assert list(choice.options) == list(axes.values())  # every axis, in the roadmap's order
    assert choice.value is None  # nobody chose for the participant
    send_text(at, f"ws_text_{step}_0", "Une conférence des maires deux fois par an")
    at.button(key=f"ws_send_{step}_0").click().run()
    assert "Non envoyé : choisissez l'axe de la feuille de route" in texts(at)
    assert service.my_posts(engine(), seat) == []
    last = list(axes)[-1]  # not the first: a default would land there
    assert field_data(at, f"ws_text_{step}_0")["value"].startswith("Une conférence")
    at.radio(key=f"ws_axis_{step}_0").set_value(last)
    at.button(key=f"ws_send_{step}_0").click().run()
    assert not at.exception
    said = texts(at)
    assert f"Axe de la feuille de route : « {axes[last]} »." in said
    assert f"axe « {axes[last]} »" in said  # under « Ce que vous avez écrit »
    [post] = service.my_posts(engine(), seat, step)
    assert post.dimension == last
    # the facilitator retains it without touching the axis; closing sends it there
    service.moderate(engine(), actor, made.workshop_id, post.id, live.VISIBLE)
    service.retain(engine(), actor, made.workshop_id, post.id, retained=True)
    report = service.end(engine(), actor, made.workshop_id, prog, get_settings().questions_dir)
    assert report.sent == {"CC Alpha": 1} and report.unassigned == 0
    with session_scope(engine()) as s:
        [item] = roadmap_store.plan_items(s, campaign_id=alpha.campaign_id)
    assert item.dimension == last and item.origin == "atelier"


def test_a_commitment_without_an_axis_is_refused_and_never_sent_to_a_default_one(room):
    alpha, beta, actor, made, prog = room
    seat, _ = service.join(
        engine(), made.code, nickname="Bruno", territory_id=beta.territory.id, role="dgs"
    )
    step = index_of(prog, "commitments")
    service.go_to(engine(), actor, made.workshop_id, step, prog)
    folder = get_settings().questions_dir
    for dimension in (None, "d1_enjeux"):  # none, and one of the other territory's axes
        with pytest.raises(WorkshopError, match="choisissez l'axe"):
            service.post(
                engine(), seat, prog, step=step, text="X", dimension=dimension, questions_dir=folder
            )
    # a post stored without an axis (as before this rule) is retained: closing does not send it
    post = service.post(engine(), seat, prog, step=step, text="Un séminaire annuel")
    service.retain(engine(), actor, made.workshop_id, post.id, retained=True)
    report = service.send_commitments(engine(), actor, made.workshop_id, prog, folder)
    assert report.sent == {} and report.unassigned == 1
    with session_scope(engine()) as s:
        assert roadmap_store.plan_items(s, campaign_id=beta.campaign_id) == []
    axis = next(iter(service.seat_axes(engine(), seat, folder)))
    service.retain(engine(), actor, made.workshop_id, post.id, retained=True, dimension=axis)
    report = service.send_commitments(engine(), actor, made.workshop_id, prog, folder)
    assert report.sent == {"CC Beta": 1} and report.unassigned == 0


def test_participants_choose_their_territory_and_may_correct_it_before_taking_part(room):
    alpha, beta, actor, made, prog = room
    at = phone(made.code)
    assert at.selectbox(key="ws_territory").value is None  # two territories: none given
    at.text_input(key="ws_nickname").input("Chloé")
    at.selectbox(key="ws_role").set_value("dga")
    at.button[0].click().run()
    assert "Impossible de rejoindre : choisissez votre territoire dans la liste." in texts(at)
    assert service.seat_counts(engine(), made.workshop_id) == {}  # nobody joined, nothing to post
    at.selectbox(key="ws_territory").set_value(beta.territory.id)
    at.button[0].click().run()
    assert not at.exception
    assert "Vous participez pour : **CC Beta**" in texts(at)
    token = at.query_params["p"]
    assert "ws_move_to" in {r.key for r in at.radio}
    # joined the wrong one: corrected before writing or voting
    at.radio(key="ws_move_to").set_value(alpha.territory.id)
    at.button(key="ws_move").click().run()
    assert "Vous participez pour : **CC Alpha**" in texts(at)
    seat = service.seat(engine(), made.workshop_id, token)
    assert seat.territory_id == alpha.territory.id
    personal = index_of(prog, "personal")
    service.go_to(engine(), actor, made.workshop_id, personal, prog)
    service.post(engine(), seat, prog, step=personal, text="Une note")
    at.run()
    assert "Vous participez pour : **CC Alpha**" in texts(at)
    assert "ws_move_to" not in {r.key for r in at.radio}  # no change offered any more
    with pytest.raises(WorkshopError, match="déjà écrit ou voté"):
        service.change_territory(engine(), seat, beta.territory.id)


def test_a_draft_is_kept_for_its_step_and_comes_back_with_it(room):
    alpha, beta, actor, made, prog = room
    seat, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=beta.territory.id, role="dgs"
    )
    personal = index_of(prog, "personal")
    service.go_to(engine(), actor, made.workshop_id, personal, prog)
    at = phone(made.code, token)
    send_text(at, f"ws_text_{personal}_0", "Une idée à moitié écrite")
    service.go_to(engine(), actor, made.workshop_id, personal + 1, prog)
    at.run()
    assert "Une idée à moitié écrite" in texts(at)  # kept, and said to be unsent
    assert field_data(at, f"ws_text_{personal + 1}_0")["value"] == ""
    service.go_to(engine(), actor, made.workshop_id, personal, prog)  # the step comes back
    at.run()
    assert not at.exception
    assert field_data(at, f"ws_text_{personal}_0")["value"] == "Une idée à moitié écrite"
    assert "Texte non envoyé" not in texts(at)  # back in its own field, not twice
    assert service.my_posts(engine(), seat) == []


def test_own_posts_follow_the_facilitator_and_a_vote_is_confirmed(room):
    alpha, beta, actor, made, prog = room
    seat, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=beta.territory.id, role="dgs"
    )
    collective = index_of(prog, "collective")
    service.go_to(engine(), actor, made.workshop_id, collective, prog)
    at = phone(made.code, token)
    send_text(at, f"ws_text_{collective}_0", "Une conférence des DGS")
    at.button(key=f"ws_send_{collective}_0").click().run()
    [post] = service.my_posts(engine(), seat)
    assert "En attente de validation" in texts(at)  # controlled mode: the inbox first
    service.moderate(engine(), actor, made.workshop_id, post.id, live.HIGHLIGHTED)
    service.set_group(engine(), actor, made.workshop_id, post.id, "Instances")
    at.run()
    assert "Mise en avant · regroupée sous « Instances »" in texts(at)
    service.moderate(engine(), actor, made.workshop_id, post.id, live.HIDDEN)
    at.run()
    assert "Masquée par l'animation" in texts(at) and "Mise en avant" not in texts(at)
    service.go_to(engine(), actor, made.workshop_id, index_of(prog, "revote"), prog)
    at.run()
    assert "Votre vote est enregistré." not in texts(at)
    at.radio(key="ws_vote_ins_debat").set_value(4).run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Votre vote est enregistré."]
    assert service.my_votes(engine(), seat)[(live.LEVEL, "ins_debat")] == 4


def test_the_console_counts_who_took_part_in_the_step(room):
    alpha, beta, actor, made, prog = room
    wid = made.workshop_id
    seats = [
        service.join(engine(), made.code, nickname=n, territory_id=beta.territory.id, role="dgs")[0]
        for n in ("A", "B", "C")
    ]
    personal, revote = index_of(prog, "personal"), index_of(prog, "revote")
    service.go_to(engine(), actor, wid, personal, prog)
    for seat, text in ((seats[0], "une"), (seats[0], "deux"), (seats[1], "trois")):
        service.post(engine(), seat, prog, step=personal, text=text)  # private notes
    counts = service.step_counts(engine(), actor, wid, personal, prog)
    assert (counts.seats, counts.posts, counts.authors) == (3, 3, 2)
    service.go_to(engine(), actor, wid, revote, prog)
    for seat in seats[:2]:
        for target in ("ins_debat", "act_priorites"):
            service.vote(
                engine(),
                seat,
                kind=live.LEVEL,
                target=target,
                value=3,
                campaign_id=beta.campaign_id,
            )
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_email").input("animation@exemple.fr")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/atelier.py").run()
    assert not at.exception
    assert "À cette étape : 2 votes sur 3" in texts(at)  # people who voted, not their votes
    service.go_to(engine(), actor, wid, personal, prog)
    at.run()
    assert "À cette étape : 3 contributions de 2 participant·es sur 3" in texts(at)


def test_a_phone_shares_out_its_points_and_is_told_what_is_left(room):
    alpha, beta, actor, made, prog = room
    wid = made.workshop_id
    seat, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=beta.territory.id, role="dgs"
    )
    other, _ = service.join(
        engine(), made.code, nickname="Bruno", territory_id=beta.territory.id, role="dgs"
    )
    dots = index_of(prog, "dots")
    source = prog.index_of(prog.steps[dots].source)
    service.go_to(engine(), actor, wid, source, prog)
    mine = service.post(engine(), seat, prog, step=source, text="Une conférence des DGS")
    theirs = service.post(engine(), other, prog, step=source, text="Un tableau de bord")
    for post in (mine, theirs):
        service.moderate(engine(), actor, wid, post.id, live.VISIBLE)
    service.go_to(engine(), actor, wid, dots, prog)
    at = phone(made.code, token)
    assert not at.exception
    said = texts(at)
    assert "Il vous reste 3 points sur 3" in said
    assert "Vous pouvez aussi donner des points à vos propres contributions." in said
    assert "Aucun de vos points · votre contribution" in said
    assert at.radio(key=f"ws_points_{theirs.id}").options == ["0", "1", "2", "3"]
    at.radio(key=f"ws_points_{theirs.id}").set_value(2).run()
    assert [s.value for s in at.success] == [
        "2 points sur cette contribution. Il vous reste 1 point sur 3."
    ]
    assert "●● 2 points de votre part" in texts(at)
    assert at.radio(key=f"ws_points_{mine.id}").options == ["0", "1"]  # what is left
    at.radio(key=f"ws_points_{mine.id}").set_value(1).run()
    assert "Vous avez donné vos 3 points." in texts(at)
    assert at.radio(key=f"ws_points_{theirs.id}").options == ["0", "1", "2"]  # no fourth
    at.radio(key=f"ws_points_{theirs.id}").set_value(1).run()
    assert [s.value for s in at.success] == [
        "1 point sur cette contribution. Il vous reste 1 point sur 3."
    ]
    # a second tab of the same seat, drawn while one point was left, offers it still...
    second = phone(made.code, token)
    assert "Il vous reste 1 point sur 3" in texts(second)
    at.radio(key=f"ws_points_{theirs.id}").set_value(2).run()  # ...the first tab gives it
    second.radio(key=f"ws_points_{mine.id}").set_value(2).run()  # and the second is refused
    assert not second.exception
    assert "Non enregistré : vous avez donné vos 3 points" in texts(second)
    assert "Vous avez donné vos 3 points." in texts(second)  # and now knows it
    assert second.radio(key=f"ws_points_{mine.id}").value == 1  # the radio shows the record
    assert priorities.my_dots(engine(), seat, prog, dots).given == {theirs.id: 2, mine.id: 1}


def test_the_console_counts_voters_and_places_an_item_on_the_grid(room):
    alpha, beta, actor, made, prog = room
    wid = made.workshop_id
    seats = [
        service.join(engine(), made.code, nickname=n, territory_id=beta.territory.id, role="dgs")[0]
        for n in ("A", "B", "C")
    ]
    dots, grid = index_of(prog, "dots"), index_of(prog, "grid")
    source = prog.index_of(prog.steps[grid].source)
    service.go_to(engine(), actor, wid, source, prog)
    post = service.post(engine(), seats[0], prog, step=source, text="Une conférence des DGS")
    service.moderate(engine(), actor, wid, post.id, live.VISIBLE)
    service.go_to(engine(), actor, wid, dots, prog)
    for seat in seats[:2]:
        priorities.set_dots(engine(), seat, prog, step=dots, post_id=post.id, points=1)
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_email").input("animation@exemple.fr")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/atelier.py").run()
    assert not at.exception
    assert "À cette étape : 2 participant·es ont voté sur 3" in texts(at)
    service.go_to(engine(), actor, wid, grid, prog)
    for kind, value in ((live.IMPACT, 3), (live.EFFORT, 1)):
        service.vote(engine(), seats[0], kind=kind, target=str(post.id), value=value)
    at.run()
    assert "1 vote · moyenne des votes : impact 3,0, effort 1,0" in texts(at)
    impact = at.select_slider(key=f"ws_place_i_{post.id}_3.0_1.0")
    assert impact.value == 3.0
    impact.set_value(2.4).run()
    assert not at.exception
    assert priorities.placements(engine(), wid) == {post.id: (2.4, 1.0)}
    assert "placé par l'animation" in texts(at)
    at.select_slider(key=f"ws_place_e_{post.id}_2.4_1.0").set_value(2.6).run()
    assert priorities.placements(engine(), wid) == {post.id: (2.4, 2.6)}
    at.button(key=f"ws_unplace_{post.id}").click().run()
    assert priorities.placements(engine(), wid) == {}
    assert at.select_slider(key=f"ws_place_i_{post.id}_3.0_1.0").value == 3.0
