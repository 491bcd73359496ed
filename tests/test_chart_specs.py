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


def split_rows() -> pd.DataFrame:
    """Two grid rows by structure kind: « elus » split (4 against 1 today), « agents » hidden
    for both kinds by the privacy rule."""
    nan = float("nan")
    return pd.DataFrame(
        {
            "question_id": ["g", "g"],
            "row_id": ["elus", "agents"],
            "position": [0, 1],
            "epci_current": [4.0, nan],
            "epci_desired": [5.0, nan],
            "epci_status": ["ok", "masked"],
            "epci_status_label": ["", "masqué pour protéger un petit groupe"],
            "commune_current": [1.0, nan],
            "commune_desired": [3.0, nan],
            "commune_status": ["ok", "suppressed"],
            "commune_status_label": ["", "moins de 3 réponses"],
            "gap_current": [3.0, nan],
            "gap_desired": [2.0, nan],
            "split": [True, False],
        }
    )


def test_a_split_grid_draws_each_structure_today_and_wished_never_the_overall_median():
    scale = {0: "Aucune", 1: "Faible", 2: "Moyenne", 3: "Forte", 4: "Très forte", 5: "Totale"}
    spec = chart_specs.actor_grid_by_kind(split_rows(), {"elus": "Élus"}, title="G", scale=scale)
    assert list(spec.rows) == ["agents", "Élus"]  # the first row of the grid on top
    assert [s.name for s in spec.series] == [
        "Intercommunalité, aujourd'hui",
        "Intercommunalité, souhaitée",
        "Communes, aujourd'hui",
        "Communes, souhaitée",
    ]
    assert not any("médiane" in s.name for s in spec.series)
    assert [list(s.values)[1] for s in spec.series] == [4.0, 5.0, 1.0, 3.0]
    assert [s.offset for s in spec.series] == [0.18, 0.18, -0.18, -0.18]  # EPCI above
    assert [s.diamond for s in spec.series] == [False, True, False, True]
    assert list(spec.joined()) == [(0, 1), (2, 3)]  # each kind's today joined to its wish
    assert [(n.row, n.offset, n.text) for n in spec.notes] == [
        (0, 0.18, "Intercommunalité : masqué pour protéger un petit groupe"),
        (0, -0.18, "Communes : moins de 3 réponses"),
    ]
    caption = chart_specs.actor_grid_caption(split_rows(), {"elus": "Élus"})
    assert "sur 1 ligne (« Élus »)" in caption
    assert "la médiane de l'ensemble des réponses" in caption and "n'est pas affichée" in caption

    fig = figures.actor_grid_by_kind(split_rows(), {"elus": "Élus"}, title="G", scale=scale)
    screen = fig.to_dict()
    bars = [t for t in screen["data"] if t["mode"] == "lines"]
    expected = [[0.18] * 2, [1.18] * 2, [-0.18] * 2, [0.82] * 2]
    assert [t["y"] for t in bars] == [pytest.approx(y) for y in expected]
    markers = [t for t in screen["data"] if t["mode"] == "markers"]
    # diamonds drawn first (today's round over a wish at the same level), legend in order
    assert [t["name"] for t in markers] == [
        "Intercommunalité, souhaitée",
        "Communes, souhaitée",
        "Intercommunalité, aujourd'hui",
        "Communes, aujourd'hui",
    ]
    assert [t["legendrank"] for t in markers] == [1001, 1003, 1000, 1002]
    assert markers[2]["customdata"] == ["agents", "Élus"]
    assert screen["layout"]["yaxis"]["ticktext"] == ["agents", "Élus"]
    notes = [a["text"] for a in screen["layout"]["annotations"]]
    assert "Communes : moins de 3 réponses" in notes


def test_a_split_grid_without_wishes_has_no_bars():
    rows = split_rows().assign(epci_desired=float("nan"), commune_desired=float("nan"))
    spec = chart_specs.actor_grid_by_kind(rows, {}, title="G", scale={1: "a", 4: "b"})
    assert [s.name for s in spec.series] == [
        "Intercommunalité, aujourd'hui",
        "Communes, aujourd'hui",
    ]
    assert list(spec.joined()) == []
