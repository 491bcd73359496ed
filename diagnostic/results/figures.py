"""Plotly figures of the results pages: the shared chart specs drawn for the screen, and the
charts only a page shows (heatmap, participation, distribution)."""

from __future__ import annotations

import functools
import html
import textwrap
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from diagnostic.results import chart_specs as specs
from diagnostic.results.chart_specs import BLUE, LIGHT
from diagnostic.vocabulary import count

P = ParamSpec("P")
S = TypeVar("S")
FONT = dict(family="Marianne, Arial, sans-serif", size=13)
TITLE_WIDTH = 95  # characters per title line
GRID = "#EEEEEE"


def plain_label(text: object) -> str:
    """A name someone typed, shown as typed: Plotly reads <a href>, <b>, <br> and <span style>
    in labels as markup, so a commune named « <a href=…>Cliquez ici</a> » became a link."""
    return html.escape(str(text), quote=False)


def wrapped(text: str, width: int) -> str:
    """A chart text on several lines of at most `width` characters (Plotly never wraps)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    """The house layout; a long title goes on several lines rather than off the chart."""
    lines = wrapped(title, TITLE_WIDTH)
    extra = 20 * lines.count("<br>")
    fig.update_layout(
        title=dict(text=lines, x=0, xanchor="left"),
        font=FONT,
        height=height + extra,
        margin=dict(l=10, r=10, t=60 + extra, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=-0.2, x=0),
        separators=", ",  # decimal comma, thin space for thousands
    )
    return fig


# --- the shared charts: one Plotly drawing per spec type ------------------------------------


def polar(spec: specs.Radar, *, height: int) -> go.Figure:
    """A radar spec on screen: loose dots first, then each closed line (filled if asked)."""
    fig = go.Figure()
    if spec.points is not None:
        fig.add_trace(
            go.Scatterpolar(
                r=spec.points.values,
                theta=spec.points.axes,
                mode="markers",
                marker=dict(color=spec.points.colour, size=6, opacity=0.45),
                name=spec.points.name,
                hovertemplate=spec.points.hover,
            )
        )
    for line in spec.lines:
        style = dict(color=line.colour, width=line.width)
        fig.add_trace(
            go.Scatterpolar(
                r=_closed(line.values),
                theta=_closed(line.axes),
                mode="lines+markers" if line.markers else "lines",
                line=style if line.dash is None else dict(style, dash=line.dash),
                name=line.name,
                **({} if line.fill is None else dict(fill="toself", fillcolor=line.fill)),
                **({} if line.hover is None else dict(hovertemplate=line.hover)),
            )
        )
    fig.update_layout(polar=dict(radialaxis=dict(range=[0, 100], tickvals=[0, 25, 50, 75, 100])))
    return layout(fig, spec.title, height=height)


def _closed(values: object) -> list[object]:
    items = list(values)  # type: ignore[call-overload]
    return items + items[:1]


def dumbbell(spec: specs.Dumbbell, *, height: int) -> go.Figure:
    """A dumbbell spec on screen: a light bar per row between two series, then the markers."""
    fig = go.Figure()
    numbered = spec.offsets()  # two groups on a row: rows drawn at 0, 1, 2… and named

    def at(offset: float) -> list[object]:
        if not numbered:
            return list(spec.rows)
        return [i + offset for i in range(len(spec.rows))]

    for first, second in spec.joined():
        a_dots, b_dots = spec.series[first], spec.series[second]
        ys = at(a_dots.offset)
        for y, a, b in zip(ys, a_dots.values, b_dots.values, strict=True):
            fig.add_trace(
                go.Scatter(
                    x=[a, b],
                    y=[y, y],
                    mode="lines",
                    line=dict(color=LIGHT, width=6 if not numbered else 4),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    # The wished diamonds first, today's rounds over them: both seen at the same level; the
    # legend keeps the series' order.
    drawn = sorted(enumerate(spec.series), key=lambda pair: not pair[1].diamond)
    for rank, dots in drawn:
        marker = dict(color=dots.colour, size=dots.size)
        fig.add_trace(
            go.Scatter(
                x=dots.values,
                y=at(dots.offset),
                customdata=list(spec.rows),
                mode="markers",
                name=dots.name,
                marker=dict(marker, symbol="diamond") if dots.diamond else marker,
                hovertemplate=dots.hover,
                legendrank=1000 + rank,
            )
        )
    for note in spec.notes:
        fig.add_annotation(
            x=spec.x_range[0],
            y=note.row + note.offset,
            text=plain_label(note.text),
            showarrow=False,
            xanchor="left",
            font=dict(color=note.colour, size=11),
        )
    if numbered:
        rows = len(spec.rows)
        fig.update_yaxes(
            tickvals=list(range(rows)),
            ticktext=list(spec.rows),
            range=[-0.6, rows - 0.4],
            zeroline=False,
            showgrid=False,
        )
    axis: dict[str, object] = dict(range=list(spec.x_range), gridcolor=GRID)
    if spec.x_title:
        axis["title"] = spec.x_title
    if spec.ticks:
        # Every level named, upright, on short lines: rotated labels ran into the legend and
        # the last one (« 6 Compétence transférée ») fell off the chart.
        axis["tickvals"] = [v for v, _ in spec.ticks]
        axis["ticktext"] = [wrapped(t, 11) for _, t in spec.ticks]
        axis["tickangle"] = 0
    fig.update_xaxes(**axis)
    fig = layout(fig, spec.title, height=height)
    if spec.ticks:  # the legend above the plot, clear of the level names below it
        lines = max(t.count("<br>") + 1 for t in axis["ticktext"])  # type: ignore[union-attr]
        fig.update_layout(
            legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
            margin=dict(b=10 + 18 * lines, r=60),  # room for the last level's name
            height=fig.layout.height + 18 * lines,
        )
    if len(spec.series) > 2:  # two groups, today and wished: the legend across the foot of
        # the chart, below the level names (above the plot it ran into a two-line title)
        fig.update_layout(
            legend=dict(
                orientation="h",
                xref="container",
                yref="container",
                x=0.01,
                y=0.0,
                yanchor="bottom",
            ),
            margin=dict(b=fig.layout.margin.b + 50),
            height=fig.layout.height + 50,
        )
    return fig


def bars(spec: specs.Bars, *, height: int) -> go.Figure:
    """A horizontal bar spec on screen, each bar's text written on it or beside it."""
    fig = go.Figure(
        go.Bar(
            x=spec.values,
            y=spec.rows,
            orientation="h",
            marker_color=spec.colour,
            text=spec.texts,
            textposition="auto",
            hovertemplate=spec.hover,
        )
    )
    fig.update_xaxes(title=spec.x_title, gridcolor=GRID)
    return layout(fig, spec.title, height=height)


def _on_screen(build: Callable[P, S], draw: Callable[[S], go.Figure]) -> Callable[P, go.Figure]:
    """A spec builder of chart_specs, drawn for the screen: same arguments, same docstring."""

    @functools.wraps(build)
    def figure(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return draw(build(*args, **kwargs))

    return figure


radar = _on_screen(specs.radar, lambda spec: polar(spec, height=560))
gaps = _on_screen(specs.gaps, lambda spec: dumbbell(spec, height=80 + 36 * len(spec.rows)))
actor_grid = _on_screen(
    specs.actor_grid, lambda spec: dumbbell(spec, height=110 + 32 * len(spec.rows))
)
actor_grid_by_kind = _on_screen(
    specs.actor_grid_by_kind, lambda spec: dumbbell(spec, height=110 + 46 * len(spec.rows))
)
priorities = _on_screen(
    specs.priorities, lambda spec: bars(spec, height=100 + 34 * max(len(spec.rows), 1))
)


def heat(
    z: object,
    x: list[str],
    y: list[str],
    text: object,
    *,
    colours: list[list[object]],
    zrange: tuple[float, float],
    colorbar: str,
    hover: str,
) -> go.Figure:
    """A grid of coloured cells, each with its text, the first row at the top."""
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            colorscale=colours,
            zmin=zrange[0],
            zmax=zrange[1],
            colorbar=dict(title=colorbar),
            hovertemplate=hover,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed")
    return fig


# --- the charts only a page shows ------------------------------------------------------------


def heatmap(
    comparison: pd.DataFrame,
    item_labels: Mapping[str, str],
    *,
    title: str,
    min_group_size: int,
) -> go.Figure:
    """Items x groups: each group's score; hidden cells say why (small group, no data)."""
    frame = comparison.sort_values("position")
    groups = list(dict.fromkeys(frame["group_label"]))
    items = list(dict.fromkeys(frame["question_id"]))
    z = np.full((len(items), len(groups)), np.nan)
    text = [["" for _ in groups] for _ in items]
    for _, row in frame.iterrows():
        i, j = items.index(row["question_id"]), groups.index(row["group_label"])
        if row["status"] == "ok" and not pd.isna(row["score"]):
            z[i, j] = row["score"]
            text[i][j] = f"{row['score']:.0f}"
        else:
            text[i][j] = _short_status(row["status"], min_group_size)
    # Every item's whole text, on lines of 55 characters (never cut off with « … »).
    rows = [wrapped(item_labels.get(q, q), 55) for q in items]
    fig = heat(
        z,
        [plain_label(g) for g in groups],  # commune names typed by the coordination
        rows,
        text,
        colours=[[0, "#F4D9D9"], [0.5, "#F5F5FE"], [1, "#6A6AF4"]],
        zrange=(0, 100),
        colorbar="Score",
        hover="%{y}<br>%{x} : %{text}<extra></extra>",
    )
    lines = sum(r.count("<br>") + 1 for r in rows)
    return layout(fig, title, height=120 + 10 * len(items) + 18 * lines)


def _short_status(status: str, min_group_size: int) -> str:
    return {
        "suppressed": f"< {min_group_size} rép.",
        "masked": "masqué",
        "no_data": "aucune donnée",
    }.get(status, "")


def participation(by_structure: pd.DataFrame) -> go.Figure:
    """Invited, started and submitted participants per structure."""
    frame = by_structure.iloc[::-1]
    names = [plain_label(n) for n in frame["structure_name"]]
    fig = go.Figure()
    for column, label, colour in (
        ("invited", "Invité·es", LIGHT),
        ("started", "Ont commencé", "#6A6AF4"),
        ("submitted", "Ont envoyé", BLUE),
    ):
        fig.add_trace(
            go.Bar(x=frame[column], y=names, orientation="h", name=label, marker_color=colour)
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Personnes", dtick=1, gridcolor=GRID)
    return layout(fig, "Participation par structure", height=120 + 60 * len(names))


def distribution(levels: pd.DataFrame, level_labels: Mapping[int, str], *, title: str) -> go.Figure:
    """How many respondents gave each level of one item (for the consensus meeting)."""
    frame = levels.sort_values("level")
    fig = go.Figure(
        go.Bar(
            x=[f"{int(v)} {level_labels.get(int(v), '')}" for v in frame["level"]],
            y=frame["count"],
            marker_color=BLUE,
            text=frame["count"],
            textposition="auto",
            customdata=[count(int(n), "réponse") for n in frame["count"]],
            hovertemplate="%{x} : %{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(title="Réponses", dtick=1, gridcolor=GRID)
    return layout(fig, title, height=320)
