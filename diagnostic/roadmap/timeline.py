"""The main plan's timeline (a Gantt chart by chantier) as plain data, and its screen figure.

    spec = timeline(draft)   # bars, milestones, today: what both drawings show
    figure(spec)             # Plotly, for the roadmap page (pages/_timeline.py)

The print drawing (matplotlib, for Word and PDF) is in diagnostic/document/charts.py and reads
the same spec, as the results' charts do (diagnostic/results/chart_specs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from diagnostic.results.chart_specs import BLUE, GREY, LIGHT, RED
from diagnostic.roadmap.model import PlanGroup, PlanItem, RoadmapDraft, Window

if TYPE_CHECKING:
    import plotly.graph_objects as go

LATE_COLOUR = RED  # a legal obligation to settle at once
DUE_COLOUR = "#E4794A"  # before a legal day
ACTION_COLOUR = BLUE
TITLE = "Calendrier du plan principal sur le mandat"


@dataclass(frozen=True)
class Bar:
    row: str  # « A3 Instituer un CoDir de territoire »
    chantier: str  # the chantier's title
    start: date
    end: date
    colour: str
    when: str  # the window in words


@dataclass(frozen=True)
class Timeline:
    bars: tuple[Bar, ...]  # in plan order, chantier by chantier
    milestones: tuple[tuple[date, str], ...]  # mid-mandate review, hand-over, renewal
    today: date
    end: date  # the right edge: the next renewal (or the last bar's end)
    title: str = TITLE
    start: date | None = None  # the left edge (None: the month of `today`, as in the plan)

    @property
    def chantiers(self) -> list[str]:
        return list(dict.fromkeys(b.chantier for b in self.bars))


def timeline(
    draft: RoadmapDraft, milestones: Sequence[tuple[date, str]] = (), width: int = 48
) -> Timeline | None:
    """The main plan's windows as bars (one row per action, grouped by chantier), the day of the
    document and the mandate's landmarks; None when the plan has no window."""
    return timeline_of(
        draft.plan, draft.groups, draft.windows, draft.generated_on, milestones, width
    )


def timeline_of(
    plan: Sequence[PlanItem],
    groups: Sequence[PlanGroup],
    windows: Sequence[Window | None],
    today: date,
    milestones: Sequence[tuple[date, str]] = (),
    width: int = 48,
) -> Timeline | None:
    """timeline() on the parts of a draft (the roadmap page has no draft)."""
    if not groups or not any(windows):
        return None
    bars: list[Bar] = []
    for group in groups:
        for i in group.rows:
            window = windows[i] if i < len(windows) else None
            if window is None:
                continue
            bars.append(_bar(f"A{i + 1}", plan[i], group, window, width))
    ends = [d for d, _ in milestones] + [b.end for b in bars]
    return Timeline(tuple(bars), tuple(milestones), today, max(ends))


def _bar(number: str, item: PlanItem, group: PlanGroup, window: Window, width: int) -> Bar:
    title = item.title if len(item.title) <= width else item.title[: width - 1].rstrip() + "…"
    colour = {"sans_attendre": LATE_COLOUR, "echeance": DUE_COLOUR}.get(window.phase, ACTION_COLOUR)
    end = max(window.end, window.start + timedelta(days=20))  # a short window stays visible
    return Bar(f"{number} {title}", group.title, window.start, end, colour, window.label())


def _vline(x: str, line: dict[str, object]) -> dict[str, object]:
    """A vertical line across the plot at date `x` (what Plotly's add_vline draws)."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": line,
    }


def figure(spec: Timeline, *, height: int | None = None) -> go.Figure:
    """The timeline for the screen: one bar per action, coloured by urgency, today's date and
    the mandate's landmarks as vertical lines."""
    import plotly.graph_objects as go

    rows = [b.row for b in spec.bars]
    # One trace for all the bars, lines and notes as lists: Plotly validates each trace and
    # each add_vline call, which cost a tenth of a second per run of the roadmap page.
    bars = go.Bar(
        y=rows,
        x=[(bar.end - bar.start).days * 86_400_000 for bar in spec.bars],
        base=[bar.start.isoformat() for bar in spec.bars],
        orientation="h",
        marker_color=[bar.colour for bar in spec.bars],
        showlegend=False,
        customdata=[[bar.chantier, bar.when] for bar in spec.bars],
        hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    )
    today = spec.today.isoformat()
    lines = [_vline(today, {"color": RED, "width": 2})]
    notes = [
        {
            "x": today,
            "y": 1.02,
            "yref": "paper",
            "text": "Aujourd'hui",
            "showarrow": False,
            "xanchor": "left",
            "font": {"color": RED},
        }
    ]
    for k, (day, label) in enumerate(spec.milestones):
        lines.append(_vline(day.isoformat(), {"color": GREY, "dash": "dot"}))
        notes.append(
            {
                "x": day.isoformat(),
                "y": 1.02 + 0.05 * (k % 2),
                "yref": "paper",
                "text": label,
                "showarrow": False,
                "font": {"size": 11},
                "xanchor": "right",
            }
        )
    layout = {
        "shapes": lines,
        "annotations": notes,
        "yaxis": {"categoryorder": "array", "categoryarray": rows[::-1], "automargin": True},
        "xaxis": {
            "type": "date",
            "range": [
                (spec.start or spec.today.replace(day=1)).isoformat(),
                spec.end.isoformat(),
            ],
            "gridcolor": LIGHT,
            "tickformat": "%Y",
            "dtick": "M12",
        },
        "title": {"text": spec.title},
        "height": height or 140 + 28 * len(rows),
        "margin": {"l": 10, "r": 20, "t": 90, "b": 40},
        "barmode": "overlay",
        "plot_bgcolor": "white",
    }
    fig = go.Figure(data=[bars], layout=layout)
    return fig
