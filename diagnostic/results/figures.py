"""One Plotly figure builder per chart type, shared by the results pages and the documents."""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

BLUE = "#000091"  # République française blue
RED = "#C9191E"
GREY = "#929292"
LIGHT = "#CACAFB"
GROUP_COLOURS = {"epci": "#000091", "commune": "#E4794A"}
FONT = dict(family="Marianne, Arial, sans-serif", size=13)


def _plain(text: object) -> str:
    """A name someone typed, shown as typed: Plotly reads <a href>, <b>, <br> and <span style>
    in labels as markup, so a commune named « <a href=…>Cliquez ici</a> » became a link."""
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=60, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=-0.2, x=0),
        separators=", ",  # decimal comma, thin space for thousands
    )
    return fig


def radar(
    dimensions: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    respondents: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    group_labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Dimension scores (0-100) of the territory, its target, groups and individual spread."""
    dims = dimensions.sort_values("position")
    theta = [labels.get(d, d) for d in dims["dimension_id"]]
    fig = go.Figure()
    if respondents is not None and not respondents.empty:
        points = respondents.merge(dims[["dimension_id"]], on="dimension_id")
        fig.add_trace(
            go.Scatterpolar(
                r=points["score"],
                theta=[labels.get(d, d) for d in points["dimension_id"]],
                mode="markers",
                marker=dict(color=GREY, size=6, opacity=0.45),
                name="Réponses individuelles",
                hovertemplate="%{theta} : %{r:.0f}/100<extra>une réponse</extra>",
            )
        )
    if groups is not None and not groups.empty:
        for key, frame in groups.groupby("structure_kind", sort=False):
            frame = frame.sort_values("position")
            fig.add_trace(
                go.Scatterpolar(
                    r=_closed(frame["score"]),
                    theta=_closed([labels.get(d, d) for d in frame["dimension_id"]]),
                    mode="lines",
                    line=dict(color=GROUP_COLOURS.get(str(key), GREY), width=1.5, dash="dot"),
                    name=(group_labels or {}).get(str(key), str(key)),
                )
            )
    fig.add_trace(
        go.Scatterpolar(
            r=_closed(dims["target_score"]),
            theta=_closed(theta),
            mode="lines",
            line=dict(color=RED, width=2, dash="dash"),
            name="Niveau visé",
        )
    )
    fig.add_trace(
        go.Scatterpolar(
            r=_closed(dims["score"]),
            theta=_closed(theta),
            mode="lines+markers",
            fill="toself",
            fillcolor="rgba(0,0,145,0.15)",
            line=dict(color=BLUE, width=3),
            name="Territoire aujourd'hui",
            hovertemplate="%{theta} : %{r:.0f}/100<extra></extra>",
        )
    )
    fig.update_layout(polar=dict(radialaxis=dict(range=[0, 100], tickvals=[0, 25, 50, 75, 100])))
    return _layout(fig, "Maturité par dimension (0 à 100)", height=560)


def _closed(values: object) -> list[object]:
    items = list(values)  # type: ignore[call-overload]
    return items + items[:1]


def gaps(dimensions: pd.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Current and target score per dimension, largest gap first (a dumbbell chart)."""
    dims = dimensions.dropna(subset=["score"]).copy()
    dims["delta"] = dims["target_score"] - dims["score"]
    dims = dims.sort_values("delta", ascending=True)
    names = [labels.get(d, d) for d in dims["dimension_id"]]
    fig = go.Figure()
    for name, now, target in zip(names, dims["score"], dims["target_score"], strict=True):
        fig.add_trace(
            go.Scatter(
                x=[now, target],
                y=[name, name],
                mode="lines",
                line=dict(color=LIGHT, width=6),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=dims["score"],
            y=names,
            mode="markers",
            name="Aujourd'hui",
            marker=dict(color=BLUE, size=12),
            hovertemplate="%{y} : %{x:.0f}/100 aujourd'hui<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=dims["target_score"],
            y=names,
            mode="markers",
            name="Visé en fin de mandat",
            marker=dict(color=RED, size=12, symbol="diamond"),
            hovertemplate="%{y} : %{x:.0f}/100 visé<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 100], title="Score (0 à 100)", gridcolor="#EEEEEE")
    return _layout(fig, "Écart entre aujourd'hui et le niveau visé", height=80 + 36 * len(names))


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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_plain(g) for g in groups],  # commune names typed by the coordination
            y=[_wrap(item_labels.get(q, q)) for q in items],
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#F4D9D9"], [0.5, "#F5F5FE"], [1, "#6A6AF4"]],
            zmin=0,
            zmax=100,
            colorbar=dict(title="Score"),
            hovertemplate="%{y}<br>%{x} : %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=120 + 28 * len(items))


def _short_status(status: str, min_group_size: int) -> str:
    return {
        "suppressed": f"< {min_group_size} rép.",
        "masked": "masqué",
        "no_data": "aucune donnée",
    }.get(status, "")


def _wrap(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def priorities(
    borda: pd.DataFrame, option_labels: Mapping[str, str], *, title: str, top: int = 10
) -> go.Figure:
    """Borda points of one ranking question, best first, with how many respondents cited it."""
    frame = borda.loc[borda["points"] > 0].sort_values(["points", "n_cited"], ascending=False)
    frame = frame.head(top).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=frame["points"],
            y=[option_labels.get(o, o) for o in frame["option_id"]],
            orientation="h",
            marker_color=BLUE,
            text=[
                f"{p} pts · {n} citation(s)"
                for p, n in zip(frame["points"], frame["n_cited"], strict=True)
            ],
            textposition="auto",
            hovertemplate="%{y} : %{x} points<extra></extra>",
        )
    )
    fig.update_xaxes(title="Points (décompte de Borda)", gridcolor="#EEEEEE")
    return _layout(fig, title, height=100 + 34 * max(len(frame), 1))


def actor_grid(
    cells: pd.DataFrame, row_labels: Mapping[str, str], *, title: str, scale: Mapping[int, str]
) -> go.Figure:
    """Median intensity today and wished, per actor (one grid question), as a dumbbell."""
    wide = cells.pivot(index=["position", "row_id"], columns="column", values="median")
    wide = wide.reset_index().sort_values("position", ascending=False)
    if "current" not in wide:
        wide["current"] = np.nan
    names = [row_labels.get(r, r) for r in wide["row_id"]]
    fig = go.Figure()
    has_desired = "desired" in wide
    if has_desired:
        for name, a, b in zip(names, wide["current"], wide["desired"], strict=True):
            fig.add_trace(
                go.Scatter(
                    x=[a, b],
                    y=[name, name],
                    mode="lines",
                    line=dict(color=LIGHT, width=6),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=wide["current"],
            y=names,
            mode="markers",
            name="Aujourd'hui (médiane)",
            marker=dict(color=BLUE, size=12),
            hovertemplate="%{y} : %{x}<extra>aujourd'hui</extra>",
        )
    )
    if has_desired:
        fig.add_trace(
            go.Scatter(
                x=wide["desired"],
                y=names,
                mode="markers",
                name="Souhaitée (médiane)",
                marker=dict(color=RED, size=12, symbol="diamond"),
                hovertemplate="%{y} : %{x}<extra>souhaitée</extra>",
            )
        )
    values = sorted(scale)
    fig.update_xaxes(
        tickvals=values,
        ticktext=[f"{v} {scale[v]}" for v in values],
        range=[values[0] - 0.3, values[-1] + 0.3],
        gridcolor="#EEEEEE",
    )
    return _layout(fig, title, height=110 + 32 * len(names))


def participation(by_structure: pd.DataFrame) -> go.Figure:
    """Invited, started and submitted participants per structure."""
    frame = by_structure.iloc[::-1]
    names = [_plain(n) for n in frame["structure_name"]]
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
    fig.update_xaxes(title="Personnes", dtick=1, gridcolor="#EEEEEE")
    return _layout(fig, "Participation par structure", height=120 + 60 * len(names))


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
            hovertemplate="%{x} : %{y} réponse(s)<extra></extra>",
        )
    )
    fig.update_yaxes(title="Réponses", dtick=1, gridcolor="#EEEEEE")
    return _layout(fig, title, height=320)
