"""Dot voting and grid placements against both databases: the bound on each participant's
points holds whatever the tab or the timing, and the facilitator's placements are checked."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from diagnostic.accounts.access import actor_for_user
from diagnostic.errors import AccessDenied
from diagnostic.workshop import WorkshopError, live, priorities, programme_for, service
from tests.conftest import ROOT
from tests.factories import make_user, make_workshop


@pytest.fixture
def room(engine, questions_dir: Path):
    """Two territories, a facilitator of both, an open workshop at its dots step, three posts
    of CC Alpha and one of CC Beta shown at the step the points are given to."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    prog = programme_for(questions_dir)
    alpha, beta, actor, made = make_workshop(engine)
    dots = next(i for i, s in enumerate(prog.steps) if s.kind == "dots")
    source = prog.index_of(prog.steps[dots].source)
    service.go_to(engine, actor, made.workshop_id, source, prog)
    ana, token = service.join(
        engine, made.code, nickname="Ana", territory_id=alpha.territory.id, role="dgs"
    )
    ben, _ = service.join(
        engine, made.code, nickname="Ben", territory_id=beta.territory.id, role="dgs"
    )
    posts = [service.post(engine, ana, prog, step=source, text=f"Chantier {n}") for n in range(3)]
    theirs = service.post(engine, ben, prog, step=source, text="Chantier de Beta")
    service.go_to(engine, actor, made.workshop_id, dots, prog)
    return dict(
        prog=prog,
        actor=actor,
        made=made,
        dots=dots,
        ana=ana,
        token=token,
        ben=ben,
        posts=posts,
        theirs=theirs,
    )


def give(engine, room, seat, post, change=1):
    """One point more (or fewer) on a post: the value the phone's choice then sends."""
    mine = priorities.my_dots(engine, seat, room["prog"], room["dots"]).given.get(post.id, 0)
    return put(engine, room, seat, post, mine + change)


def put(engine, room, seat, post, points):
    return priorities.set_dots(
        engine, seat, room["prog"], step=room["dots"], post_id=post.id, points=points
    )


def test_points_are_given_moved_and_never_beyond_the_bound(engine, room):
    ana, (one, two, three) = room["ana"], room["posts"]
    assert give(engine, room, ana, one).left == 2
    assert give(engine, room, ana, one).left == 1  # twice on the same post: allowed
    done = give(engine, room, ana, three)  # one's own post: allowed too
    assert (done.given, done.left, done.bound) == ({one.id: 2, three.id: 1}, 0, 3)
    with pytest.raises(WorkshopError, match="vous avez donné vos 3 points : retirez-en un"):
        give(engine, room, ana, two)
    assert give(engine, room, ana, one, -1).given == {one.id: 1, three.id: 1}  # moved: taken
    assert give(engine, room, ana, two).given == {one.id: 1, two.id: 1, three.id: 1}  # given
    give(engine, room, ana, one, -1)
    with pytest.raises(WorkshopError, match="de 0 à 3 points par contribution"):
        give(engine, room, ana, one, -1)
    mine = priorities.my_dots(engine, ana, room["prog"], room["dots"])
    assert (mine.given, mine.left) == ({two.id: 1, three.id: 1}, 1)
    with pytest.raises(WorkshopError, match="il vous reste 1 point : retirez-en d'une autre"):
        give(engine, room, ana, two, 2)  # two more where one is left
    with pytest.raises(WorkshopError, match="de 0 à 3 points"):
        put(engine, room, ana, one, 4)


def test_a_choice_received_twice_counts_once(engine, room):
    """The phone sends how many points a post carries, not « one more »: the same choice
    delivered twice (a tap the browser sent again) leaves the points as they were."""
    ana, (one, two, _) = room["ana"], room["posts"]
    assert put(engine, room, ana, one, 2).given == {one.id: 2}
    assert put(engine, room, ana, one, 2).given == {one.id: 2}
    assert put(engine, room, ana, two, 1).left == 0
    assert put(engine, room, ana, two, 1).left == 0  # already there: no refusal either
    assert put(engine, room, ana, one, 0).given == {two.id: 1}
    assert put(engine, room, ana, one, 0).given == {two.id: 1}  # taken back twice: no error
    mine = priorities.my_dots(engine, ana, room["prog"], room["dots"])
    assert (mine.given, mine.left) == ({two.id: 1}, 2)


def test_a_second_tab_cannot_exceed_the_bound(engine, room):
    """Two tabs of the same seat (the same token opens the same seat): each sees the other's
    points, in turn and at the same moment."""
    ana, posts = room["ana"], room["posts"]
    tab = service.seat(engine, room["made"].workshop_id, room["token"])  # the link, reopened
    assert tab == ana
    give(engine, room, ana, posts[0])
    give(engine, room, tab, posts[1])
    give(engine, room, ana, posts[2])
    with pytest.raises(WorkshopError):
        give(engine, room, tab, posts[0])
    for post in posts:
        give(engine, room, ana, post, -1)

    barrier, errors = threading.Barrier(6), []

    def tap(post) -> None:  # two of each post's choices of 2 points at the same moment
        barrier.wait()
        try:
            put(engine, room, ana, post, 2)
        except WorkshopError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tap, args=(posts[i % 3],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    mine = priorities.my_dots(engine, ana, room["prog"], room["dots"])
    # one post got its 2 points (its second choice found them there); the others, refused
    assert list(mine.given.values()) == [2] and len(errors) == 4


def test_points_go_only_to_shown_posts_of_ones_territory_at_a_started_dots_step(engine, room):
    ana, ben, prog = room["ana"], room["ben"], room["prog"]
    with pytest.raises(WorkshopError, match="introuvable pour votre territoire"):
        give(engine, room, ana, room["theirs"])
    with pytest.raises(WorkshopError, match="ne se vote pas par points"):
        priorities.set_dots(engine, ana, prog, step=0, post_id=room["posts"][0].id, points=1)
    later = service.Seat(ana.participant_id, ana.workshop_id, "Autre", ana.territory_id, None)
    with pytest.raises(AccessDenied):
        give(engine, room, later, room["posts"][0])  # a seat built by hand
    give(engine, room, ben, room["theirs"])
    give(engine, room, ana, room["posts"][0])
    # hidden after the points were given: they stay counted, off the screen, and can be taken
    service.moderate(engine, room["actor"], ana.workshop_id, room["posts"][0].id, live.HIDDEN)
    assert priorities.my_dots(engine, ana, prog, room["dots"]).left == 2
    info = service.facilitated(engine, room["actor"], ana.workshop_id)
    tallies = priorities.dot_tallies(
        engine, info, prog, room["dots"], {ana.territory_id, ben.territory_id}
    )
    assert list(tallies) == [ana.territory_id, ben.territory_id]
    assert tallies[ana.territory_id]["dots"].tolist() == [0, 0]
    assert tallies[ben.territory_id][["text", "dots", "voters", "territory"]].values.tolist() == [
        ["Chantier de Beta", 1, 1, "CC Beta"]
    ]
    give(engine, room, ana, room["posts"][0], -1)
    counts = service.step_counts(engine, room["actor"], ana.workshop_id, room["dots"], prog)
    assert (counts.seats, counts.voters) == (2, 1)  # Ben still has his point; Ana took hers
    service.end(engine, room["actor"], ana.workshop_id, prog, Path("questions"))
    with pytest.raises(WorkshopError, match="terminé"):
        give(engine, room, ana, room["posts"][1])


def test_the_facilitator_places_an_item_and_brings_it_back_to_the_votes(engine, room):
    actor, prog, ana = room["actor"], room["prog"], room["ana"]
    workshop_id, (one, two, _) = ana.workshop_id, room["posts"]
    grid = next(i for i, s in enumerate(prog.steps) if s.kind == "grid")
    service.go_to(engine, actor, workshop_id, grid, prog)
    for kind, value in ((live.IMPACT, 3), (live.EFFORT, 1)):
        service.vote(engine, ana, kind=kind, target=str(one.id), value=value)
    priorities.place(engine, actor, workshop_id, two.id, (2.0, 2.04))
    assert priorities.placements(engine, workshop_id) == {two.id: (2.0, 2.0)}
    points = priorities.grid_candidates(engine, actor, workshop_id, prog, grid)
    rows = {r["post_id"]: r for r in points.to_dict("records")}
    assert rows[one.id]["single"] and rows[one.id]["quadrant"] == "Gain rapide"
    assert rows[two.id]["placed"] and rows[two.id]["quadrant"] == "Projet structurant"
    assert rows[two.id]["vote_impact"] != rows[two.id]["vote_impact"]  # no vote: NaN
    priorities.place(engine, actor, workshop_id, one.id, (1.0, 3.0))
    service.set_focus(engine, actor, workshop_id, ana.territory_id)  # the state keeps both
    assert service.live_state(engine, workshop_id).focus == ana.territory_id
    priorities.place(engine, actor, workshop_id, one.id, None)  # « Revenir à la moyenne »
    assert priorities.placements(engine, workshop_id) == {two.id: (2.0, 2.0)}
    with pytest.raises(WorkshopError, match="entre 1"):
        priorities.place(engine, actor, workshop_id, one.id, (0.5, 2))
    stranger = actor_for_user(engine, make_user(engine, "autre@exemple.fr").id)
    with pytest.raises(AccessDenied):
        priorities.place(engine, stranger, workshop_id, one.id, (2, 2))
    with pytest.raises(WorkshopError, match="pas une grille"):
        priorities.grid_candidates(engine, actor, workshop_id, prog, room["dots"])
