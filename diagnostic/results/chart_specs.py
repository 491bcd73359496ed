"""What the shared charts show, as plain data: titles, series, labels, colours, axis ranges.

Each chart is built once here from the results' frames (sort order, filters, French labels);
figures.py draws a spec for the screen (Plotly), document/charts.py for print (matplotlib).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnostic.vocabulary import count

BLUE = "#000091"  # République française blue
RED = "#C9191E"
GREY = "#929292"
LIGHT = "#CACAFB"
GROUP_COLOURS = {"epci": "#000091", "commune": "#E4794A"}
SCORE_AXIS = "Score (0 à 100)"


@dataclass(frozen=True)
class Line:
    """One closed line of a radar: a value per axis (`axes`, a subset of the chart's)."""

    name: str
    axes: Sequence[str]
    values: Sequence[float]
    colour: str
    width: float = 2
    dash: str | None = None  # None (solid), "dash" or "dot"
    markers: bool = False
    fill: str | None = None  # colour of the area inside the line
    hover: str | None = None  # what pointing at a point says on screen (Plotly template)


@dataclass(frozen=True)
class Radar:
    """Scores from 0 to 100 around the axes; `lines` drawn in order (the main one last)."""

    title: str
    axes: Sequence[str]
    lines: Sequence[Line]
    points: Line | None = None  # individual answers, as loose dots, never joined (screen only)


@dataclass(frozen=True)
class Dots:
    """One series of a dumbbell: a marker per row."""

    name: str
    values: Sequence[float]
    colour: str
    size: int = 12
    diamond: bool = False
    hover: str | None = None


@dataclass(frozen=True)
class Dumbbell:
    """Rows (bottom to top), one or two series of markers; a bar joins two series' markers."""

    title: str
    rows: Sequence[str]
    series: Sequence[Dots]
    x_range: tuple[float, float] = (0, 100)
    x_title: str | None = SCORE_AXIS
    ticks: Sequence[tuple[float, str]] = ()  # (value, label) on the x axis, when not a score


@dataclass(frozen=True)
class Bars:
    """Horizontal bars, rows bottom to top, each with its printed value."""

    title: str
    rows: Sequence[str]
    values: Sequence[float]
    texts: Sequence[str]
    x_title: str
    hover: str
    colour: str = BLUE


def radar(
    dimensions: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    respondents: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    group_labels: Mapping[str, str] | None = None,
) -> Radar:
    """Maturity scores (0-100) of the territory, its target, groups and individual spread.

    A dimension without any maturity item (only agreement statements) has no axis."""
    dims = dimensions.sort_values("position")
    if "n_items" in dims:
        dims = dims.loc[dims["n_items"] > 0]
    theta = [labels.get(d, d) for d in dims["dimension_id"]]
    points = None
    if respondents is not None and not respondents.empty:
        found = respondents.merge(dims[["dimension_id"]], on="dimension_id")
        axes = [labels.get(d, d) for d in found["dimension_id"]]
        hover = "%{theta} : %{r:.0f}/100<extra>une réponse</extra>"
        points = Line("Réponses individuelles", axes, found["score"], GREY, hover=hover)
    lines = []
    if groups is not None and not groups.empty:
        for key, frame in groups.groupby("structure_kind", sort=False):
            frame = frame.sort_values("position")
            name = (group_labels or {}).get(str(key), str(key))
            axes = [labels.get(d, d) for d in frame["dimension_id"]]
            colour = GROUP_COLOURS.get(str(key), GREY)
            lines.append(Line(name, axes, frame["score"], colour, 1.5, "dot"))
    lines.append(Line("Niveau visé", theta, dims["target_score"], RED, 2, "dash"))
    lines.append(
        Line(
            "Territoire aujourd'hui",
            theta,
            dims["score"],
            BLUE,
            3,
            markers=True,
            fill="rgba(0,0,145,0.15)",
            hover="%{theta} : %{r:.0f}/100<extra></extra>",
        )
    )
    return Radar("Maturité par dimension (0 à 100)", theta, lines, points)


def gaps(dimensions: pd.DataFrame, labels: Mapping[str, str]) -> Dumbbell:
    """Current and target score per dimension, largest gap at the top."""
    dims = dimensions.dropna(subset=["score"]).copy()
    dims["delta"] = dims["target_score"] - dims["score"]
    dims = dims.sort_values("delta", ascending=True)
    now = "%{y} : %{x:.0f}/100 aujourd'hui<extra></extra>"
    target = "%{y} : %{x:.0f}/100 visé<extra></extra>"
    return Dumbbell(
        "Écart entre aujourd'hui et le niveau visé",
        [labels.get(d, d) for d in dims["dimension_id"]],
        [
            Dots("Aujourd'hui", dims["score"], BLUE, hover=now),
            Dots("Visé en fin de mandat", dims["target_score"], RED, diamond=True, hover=target),
        ],
    )


def actor_grid(
    cells: pd.DataFrame, row_labels: Mapping[str, str], *, title: str, scale: Mapping[int, str]
) -> Dumbbell:
    """Median intensity today and wished, per actor (one grid question)."""
    wide = cells.pivot(index=["position", "row_id"], columns="column", values="median")
    wide = wide.reset_index().sort_values("position", ascending=False)
    if "current" not in wide:
        wide["current"] = np.nan
    hover = "%{y} : %{x}<extra>aujourd'hui</extra>"
    series = [Dots("Aujourd'hui (médiane)", wide["current"], BLUE, hover=hover)]
    if "desired" in wide:
        hover = "%{y} : %{x}<extra>souhaitée</extra>"
        series.append(Dots("Souhaitée (médiane)", wide["desired"], RED, diamond=True, hover=hover))
    values = sorted(scale)
    return Dumbbell(
        title,
        [row_labels.get(r, r) for r in wide["row_id"]],
        series,
        x_range=(values[0] - 0.3, values[-1] + 0.3),
        x_title=None,
        ticks=[(v, f"{v} {scale[v]}") for v in values],
    )


def priorities(
    borda: pd.DataFrame, option_labels: Mapping[str, str], *, title: str, top: int = 10
) -> Bars:
    """Borda points of one ranking question, best at the top, with how many respondents cited
    each option."""
    frame = borda.loc[borda["points"] > 0].sort_values(["points", "n_cited"], ascending=False)
    frame = frame.head(top).iloc[::-1]
    cited = zip(frame["points"], frame["n_cited"], strict=True)
    return Bars(
        title,
        [option_labels.get(o, o) for o in frame["option_id"]],
        frame["points"],
        [f"{count(int(p), 'pt')} · {count(int(n), 'citation')}" for p, n in cited],
        "Points (décompte de Borda)",
        "%{y} : %{x} points<extra></extra>",
    )
