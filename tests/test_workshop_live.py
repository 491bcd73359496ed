"""Pure workshop logic: join codes, countdown, moderation states, wall, re-vote shift, grid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.workshop import StepKind, live
from diagnostic.workshop.codes import (
    ALPHABET,
    CodeSpaceExhausted,
    join_link,
    new_code,
    normalize_code,
    qr_svg,
    spoken,
    unique_code,
)
from diagnostic.workshop.figures import (
    SCREEN_STEP,
    grid_chart,
    grid_legend,
    shift_chart,
    spread_out,
)

T0 = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


def post(pid: int, **kw) -> live.Post:
    base = dict(
        id=pid,
        step=2,
        text=f"contribution {pid}",
        nickname="Alice",
        role="dgs",
        territory_id=1,
        status=live.VISIBLE,
        group_label=None,
        retained=False,
        dimension=None,
        created_at=T0 + timedelta(seconds=pid),
    )
    base.update(kw)
    return live.Post(**base)


# --- codes --------------------------------------------------------------------------------------


def test_the_alphabet_has_no_ambiguous_characters():
    assert not set(ALPHABET) & set("0O1IL")
    assert len(ALPHABET) == 31
    for _ in range(200):
        code = new_code()
        assert len(code) == 6 and set(code) <= set(ALPHABET)


def test_codes_are_random_enough_not_to_repeat():
    assert len({new_code() for _ in range(2000)}) == 2000


def test_a_taken_code_is_drawn_again_and_exhaustion_is_an_error(monkeypatch):
    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr("diagnostic.workshop.codes.new_code", lambda length=6: next(draws))
    assert unique_code(lambda c: c == "AAAAAA") == "BBBBBB"
    monkeypatch.setattr("diagnostic.workshop.codes.new_code", lambda length=6: "CCCCCC")
    with pytest.raises(CodeSpaceExhausted):
        unique_code(lambda c: True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7m4qx", "K7M4QX"),
        (" K7M 4QX ", "K7M4QX"),
        ("K7M-4QX", "K7M4QX"),
        ("K7M4Q", None),  # too short
        ("K0M4QX", None),  # a zero is never in a code
        ("KIM4QX", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_code(typed, expected):
    assert normalize_code(typed) == expected


def test_spoken_link_and_qr():
    assert spoken("K7M4QX") == "K7M 4QX"
    assert join_link("https://diag.fr/", "K7M4QX") == "https://diag.fr/?atelier=K7M4QX"
    assert qr_svg("https://diag.fr/?atelier=K7M4QX").lstrip().startswith("<?xml")


# --- countdown and states -----------------------------------------------------------------------


def test_countdown():
    assert live.remaining_seconds(T0, 180, T0 + timedelta(seconds=61)) == 119
    assert live.remaining_seconds(T0, 180, T0 + timedelta(minutes=5)) == 0
    assert live.remaining_seconds(None, 180, T0) == 180
    naive = T0.replace(tzinfo=None)  # SQLite gives naive UTC back
    assert live.remaining_seconds(naive, 60, T0 + timedelta(seconds=0.2)) == 60
    assert live.clock(119) == "01:59" and live.clock(0) == "00:00" and live.clock(-3) == "00:00"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_pause_freezes_the_countdown_and_resuming_takes_up_where_it_stopped():
    timer = live.pause(live.Timer(), at(61))
    assert timer.paused and live.remaining_seconds(T0, 180, at(61), timer) == 119
    assert live.remaining_seconds(T0, 180, at(600), timer) == 119  # frozen, however long
    assert live.pause(timer, at(90)) == timer  # a second pause changes nothing
    timer = live.resume(timer, at(100))  # paused 39 s
    assert not timer.paused and timer.paused_for == 39
    assert live.remaining_seconds(T0, 180, at(100), timer) == 119
    assert live.remaining_seconds(T0, 180, at(110), timer) == 109
    assert live.resume(timer, at(120)) == timer  # resuming a running timer changes nothing
    # the exact end: 0 at 180 s of running time, never below
    assert live.remaining_seconds(T0, 180, at(180 + 39), timer) == 0
    assert live.remaining_seconds(T0, 180, at(180 + 38.5), timer) == 1
    assert live.remaining_seconds(T0, 180, at(999), timer) == 0


def test_a_pause_at_zero_stays_at_zero_and_a_minute_added_then_counts_from_zero():
    timer = live.pause(live.Timer(), at(200))  # the step (180 s) ended 20 s ago
    assert live.remaining_seconds(T0, 180, at(200), timer) == 0
    assert live.remaining_seconds(T0, 180, at(500), timer) == 0
    timer = live.add_time(T0, 180, at(300), timer)  # « + 1 minute » while paused at zero
    assert live.remaining_seconds(T0, 180, at(300), timer) == 60  # not 40: the 20 s over
    assert live.remaining_seconds(T0, 180, at(400), timer) == 60  # still paused
    timer = live.resume(timer, at(400))
    assert live.remaining_seconds(T0, 180, at(430), timer) == 30
    assert live.remaining_seconds(T0, 180, at(460), timer) == 0


def test_one_more_minute_again_and_again_and_on_a_step_not_started():
    timer = live.Timer()
    for n in range(1, 4):
        timer = live.add_time(T0, 180, at(30), timer)
        assert live.remaining_seconds(T0, 180, at(30), timer) == 150 + 60 * n
    assert live.remaining_seconds(None, 180, at(30), timer) == 360  # not started: full + extra
    assert live.add_time(None, 180, at(30), live.Timer()).extra == 60
    # exactly at zero: one minute exactly
    assert live.remaining_seconds(T0, 180, at(180), live.Timer()) == 0
    assert (
        live.remaining_seconds(T0, 180, at(180), live.add_time(T0, 180, at(180), live.Timer()))
        == 60
    )
    # a naive start (SQLite) and a long pause count the same way
    naive = T0.replace(tzinfo=None)
    timer = live.resume(live.pause(live.Timer(), at(10)), at(3610))
    assert live.remaining_seconds(naive, 60, at(3610.2), timer) == 50


def test_the_timer_travels_through_the_workshop_state():
    timer = live.add_time(T0, 180, at(20), live.pause(live.Timer(), at(20)))
    assert live.Timer.from_state(timer.to_state()) == timer
    naive = live.Timer(T0.replace(tzinfo=None), 3.5, 60.0)
    assert live.Timer.from_state(naive.to_state()).paused_at == T0
    for damaged in (None, "x", {"paused_at": "pas une date"}, {"extra": "beaucoup"}, []):
        assert live.Timer.from_state(damaged) == live.Timer()


@pytest.mark.parametrize(
    ("kind", "share", "controlled", "expected"),
    [
        (StepKind.PERSONAL, False, False, live.PRIVATE),
        (StepKind.PERSONAL, False, True, live.PRIVATE),  # private notes never wait in an inbox
        (StepKind.PERSONAL, True, False, live.VISIBLE),
        (StepKind.PERSONAL, True, True, live.PENDING),
        (StepKind.COLLECTIVE, False, False, live.VISIBLE),
        (StepKind.COLLECTIVE, False, True, live.PENDING),
        (StepKind.COMMITMENTS, False, True, live.PENDING),
    ],
)
def test_controlled_mode_sends_shared_posts_to_the_inbox(kind, share, controlled, expected):
    assert live.initial_status(kind, share=share, controlled=controlled) == expected


# --- the wall -----------------------------------------------------------------------------------


def test_board_groups_highlights_first_and_hides_what_is_not_shown():
    posts = [
        post(1),
        post(2, group_label="Instances"),
        post(3, status=live.HIGHLIGHTED),
        post(4, group_label="Instances", status=live.HIGHLIGHTED),
        post(5, status=live.HIDDEN),
        post(6, status=live.PENDING),
        post(7, status=live.PRIVATE),
        post(8, group_label="Formation"),
    ]
    groups = live.board(posts)
    assert [(g.label, [p.id for p in g.posts]) for g in groups] == [
        ("Instances", [4, 2]),
        ("Formation", [8]),
        (live.UNGROUPED, [3, 1]),
    ]


def test_board_of_nothing_is_empty():
    assert live.board([post(1, status=live.HIDDEN)]) == []


@given(st.permutations(list(range(1, 9))))
def test_board_does_not_depend_on_the_order_posts_arrive_in(order):
    labels = [None, "A", "B"]
    posts = [
        post(i, group_label=labels[i % 3], status=live.HIGHLIGHTED if i % 4 == 0 else live.VISIBLE)
        for i in order
    ]
    groups = live.board(posts)
    assert sorted(p.id for g in groups for p in g.posts) == list(range(1, 9))
    for g in groups:
        flags = [p.status != live.HIGHLIGHTED for p in g.posts]
        assert flags == sorted(flags)


# --- results, re-vote ---------------------------------------------------------------------------


def test_focus_items_put_divergent_then_priority_then_low_agreement_first():
    items = pd.DataFrame(
        {
            "question_id": ["a", "b", "c", "d", "e", "f"],
            "scored": [True, True, True, True, True, False],
            "n": [5, 5, 5, 5, 0, 5],
            "divergent": [False, True, False, np.nan, True, True],
            "priority_index": [3.0, 1.0, 3.0, 5.0, 9.0, 9.0],
            "agreement": [0.5, 0.2, 0.1, 0.3, 0.0, 0.0],
            "position": [1, 2, 3, 4, 5, 6],
        }
    )
    # e: nobody answered; f: not scored
    assert list(live.focus_items(items, 4)["question_id"]) == ["b", "d", "c", "a"]
    assert list(live.focus_items(items, 2)["question_id"]) == ["b", "d"]


def test_vote_shift_before_and_after():
    before = pd.DataFrame(
        {"question_id": ["q"] * 5, "level": [1, 2, 3, 4, 5], "count": [2, 0, 0, 0, 2]}
    )
    after = pd.DataFrame({"question_id": ["q", "q", "q"], "value": [3, 3, 4]})
    row = live.vote_shift(before, after, levels=[1, 2, 3, 4, 5], min_votes=3).iloc[0]
    assert row["n_before"] == 4 and row["mean_before"] == 3.0
    assert row["n_after"] == 3 and row["mean_after"] == pytest.approx(10 / 3)
    assert row["shift"] == pytest.approx(1 / 3)
    assert row["agreement_before"] == pytest.approx(-1.0)  # split between the two extremes
    assert row["agreement_after"] > 0.5
    assert row["agreement_shift"] > 1.5
    assert [row[f"after_{lv}"] for lv in range(1, 6)] == [0, 0, 2, 1, 0]
    assert bool(row["shown"])
    text = live.shift_reading(row)
    assert text.startswith("avant 3,0 → maintenant 3,3 (+0,3) ; avis plus proches")


def test_vote_shift_hides_a_result_with_too_few_votes():
    before = pd.DataFrame({"question_id": ["q"], "level": [2], "count": [5]})
    after = pd.DataFrame({"question_id": ["q", "q"], "value": [4, 4]})
    row = live.vote_shift(before, after, levels=[1, 2, 3, 4, 5], min_votes=3).iloc[0]
    assert not row["shown"] and row["shift"] is None
    assert live.shift_reading(row) == "pas encore assez de votes pour afficher le résultat"


def test_shift_chart_shows_shares_before_and_after():
    before = pd.DataFrame({"question_id": ["q"] * 2, "level": [1, 2], "count": [1, 3]})
    after = pd.DataFrame({"question_id": ["q"] * 2, "value": [2, 2]})
    row = live.vote_shift(before, after, levels=[1, 2], min_votes=1).iloc[0]
    fig = shift_chart(row, [1, 2], {1: "Bas", 2: "Haut"}, title="Item", big=True).to_dict()
    assert [t["name"] for t in fig["data"]] == ["Questionnaire (4)", "Maintenant (2)"]
    assert list(fig["data"][0]["y"]) == [25.0, 75.0] and list(fig["data"][1]["y"]) == [0, 100.0]
    # read from the back of a room: the shares larger than the screen's text (30 px)
    assert fig["layout"]["font"]["size"] == 30
    assert {t["textfont"]["size"] for t in fig["data"]} == {36}


def test_shift_figures_are_written_the_french_way():
    row = {"shown": True, "mean_before": 2.44, "mean_after": 3.3, "shift": 0.86}
    assert live.shift_figures(row) == ("2,4", "3,3", "+0,9")
    same = {**row, "mean_before": 3.02, "mean_after": 2.98, "shift": -0.04}
    assert live.shift_figures(same) == ("3,0", "3,0", "0,0")
    # the change of the figures shown, never of the unrounded means: 3,3 → 2,3 reads −1,0,
    # with the minus sign (U+2212), not a hyphen
    assert live.shift_figures(
        {"shown": True, "mean_before": 3.25, "mean_after": 2.33, "shift": -0.92}
    ) == ("3,3", "2,3", "\u22121,0")
    assert live.shift_figures({**row, "mean_before": None}) == ("—", "3,3", "+0,9")
    assert live.shift_figures({**row, "shown": False}) == ("2,4", "—", "—")
    assert live.shift_figures({"shown": False, "mean_before": None}) == ("—", "—", "—")


# --- impact x effort ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "effort", "expected"),
    [
        (3, 1, "Gain rapide"),
        (2, 1.5, "Gain rapide"),
        (3, 3, "Projet structurant"),
        (1, 1, "Action d'appoint"),
        (1.5, 2.5, "À reconsidérer"),
    ],
)
def test_quadrant(impact, effort, expected):
    assert live.quadrant(impact, effort) == expected


def test_grid_points_average_the_votes_of_shown_candidates():
    votes = pd.DataFrame(
        {
            "kind": ["impact", "effort", "impact", "effort", "impact"],
            "target": ["1", "1", "1", "1", "2"],
            "value": [3, 1, 2, 2, 1],
        }
    )
    points = live.grid_points([post(1), post(2), post(3, status=live.HIDDEN)], votes)
    assert list(points["post_id"]) == [1, 2]
    first = points.iloc[0]
    assert (first["n"], first["impact"], first["effort"]) == (2, 2.5, 1.5)
    assert first["quadrant"] == "Gain rapide"
    assert points.iloc[1]["n"] == 0 and pd.isna(points.iloc[1]["quadrant"])  # effort missing


def test_grid_chart_numbers_the_candidates_and_separates_equal_positions():
    points = pd.DataFrame(
        {
            "post_id": [1, 2, 3],
            "text": ["Un", "Deux", "Trois"],
            "territory_id": [1, 1, 1],
            "n": [2, 2, 0],
            "impact": [3.0, 3.0, None],
            "effort": [1.0, 1.0, None],
            "quadrant": ["Gain rapide", "Gain rapide", None],
        }
    )
    spread = spread_out(points.iloc[:2], 0.2)
    assert len({(x, y) for x, y in zip(spread["x"], spread["y"], strict=True)}) == 2
    fig = grid_chart(points, {1: "CC"}, title="Grille", big=True).to_dict()
    assert [list(t["text"]) for t in fig["data"]] == [["1", "2"]]
    assert {a["text"] for a in fig["layout"]["annotations"]} >= {"Gain rapide", "À reconsidérer"}
    assert grid_legend(points) == [(1, "Un", "Gain rapide"), (2, "Deux", "Gain rapide")]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Réunir la conférence des DGS avant mars. Le DGS de la CC la porte.", None),
        ("Court", "Court"),
        ("x" * 200, None),
    ],
)
def test_commitment_title(text, title):
    got = live.commitment_title(text)
    if title is not None:
        assert got == title
    assert len(got) <= 141
    if text.startswith("Réunir"):
        assert got == "Réunir la conférence des DGS avant mars"


def test_shorten_cuts_at_a_word():
    assert live.shorten("court", 10) == "court"
    assert live.shorten("un texte assez long, à couper", 16) == "un texte assez …"


# --- grid: placements, single votes, spreading that keeps each point in its quadrant -----------


def test_a_placement_wins_over_the_votes_and_a_lone_vote_is_flagged():
    votes = pd.DataFrame(
        {"kind": ["impact", "effort", "impact", "effort"], "target": ["1", "1", "2", "2"]}
        | {"value": [3, 1, 1, 3]}
    )
    points = live.grid_points(
        [post(1, group_label="Coopérer"), post(2), post(3)], votes, {2: (2.5, 1.2), 3: (1, 3)}
    )
    one, two, three = points.to_dict("records")
    assert (one["n"], one["single"], one["placed"], one["group"]) == (1, True, False, "Coopérer")
    assert (two["impact"], two["effort"], two["quadrant"]) == (2.5, 1.2, "Gain rapide")
    assert two["placed"] and not two["single"]  # the facilitator's place: not one person's
    assert three["n"] == 0 and three["quadrant"] == "À reconsidérer"
    assert two["group"] is None and three["group"] is None  # never NaN: « nan » on a page
    assert list(live.positioned(points)["post_id"]) == [1, 2, 3]
    assert list(live.positioned(live.grid_points([post(4)], votes))["post_id"]) == []


@pytest.mark.parametrize("bad", [(0.9, 2), (2, 3.1), (float("nan"), 2)])
def test_a_placement_stays_on_the_scale(bad):
    with pytest.raises(ValueError, match="entre 1 \\(faible\\) et 3 \\(fort\\)"):
        live.placement(*bad)
    assert live.placement(2.04, 1.96) == (2.0, 2.0)


BORDERS = [1.0, 1.5, 1.8, 1.9, 1.95, 1.99, 2.0, 2.01, 2.05, 2.1, 2.2, 2.5, 3.0, 5 / 3, 7 / 3]
position = st.one_of(st.sampled_from(BORDERS), st.floats(1, 3, allow_nan=False))


@settings(deadline=None)  # up to 360 points spread: slow on a shared machine, never wrong
@given(
    st.lists(st.tuples(position, position), min_size=1, max_size=30),
    st.sampled_from([0.09, 0.12, 0.2, 0.5]),
    st.integers(1, 12),
)
def test_spreading_never_moves_a_point_into_another_quadrant(spots, step, copies):
    """Many points on the same place, on or near the borders (2 exactly is high): each stays
    in its quadrant, and no two end on the same spot."""
    rows = [(i, e) for i, e in spots for _ in range(copies)]
    points = pd.DataFrame(rows, columns=["impact", "effort"])
    spread = spread_out(points, step)
    moved: dict[tuple[float, float], set[tuple[float, float]]] = {}
    for (impact, effort), x, y in zip(rows, spread["x"], spread["y"], strict=True):
        assert live.quadrant(y, x) == live.quadrant(impact, effort)
        moved.setdefault((impact, effort), set()).add((x, y))
    for home, spots in moved.items():  # the points of one place end on distinct spots
        assert len(spots) == rows.count(home)


def test_spreading_on_the_exact_border_goes_the_other_way():
    points = pd.DataFrame({"impact": [2.0] * 9, "effort": [2.0] * 9})
    spread = spread_out(points, 0.2)
    assert (spread["y"] >= 2).all() and (spread["x"] >= 2).all()  # « Projet structurant »
    assert len(set(zip(spread["x"], spread["y"], strict=True))) == 9


def grid_frame(**extra) -> pd.DataFrame:
    base = {
        "post_id": [1, 2, 3],
        "text": ["Un", "Deux", "Trois"],
        "territory_id": [1, 1, 1],
        "group": ["Coopérer", None, "Coopérer"],
        "n": [1, 3, 0],
        "impact": [3.0, 1.0, 2.0],
        "effort": [1.0, 3.0, 2.0],
        "quadrant": ["Gain rapide", "À reconsidérer", "Projet structurant"],
        "placed": [False, False, True],
        "single": [True, False, False],
    }
    return pd.DataFrame(base | extra)


def test_the_grid_chart_rings_a_lone_vote_and_marks_a_placement():
    fig = grid_chart(grid_frame(), {1: "CC"}, title="Grille", big=True)
    traces = {t.name: t for t in fig.data}
    assert {"un seul vote", "placé par l'animation"} <= set(traces)
    ring = traces["un seul vote"]
    assert list(ring.x) == [1.0] and ring.showlegend  # the point « 1. Un »
    assert list(traces["Projet structurant"].marker.symbol) == ["diamond"]
    assert "Coopérer" in str(traces["Gain rapide"].customdata)  # the group in the hover label
    # on the screen the list beside the chart says it: no legend over the axis « Effort »
    assert fig.layout.showlegend is False
    small = grid_chart(grid_frame(), {1: "CC"}, title="Grille").layout.legend
    assert small.yref == "container" and small.y == 0  # elsewhere at the figure's foot
    # the quadrants named beyond the discs (1 to 3 and their rings), inside the axes
    low, high = fig.layout.yaxis.range
    for note in fig.layout.annotations:
        assert low < note.y < 0.5 or 3.5 < note.y < high


def test_the_grid_legend_sits_under_the_group_headings():
    from diagnostic.workshop.figures import grid_entries, legend_groups

    entries = grid_entries(grid_frame())
    assert [(e.number, e.group, e.single, e.placed) for e in entries] == [
        (1, "Coopérer", True, False),
        (2, None, False, False),
        (3, "Coopérer", False, True),
    ]
    grouped = legend_groups(entries)
    assert [(h, [e.number for e in es]) for h, es in grouped] == [
        ("Coopérer", [1, 3]),
        (live.UNGROUPED, [2]),
    ]
    assert legend_groups(grid_entries(grid_frame(group=[None] * 3)))[0][0] is None
    assert grid_legend(grid_frame()) == [
        (1, "Un", "Gain rapide"),
        (2, "Deux", "À reconsidérer"),
        (3, "Trois", "Projet structurant"),
    ]


# --- dot voting ---------------------------------------------------------------------------------


def dot_votes(*rows: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [("dot", t, v) for t, v in rows] + [("impact", "1", 3)], columns=["kind", "target", "value"]
    )


def test_the_dot_tally_counts_points_and_voters_most_first():
    posts = [
        post(1, group_label="Coopérer"),
        post(2, territory_id=2),
        post(3),
        post(4, status=live.HIDDEN),
    ]
    votes = dot_votes(("1", 1), ("2", 3), ("1", 2), ("3", 1), ("3", 1), ("4", 3))
    tally = live.dot_tally(posts, votes, {1: "CC Alpha", 2: "CC Beta"})
    assert list(tally.columns) == [
        "post_id",
        "text",
        "group",
        "territory_id",
        "territory",
        "dots",
        "voters",
    ]
    rows = tally[["post_id", "dots", "voters", "group", "territory"]].values.tolist()
    assert rows == [
        [1, 3, 2, "Coopérer", "CC Alpha"],  # 3 points, first posted: before post 2's 3
        [2, 3, 1, None, "CC Beta"],
        [3, 2, 2, None, "CC Alpha"],
    ]  # the hidden post 4 is not on the screen
    empty = live.dot_tally([post(1)], pd.DataFrame(columns=["kind", "target", "value"]))
    assert empty[["dots", "voters"]].values.tolist() == [[0, 0]]


def test_dots_left_never_goes_below_zero():
    assert live.dots_left({1: 2}, 3) == 1
    assert live.dots_left({1: 2, 2: 2}, 3) == 0


def test_the_dots_chart_writes_the_count_largest_and_the_group_on_the_label():
    from diagnostic.workshop.figures import PROJECTION_FONT, dots_chart

    tally = live.dot_tally(
        [post(1, group_label="<b>Coopérer</b>", text="Une conférence des DGS " * 6), post(2)],
        dot_votes(("1", 1), ("2", 2)),
    )
    fig = dots_chart(tally, title="", big=True).to_dict()
    bar = fig["data"][0]
    assert bar["orientation"] == "h" and list(bar["text"]) == ["1", "2"]  # bottom to top
    assert bar["textfont"]["size"] > fig["layout"]["yaxis"]["tickfont"]["size"] >= PROJECTION_FONT
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert labels[1] == "contribution 2"  # the most points on top
    assert labels[0].startswith("<b>&lt;b&gt;Coopérer&lt;/b&gt;</b> · Une")  # typed, as text
    assert "…" in labels[0]
    # two lines at most on the screen: the label of one bar never runs into the next one's
    assert all(label.count("<br>") <= 1 for label in labels)
    # the largest count has room on the right, outside its bar (60 px digits)
    assert fig["layout"]["margin"]["r"] >= 2 * PROJECTION_FONT * 0.6 + 10


@pytest.mark.parametrize(
    ("left", "said"),
    [(2, "Il vous reste 2 points sur 3"), (1, "Il vous reste 1 point sur 3")],
)
def test_the_phone_says_how_many_points_are_left(left, said):
    from diagnostic.workshop import screens

    assert screens.dots_left(left, 3) == said
    assert screens.dot_confirmation(1, left, 3) == f"1 point sur cette contribution. {said}."
    assert screens.dot_confirmation(2, left, 3).startswith("2 points sur cette contribution.")
    assert screens.dot_confirmation(0, left, 3) == f"Aucun point sur cette contribution. {said}."
    assert screens.dots_left(0, 3).startswith("Vous avez donné vos 3 points.")
    assert screens.dot_pips(2, 3) == "●● 2 points de votre part"
    assert (screens.dots_shown(1), screens.dots_shown(3)) == (8, 5)
    assert screens.step_count(StepKind.DOTS, 15, 0, 0, 12) == "12 participant·es ont voté sur 15"
    assert screens.step_count(StepKind.DOTS, 15, 0, 0, 1) == "1 participant·e a voté sur 15"


@pytest.mark.parametrize(("impact", "effort"), [(3.0, 1.0), (2.0, 2.0), (1.0, 3.0), (3.0, 3.0)])
def test_discs_on_one_place_never_cover_each_other_on_the_screen(impact, effort):
    """Candidates with the same means, on the screen (1280 pixels wide at least): three side
    by side first, a whole disc apart; more, closer (never nearer than a third of a disc); all
    whole inside the axes, in their quadrant, and a nudged disc never astride a border."""
    from itertools import combinations

    sx, sy = SCREEN_STEP
    for n, apart in ((3, 1.0), (8, 0.3)):
        points = pd.DataFrame({"impact": [impact] * n, "effort": [effort] * n})
        spread = spread_out(points, (sx, sy))
        spots = list(zip(spread["x"], spread["y"], strict=True))
        assert len(set(spots)) == n
        assert spots[1][1] == impact  # the second one beside the first, not above it
        for (x1, y1), (x2, y2) in combinations(spots, 2):
            assert abs(x1 - x2) >= apart * sx - 1e-9 or abs(y1 - y2) >= apart * sy - 1e-9
        assert all(0.5 + sx / 2 <= x <= 3.5 - sx / 2 for x, _ in spots)  # whole discs
        assert all(0.2 + sy / 2 <= y <= 3.85 - sy / 2 for _, y in spots)
        assert {live.quadrant(y, x) for x, y in spots} == {live.quadrant(impact, effort)}
        for x, y in spots:  # on the home's own line, or half a disc off the middle lines
            assert x == effort or abs(x - 2) >= sx / 2
            assert y == impact or abs(y - 2) >= sy / 2
