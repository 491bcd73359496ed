"""The workshop's charts: re-vote before/after, impact x effort grid and dot tally, for screen
and files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from diagnostic.results.chart_specs import BLUE, GREY
from diagnostic.results.figures import plain_label
from diagnostic.vocabulary import count
from diagnostic.workshop.live import GRID_SCALE, UNGROUPED, positioned, quadrant

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


SINGLE_VOTE = "un seul vote"  # the legend of the ring around a point that rests on one vote
PLACED = "placé par l'animation"
X_RANGE, Y_RANGE = (0.5, 3.5), (0.2, 3.85)  # grid_chart's axes: effort, impact
Step = float | tuple[float, float]
SCREEN_STEP, PAGE_STEP = (0.38, 0.7), (0.24, 0.5)  # grid_chart's spreading: big, or not


def spread_out(points: pd.DataFrame, step: Step = 0.09) -> pd.DataFrame:
    """Candidates placed at the same position, nudged around it so each stays visible: side
    by side first (a row), then in rows above and below, `step` apart (one value, or one per
    axis: a disc's width and height in the axes' units); within the axes where there is room.
    A nudge never takes a point into another quadrant (live.quadrant: the borders are exact
    values, 2 and above counts as high), it goes the other way or further along instead."""
    sx, sy = step if isinstance(step, tuple) else (step, step)
    out = points.copy()
    out["x"], out["y"] = out["effort"].astype(float), out["impact"].astype(float)
    for (x, y), group in out.groupby(["x", "y"], sort=False):
        home = quadrant(y, x)
        spots = _spots(float(x), float(y), home, (sx, sy), len(group))
        for index, (px, py) in zip(group.index, spots, strict=False):
            out.loc[index, "x"], out.loc[index, "y"] = px, py
    return out


def _offsets(reach: int) -> list[tuple[int, int]]:
    """Offsets in steps around a place, nearest first, a row before the rows above and below,
    right before left, above before below."""
    cells = [
        (dx, dy)
        for dx in range(-reach, reach + 1)
        for dy in range(-reach, reach + 1)
        if (dx, dy) != (0, 0)
    ]
    return sorted(cells, key=lambda c: (abs(c[0]) + 2 * abs(c[1]), abs(c[1]), -c[0], -c[1]))


def _whole(spot: tuple[float, float], home: tuple[float, float], step: tuple[float, float]) -> bool:
    """Whether a disc nudged to `spot` from `home` is drawn whole (its centre half a step
    inside the axes) and clear of the quadrants' borders (half a step from the middle lines,
    unless it stays in the column or row of a home on the border)."""
    for c, h, s, (lo, hi) in zip(spot, home, step, (X_RANGE, Y_RANGE), strict=True):
        if not lo + s / 2 <= c <= hi - s / 2:
            return False
        if c != h and abs(c - 2) < s / 2:
            return False
    return True


def _spots(
    x: float, y: float, home: str, step: tuple[float, float], n: int
) -> list[tuple[float, float]]:
    """`n` distinct places around (x, y), the first on it, all in the quadrant `home`, whole
    discs within the axes and clear of the borders (_whole): a step apart, or closer if the
    quadrant has no room for them all (down to a third of a step), or beyond the axes as a
    last resort."""
    scale = 1.0
    while scale > 0.3:
        nearer = (step[0] * scale, step[1] * scale)
        spots = _around(x, y, home, nearer, n, lambda spot: _whole(spot, (x, y), step))
        if len(spots) >= n:
            return spots
        scale *= 0.8
    return _around(x, y, home, step, n, None)


def _around(
    x: float,
    y: float,
    home: str,
    step: tuple[float, float],
    n: int,
    room: Callable[[tuple[float, float]], bool] | None,
) -> list[tuple[float, float]]:
    """Up to `n` places a whole number of steps around (x, y) that `room` allows (with no
    `room`, as far as needed to find `n`)."""
    spots, reach = [(x, y)], 4
    while len(spots) < n:
        for dx, dy in _offsets(reach):
            spot = (x + dx * step[0], y + dy * step[1])
            if len(spots) >= n:
                break
            fits = room is None or room(spot)
            if fits and quadrant(spot[1], spot[0]) == home and spot not in spots:
                spots.append(spot)
        if room is not None:
            break
        reach *= 2
    return spots[:n]


QUADRANT_PLACES = {  # (effort, impact) of each quadrant's label: corners beyond the discs
    "Gain rapide": (0.6, 3.68),
    "Projet structurant": (3.4, 3.68),
    "Action d'appoint": (0.6, 0.36),
    "À reconsidérer": (3.4, 0.36),
}


def grid_chart(
    points: pd.DataFrame, names: Mapping[int, str], *, title: str, big: bool = False
) -> go.Figure:
    """Candidates by effort (x) and impact (y): a numbered disc each (the list beside the chart
    gives the text and the group), coloured by quadrant, the quadrants named in their corners;
    a ring marks the points that rest on a single vote, a diamond those the facilitator placed."""
    # a disc's width and height apart in the axes' units, at the narrowest the chart is drawn:
    # the screen's 3/5 of 1280 pixels (about 160 px an effort level, 88 an impact level, a
    # disc 56 px wide), the console's column (175 and 82, a disc with its ring 40 px)
    placed = spread_out(positioned(points), SCREEN_STEP if big else PAGE_STEP)
    placed["number"] = range(1, len(placed) + 1)
    by_hand = placed["placed"] if "placed" in placed else pd.Series(False, index=placed.index)
    single = placed["single"] if "single" in placed else pd.Series(False, index=placed.index)
    groups = placed["group"] if "group" in placed else pd.Series(None, index=placed.index)
    size = 56 if big else 30
    fig = go.Figure()
    for quadrant_name, frame in placed.groupby("quadrant", sort=False):
        fig.add_trace(
            go.Scatter(
                x=frame["x"],
                y=frame["y"],
                mode="markers+text",
                text=[str(n) for n in frame["number"]],
                textposition="middle center",
                textfont=dict(color="white", size=(PROJECTION_FONT if big else DOCUMENT_FONT) + 2),
                marker=dict(
                    size=size,
                    color=QUADRANT_COLOURS.get(str(quadrant_name), GREY),
                    symbol=["diamond" if by_hand[i] else "circle" for i in frame.index],
                    line=dict(color="white", width=2),
                ),
                name=str(quadrant_name),
                customdata=[  # typed texts and names, shown as typed in the hover label
                    [
                        plain_label(t),
                        plain_label(names.get(int(tid), "")) if tid == tid else "",
                        count(int(n), "vote"),
                        plain_label(g) if isinstance(g, str) and g else UNGROUPED,
                    ]
                    for t, tid, n, g in zip(
                        frame["text"],
                        frame["territory_id"],
                        frame["n"],
                        groups[frame.index],
                        strict=True,
                    )
                ],
                hovertemplate="%{customdata[0]}<br>%{customdata[3]}<br>%{customdata[1]} · "
                "%{customdata[2]}<extra></extra>",
                showlegend=False,
            )
        )
    ring = placed.loc[single.astype(bool)]
    if not ring.empty:  # read with care: one person's view
        fig.add_trace(
            go.Scatter(
                x=ring["x"],
                y=ring["y"],
                mode="markers",
                marker=dict(
                    size=size + (16 if big else 10),
                    symbol="circle-open",
                    color="#161616",
                    line=dict(width=4 if big else 2),
                ),
                name=SINGLE_VOTE,
                hoverinfo="skip",
                showlegend=True,
            )
        )
    if by_hand.any():
        fig.add_trace(  # a legend entry only: the diamonds are drawn above
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(size=18 if big else 12, symbol="diamond", color=GREY),
                name=PLACED,
                showlegend=True,
            )
        )
    for quadrant_name, (x, y) in QUADRANT_PLACES.items():
        fig.add_annotation(
            x=x,
            y=y,
            text=quadrant_name,
            showarrow=False,
            xanchor="left" if x < 2 else "right",
            # a little under the axes' type: « Projet structurant » keeps off the middle line
            font=dict(
                color=QUADRANT_COLOURS[quadrant_name], size=PROJECTION_FONT - 4 if big else 12
            ),
        )
    ticks = dict(tickvals=list(GRID_SCALE), ticktext=list(GRID_SCALE.values()))
    fig.update_xaxes(title="Effort", range=[0.5, 3.5], zeroline=False, showgrid=False, **ticks)
    fig.update_yaxes(title="Impact", range=[0.2, 3.85], zeroline=False, showgrid=False, **ticks)
    fig.update_yaxes(title_standoff=24 if big else 10)  # the title clear of « Moyen »
    # The quadrant borders of live.quadrant: a mean of 2 (« moyen ») or more counts as high.
    fig.add_hline(y=2, line=dict(color="#929292", dash="dot"))
    fig.add_vline(x=2, line=dict(color="#929292", dash="dot"))
    fig = _layout(fig, title, big=big, height=480 if big else 420)  # a 720-line screen too
    fig.update_layout(margin=dict(l=190 if big else 60, r=20, t=60, b=100 if big else 60))
    if big:  # the screen's list of entries says it (« un seul vote », « placé par… »)
        fig.update_layout(showlegend=False)
    elif not ring.empty or by_hand.any():  # the legend under the axis: the title keeps its line
        fig.update_layout(
            # at the figure's foot (container), under the axis title: never over « Effort »
            legend=dict(
                orientation="h", yref="container", yanchor="bottom", y=0, x=1, xanchor="right"
            ),
            margin=dict(b=90),
        )
    return fig


@dataclass(frozen=True)
class Legend:
    """One disc of grid_chart: its number, text, quadrant, group (None: not grouped) and
    whether it rests on one vote, or was placed by the facilitator."""

    number: int
    text: str
    quadrant: str
    group: str | None = None
    single: bool = False
    placed: bool = False


def grid_legend(points: pd.DataFrame) -> list[tuple[int, str, str]]:
    """The numbers of grid_chart's discs: (number, text, quadrant), in the same order."""
    return [(e.number, e.text, e.quadrant) for e in grid_entries(points)]


def grid_entries(points: pd.DataFrame) -> list[Legend]:
    """grid_chart's discs, in the same order, with their group and where they come from."""
    out = []
    for i, row in enumerate(positioned(points).to_dict("records"), 1):
        group = row.get("group")
        out.append(
            Legend(
                i,
                str(row["text"]),
                str(row["quadrant"]),
                group if isinstance(group, str) and group else None,
                bool(row.get("single", False)),
                bool(row.get("placed", False)),
            )
        )
    return out


def legend_groups(legend: list[Legend]) -> list[tuple[str | None, list[Legend]]]:
    """The grid's legend under the facilitator's group headings (groups in order of first
    appearance, ungrouped last; None as the only heading when nothing is grouped)."""
    labels = list(dict.fromkeys(e.group for e in legend if e.group))
    out: list[tuple[str | None, list[Legend]]] = [
        (label, [e for e in legend if e.group == label]) for label in labels
    ]
    rest = [e for e in legend if not e.group]
    if rest:
        out.append((UNGROUPED if labels else None, rest))
    return out


DOTS_COLOUR = BLUE


def dots_label(text: str, group: str | None, *, width: int, at_most: int = 2) -> str:
    """A bar's label on `at_most` lines (the labels of two bars never overlap): the
    group in bold, then the post's text, cut at a word with « … », both as typed."""
    lead = f"{group} · " if group else ""
    lines = textwrap.wrap(lead + text, width, max_lines=at_most, placeholder=" …")
    out = [plain_label(line) for line in lines] or [plain_label(text)]
    if group and lines and lines[0].startswith(lead.rstrip()):
        head = plain_label(group)  # the same characters, escaped the same way
        out[0] = f"<b>{head}</b>{out[0][len(head) :]}"
    return "<br>".join(out)


def dots_chart(tally: pd.DataFrame, *, title: str, big: bool = False) -> go.Figure:
    """The points of each post (live.dot_tally), most on top: the count is the largest text,
    the post's text and group are the bar's label."""
    frame = tally.iloc[::-1]  # Plotly draws the first bar at the bottom
    width = 34 if big else 50
    labels = [
        # two lines on the screen (96 px a bar), three in the report's chart (52 px)
        dots_label(str(t), g if isinstance(g, str) else None, width=width, at_most=2 if big else 3)
        for t, g in zip(frame["text"], frame["group"], strict=True)
    ]
    ids = [str(i) for i in frame["post_id"]]  # distinct categories even for equal texts
    fig = go.Figure(
        go.Bar(
            x=frame["dots"],
            y=ids,
            orientation="h",
            marker_color=DOTS_COLOUR,
            text=[str(int(d)) for d in frame["dots"]],
            textposition="outside",
            textfont=dict(size=(PROJECTION_FONT if big else DOCUMENT_FONT) * 2, color="#161616"),
            cliponaxis=False,
            customdata=[count(int(v), "personne") for v in frame["voters"]],
            hovertemplate="%{x} points · %{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    top = max([int(d) for d in frame["dots"]] + [1])
    fig.update_xaxes(range=[0, top * 1.05], visible=False)
    fig.update_yaxes(
        type="category",
        tickvals=ids,
        ticktext=labels,
        automargin=True,
        tickfont=dict(size=PROJECTION_FONT if big else DOCUMENT_FONT),
    )
    per_bar = 80 if big else 52  # two lines of 30 px a label: five bars fit 720 lines
    top_margin = (70 if big else 50) if title else 10  # no empty title band on the screen
    fig = _layout(fig, title, big=big, height=max(200, top_margin + 20 + per_bar * len(frame)))
    # room on the right for the largest count, written outside its bar: never cut off
    digits = len(str(top)) * (PROJECTION_FONT if big else DOCUMENT_FONT) * 2 * 0.6
    left = 24 if big else 10  # a bold group's first letter clear of the edge
    fig.update_layout(bargap=0.3, margin=dict(l=left, r=int(digits) + 20, t=top_margin, b=10))
    return fig
