"""The workshop's charts for its report and the image of its board: matplotlib PNGs, no browser.

The screen draws the same data with Plotly (figures.py); a document and an image are drawn with
the documents' renderer (diagnostic/document/charts.py: DejaVu Sans, the same bytes for the
same data, kept by fingerprint), numbers written the French way.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from diagnostic.analytics import format_number
from diagnostic.document.blocks import GLUE
from diagnostic.document.charts import DPI, Chart, render_all
from diagnostic.results.chart_specs import BLUE, GREY
from diagnostic.vocabulary import count
from diagnostic.workshop.figures import QUADRANT_COLOURS, QUADRANT_PLACES, spread_out
from diagnostic.workshop.live import GRID_SCALE, shift_reading

BOARD_WIDTH_PX = 1920  # a projector's width: legible on a screen, printable in the minutes
BOARD_WIDTH_IN = BOARD_WIDTH_PX / DPI
INK = "#161616"
MAX_DOTS_ROWS = 15


def wrap(text: str, width: int, lines: int = 3) -> str:
    """A typed text cut into lines of `width` characters, at most `lines` (« … » when cut)."""
    glued = GLUE.sub("\u00a0", " ".join(str(text).split()))  # « ? » never alone on a line
    parts = textwrap.wrap(glued, width, break_long_words=True) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 2].rstrip() + " …"
    return "\n".join(parts)


def _mean(value: object) -> str:
    return format_number(float(value), 1)  # type: ignore[arg-type]


# --- the re-vote: each item's mean level before (the questionnaire) and now ------------------


def shift_print(territory: str, table: pd.DataFrame) -> Chart | None:
    """One territory's re-voted items: the questionnaire's mean level and the room's, joined by
    an arrow (None when no item has enough votes to be shown)."""
    if table.empty:
        return None
    shown = table.loc[table["shown"].astype(bool)]
    if shown.empty:
        return None
    first = shown.iloc[0]
    levels = tuple(int(v) for v in first["levels"])
    names = tuple((int(k), str(v)) for k, v in dict(first["level_labels"]).items())
    rows = tuple(
        (str(r["text"]), float(r["mean_before"]), float(r["mean_after"]), int(r["n_after"]))
        for r in shown.to_dict("records")
        if r["mean_before"] is not None and r["mean_before"] == r["mean_before"]
    )
    if not rows:
        return None
    readings = "; ".join(f"« {r['text']} » : {shift_reading(r)}" for r in shown.to_dict("records"))
    return Chart(
        f"workshop:shift:{territory}",
        f"Nouveau vote, {territory} : niveau moyen de chaque item dans le questionnaire (rond "
        "gris) et à l'atelier (rond bleu)",
        f"Pour chaque item revoté, deux points sur l'échelle des niveaux reliés par une flèche. "
        f"{readings}.",
        0.85 + 0.6 * len(rows),
        partial(_draw_shift, rows=rows, levels=levels, names=names),
    )


def _draw_shift(
    figure: Figure,
    rows: Sequence[tuple[str, float, float, int]],
    levels: Sequence[int],
    names: Sequence[tuple[int, str]],
) -> None:
    ax = figure.add_subplot()
    label = dict(names)
    y = list(range(len(rows)))[::-1]  # the first item at the top
    for yi, (_, before, after, _) in zip(y, rows, strict=True):
        if abs(after - before) > 0.05:
            ax.annotate(
                "",
                xy=(after, yi),
                xytext=(before, yi),
                arrowprops=dict(arrowstyle="->", color=BLUE, lw=1.2, shrinkA=5, shrinkB=5),
            )
        ax.scatter([before], [yi], s=60, color=GREY, zorder=3)
        ax.scatter([after], [yi], s=60, color=BLUE, zorder=4)
        low, high = (before, after) if before <= after else (after, before)
        ax.text(low - 0.12, yi, _mean(low), ha="right", va="center", fontsize=8)
        ax.text(high + 0.12, yi, _mean(high), ha="left", va="center", fontsize=8)
    ax.scatter([], [], s=40, color=GREY, label="Questionnaire")
    ax.scatter([], [], s=40, color=BLUE, label="Atelier (nouveau vote)")
    ax.set_yticks(y, [wrap(text, 36, 3) for text, *_ in rows], fontsize=7)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(min(levels) - 0.5, max(levels) + 0.5)
    ax.set_xticks(list(levels), [wrap(f"{lv}. {label.get(lv, '')}", 13, 2) for lv in levels])
    ax.tick_params(axis="x", labelsize=6.5)
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_axisbelow(True)
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.36, right=0.97, top=1 - 0.1 / height, bottom=0.58 / height)
    figure.legend(loc="lower center", ncols=2, fontsize=7, borderaxespad=0.1)


# --- the impact x effort grid ----------------------------------------------------------------


def grid_rows(points: pd.DataFrame) -> tuple[tuple[int, str, float, float, str], ...]:
    """The candidates placed on the grid, numbered as figures.grid_legend numbers them:
    (number, text, x, y, quadrant), overlapping discs nudged apart."""
    placed = points.loc[points["n"] > 0].reset_index(drop=True)
    if placed.empty:
        return ()
    spread = spread_out(placed, 0.2)  # a disc's width apart, at the type of the page
    return tuple(
        (i, str(r["text"]), float(r["x"]), float(r["y"]), str(r["quadrant"]))
        for i, r in enumerate(spread.to_dict("records"), 1)
    )


def grid_print(points: pd.DataFrame, title: str) -> Chart | None:
    """The candidates at their mean effort (x) and impact (y), a numbered disc each (the table
    under the chart gives their text), the quadrants named in their corners."""
    rows = grid_rows(points)
    if not rows:
        return None
    where = "; ".join(f"{n}. {text} : {quadrant}" for n, text, _, _, quadrant in rows)
    return Chart(
        f"workshop:grid:{title}",
        f"Grille impact × effort, {title} : chaque chantier à la moyenne des votes, numéroté "
        "comme dans le tableau",
        f"Grille à quatre cases (gain rapide, projet structurant, action d'appoint, à "
        f"reconsidérer) ; l'effort en abscisse, l'impact en ordonnée. {where}.",
        4.6,
        partial(_draw_grid_figure, rows=rows),
    )


def _draw_grid_figure(figure: Figure, rows: Sequence[tuple[int, str, float, float, str]]) -> None:
    ax = figure.add_subplot()
    draw_grid(ax, rows, size=8)
    figure.subplots_adjust(left=0.13, right=0.97, top=0.97, bottom=0.12)


def draw_grid(ax: Axes, rows: Sequence[tuple[int, str, float, float, str]], *, size: float) -> None:
    """The grid on `ax`, its type at `size` points (a page or the board image)."""
    for number, _, x, y, quadrant in rows:
        ax.scatter(
            [x],
            [y],
            s=(size * 2.6) ** 2,
            color=QUADRANT_COLOURS.get(quadrant, GREY),
            edgecolors="white",
            linewidths=1.5,
            zorder=3,
        )
        ax.text(
            x,
            y,
            str(number),
            color="white",
            ha="center",
            va="center",
            fontsize=size + 1,
            fontweight="bold",
            zorder=4,
        )
    for quadrant, (x, y) in QUADRANT_PLACES.items():
        ax.text(
            x,
            y,
            quadrant,
            color=QUADRANT_COLOURS[quadrant],
            fontsize=size + 1,
            ha="left" if x < 2 else "right",
            va="center",
            fontweight="bold",
        )
    ax.axhline(2, color="#929292", linestyle=":", linewidth=1)
    ax.axvline(2, color="#929292", linestyle=":", linewidth=1)
    ax.set_xlim(0.55, 3.45)
    ax.set_ylim(0.55, 3.55)
    ticks, labels = list(GRID_SCALE), list(GRID_SCALE.values())
    ax.set_xticks(ticks, labels, fontsize=size)
    ax.set_yticks(ticks, labels, fontsize=size)
    ax.set_xlabel("Effort", fontsize=size + 1)
    ax.set_ylabel("Impact", fontsize=size + 1)


# --- the dot votes ---------------------------------------------------------------------------


def dots_rows(tally: pd.DataFrame, limit: int = MAX_DOTS_ROWS) -> tuple[tuple[str, int], ...]:
    """The posts with at least one point, most points first: (label, points); the group, when
    there is one, before the text."""
    if tally.empty:
        return ()
    frame = tally.loc[tally["dots"].fillna(0).astype(int) > 0]
    frame = frame.sort_values("dots", ascending=False, kind="stable").head(limit)
    rows = []
    for r in frame.to_dict("records"):
        group = r.get("group")
        text = str(r["text"])
        label = f"[{group}] {text}" if isinstance(group, str) and group else text
        rows.append((label, int(r["dots"])))
    return tuple(rows)


def dots_print(tally: pd.DataFrame, title: str) -> Chart | None:
    """Points given to each post, most first (None before the first point). `tally` has the
    columns post_id, text, group, territory, dots, voters (live.dot_tally)."""
    rows = dots_rows(tally)
    if not rows:
        return None
    voters = tally["voters"].max() if "voters" in tally and len(tally) else 0
    who = f" ({count(int(voters), 'votant·e')})" if voters == voters and voters else ""
    listed = "; ".join(f"{label} : {count(n, 'point')}" for label, n in rows)
    return Chart(
        f"workshop:dots:{title}",
        f"Points répartis, {title}{who} : les contributions les plus soutenues en haut",
        f"Barres horizontales, une par contribution soutenue. {listed}.",
        0.35 + 0.42 * len(rows),
        partial(_draw_dots_figure, rows=rows),
    )


def _draw_dots_figure(figure: Figure, rows: Sequence[tuple[str, int]]) -> None:
    ax = figure.add_subplot()
    draw_dots(ax, rows, size=8, width=44)
    figure.subplots_adjust(
        left=0.45,
        right=0.95,
        top=1 - 0.1 / figure.get_figheight(),
        bottom=0.1 / figure.get_figheight(),
    )


def draw_dots(ax: Axes, rows: Sequence[tuple[str, int]], *, size: float, width: int) -> None:
    """Horizontal bars, most points at the top, the count written after each bar."""
    y = list(range(len(rows)))[::-1]
    values = [n for _, n in rows]
    ax.barh(y, values, color=BLUE, height=0.62)
    for yi, n in zip(y, values, strict=True):
        ax.text(
            n + max(values) * 0.02,
            yi,
            count(n, "point"),
            va="center",
            fontsize=size + 1,
            fontweight="bold",
            color=INK,
        )
    ax.set_yticks(y, [wrap(label, width, 2) for label, _ in rows], fontsize=size)
    ax.set_xlim(0, max(values) * 1.25)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)


# --- the board: one image of the session for the minutes --------------------------------------


@dataclass(frozen=True)
class Column:
    """One territory's part of a panel: its name and lines (« group », « post » or « note »)."""

    heading: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Panel:
    """One step on the board: its title and prompt, then columns of posts, a grid or dots."""

    title: str
    prompt: str
    columns: tuple[Column, ...] = ()
    grid: tuple[tuple[int, str, float, float, str], ...] = ()
    dots: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class _Text:
    x: float  # inches from the left
    y: float  # inches from the top
    text: str
    size: float
    style: str  # normal, bold or italic
    colour: str


@dataclass(frozen=True)
class _Rule:
    y: float


@dataclass(frozen=True)
class _Plot:
    kind: str  # grid or dots
    x: float
    y: float
    width: float
    height: float
    rows: tuple[tuple[object, ...], ...]


_Op = _Text | _Rule | _Plot
MARGIN = 0.45  # inches, at DPI: 1920 px wide
BODY, HEAD, TITLE = 13.0, 16.0, 24.0  # points
LINE = 1.4 / 72  # inches per point of type, line spacing included
CHAR = 0.56 / 72  # the mean width of a DejaVu Sans character, inches per point


def _chars(width_in: float, size: float) -> int:
    return max(12, int(width_in / (CHAR * size)))


def board_image(title: str, subtitle: str, panels: Sequence[Panel]) -> bytes:
    """The session's board as one PNG 1920 px wide: each collective step's posts by territory
    and group, the grid and the dot votes — legible on a screen and in the minutes."""
    ops: list[_Op] = []
    y = MARGIN
    inner = BOARD_WIDTH_IN - 2 * MARGIN
    y = _block(ops, MARGIN, y, wrap(title, _chars(inner, TITLE), 2), TITLE, "bold", BLUE)
    y = _block(ops, MARGIN, y + 0.05, wrap(subtitle, _chars(inner, BODY), 3), BODY, "normal", INK)
    y += 0.25
    for panel in panels:
        ops.append(_Rule(y - 0.12))
        heading = wrap(panel.title, _chars(inner, HEAD), 2)
        y = _block(ops, MARGIN, y, heading, HEAD, "bold", BLUE) + 0.02
        prompt = wrap(panel.prompt, _chars(inner, BODY), 4)
        y = _block(ops, MARGIN, y, prompt, BODY, "italic", "#3a3a3a") + 0.15
        y = _columns(ops, panel.columns, y, inner)
        if panel.grid:
            height = 6.2
            ops.append(_Plot("grid", MARGIN, y, inner * 0.55, height, panel.grid))
            legend_x, width = MARGIN + inner * 0.6, inner * 0.4
            ly = y + 0.1
            for number, text, _, _, quadrant in panel.grid:
                line = wrap(f"{number}. {text} ({quadrant})", _chars(width, BODY), 3)
                ops.append(_Text(legend_x, ly, line, BODY, "normal", INK))
                ly += LINE * BODY * (line.count("\n") + 1) + 0.08
            y += max(height, ly - y) + 0.3
        if panel.dots:
            height = 0.5 + 0.55 * len(panel.dots)
            ops.append(_Plot("dots", MARGIN + inner * 0.42, y, inner * 0.5, height, panel.dots))
            y += height + 0.3
        y += 0.2
    height_in = y + MARGIN
    chart = Chart(
        f"workshop:board:{title}",
        title,
        title,
        height_in,
        partial(_draw_board, ops=tuple(ops), height_in=height_in),
        width_in=BOARD_WIDTH_IN,
    )
    return render_all([chart])[chart.key]


def _block(
    ops: list[_Op], x: float, y: float, text: str, size: float, style: str, colour: str
) -> float:
    """Lines of text at (x, y); returns where the next block starts."""
    ops.append(_Text(x, y, text, size, style, colour))
    return y + LINE * size * (text.count("\n") + 1)


def _columns(ops: list[_Op], columns: Sequence[Column], y: float, inner: float) -> float:
    """Territories side by side, three a row; returns the height reached."""
    per_row = 3 if len(columns) > 2 else max(len(columns), 1)
    gap = 0.35
    width = (inner - gap * (per_row - 1)) / per_row
    for start in range(0, len(columns), per_row):
        bottom = y
        for k, column in enumerate(columns[start : start + per_row]):
            x, cy = MARGIN + k * (width + gap), y
            heading = wrap(column.heading, _chars(width, HEAD - 1), 2)
            ops.append(_Text(x, cy, heading, HEAD - 1, "bold", INK))
            cy += LINE * (HEAD - 1) * (heading.count("\n") + 1) + 0.05
            for kind, text in column.lines:
                if kind == "group":
                    line = wrap(text, _chars(width, BODY), 2)
                    cy += 0.06
                    ops.append(_Text(x, cy, line, BODY, "bold", BLUE))
                elif kind == "note":
                    line = wrap(text, _chars(width, BODY - 1), 3)
                    ops.append(_Text(x, cy, line, BODY - 1, "italic", "#3a3a3a"))
                else:
                    line = wrap(text, _chars(width - 0.25, BODY), 8)
                    ops.append(_Text(x, cy, "•", BODY, "normal", BLUE))
                    ops.append(_Text(x + 0.25, cy, line, BODY, "normal", INK))
                cy += LINE * BODY * (line.count("\n") + 1) + 0.06
            bottom = max(bottom, cy)
        y = bottom + 0.25
    return y


def _draw_board(figure: Figure, ops: Sequence[_Op], height_in: float) -> None:
    width_in = BOARD_WIDTH_IN

    def at(x: float, y: float) -> tuple[float, float]:  # inches from the top left
        return x / width_in, 1 - y / height_in

    for op in ops:
        if isinstance(op, _Text):
            figure.text(
                *at(op.x, op.y),
                op.text,
                fontsize=op.size,
                color=op.colour,
                va="top",
                ha="left",
                fontweight="bold" if op.style == "bold" else "normal",
                fontstyle="italic" if op.style == "italic" else "normal",
                linespacing=1.25,
            )
        elif isinstance(op, _Rule):
            y = at(0, op.y)[1]
            figure.add_artist(
                Line2D(
                    [MARGIN / width_in, 1 - MARGIN / width_in],
                    [y, y],
                    transform=figure.transFigure,
                    color="#DDDDDD",
                    linewidth=1.2,
                )
            )
        else:
            left, top = at(op.x, op.y)
            pad = 0.9 if op.kind == "grid" else 0.0  # room for the impact axis' labels
            ax = figure.add_axes(
                (
                    left + pad / width_in,
                    top - (op.height - 0.6) / height_in,
                    (op.width - pad) / width_in,
                    (op.height - 0.6) / height_in,
                )
            )
            if op.kind == "grid":
                draw_grid(ax, op.rows, size=BODY)  # type: ignore[arg-type]
            else:
                draw_dots(ax, op.rows, size=BODY, width=48)  # type: ignore[arg-type]
