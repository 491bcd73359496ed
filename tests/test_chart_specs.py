"""The shared charts, built once as plain data and drawn the same on screen and in print."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic.results import chart_specs, figures

LABELS = {"d1": "Enjeux", "d2": "Coopération", "d3": "Instances"}


def test_gaps_put_the_largest_gap_on_top_and_leave_out_dimensions_without_score():
    dims = pd.DataFrame(
        {
            "dimension_id": ["d1", "d2", "d3"],
            "position": [0, 1, 2],
            "score": [40.0, 70.0, float("nan")],
            "target_score": [90.0, 75.0, 80.0],
        }
    )
    spec = chart_specs.gaps(dims, LABELS)
    assert list(spec.rows) == ["Coopération", "Enjeux"]  # drawn bottom to top
    today, target = spec.series
    assert (today.name, today.colour, today.diamond) == ("Aujourd'hui", chart_specs.BLUE, False)
    assert (target.name, target.colour, target.diamond) == (
        "Visé en fin de mandat",
        "#C9191E",
        True,
    )
    assert spec.x_range == (0, 100) and spec.x_title == "Score (0 à 100)"
    screen = figures.gaps(dims, LABELS).to_dict()["data"]
    assert [t["y"] for t in screen[:2]] == [["Coopération"] * 2, ["Enjeux"] * 2]  # the bars


def test_an_actor_grid_without_wishes_is_one_series_with_no_bars():
    cells = pd.DataFrame(
        {
            "row_id": ["elus", "agents"],
            "position": [0, 1],
            "column": ["current", "current"],
            "median": [2.0, 3.0],
        }
    )
    scale = {1: "Faible", 2: "Moyenne", 3: "Forte"}
    spec = chart_specs.actor_grid(cells, {"elus": "Élus"}, title="Acteurs", scale=scale)
    assert list(spec.rows) == ["agents", "Élus"]  # the first row of the grid on top
    assert [s.name for s in spec.series] == ["Aujourd'hui (médiane)"]
    assert list(spec.ticks) == [(1, "1 Faible"), (2, "2 Moyenne"), (3, "3 Forte")]
    assert spec.x_range == pytest.approx((0.7, 3.3))
    screen = figures.actor_grid(cells, {"elus": "Élus"}, title="Acteurs", scale=scale)
    assert [t.mode for t in screen.data] == ["markers"]


def test_a_group_line_of_the_radar_keeps_only_the_dimensions_it_has():
    dims = pd.DataFrame(
        {
            "dimension_id": ["d2", "d1"],
            "position": [1, 0],
            "score": [60.0, 50.0],
            "target_score": [80.0, 70.0],
        }
    )
    groups = pd.DataFrame(
        {"structure_kind": ["commune"], "dimension_id": ["d2"], "position": [1], "score": [30.0]}
    )
    spec = chart_specs.radar(dims, LABELS, groups=groups, group_labels={"commune": "Communes"})
    assert list(spec.axes) == ["Enjeux", "Coopération"]
    communes, target, territory = spec.lines
    assert (communes.name, list(communes.axes), communes.dash) == (
        "Communes",
        ["Coopération"],
        "dot",
    )
    assert (target.name, target.dash) == ("Niveau visé", "dash")
    assert territory.fill is not None and territory.markers and spec.points is None
