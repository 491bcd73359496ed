"""Pure workshop logic: join codes, countdown, moderation states, wall, re-vote shift, grid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
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
from diagnostic.workshop.figures import grid_chart, grid_legend, shift_chart, spread_out

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
    assert live.shift_figures({**row, "shift": -0.04}) == ("2,4", "3,3", "0,0")
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
