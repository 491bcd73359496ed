"""Figures of the comparison between territories (one builder per chart type, as figures.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from diagnostic.results import figures
from diagnostic.results.chart_specs import BLUE, GREY, LIGHT, RED, Dots, Dumbbell, Line, Radar

# Distinct colours for the territories compared (colour-blind friendly, high contrast).
TERRITORY_COLOURS = ("#000091", "#E4794A", "#18753C", "#A558A0", "#B34000", "#0078F3")


def colour(i: int) -> str:
    return TERRITORY_COLOURS[i % len(TERRITORY_COLOURS)]


def territory_radar(
    scores: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    title: str,
    order: Sequence[str],
    peer_median: pd.DataFrame | None = None,
    colour_index: int = 0,
) -> go.Figure:
    """One territory's dimension scores (0-100) and target, with its peer group's median.
    `title` is the territory's name as typed: shown as text, never read as Plotly markup."""
    title = figures.plain_label(title)
    frame = scores.set_index("dimension_id").reindex(list(order))
    theta = [_wrap(labels.get(d, d)) for d in order]
    lines = []
    if peer_median is not None and not peer_median.empty:
        median = peer_median.set_index("dimension_id").reindex(list(order))["score_median"]
        if median.notna().any():
            lines.append(Line("Médiane des pairs", theta, median, GREY, 2, "dot"))
    lines.append(Line("Niveau visé", theta, frame["target_score"], RED, 1.5, "dash"))
    lines.append(
        Line(
            "Aujourd'hui",
            theta,
            frame["score"],
            colour(colour_index),
            3,
            markers=True,
            fill="rgba(0,0,145,0.10)",
            hover="%{theta} : %{r:.0f}/100<extra></extra>",
        )
    )
    fig = figures.polar(Radar(title, theta, lines), height=520)
    fig.update_layout(
        polar=dict(angularaxis=dict(tickfont=dict(size=11))),
        showlegend=True,
        title_font_size=14,
        margin=dict(l=90, r=90, t=60, b=10),
    )
    return fig


def _wrap(text: str, width: int = 16) -> str:
    """A dimension title on short lines (<br>), so that a small radar keeps it readable."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def peer_distribution(
    peers: pd.DataFrame,
    scores: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    order: Sequence[str],
    names: Sequence[str],
    title: str,
    colours: Sequence[int] | None = None,
) -> go.Figure:
    """Per dimension, the peer group's box (quartiles, whiskers at the 10th and 90th centiles;
    no single peer is ever drawn) and each compared territory as a marker."""
    dims = [d for d in order]
    cells = peers.set_index("dimension_id").reindex(dims)
    y = [labels.get(d, d) for d in dims]
    title = figures.plain_label(title)
    fig = go.Figure()
    shown = cells["status"] == "ok" if "status" in cells else pd.Series(False, index=cells.index)
    if shown.any():
        fig.add_trace(
            go.Box(
                y=[y[i] for i, ok in enumerate(shown) if ok],
                q1=cells.loc[shown, "score_q1"],
                median=cells.loc[shown, "score_median"],
                q3=cells.loc[shown, "score_q3"],
                lowerfence=cells.loc[shown, "score_p10"],
                upperfence=cells.loc[shown, "score_p90"],
                orientation="h",
                name="Groupe de pairs",
                marker_color=LIGHT,
                line=dict(color=BLUE, width=1.5),
                fillcolor="rgba(202,202,251,0.6)",
                hoverinfo="skip",
                boxpoints=False,
            )
        )
    for i, name in enumerate(names):
        mine = scores.loc[scores["name"] == name].set_index("dimension_id").reindex(dims)
        label = figures.plain_label(name)  # a territory's name as typed, never Plotly markup
        fig.add_trace(
            go.Scatter(
                x=mine["score"],
                y=y,
                mode="markers",
                name=label,
                marker=dict(
                    color=colour(colours[i] if colours else i),
                    size=13,
                    symbol="diamond",
                    line=dict(width=1),
                ),
                hovertemplate="%{y} : %{x:.0f}/100<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(range=[0, 100], title="Score (0 à 100)", gridcolor=figures.GRID)
    fig.update_yaxes(autorange="reversed")
    return figures.layout(fig, title, height=140 + 46 * len(dims))


def agreement_heatmap(
    scores: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    order: Sequence[str],
    names: Sequence[str],
    peer_median: pd.DataFrame | None = None,
) -> go.Figure:
    """Agreement (mean van der Eijk A) per territory and dimension: who is united, who divided."""
    wide = scores.pivot_table(
        index="dimension_id", columns="name", values="agreement", aggfunc="first", dropna=False
    ).reindex(index=list(order), columns=list(names))
    if peer_median is not None and not peer_median.empty:
        median = peer_median.set_index("dimension_id")["agreement_median"]
        wide["Médiane des pairs"] = median.reindex(list(order)).to_numpy()
    text = wide.map(lambda v: "" if pd.isna(v) else f"{v:.2f}".replace(".", ","))
    fig = figures.heat(
        wide.to_numpy(dtype=float),
        [figures.plain_label(c) for c in wide.columns],  # territory names as typed
        [labels.get(d, d) for d in order],
        text.to_numpy(),
        colours=[[0, "#C9191E"], [0.5, "#F5F5FE"], [1, "#000091"]],
        zrange=(-1, 1),
        colorbar="Accord A",
        hover="%{y}<br>%{x} : A = %{text}<extra></extra>",
    )
    title = "Accord entre répondant·es (indice A de van der Eijk)"
    return figures.layout(fig, title, height=140 + 40 * len(order))


def evolution(dimensions: pd.DataFrame, labels: Mapping[str, str], *, title: str) -> go.Figure:
    """Each dimension before and after (common items only), as a dumbbell."""
    frame = dimensions.iloc[::-1]
    series = [
        Dots(name, frame[column], tone, size, hover=f"%{{y}} : %{{x:.0f}}/100<extra>{name}</extra>")
        for column, name, tone, size in (
            ("score_before", "Campagne précédente", GREY, 11),
            ("score_after", "Campagne récente", BLUE, 13),
        )
    ]
    rows = [labels.get(d, d) for d in frame["dimension_id"]]
    return figures.dumbbell(Dumbbell(title, rows, series), height=100 + 40 * len(rows))


def trend(
    scores: pd.DataFrame,
    runs: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    order: Sequence[str],
) -> go.Figure:
    """One line per dimension over a territory's campaigns (service.trend()), each campaign
    named on the axis with its questionnaires submitted and its questionnaire's version.
    Campaign titles are typed by users: shown as text, never read as Plotly markup."""
    ticks = [
        f"{figures.wrapped(figures.plain_label(r.title), 16)}<br>"
        f"{int(r.n_respondents)} questionnaires<br>v{figures.plain_label(r.questionnaire_version)}"
        for r in runs.itertuples(index=False)
    ]
    at = dict(zip(runs["campaign_id"], ticks, strict=True))
    fig = go.Figure()
    for i, dimension in enumerate(order):
        rows = scores.loc[scores["dimension_id"] == dimension]
        if rows.empty:
            continue
        name = labels.get(dimension, dimension)
        fig.add_trace(
            go.Scatter(
                x=[at[c] for c in rows["campaign_id"]],
                y=rows["score"],
                mode="lines+markers",
                name=name,
                line=dict(color=colour(i), width=2, dash=_DASHES[(i // 6) % len(_DASHES)]),
                hovertemplate=f"{name} : %{{y:.0f}}/100<extra></extra>",
            )
        )
    fig.update_yaxes(range=[0, 100], title="Score (0 à 100)", gridcolor=figures.GRID)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=ticks)
    fig = figures.layout(fig, "Scores par dimension et par campagne", height=640)
    # the campaigns' names under the axis (three lines), then the legend under them
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.3, x=0),
        margin=dict(b=250),
    )
    fig.update_xaxes(tickfont=dict(size=10), tickangle=0, automargin=True)
    return fig


_DASHES = ("solid", "dash", "dot")
