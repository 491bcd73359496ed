"""The follow-up of a kept roadmap action, as plain data: its statuses over time, the items it
should move, whether it is late, and the roll-up of a chantier's actions (pure: no database, no
access rule; the service is roadmap/tracking.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from diagnostic.analytics.summary import format_number
from diagnostic.questionnaire.codecs import AnswerError, clean_text
from diagnostic.results.chart_specs import BLUE, GREY, RED
from diagnostic.roadmap.model import PlanItem
from diagnostic.roadmap.proposals import FICHE
from diagnostic.roadmap.timeline import Bar, Timeline
from diagnostic.vocabulary import french_date

FOLLOW_UP_LABELS = {
    "a_lancer": "À lancer",
    "en_cours": "En cours",
    "fait": "Faite",
    "abandonne": "Abandonnée",
}
OPEN = ("a_lancer", "en_cours")  # an action that can still be late
FIXED_PROGRESS = {"a_lancer": 0, "fait": 100}
COMMENT_LIMIT = 1000
MAX_LINKS = 30
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")  # an item key as the questionnaires write them


@dataclass(frozen=True)
class StatusChange:
    """One change of an action's status, as recorded (every change is kept)."""

    item_id: int
    status: str  # a key of FOLLOW_UP_LABELS
    on: date  # the day the status holds from
    progress: int | None  # 0-100, as entered
    indicator_value: float | None
    comment: str  # "" when none
    by: str | None  # the account's name, None when unknown (demo, deleted account)
    recorded_at: datetime

    @property
    def label(self) -> str:
        return FOLLOW_UP_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class ActionFollowUp:
    """A kept action with its history and the items it should move."""

    item: PlanItem
    history: tuple[StatusChange, ...]  # oldest first
    links: tuple[str, ...]

    @property
    def current(self) -> StatusChange | None:
        """The status in force: the latest by the day it holds from, then by recording time."""
        if not self.history:
            return None
        return max(self.history, key=lambda c: (c.on, c.recorded_at))

    @property
    def status(self) -> str:
        current = self.current
        return current.status if current is not None else "a_lancer"

    @property
    def label(self) -> str:
        return FOLLOW_UP_LABELS[self.status]

    @property
    def progress(self) -> int | None:
        """Done: 100; to start: 0; otherwise the share last entered (None: not entered)."""
        if self.status == "fait":
            return 100
        if self.status == "a_lancer":
            return 0
        current = self.current
        return current.progress if current is not None else None

    @property
    def indicator_value(self) -> float | None:
        """The indicator's latest value entered, whatever the status it came with."""
        dated = [c for c in self.history if c.indicator_value is not None]
        if not dated:
            return None
        return max(dated, key=lambda c: (c.on, c.recorded_at)).indicator_value

    @property
    def due(self) -> date | None:
        """The end of the action's schedule window (as stored with the plan row)."""
        window = self.item.window
        return window.end if window is not None else None

    def late(self, today: date) -> bool:
        """Still to start or under way after the end of its window."""
        due = self.due
        return self.status in OPEN and due is not None and due < today


def default_links(item: PlanItem) -> tuple[str, ...]:
    """The items an action should move when nobody chose them: the answered items of its
    trigger evidence (not the facts of the fiche), each once, in the evidence's order."""
    keys = [
        str(e.get("question_id") or "")
        for e in item.evidence
        if isinstance(e, Mapping) and e.get("item") != FICHE
    ]
    return tuple(dict.fromkeys(k for k in keys if k))


def links_of(item: PlanItem) -> tuple[str, ...]:
    """The items chosen by people, or by default those of the trigger evidence."""
    return item.links if item.links is not None else default_links(item)


def follow_up(item: PlanItem, history: Iterable[StatusChange]) -> ActionFollowUp:
    ordered = sorted(history, key=lambda c: (c.on, c.recorded_at))
    return ActionFollowUp(item=item, history=tuple(ordered), links=links_of(item))


def by_urgency(follow_ups: Sequence[ActionFollowUp], today: date) -> list[ActionFollowUp]:
    """Late actions first (the oldest deadline first), then the open ones by deadline, then
    the done and abandoned ones; the plan order within each."""

    def key(f: ActionFollowUp) -> tuple[int, date, int]:
        tier = 0 if f.late(today) else 1 if f.status in OPEN else 2
        return tier, f.due or date.max, f.item.position

    return sorted(follow_ups, key=key)


@dataclass(frozen=True)
class ChantierProgress:
    """How far a chantier got, rolled up from its actions. `progress` is the mean share of
    its actions still pursued (abandoned ones left out) whose share is known; `unknown` counts
    those under way without a share entered."""

    chantier: str  # its id, "" for the actions outside any chantier
    title: str
    actions: int
    to_start: int
    in_progress: int
    done: int
    abandoned: int
    late: int
    progress: int | None  # 0-100, None when no pursued action has a known share
    unknown: int


def chantier_progress(
    follow_ups: Sequence[ActionFollowUp],
    titles: Mapping[str, str] | None = None,
    today: date | None = None,
) -> list[ChantierProgress]:
    """One roll-up per chantier, in the order its first action comes in `follow_ups`."""
    titles = titles or {}
    grouped: dict[str, list[ActionFollowUp]] = {}
    for f in follow_ups:
        grouped.setdefault(f.item.chantier or "", []).append(f)
    out = []
    for chantier, actions in grouped.items():
        pursued = [f for f in actions if f.status != "abandonne"]
        known = [f.progress for f in pursued if f.progress is not None]
        count = {s: sum(f.status == s for f in actions) for s in FOLLOW_UP_LABELS}
        out.append(
            ChantierProgress(
                chantier=chantier,
                title=titles.get(chantier, chantier) if chantier else "Actions hors chantier",
                actions=len(actions),
                to_start=count["a_lancer"],
                in_progress=count["en_cours"],
                done=count["fait"],
                abandoned=count["abandonne"],
                late=sum(f.late(today) for f in actions) if today is not None else 0,
                progress=round(sum(known) / len(known)) if known else None,
                unknown=len(pursued) - len(known),
            )
        )
    return out


@dataclass(frozen=True)
class CleanChange:
    """A status change checked and ready to store."""

    status: str
    on: date
    progress: int | None
    indicator_value: float | None
    comment: str | None


def clean_change(
    *,
    status: str,
    on: date,
    today: date,
    progress: int | None = None,
    indicator_value: float | None = None,
    comment: str | None = None,
) -> CleanChange:
    """Check what a person entered; AnswerError (in French) when it does not fit."""
    if status not in FOLLOW_UP_LABELS:
        raise AnswerError(f"statut de suivi inconnu : {status}")
    if not isinstance(on, date) or isinstance(on, datetime):
        raise AnswerError("la date du statut est obligatoire")
    if on > today:
        raise AnswerError("la date du statut ne peut pas être postérieure à aujourd'hui")
    if progress is not None:
        if isinstance(progress, bool) or not isinstance(progress, int | float):
            raise AnswerError("l'avancement est un pourcentage entre 0 et 100")
        if not 0 <= progress <= 100 or progress != int(progress):
            raise AnswerError("l'avancement est un pourcentage entier entre 0 et 100")
        progress = int(progress)
    if status in FIXED_PROGRESS:  # « Fait » is 100 %, « À lancer » 0 %, whatever was typed
        progress = FIXED_PROGRESS[status]
    if indicator_value is not None:
        if isinstance(indicator_value, bool) or not isinstance(indicator_value, int | float):
            raise AnswerError("la valeur de l'indicateur doit être un nombre")
        if not math.isfinite(indicator_value) or abs(indicator_value) > 1e12:
            raise AnswerError("la valeur de l'indicateur doit être un nombre")
        indicator_value = float(indicator_value)
    text = clean_text(comment or "", COMMENT_LIMIT)
    return CleanChange(status, on, progress, indicator_value, text or None)


def clean_links(
    links: Iterable[str] | None, known: Iterable[str] | None = None
) -> list[str] | None:
    """The item keys to store, each once (None: back to the trigger evidence); with `known`,
    only keys of the questionnaire are accepted."""
    if links is None:
        return None
    keys = list(dict.fromkeys(str(k).strip() for k in links if str(k).strip()))
    if len(keys) > MAX_LINKS:
        raise AnswerError(f"une action se relie à {MAX_LINKS} items au plus")
    allowed = set(known) if known is not None else None
    for key in keys:
        if not _KEY.match(key) or (allowed is not None and key not in allowed):
            raise AnswerError(f"item inconnu : {key[:60]}")
    return keys


# --- what the page shows ------------------------------------------------------------------------

STATUS_COLOURS = {
    "a_lancer": GREY,
    "en_cours": BLUE,
    "fait": "#18753C",  # DSFR success green
    "abandonne": "#CECECE",
}
LATE_COLOUR = RED
TIMELINE_TITLE = "Avancement du plan sur le mandat"


def _number(value: float) -> str:
    """« 4 », « 2,75 »: an indicator's value the French way, without useless decimals."""
    return format_number(value, 0 if value == int(value) else 2)


def state_of(f: ActionFollowUp, today: date) -> str:
    """« En retard », or the status's label."""
    return "En retard" if f.late(today) else f.label


def status_line(f: ActionFollowUp, today: date) -> str:
    """« En cours depuis le 10 janvier 2027 (avancement 30 %) · échéance dépassée le 31 mars
    2027 », « À lancer · échéance le 30 juin 2027 », « Fait depuis le 2 mars 2027 »."""
    current = f.current
    parts = [f.label if current is None else f"{f.label} depuis le {french_date(current.on)}"]
    if f.status == "en_cours" and f.progress is not None:
        parts[0] += f" (avancement {f.progress} %)"
    if f.indicator_value is not None:
        parts.append(f"indicateur : {_number(f.indicator_value)}")
    if f.due is not None and f.status in OPEN:
        passed = f.late(today)
        parts.append(f"échéance {'dépassée le' if passed else 'le'} {french_date(f.due)}")
    return " · ".join(parts)


def history_rows(f: ActionFollowUp) -> list[dict[str, str]]:
    """The history as the page's table shows it, newest first, in French."""
    rows = []
    for c in sorted(f.history, key=lambda c: (c.on, c.recorded_at), reverse=True):
        rows.append(
            {
                "Depuis le": french_date(c.on),
                "Statut": c.label,
                "Avancement": f"{c.progress} %" if c.progress is not None else "",
                "Indicateur": _number(c.indicator_value) if c.indicator_value is not None else "",
                "Commentaire": c.comment,
                "Par": c.by or "",
                "Enregistré le": french_date(c.recorded_at.date()),
            }
        )
    return rows


def timeline_of(
    follow_ups: Sequence[ActionFollowUp],
    today: date,
    titles: Mapping[str, str] | None = None,
    width: int = 60,
) -> Timeline | None:
    """The actions with a window as bars, numbered as given (« A1 · En retard »: short rows that
    leave a phone room for the bars; the title is in the bar's hover text and in the list that
    uses the same numbers), coloured by their state, today's date as a line; None when no
    action has a window."""
    titles = titles or {}
    bars = []
    for number, f in enumerate(follow_ups, start=1):
        window = f.item.window
        if window is None:
            continue
        state = state_of(f, today)
        colour = LATE_COLOUR if f.late(today) else STATUS_COLOURS[f.status]
        title = f.item.title
        title = title if len(title) <= width else title[: width - 1].rstrip() + "…"
        chantier = titles.get(f.item.chantier or "", f.item.chantier or "Hors chantier")
        end = max(window.end, window.start + timedelta(days=20))
        when = f"{title} · {window.label()}"
        bars.append(Bar(f"A{number} · {state}", chantier, window.start, end, colour, when))
    if not bars:
        return None
    start = min(min(b.start for b in bars), today).replace(day=1)
    end = max(max(b.end for b in bars), today) + timedelta(days=31)
    return Timeline(tuple(bars), (), today, end, TIMELINE_TITLE, start=start)
