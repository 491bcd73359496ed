"""The workshop's charts: re-vote before/after and impact x effort grid, for screen and files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from diagnostic.results.chart_specs import BLUE, GREY
from diagnostic.results.figures import plain_label
from diagnostic.vocabulary import count
from diagnostic.workshop.live import GRID_SCALE

PROJECTION_FONT = 30  # read from the back of a room: as large as the screen's text
DOCUMENT_FONT = 13
QUADRANT_COLOURS = {
    "Gain rapide": "#18753C",
    "Projet structurant": BLUE,
    "Action d'appoint": "#716043",
    "À reconsidérer": "#CE0500",
}


def _layout(fig: go.Figure, title: str, *, big: bool, height: int) -> go.Figure:
    size = PROJECTION_FONT if big else DOCUMENT_FONT
    fig.update_layout(
        # the title may be a territory's name: text, never Plotly markup
        title=dict(text=plain_label(title), x=0, xanchor="left", font=dict(size=size + 4)),
        font=dict(family="Marianne, Arial, sans-serif", size=size, color="#161616"),
        height=height,
        margin=dict(l=10, r=10, t=70 if big else 50, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
        separators=", ",
    )
    return fig


def shift_chart(
    row: Mapping[str, object],
    levels: Sequence[int],
    level_labels: Mapping[int, str],
    *,
    title: str,
    big: bool = False,
) -> go.Figure:
    """Share of each level before (questionnaire) and after (re-vote), side by side.

    On the screen (`big`) the levels are numbered only (their names do not fit a third of a
    screen at projection size; the page writes them once below)."""
    x = [str(lv) if big else f"{lv}. {level_labels.get(lv, '')}".strip() for lv in levels]
    fig = go.Figure()
    for side, name, colour in (
        ("before", "Questionnaire", GREY),
        ("after", "Maintenant", BLUE),
    ):
        total = int(row.get(f"n_{side}", 0) or 0)  # type: ignore[call-overload]
        counts = [int(row.get(f"{side}_{lv}", 0) or 0) for lv in levels]  # type: ignore[call-overload]
        shares = [100 * c / total if total else 0 for c in counts]
        fig.add_trace(
            go.Bar(
                x=x,
                y=shares,
                name=f"{name} ({total})",
                marker_color=colour,
                text=[f"{s:.0f} %" if s else "" for s in shares],
                textposition="outside",
                # the shares are the figures to read: larger than the axis' words
                textfont=dict(size=PROJECTION_FONT + 6 if big else DOCUMENT_FONT),
                hovertemplate="%{x} : %{y:.0f} %<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    # on the screen the levels' names are written once under the charts
    fig.update_xaxes(type="category", title=None)
    # the shares are written on the bars: no axis to read
    fig.update_yaxes(range=[0, 122], visible=not big, title="% des réponses", gridcolor="#E5E5E5")
    fig = _layout(fig, title, big=big, height=360 if big else 340)
    if big:
        fig.update_layout(margin=dict(l=10, r=10, t=50, b=50))
    return fig


def spread_out(points: pd.DataFrame, step: float = 0.09) -> pd.DataFrame:
    """Candidates placed at the same mean position, nudged around it so each stays visible."""
    out = points.copy()
    out["x"], out["y"] = out["effort"].astype(float), out["impact"].astype(float)
    offsets = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]
    for _, group in out.groupby(["x", "y"], sort=False):
        for k, index in enumerate(group.index):
            dx, dy = offsets[k % len(offsets)]
            ring = 1 + k // len(offsets)
            out.loc[index, "x"] += dx * step * ring
            out.loc[index, "y"] += dy * step * ring
    return out


QUADRANT_PLACES = {  # (effort, impact) of each quadrant's label, corners of the grid
    "Gain rapide": (0.7, 3.42),
    "Projet structurant": (3.3, 3.42),
    "Action d'appoint": (0.7, 0.68),
    "À reconsidérer": (3.3, 0.68),
}


def grid_chart(
    points: pd.DataFrame, names: Mapping[int, str], *, title: str, big: bool = False
) -> go.Figure:
    """Candidates by mean effort (x) and impact (y): a numbered disc each (the list beside the
    chart gives the text), coloured by quadrant, the quadrants named in their corners."""
    placed = spread_out(points.loc[points["n"] > 0].reset_index(drop=True), 0.25 if big else 0.12)
    placed["number"] = range(1, len(placed) + 1)
    fig = go.Figure()
    for quadrant, frame in placed.groupby("quadrant", sort=False):
        fig.add_trace(
            go.Scatter(
                x=frame["x"],
                y=frame["y"],
                mode="markers+text",
                text=[str(n) for n in frame["number"]],
                textposition="middle center",
                textfont=dict(color="white", size=(PROJECTION_FONT if big else DOCUMENT_FONT) + 2),
                marker=dict(
                    size=56 if big else 30,
                    color=QUADRANT_COLOURS.get(str(quadrant), GREY),
                    line=dict(color="white", width=2),
                ),
                name=str(quadrant),
                customdata=[  # typed texts and names, shown as typed in the hover label
                    [
                        plain_label(t),
                        plain_label(names.get(int(tid), "")) if tid == tid else "",
                        count(int(n), "vote"),
                    ]
                    for t, tid, n in zip(
                        frame["text"], frame["territory_id"], frame["n"], strict=True
                    )
                ],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} · %{customdata[2]}"
                "<extra></extra>",
                showlegend=False,
            )
        )
    for quadrant, (x, y) in QUADRANT_PLACES.items():
        fig.add_annotation(
            x=x,
            y=y,
            text=quadrant,
            showarrow=False,
            xanchor="left" if x < 2 else "right",
            # a little under the axes' type: « Projet structurant » keeps off the middle line
            font=dict(color=QUADRANT_COLOURS[quadrant], size=PROJECTION_FONT - 4 if big else 12),
        )
    ticks = dict(tickvals=list(GRID_SCALE), ticktext=list(GRID_SCALE.values()))
    fig.update_xaxes(title="Effort", range=[0.55, 3.45], zeroline=False, showgrid=False, **ticks)
    fig.update_yaxes(title="Impact", range=[0.55, 3.55], zeroline=False, showgrid=False, **ticks)
    fig.update_yaxes(title_standoff=24 if big else 10)  # the title clear of « Moyen »
    # The quadrant borders of live.quadrant: a mean of 2 (« moyen ») or more counts as high.
    fig.add_hline(y=2, line=dict(color="#929292", dash="dot"))
    fig.add_vline(x=2, line=dict(color="#929292", dash="dot"))
    fig = _layout(fig, title, big=big, height=520 if big else 420)  # a 720-line screen too
    fig.update_layout(margin=dict(l=190 if big else 60, r=20, t=60, b=110 if big else 60))
    return fig


def grid_legend(points: pd.DataFrame) -> list[tuple[int, str, str]]:
    """The numbers of grid_chart's discs: (number, text, quadrant), in the same order."""
    placed = points.loc[points["n"] > 0].reset_index(drop=True)
    return [
        (i, str(row["text"]), str(row["quadrant"]))
        for i, row in enumerate(placed.to_dict("records"), 1)
    ]
