"""Print charts of the roadmap document: matplotlib (Agg) PNGs drawn from the results' data.

Why matplotlib and not Plotly's image export: kaleido 1.x drives a Chromium that a pip install
does not bring, and a document must never come out without its charts. matplotlib needs no
browser, renders a chart in about a tenth of a second and gives the same bytes for the same
data.

Where the results page shows the same chart (radar, gaps, priorities, actor grid), the print
chart draws the spec the page draws: sort order, filters, labels, values and colours are
written once, in diagnostic/results/chart_specs.py. The charts the page does not show (items of
one dimension, intercommunality beside communes) are prepared here from the same frames.
"""

from __future__ import annotations

import hashlib
import io
import math
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import partial

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from diagnostic.analytics import maturity_items
from diagnostic.results import chart_specs as specs
from diagnostic.results.chart_specs import BLUE, GROUP_COLOURS, LIGHT, RED, SCORE_AXIS
from diagnostic.results.model import CampaignResults, Labels
from diagnostic.roadmap.timeline import Timeline

DPI = 150
WIDTH_IN = 6.3  # 16 cm, printed at full size on an A4 page (17 cm between 2 cm margins)
FONT_SIZE = 8
DASHES = {None: "-", "dash": "--", "dot": ":"}
GROUP_LABELS = {"epci": "Intercommunalité", "commune": "Communes"}

_LOCK = threading.Lock()
CACHED_IMAGES = 256  # PNGs kept by the fingerprint of what they draw (about 60 KB each)
_IMAGES: OrderedDict[str, bytes] = OrderedDict()
_IMAGES_LOCK = threading.Lock()
_DRAWING: dict[str, threading.Event] = {}  # charts being drawn, by fingerprint
_STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: accents, « », ≤ and · render
    "font.size": FONT_SIZE,
    # Unhinted glyphs: a third faster to draw, and hinting only helps small text on screens.
    "text.hinting": "none",
    "axes.edgecolor": "#666666",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    # Typed texts (an item, a workshop's post) are drawn as written: a « $ » opens no formula.
    "text.parse_math": False,
}


@dataclass(frozen=True)
class Chart:
    """One chart of the document: its key, caption and alternative text, and how to draw it."""

    key: str
    caption: str
    alt: str
    height_in: float
    draw: Callable[[Figure], None]
    width_in: float = WIDTH_IN  # a board image for a screen is wider than a printed page


def charts_for(results: CampaignResults, names: Labels) -> list[Chart]:
    """Every chart the data allows, in document order (cheap: nothing is drawn yet)."""
    out = [_radar(results, names), _gaps(results, names)]
    kinds = _kinds(results, names)
    if kinds is not None:
        out.append(kinds)
    q = results.questionnaire
    for section in q.dimensions:
        chart = _items(results, names, section.id)
        if chart is not None:
            out.append(chart)
        for question in section.questions:
            if question.type == "grid":
                chart = _grid(results, names, question.id)
                if chart is not None:
                    out.append(chart)
    for question in q.questions():
        if question.type == "ranking":
            chart = _priorities(results, names, question.id)
            if chart is not None:
                out.append(chart)
    return out


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes (DPI dots per inch, 16 cm wide unless the chart says)."""
    buffer = io.BytesIO()
    # rcParams are global to the process: one rendering at a time (pages run in threads).
    with _LOCK, matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(chart.width_in, chart.height_in), dpi=DPI)
        FigureCanvasAgg(fig)
        chart.draw(fig)
        fig.savefig(
            buffer,
            format="png",
            facecolor="white",
            metadata={"Software": None},
            pil_kwargs={"compress_level": 1},  # faster, and no larger for flat-colour charts
        )
    return buffer.getvalue()


def render_all(charts: Sequence[Chart]) -> dict[str, bytes]:
    """PNG bytes of each chart by key: render once, reuse in every format, and keep them for
    the next document of the same data (a plan changed by one action redraws its timeline
    only): matplotlib gives the same bytes for the same data, so a chart is drawn again only
    when what it draws changed."""
    return {chart.key: _rendered(chart) for chart in charts}


def _rendered(chart: Chart) -> bytes:
    digest = fingerprint(chart)
    if digest is None:  # something it draws cannot be fingerprinted: never cached
        return render(chart)
    while True:
        with _IMAGES_LOCK:
            if digest in _IMAGES:
                _IMAGES.move_to_end(digest)
                return _IMAGES[digest]
            drawing = _DRAWING.get(digest)
            if drawing is None:  # nobody draws it: this thread does
                drawing = _DRAWING[digest] = threading.Event()
                break
        drawing.wait(60)  # another thread (a warm-up, another session) draws it: wait for it
    try:
        image = render(chart)
        with _IMAGES_LOCK:
            _IMAGES[digest] = image
            while len(_IMAGES) > CACHED_IMAGES:
                _IMAGES.popitem(last=False)
        return image
    finally:
        with _IMAGES_LOCK:
            _DRAWING.pop(digest, None)
        drawing.set()


def clear_images() -> None:
    with _IMAGES_LOCK:
        _IMAGES.clear()


def draw_ahead(results: CampaignResults, names: Labels) -> threading.Thread:
    """Draw, in a background thread, the charts every document of these results prints (all
    but the plan's timeline), so that preparing the documents finds them drawn. Returns the
    thread (already started)."""
    thread = threading.Thread(
        target=render_all, args=(charts_for(results, names),), name="charts", daemon=True
    )
    thread.start()
    return thread


def fingerprint(chart: Chart) -> str | None:
    """A digest of everything the chart's drawing reads: its size and the arguments of its
    drawing function (a `partial`'s spec, or the values a closure captured), written out in
    full (never a truncated repr). None when one of them is not plain data."""
    draw = chart.draw
    if isinstance(draw, partial):
        drawn = (draw.func.__qualname__, plain(draw.args), plain(draw.keywords))
    else:
        cells = getattr(draw, "__closure__", None) or ()
        drawn = (getattr(draw, "__qualname__", ""), tuple(plain(c.cell_contents) for c in cells))
    try:
        text = repr((chart.key, chart.height_in, DPI, chart.width_in, drawn))
    except TypeError:
        return None
    return hashlib.sha256(text.encode()).hexdigest()


class _Opaque:
    """Marks a value that cannot be written out: its chart is never cached."""

    def __repr__(self) -> str:
        raise TypeError("valeur non reproductible")


def plain(value: object) -> object:
    """`value` as nested tuples of str, int, float, bool, None and dates, in full: dataclasses
    field by field, frames and arrays cell by cell, mappings in their order."""
    if value is None or isinstance(value, str | bool | int | date):
        return value
    if isinstance(value, float | np.floating):
        return repr(float(value))  # nan, inf and -0.0 kept apart
    if isinstance(value, np.generic):
        return plain(value.item())
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, *(plain(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, pd.DataFrame):
        return ("frame", plain(list(value.columns)), plain(list(value.index)), plain(value.values))
    if isinstance(value, pd.Series | pd.Index):
        return ("series", plain(list(value.index)), plain(value.tolist()))
    if isinstance(value, np.ndarray):
        return ("array", value.shape, tuple(plain(v) for v in value.ravel().tolist()))
    if isinstance(value, Mapping):
        return ("map", tuple((plain(k), plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(plain(v)) for v in value)))
    return _Opaque()


# --- the charts of the results page, drawn from the same specs ------------------------------


def _radar(results: CampaignResults, names: Labels) -> Chart:
    groups = results.dimensions_by_kind
    labels = dict(zip(groups["structure_kind"], groups["group_label"], strict=False))
    spec = specs.radar(
        results.dimensions, names.dimensions, groups=groups, group_labels=labels or GROUP_LABELS
    )
    return Chart(
        "radar",
        "Maturité par dimension (score de 0 à 100) : aujourd'hui, niveau visé et regards "
        "de l'intercommunalité et des communes",
        "Graphique radar des scores de chaque dimension, aujourd'hui et visés.",
        5.3,
        partial(_polar, spec=spec),
    )


def _gaps(results: CampaignResults, names: Labels) -> Chart:
    spec = specs.gaps(results.dimensions, names.dimensions)
    return Chart(
        "gaps",
        "Écart entre le score d'aujourd'hui et le niveau visé en fin de mandat, par dimension "
        "(le plus grand écart en haut)",
        "Pour chaque dimension, un point pour aujourd'hui et un losange pour le niveau visé.",
        0.9 + 0.32 * max(len(spec.rows), 1),
        partial(_dumbbell, spec=spec, label_width=34, annotate=True),
    )


def _grid(results: CampaignResults, names: Labels, question_id: str) -> Chart | None:
    cells = results.grid(question_id)
    if cells is None:
        return None
    title, rows = names.items[question_id], names.options[question_id]
    split = results.grid_split(question_id)
    if split is not None:  # two camps: each drawn, never the median between them
        spec = specs.actor_grid_by_kind(split, rows, title=title, scale=names.levels[question_id])
        return Chart(
            f"grid:{question_id}",
            f"{title} (médianes de l'intercommunalité et des communes, aujourd'hui et "
            f"souhaité). {specs.actor_grid_caption(split, rows)}",
            "Pour chaque ligne de la grille, la médiane d'aujourd'hui et la médiane souhaitée "
            "de l'intercommunalité, puis celles des communes.",
            1.4 + 0.42 * len(spec.rows),
            partial(_dumbbell, spec=spec, label_width=30, annotate=False),
        )
    spec = specs.actor_grid(cells, rows, title=title, scale=names.levels[question_id])
    return Chart(
        f"grid:{question_id}",
        f"{title} (médianes des réponses, aujourd'hui et souhaité)",
        "Pour chaque ligne de la grille, la médiane d'aujourd'hui et la médiane souhaitée.",
        1.2 + 0.3 * len(spec.rows),
        partial(_dumbbell, spec=spec, label_width=30, annotate=False),
    )


def _priorities(results: CampaignResults, names: Labels, question_id: str) -> Chart | None:
    frame = results.ranking(question_id)
    if frame is None:
        return None
    title = names.items[question_id]
    spec = specs.priorities(frame, names.options[question_id], title=title)
    return Chart(
        f"priorities:{question_id}",
        f"{title} — classement collectif (méthode de Borda)",
        "Barres horizontales : points de Borda de chaque option citée, la première en haut.",
        0.8 + 0.3 * len(spec.rows),
        partial(_bars, spec=spec),
    )


# --- charts prepared here (no counterpart on the results page) -----------------------------


def _items(results: CampaignResults, names: Labels, dimension: str) -> Chart | None:
    # maturity items only: the agreement statements are read in the text (share of agreement)
    frame = results.items.loc[
        maturity_items(results.items) & (results.items["dimension_id"] == dimension)
    ]
    frame = frame.sort_values("position", ascending=False)  # first item at the top
    if frame.empty or frame["score_used"].isna().all():
        return None
    labels = [_wrap(names.items.get(q, q), 52, lines=3) for q in frame["question_id"]]
    scores = [_float(v) for v in frame["score_used"]]
    targets = [_float(v) for v in frame["target_score_used"]]

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = np.arange(len(labels))
        ax.barh(y, np.nan_to_num(scores), color=BLUE, height=0.55, label="Aujourd'hui")
        if not all(math.isnan(t) for t in targets):
            ax.scatter(
                targets,
                y,
                marker="D",
                s=28,
                color=RED,
                zorder=3,
                label="Visé en fin de mandat",
            )
        for yi, score in zip(y, scores, strict=True):
            text = "aucun niveau" if math.isnan(score) else _int(score)
            ax.text((0 if math.isnan(score) else score) + 1.5, yi, text, va="center", fontsize=7)
        ax.set_yticks(y, labels, fontsize=6.5)
        _scores_across(ax)
        _fit(figure, ax)
        handles, texts = ax.get_legend_handles_labels()  # the markers come first: put them last
        figure.legend(handles[::-1], texts[::-1], loc="lower center", ncols=2, fontsize=7)

    title = names.dimensions.get(dimension, dimension)
    return Chart(
        f"dimension:{dimension}",
        f"{title} : score de chaque item aujourd'hui (barre) et niveau visé (losange)",
        f"Barres horizontales des scores des items de la dimension « {title} ».",
        1.0 + 0.42 * len(labels),
        draw,
    )


def _kinds(results: CampaignResults, names: Labels) -> Chart | None:
    """Each dimension's score seen from the intercommunality and from the communes."""
    frame = results.dimensions_by_kind
    if frame.empty or set(frame["structure_kind"]) < {"epci", "commune"}:
        return None
    wide = frame.pivot(index=["position", "dimension_id"], columns="structure_kind", values="score")
    wide = wide.reset_index().sort_values("position", ascending=False)
    group = dict(zip(frame["structure_kind"], frame["group_label"], strict=False))
    labels = [_wrap(names.dimensions.get(d, d), 34) for d in wide["dimension_id"]]

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = np.arange(len(labels))
        for offset, kind in ((0.2, "epci"), (-0.2, "commune")):
            values = [_float(v) for v in wide[kind]]
            ax.barh(
                y + offset,
                np.nan_to_num(values),
                height=0.38,
                color=GROUP_COLOURS[kind],
                label=group.get(kind, GROUP_LABELS[kind]),
            )
            for yi, value in zip(y, values, strict=True):
                if not math.isnan(value):
                    ax.text(value + 1, yi + offset, _int(value), va="center", fontsize=6.5)
        ax.set_yticks(y, labels)
        _scores_across(ax)
        _fit(figure, ax)
        figure.legend(loc="lower center", ncols=2)

    return Chart(
        "kinds",
        "Regards croisés : score de chaque dimension vu de l'intercommunalité et des communes",
        "Barres groupées : pour chaque dimension, le score des répondant·es de "
        "l'intercommunalité et celui des communes.",
        1.0 + 0.42 * len(labels),
        draw,
    )


# --- drawing helpers ------------------------------------------------------------------------


def _polar(figure: Figure, spec: specs.Radar) -> None:
    axes = list(dict.fromkeys(spec.axes))
    ax = figure.add_subplot(projection="polar")
    angles = np.linspace(0, 2 * np.pi, len(axes), endpoint=False)
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    for line in spec.lines:
        values = dict(zip(line.axes, line.values, strict=False))
        r = [_float(values.get(a)) for a in axes]
        closed_a, closed_r = [*angles, angles[0]], [*r, r[0]]
        ax.plot(
            closed_a,
            closed_r,
            color=line.colour,
            linestyle=DASHES[line.dash],
            linewidth=line.width * 0.8,
            marker="o" if line.markers else None,
            markersize=3,
            label=line.name,
        )
        if line.fill is not None:
            ax.fill(closed_a, closed_r, color=line.colour, alpha=0.12)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100"], color="#777777", fontsize=6)
    ax.set_rlabel_position(180 / len(axes))  # between the first two axes, off the lines
    ax.set_xticks(angles, [_wrap(a, 18, lines=3) for a in axes], fontsize=7)
    ax.tick_params(axis="x", pad=6)
    ax.grid(color="#DDDDDD", linewidth=0.6)
    ax.spines["polar"].set_color("#BBBBBB")
    figure.subplots_adjust(left=0.17, right=0.83, top=0.9, bottom=0.17)
    figure.legend(loc="lower center", ncols=4, fontsize=7)


def _dumbbell(figure: Figure, spec: specs.Dumbbell, *, label_width: int, annotate: bool) -> None:
    """Rows bottom to top (as on screen), a light bar between the two series' points."""
    ax = figure.add_subplot()
    y = np.arange(len(spec.rows))
    values = [[_float(v) for v in dots.values] for dots in spec.series]
    width = 3 if spec.offsets() else 5
    for first, second in spec.joined():
        ys = y + spec.series[first].offset
        for yi, a, b in zip(ys, values[first], values[second], strict=True):
            if not (math.isnan(a) or math.isnan(b)):
                ax.plot([a, b], [yi, yi], color=LIGHT, linewidth=width, zorder=1)
    for dots, xs in zip(spec.series, values, strict=True):
        marker = "D" if dots.diamond else "o"
        size = 24 if spec.offsets() else 34
        ys = y + dots.offset
        # today's round over the wished diamond: both seen when they are at the same level
        order = 3 if dots.diamond else 4
        ax.scatter(xs, ys, color=dots.colour, marker=marker, s=size, zorder=order, label=dots.name)
    for note in spec.notes:
        ax.text(
            spec.x_range[0] + 0.05,
            note.row + note.offset,
            note.text,
            color=note.colour,
            fontsize=6.5,
            va="center",
        )
    if annotate and len(values) == 2:
        for yi, a, b in zip(y, values[0], values[1], strict=True):
            if math.isnan(a) or math.isnan(b):
                continue
            left, right = (a, b) if a <= b else (b, a)
            ax.text(left - 2, yi, _int(left), ha="right", va="center", fontsize=6.5)
            ax.text(right + 2, yi, _int(right), ha="left", va="center", fontsize=6.5)
    ax.set_yticks(y, [_wrap(r, label_width) for r in spec.rows])
    ax.set_ylim(-0.6, len(spec.rows) - 0.4)
    ax.set_xlim(*spec.x_range)
    if spec.x_range == (0, 100):
        ax.set_xticks([0, 25, 50, 75, 100])
    if spec.x_title:
        ax.set_xlabel(spec.x_title)
    _x_grid(ax)
    if len(spec.series) > 2:  # two groups, today and wished: one line per group
        figure.legend(loc="lower center", ncols=2, fontsize=7)
    else:
        figure.legend(loc="lower center", ncols=len(spec.series))
    if spec.ticks:
        values_at = [v for v, _ in spec.ticks]
        ax.set_xticks(values_at, [_wrap(t, 13) for _, t in spec.ticks], fontsize=6)
    _fit(figure, ax, tick_lines=2 if spec.ticks else 1, legend_lines=2 if len(values) > 2 else 1)


def _bars(figure: Figure, spec: specs.Bars) -> None:
    ax = figure.add_subplot()
    y = np.arange(len(spec.rows))
    points = [float(x) for x in spec.values]
    ax.barh(y, points, color=spec.colour, height=0.62)
    top = max(points)
    for yi, value, text in zip(y, points, spec.texts, strict=True):
        inside = value > top * 0.45
        ax.text(
            value - top * 0.01 if inside else value + top * 0.01,
            yi,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "#222222",
            fontsize=7,
        )
    ax.set_yticks(y, [_wrap(label, 34) for label in spec.rows])
    ax.set_xlim(0, top * 1.05)
    ax.set_xlabel(spec.x_title)
    _x_grid(ax)
    _fit(figure, ax, legend=False)


def _scores_across(ax: Axes) -> None:
    """An x axis of scores from 0 to 100, with room for the values written after the bars."""
    ax.set_xlim(0, 105)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(SCORE_AXIS)
    _x_grid(ax)


def _x_grid(ax: Axes) -> None:
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_axisbelow(True)


def _fit(
    figure: Figure, ax: Axes, *, legend: bool = True, tick_lines: int = 1, legend_lines: int = 1
) -> None:
    """Margins that fit the axis labels, measured once (a layout engine would draw twice)."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width_in, height_in = figure.get_size_inches()
    labels = [t.get_window_extent(renderer).width for t in ax.get_yticklabels()]
    left_in = (max(labels, default=0.0) + 10) / figure.dpi + 0.08
    bottom_in = 0.12 + 0.13 * tick_lines + (0.2 if ax.get_xlabel() else 0)
    bottom_in += 0.3 * legend_lines if legend else 0
    figure.subplots_adjust(
        left=left_in / width_in,
        right=1 - 0.3 / width_in,
        top=1 - 0.1 / height_in,
        bottom=bottom_in / height_in,
    )


def _wrap(text: str, width: int, lines: int = 2) -> str:
    parts = textwrap.wrap(str(text), width, break_long_words=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _float(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def _int(value: float) -> str:
    """A score as the tables print it (diagnostic/results/tables.py rounds with pandas)."""
    return str(int(np.round(value)))


# --- the roadmap's timeline (diagnostic/roadmap/timeline.py) ---------------------------------


def timeline_chart(spec: Timeline) -> Chart:
    """The main plan's windows, one bar per action grouped by chantier, today in red."""
    rows = [b.row for b in spec.bars]
    height = 1.3 + 0.24 * len(rows) + 0.24 * len(spec.chantiers) + 0.2 * len(spec.milestones)

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot(1, 1, 1)
        figure.subplots_adjust(left=0.37, right=0.98, top=0.95, bottom=0.06)
        label_area = ax.get_yaxis_transform()  # x in axes fraction, y in data
        positions: list[float] = []
        labels: list[str] = []
        y, previous = 0.0, None
        for bar in spec.bars:
            if bar.chantier != previous:
                y += 0.5 if previous is not None else 0.0
                ax.text(
                    -0.585,
                    y,
                    _wrap(bar.chantier, 62, 1),
                    transform=label_area,
                    fontsize=FONT_SIZE - 0.5,
                    fontweight="bold",
                    color=BLUE,
                    va="center",
                    ha="left",
                )
                y += 0.9
                previous = bar.chantier
            start, end = mdates.date2num(bar.start), mdates.date2num(bar.end)
            ax.barh(y, end - start, left=start, height=0.6, color=bar.colour)
            positions.append(y)
            labels.append(_wrap(bar.row, 40, 1))
            y += 0.9
        ax.set_yticks(positions, labels, fontsize=FONT_SIZE - 0.5)
        ax.axvline(mdates.date2num(spec.today), color=RED, linewidth=1.2)
        ax.text(
            mdates.date2num(spec.today), -0.9, " Aujourd'hui", color=RED, fontsize=FONT_SIZE - 1
        )
        y += 0.2  # the steps of the mandate: one line each, in a band below every bar
        for day, label in spec.milestones:
            ax.axvline(mdates.date2num(day), color="#666666", linewidth=0.7, linestyle=":")
            y += 0.8
            ax.text(
                mdates.date2num(day) - 12,
                y,
                label,
                fontsize=FONT_SIZE - 1.5,
                ha="right",
                va="center",
                color="#333333",
            )
        ax.set_xlim(mdates.date2num(spec.today.replace(day=1)), mdates.date2num(spec.end) + 30)
        ax.set_ylim(y + 0.6, -1.4)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=LIGHT, linewidth=0.5)
        ax.set_axisbelow(True)

    return Chart(
        "timeline",
        spec.title,
        "Calendrier du plan principal : une barre par action, de sa date de début à sa date "
        "de fin, chantier par chantier, avec la date du document et les étapes du mandat.",
        height,
        draw,
    )
