"""Pure workshop logic: countdown, moderation states, the wall of posts, re-vote shift, grid,
dot voting."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from diagnostic.analytics import agreement_tag, format_number, van_der_eijk
from diagnostic.workshop.programme import StepKind

# Moderation states of a contribution.
PENDING = "pending"  # controlled mode: waits in the facilitator's inbox
VISIBLE = "visible"
HIGHLIGHTED = "highlighted"
HIDDEN = "hidden"
PRIVATE = "private"  # a personal note its author did not share
SHOWN = frozenset({VISIBLE, HIGHLIGHTED})
MODERATION = frozenset({PENDING, VISIBLE, HIGHLIGHTED, HIDDEN})
STATUS_LABELS = {
    PENDING: "En attente de validation",
    VISIBLE: "Affichée",
    HIGHLIGHTED: "Mise en avant",
    HIDDEN: "Masquée par l'animation",
    PRIVATE: "Privée (vous seul·e la voyez)",
}
MAX_POST = 500  # characters: a phone screen, a projected card
MAX_NICKNAME = 40
MAX_GROUP_LABEL = 60

# Votes: a re-vote level on an item of the questionnaire, impact and effort on a 3-level scale,
# the points (dots) a participant gives a post (value: how many of their points).
LEVEL = "level"
IMPACT = "impact"
EFFORT = "effort"
DOT = "dot"
GRID_MIN, GRID_MAX = 1.0, 3.0  # the facilitator places an item anywhere on the scale
GRID_SCALE = {1: "Faible", 2: "Moyen", 3: "Fort"}
UNGROUPED = "Sans regroupement"
# Vote steps: the screen shows how many voted, their results once the facilitator reveals them.
REVEALED_KINDS = frozenset({StepKind.REVOTE, StepKind.GRID})


@dataclass(frozen=True)
class Post:
    """A contribution as the pages show it (no database object leaves the domain)."""

    id: int
    step: int
    text: str
    nickname: str
    role: str | None
    territory_id: int | None
    status: str
    group_label: str | None
    retained: bool
    dimension: str | None
    created_at: datetime
    participant_id: int | None = None
    roadmap_item_id: int | None = None

    @property
    def shown(self) -> bool:
        return self.status in SHOWN


@dataclass(frozen=True)
class Group:
    """Posts gathered under one label by the facilitator (or not gathered yet)."""

    label: str
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Timer:
    """The facilitator's hand on the current step's countdown: a pause under way (`paused_at`),
    the seconds spent in earlier pauses of the step, the seconds added (« + 1 minute »).
    Kept in Workshop.state["timer"]; a new step, or « Relancer le minuteur », starts afresh."""

    paused_at: datetime | None = None
    paused_for: float = 0.0
    extra: float = 0.0

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def to_state(self) -> dict[str, object]:
        at = _aware(self.paused_at) if self.paused_at else None
        return {
            "paused_at": at.isoformat() if at else None,
            "paused_for": self.paused_for,
            "extra": self.extra,
        }

    @classmethod
    def from_state(cls, data: object) -> Timer:
        """The timer stored in a workshop's state (an absent or damaged one is a fresh timer)."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            at = data.get("paused_at")
            return cls(
                datetime.fromisoformat(at) if isinstance(at, str) else None,
                max(0.0, float(data.get("paused_for") or 0)),
                max(0.0, float(data.get("extra") or 0)),
            )
        except (TypeError, ValueError):
            return cls()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite: naive UTC


def _elapsed(started_at: datetime, now: datetime, timer: Timer) -> float:
    """Seconds the countdown has run: pauses do not count, a pause under way freezes it."""
    end = _aware(timer.paused_at) if timer.paused_at else now
    return (end - _aware(started_at)).total_seconds() - timer.paused_for


def remaining_seconds(
    started_at: datetime | None, seconds: int, now: datetime, timer: Timer | None = None
) -> int:
    """Seconds left on a step's countdown (never below zero; a step not started is full),
    frozen during a pause, longer by the minutes the facilitator added."""
    timer = timer or Timer()
    if started_at is None:
        return max(0, math.ceil(round(seconds + timer.extra, 6)))
    left = seconds + timer.extra - _elapsed(started_at, now, timer)
    return max(0, math.ceil(round(left, 6)))  # no second gained or lost to float rounding


def pause(timer: Timer, now: datetime) -> Timer:
    """The countdown frozen from `now` (a pause under way stays as it is)."""
    return timer if timer.paused else Timer(now, timer.paused_for, timer.extra)


def resume(timer: Timer, now: datetime) -> Timer:
    """The countdown running again where it stopped (the pause's length no longer counts)."""
    if timer.paused_at is None:
        return timer
    pause_length = max(0.0, (now - _aware(timer.paused_at)).total_seconds())
    return Timer(None, timer.paused_for + pause_length, timer.extra)


def add_time(
    started_at: datetime | None, seconds: int, now: datetime, timer: Timer, added: int = 60
) -> Timer:
    """`added` more seconds on the countdown, from what it shows: a countdown already at zero
    shows exactly `added` afterwards (never time spent over the step's end swallowing them)."""
    over = 0.0
    if started_at is not None:
        over = max(0.0, _elapsed(started_at, now, timer) - seconds - timer.extra)
    return Timer(timer.paused_at, timer.paused_for, timer.extra + over + added)


def clock(seconds: int) -> str:
    """A countdown as « mm:ss »."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def initial_status(kind: StepKind, *, share: bool, controlled: bool) -> str:
    """Where a new post lands: private note, the facilitator's inbox, or the wall."""
    if kind == StepKind.PERSONAL and not share:
        return PRIVATE
    return PENDING if controlled else VISIBLE


def board(posts: Iterable[Post]) -> list[Group]:
    """The wall: shown posts by group label (groups in order of first post), ungrouped last;
    within a group, highlighted posts first, then oldest first."""
    shown = [p for p in posts if p.shown]
    labels: list[str] = []
    for post in shown:
        if post.group_label and post.group_label not in labels:
            labels.append(post.group_label)
    groups = []
    for label in [*labels, None]:
        members = [p for p in shown if (p.group_label or None) == label]
        if not members:
            continue
        members.sort(key=lambda p: (p.status != HIGHLIGHTED, p.created_at, p.id))
        groups.append(Group(label or UNGROUPED, tuple(members)))
    return groups


def axis_of(dimension: str | None, axes: Mapping[str, str]) -> str | None:
    """The roadmap axis of a commitment: the one chosen when it is one of its questionnaire's
    axes, else None (never a default: a commitment lands where someone chose)."""
    if dimension is not None and dimension in axes:
        return dimension
    return None


def focus_items(items: pd.DataFrame, n: int) -> pd.DataFrame:
    """The items to discuss first: divergent ones, then the highest priority (gap x importance),
    then the lowest agreement. `items` is CampaignResults.items; scored items with answers only.
    """
    frame = items.loc[items["scored"] & (items["n"] > 0)].copy()
    frame["divergent"] = frame["divergent"].fillna(False).astype(bool)
    frame = frame.sort_values(
        ["divergent", "priority_index", "agreement", "position"],
        ascending=[False, False, True, True],
        na_position="last",
    )
    return frame.head(n).reset_index(drop=True)


def item_reading(row: Mapping[str, object]) -> str:
    """One line for a focus item: mean level, agreement, divergence, priority."""
    parts = [f"niveau moyen {format_number(float(row['mean']), 1)} / 5"]  # type: ignore[arg-type]
    tag = row.get("agreement_tag")
    if tag:
        parts.append(f"avis {tag}")
    if row.get("divergent"):
        parts.append("regards divergents")
    gap = row.get("gap")
    if gap is not None and gap == gap and float(gap) > 0:  # type: ignore[arg-type]
        parts.append(f"écart au niveau visé {format_number(float(gap), 1)}")  # type: ignore[arg-type]
    return " · ".join(parts)


def vote_shift(
    before: pd.DataFrame, after: pd.DataFrame, *, levels: Sequence[int], min_votes: int
) -> pd.DataFrame:
    """Before (questionnaire answers) and after (the live re-vote) on each item.

    `before`: question_id, level, count (CampaignResults' level distribution);
    `after`: question_id, value (one row per re-vote). Returns per item: n_before, mean_before,
    agreement_before, n_after, mean_after, agreement_after, shift (mean after - before),
    agreement_shift, shown (at least `min_votes` re-votes: fewer would single people out),
    and the counts per level before and after (columns before_<level>, after_<level>).
    """
    rows = []
    for qid in dict.fromkeys([*before["question_id"], *after["question_id"]]):
        b = before.loc[before["question_id"] == qid].set_index("level")["count"]
        a = after.loc[after["question_id"] == qid, "value"].value_counts()
        counts_b = [int(b.get(level, 0)) for level in levels]
        counts_a = [int(a.get(level, 0)) for level in levels]
        row: dict[str, object] = {"question_id": qid}
        for side, counts in (("before", counts_b), ("after", counts_a)):
            total = sum(counts)
            mean = (
                sum(lv * c for lv, c in zip(levels, counts, strict=True)) / total if total else None
            )
            row[f"n_{side}"] = total
            row[f"mean_{side}"] = mean
            row[f"agreement_{side}"] = van_der_eijk(counts) if total else None
            for level, count in zip(levels, counts, strict=True):
                row[f"{side}_{level}"] = count
        shown = row["n_after"] >= min_votes  # type: ignore[operator]
        row["shown"] = shown
        both = shown and row["mean_before"] is not None
        row["shift"] = row["mean_after"] - row["mean_before"] if both else None  # type: ignore[operator]
        row["agreement_shift"] = (
            row["agreement_after"] - row["agreement_before"]  # type: ignore[operator]
            if both and row["agreement_before"] is not None
            else None
        )
        rows.append(row)
    return pd.DataFrame(rows)


def shift_figures(row: Mapping[str, object]) -> tuple[str, str, str]:
    """The before/after of one item as figures: mean before, mean now, change with its sign
    (« + », or « − », the minus sign; « — » where there is none: no answer, or fewer re-votes
    than the threshold)."""

    def mean(value: object) -> str:
        return "—" if value is None or value != value else format_number(float(value), 1)  # type: ignore[arg-type]

    before, after = mean(row.get("mean_before")), mean(row.get("mean_after"))
    if not row.get("shown"):
        return before, "—", "—"
    shift = row.get("shift")
    if shift is None or shift != shift:
        return before, after, "—"
    if "—" not in (before, after):  # the change the room can check: 3,3 → 2,3 is -1,0
        shift = float(after.replace(",", ".")) - float(before.replace(",", "."))
    delta = format_number(float(shift), 1).lstrip("-")  # type: ignore[arg-type]
    if delta != "0,0":  # the sign typeset: « + » or the minus sign « − », never a hyphen
        delta = ("+" if float(shift) > 0 else "\u2212") + delta  # type: ignore[arg-type]
    return before, after, delta


def agreement_reading(row: Mapping[str, object]) -> str:
    """Whether the room's views came closer with the re-vote (empty without both measures)."""
    ab, aa = row.get("agreement_before"), row.get("agreement_after")
    if not row.get("shown") or ab is None or aa is None or ab != ab or aa != aa:
        return ""
    closer = float(aa) > float(ab)  # type: ignore[arg-type]
    text = "avis plus proches" if closer else "avis pas plus proches"
    tag = agreement_tag(float(aa))  # type: ignore[arg-type]
    return f"{text} (maintenant : {tag})" if tag else text


def shift_reading(row: Mapping[str, object]) -> str:
    """The before/after of one item in words, for the screen and the exported document."""
    if not row.get("shown"):
        return "pas encore assez de votes pour afficher le résultat"
    before, after, delta = shift_figures(row)
    text = f"avant {before} → maintenant {after}"
    if delta != "—":
        text += f" ({delta})"
    agreement = agreement_reading(row)
    return f"{text} ; {agreement}" if agreement else text


def quadrant(impact: float, effort: float) -> str:
    """Where a candidate action falls on the impact x effort grid (scale 1-3, middle 2)."""
    high_impact, low_effort = impact >= 2, effort < 2
    if high_impact and low_effort:
        return "Gain rapide"
    if high_impact:
        return "Projet structurant"
    if low_effort:
        return "Action d'appoint"
    return "À reconsidérer"


def grid_points(
    posts: Iterable[Post],
    votes: pd.DataFrame,
    placed: Mapping[int, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Mean impact and effort of each candidate (shown posts), with its quadrant.

    `votes`: kind, target (post id as text), value. `placed`: post id -> (impact, effort) where
    the facilitator put an item (it wins over the mean of the votes). Candidates nobody placed
    yet are kept with n = 0 and no position. `placed` and `single` (the position rests on one
    vote only: to be read with care) say where a position comes from.
    """
    columns = [
        "post_id",
        "text",
        "territory_id",
        "group",
        "n",
        "impact",
        "effort",
        "quadrant",
        "placed",
        "single",
    ]
    placed = placed or {}
    rows = []
    for post in posts:
        if not post.shown:
            continue
        mine = votes.loc[votes["target"] == str(post.id)] if not votes.empty else votes
        impact = mine.loc[mine["kind"] == IMPACT, "value"] if not mine.empty else pd.Series()
        effort = mine.loc[mine["kind"] == EFFORT, "value"] if not mine.empty else pd.Series()
        n = int(min(len(impact), len(effort)))
        i = float(impact.mean()) if len(impact) else None
        e = float(effort.mean()) if len(effort) else None
        by_hand = post.id in placed
        if by_hand:
            i, e = (float(v) for v in placed[post.id])
        rows.append(
            (
                post.id,
                post.text,
                post.territory_id,
                post.group_label,
                n,
                i,
                e,
                quadrant(i, e) if i is not None and e is not None else None,
                by_hand,
                n == 1 and not by_hand,
            )
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(group=_nones(frame["group"]))


def positioned(points: pd.DataFrame) -> pd.DataFrame:
    """The candidates that have a place on the grid (votes on both axes, or the facilitator's
    placement), in their order."""
    if points.empty:
        return points
    keep = (points["n"] > 0) | points["placed"] if "placed" in points else points["n"] > 0
    return points.loc[keep & points["quadrant"].notna()].reset_index(drop=True)


def placement(impact: float, effort: float) -> tuple[float, float]:
    """A facilitator's placement, checked: both values on the grid's scale, to a tenth."""
    values = (round(float(impact), 1), round(float(effort), 1))
    if not all(GRID_MIN <= v <= GRID_MAX for v in values):
        raise ValueError("l'impact et l'effort se placent entre 1 (faible) et 3 (fort)")
    return values


# --- dot voting ---------------------------------------------------------------------------------


def dots_left(given: Mapping[object, int], bound: int) -> int:
    """The points a participant still has to give (never below zero)."""
    return max(0, bound - sum(given.values()))


def dot_tally(
    posts: Iterable[Post], votes: pd.DataFrame, names: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """The points of each shown post, most first (ties: oldest post first).

    `votes`: kind, target (post id as text), value (one row per voter and post, as stored).
    Returns post_id, text, group (None when not grouped), territory_id, territory (its name
    from `names`, else ""), dots, voters.
    """
    columns = ["post_id", "text", "group", "territory_id", "territory", "dots", "voters"]
    names = names or {}
    mine = votes.loc[votes["kind"] == DOT] if not votes.empty else votes
    rows = []
    for order, post in enumerate(p for p in posts if p.shown):
        given = mine.loc[mine["target"] == str(post.id), "value"] if not mine.empty else []
        rows.append(
            (
                post.id,
                post.text,
                post.group_label,
                post.territory_id,
                names.get(post.territory_id, "") if post.territory_id is not None else "",
                int(sum(int(v) for v in given)),
                int(sum(1 for v in given if int(v) > 0)),
                order,
            )
        )
    frame = pd.DataFrame(rows, columns=[*columns, "order"])
    frame = frame.sort_values(["dots", "order"], ascending=[False, True], kind="stable")
    frame["group"] = _nones(frame["group"])
    return frame.drop(columns="order").reset_index(drop=True)


def _nones(labels: pd.Series) -> pd.Series:
    """Group labels with None, never NaN, where a post is not grouped."""
    return labels.astype(object).where(labels.notna(), None)


def shorten(text: str, limit: int) -> str:
    """A text cut at a word within `limit` characters, with « … » when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def commitment_title(text: str, limit: int = 140) -> str:
    """A roadmap title from a commitment: its first sentence, cut at a word within `limit`."""
    first = text.strip().split("\n", 1)[0]
    for mark in (". ", " ; ", " : "):
        head = first.split(mark, 1)[0]
        if 15 <= len(head) < len(first):
            first = head
            break
    first = first.rstrip(" .;:")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
