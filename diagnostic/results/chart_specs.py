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
    hover: str | None = None  # may read %{customdata}: the row's label
    offset: float = 0.0  # above (+) or below (-) its row, in rows: two groups on one row


@dataclass(frozen=True)
class Note:
    """A few words written on a row where a series has no marker (a hidden group)."""

    row: int  # index in the Dumbbell's rows
    offset: float  # as the series it stands for
    text: str
    colour: str


@dataclass(frozen=True)
class Dumbbell:
    """Rows (bottom to top), series of markers; a bar joins the markers of each pair of series
    (`pairs`, by index; by default the two series when there are two)."""

    title: str
    rows: Sequence[str]
    series: Sequence[Dots]
    x_range: tuple[float, float] = (0, 100)
    x_title: str | None = SCORE_AXIS
    ticks: Sequence[tuple[float, str]] = ()  # (value, label) on the x axis, when not a score
    pairs: Sequence[tuple[int, int]] | None = None
    notes: Sequence[Note] = ()

    def joined(self) -> list[tuple[int, int]]:
        """The pairs of series a bar joins, row by row."""
        if self.pairs is not None:
            return list(self.pairs)
        return [(0, 1)] if len(self.series) == 2 else []

    def offsets(self) -> bool:
        """Whether markers stand above or below their rows (rows then drawn as numbers)."""
        return any(dots.offset for dots in self.series) or bool(self.notes)


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


KIND_LABELS = {"epci": "Intercommunalité", "commune": "Communes"}
# Each kind keeps its colour: the marker of today in it, the wished one (a diamond) darker.
KIND_PAIRS = {"epci": ("#6A6AF4", "#000091"), "commune": ("#E4794A", "#8D533E")}
KIND_OFFSETS = {"epci": 0.18, "commune": -0.18}  # the intercommunality above, communes below


def actor_grid_by_kind(
    splits: pd.DataFrame,
    row_labels: Mapping[str, str],
    *,
    title: str,
    scale: Mapping[int, str],
) -> Dumbbell:
    """One grid question drawn by structure kind, when the two kinds disagree: on each row the
    intercommunality's median today and wished, and the communes' (analytics.grid_splits);
    a kind hidden by the privacy rule on a row is said there in words."""
    frame = splits.sort_values("position", ascending=False)
    wished = frame[["epci_desired", "commune_desired"]].notna().any().any()
    series: list[Dots] = []
    pairs: list[tuple[int, int]] = []
    notes: list[Note] = []
    for kind, label in KIND_LABELS.items():
        today, desired = KIND_PAIRS[kind]
        offset = KIND_OFFSETS[kind]
        hover = "%{customdata} : %{x}<extra>" + label + ", WHEN</extra>"
        series.append(
            Dots(
                f"{label}, aujourd'hui",
                frame[f"{kind}_current"],
                today,
                hover=hover.replace("WHEN", "aujourd'hui"),
                offset=offset,
            )
        )
        if wished:
            pairs.append((len(series) - 1, len(series)))
            series.append(
                Dots(
                    f"{label}, souhaitée",
                    frame[f"{kind}_desired"],
                    desired,
                    diamond=True,
                    hover=hover.replace("WHEN", "souhaitée"),
                    offset=offset,
                )
            )
        hidden = frame[f"{kind}_status_label"].fillna("").tolist()
        currents = frame[f"{kind}_current"].tolist()
        for i, (why, level) in enumerate(zip(hidden, currents, strict=True)):
            if why and level != level:  # no marker on this row: say why
                notes.append(Note(i, offset, f"{label} : {why}", today))
    values = sorted(scale)
    return Dumbbell(
        title,
        [row_labels.get(r, r) for r in frame["row_id"]],
        series,
        x_range=(values[0] - 0.3, values[-1] + 0.3),
        x_title=None,
        ticks=[(v, f"{v} {scale[v]}") for v in values],
        pairs=pairs,
        notes=notes,
    )


def actor_grid_caption(splits: pd.DataFrame, row_labels: Mapping[str, str]) -> str:
    """What a grid drawn by structure says above all: the two sides disagree, on which rows,
    and the median of all respondents is not shown."""
    rows = splits.loc[splits["split"]].sort_values("position")["row_id"]
    named = ", ".join(f"« {row_labels.get(r, r)} »" for r in rows)
    one = len(rows) == 1
    return (
        "L'intercommunalité et les communes ne voient pas cette grille de la même façon : "
        f"leurs médianes sont à deux niveaux ou plus l'une de l'autre sur {len(rows)} "
        f"ligne{'' if one else 's'} ({named}). Chaque structure est donc montrée à part "
        "(rond : aujourd'hui ; losange : souhaitée) ; la médiane de l'ensemble des réponses, "
        "qui tomberait entre les deux et ne décrirait ni l'une ni l'autre, n'est pas affichée."
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
