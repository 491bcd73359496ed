"""The draft roadmap as plain data: proposals with their evidence, plan rows, the whole draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from diagnostic.roadmap.voices import Voices
from diagnostic.vocabulary import MONTHS, french_date

if TYPE_CHECKING:
    from diagnostic.territory.situation import Situation

# When an action is due. The library's four horizons count from the roadmap's adoption (« dans
# les 100 jours », « dans l'année » : never « les 100 premiers jours » of a mandate that began
# months before the document); the first two are those of a legal obligation linked to the
# action (questions/obligations.yaml), set by the tool from the fiche du territoire.
HORIZON_LABELS = {
    "sans_attendre": "Sans attendre",
    "avant_echeance": "Avant l'échéance légale",
    "cent_jours": "Dans les 100 jours",
    "premiere_annee": "Dans l'année",
    "mi_mandat": "Mi-mandat (2029)",
    "fin_de_mandat": "Fin de mandat (2032)",
}
LEGAL_HORIZONS = ("sans_attendre", "avant_echeance")
HORIZON_ORDER = list(HORIZON_LABELS)
STATUS_LABELS = {
    "proposed": "Proposée",
    "accepted": "Retenue",
    "rejected": "Écartée",
    "in_progress": "Engagée",
    "done": "Réalisée",
}
KEPT = ("accepted", "in_progress", "done")  # the statuses of an action the collective kept
ORIGIN_LABELS = {
    "generated": "Proposée par l'outil",
    "edited": "Proposée par l'outil, modifiée",
    "manual": "Ajoutée par le collectif",
    "atelier": "Issue de l'atelier",
}


LATE, DUE, WINDOW_OPEN = "en_retard", "a_faire", "fenetre_ouverte"  # territory.obligations.State


@dataclass(frozen=True)
class LegalDuty:
    """The legal obligation that puts an action first in the plan, as the fiche du territoire
    shows it: late (« à régulariser sans attendre »), due by a legal day, or a window of another
    body still open. Stored with the plan row (details["legal"])."""

    obligation: str  # its id in questions/obligations.yaml
    title: str  # « Débat sur l'élaboration d'un pacte de gouvernance »
    state: str  # LATE, DUE or WINDOW_OPEN
    basis: str  # « CGCT, art. L5211-11-2, I, 1° »
    due: date | None = None  # the day passed, or to come; None: an obligation in force
    fiche: str = ""  # what the fiche says (« … tenu : non »)

    @property
    def late(self) -> bool:
        return self.state == LATE

    def urgency(self) -> tuple[int, date]:
        """Late duties first, then due ones, then open windows; the oldest deadline first
        within each (an obligation in force, without a day, after the dated ones)."""
        tier = 0 if self.late else 1 if self.state == DUE else 2
        return tier, self.due or date.max

    @property
    def horizon(self) -> str:
        """The plan's horizon: « sans_attendre » when late, « avant_echeance » otherwise."""
        return "sans_attendre" if self.late else "avant_echeance"

    def when(self) -> str:
        """« Sans attendre (échéance dépassée le 22 octobre 2026) », « Avant le 22 décembre
        2026 », « Avant la fin de la fenêtre, le 22 septembre 2026 »."""
        if self.late:
            passed = f"échéance dépassée le {french_date(self.due)}" if self.due else None
            return f"Sans attendre ({passed or 'obligation permanente non remplie'})"
        if self.due is None:
            return HORIZON_LABELS["avant_echeance"]
        if self.state == WINDOW_OPEN:
            return f"Avant la fin de la fenêtre, le {french_date(self.due)}"
        return f"Avant le {french_date(self.due)}"

    def sentence(self) -> str:
        """« À régulariser sans attendre : Débat sur l'élaboration d'un pacte de gouvernance —
        échéance dépassée le 22 octobre 2026 — CGCT, art. L5211-11-2, I, 1° »."""
        if self.late:
            passed = (
                f"échéance dépassée le {french_date(self.due)}"
                if self.due
                else "obligation permanente non remplie"
            )
            return f"À régulariser sans attendre : {self.title} — {passed} — {self.basis}"
        when = self.when()
        return f"{when[0].upper()}{when[1:]} : {self.title} — {self.basis}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation,
            "title": self.title,
            "state": self.state,
            "basis": self.basis,
            "due": self.due.isoformat() if self.due else None,
            "fiche": self.fiche,
        }

    @classmethod
    def from_dict(cls, data: Any) -> LegalDuty | None:
        """The duty stored with a plan row; None when there is none (or it is unreadable)."""
        if not isinstance(data, dict) or not data.get("obligation"):
            return None
        due = data.get("due")
        return cls(
            obligation=str(data["obligation"]),
            title=str(data.get("title") or data["obligation"]),
            state=str(data.get("state") or LATE),
            basis=str(data.get("basis") or ""),
            due=date.fromisoformat(due) if isinstance(due, str) and due else None,
            fiche=str(data.get("fiche") or ""),
        )


PHASE_LABELS = {
    "sans_attendre": "À régulariser sans attendre",
    "echeance": "Avant l'échéance légale",
    "debut": "Début de mandat",
    "mi": "Mi-mandat",
    "fin": "Fin de mandat",
}


def month_text(day: date) -> str:
    """« mars 2027 »."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def _de(text: str) -> str:
    """« de mars 2027 », « d'avril 2027 »."""
    return f"d'{text}" if text[:1] in "aeiouyéèâ" else f"de {text}"


@dataclass(frozen=True)
class Window:
    """When an action of the main plan is conducted: from `start` to `end` (both days), in a
    phase of the mandate (PHASE_LABELS). Computed by selection.schedule from the document's
    day, the campaign's moment and the chantier's phases; never before the document's day."""

    start: date
    end: date
    phase: str

    def label(self) -> str:
        """« Sans attendre, d'ici février 2027 », « De mars 2027 à juin 2027 »."""
        if self.phase == "sans_attendre":
            return f"Sans attendre, d'ici {month_text(self.end)}"
        if self.phase == "echeance":
            return f"Avant le {french_date(self.end)}"
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return month_text(self.start).capitalize()
        said = _de(month_text(self.start))
        return f"{said[0].upper()}{said[1:]} à {month_text(self.end)}"

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "phase": self.phase}

    @classmethod
    def from_dict(cls, data: Any) -> Window | None:
        if not isinstance(data, dict):
            return None
        try:
            start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
        except (KeyError, TypeError, ValueError):
            return None
        return cls(start, end, str(data.get("phase") or "debut"))


@dataclass(frozen=True)
class Evidence:
    """Why an action is proposed: one answered item and its numbers, in French."""

    question_id: str
    item: str  # the item's wording
    trigger: str  # which test fired, e.g. « niveau actuel 2 ≤ 2 »
    summary: (
        str  # the numbers, e.g. « aujourd'hui 38/100, visé 75/100 ; accord partagé (A = 0,21) »
    )
    source: str  # "consensus" or "réponses individuelles"


@dataclass(frozen=True)
class Proposal:
    """An action of the library proposed for this campaign, ranked by its priority score."""

    action_id: str
    dimension: str
    title: str
    description: str
    instrument: str
    pilot: str
    validation: str
    horizon: str
    indicator: str
    references: tuple[str, ...]
    priority: float | None  # None: proposed from the fiche alone (a legal duty), no answer fired
    evidence: tuple[Evidence, ...]
    shared_by: str | None = None  # e.g. « écart partagé par 4 communes sur 5 »
    legal: LegalDuty | None = None  # a late or due legal obligation: first in the plan
    blind_spot: float = 0.0  # largest EPCI-communes gap (points) on the items that fired it
    # Set by selection.select / selection.schedule (stored in details, see _details):
    chantier: str | None = None  # the chantier of questions/chantiers.yaml it belongs to
    main: bool = True  # in the main plan, else among the « Autres pistes »
    aside: str | None = None  # why it is not in the main plan (« fait double emploi avec… »)
    window: Window | None = None  # when to conduct it (main plan only)
    measure: tuple[float, float] | None = None  # indicator baseline and target on 0-100


@dataclass(frozen=True)
class PointToInvestigate:
    """A divergent item without consensus: a « point à instruire collectivement »."""

    question_id: str
    dimension: str
    item: str
    summary: str


@dataclass(frozen=True)
class PlanItem:
    """One row of the (edited) action plan, as stored; what the document prints."""

    id: int | None
    action_id: str | None
    dimension: str
    title: str
    description: str
    horizon: str | None
    owner: str | None
    indicator: str | None
    status: str
    priority: float | None
    position: int
    origin: str
    edited: bool
    change: str | None  # what the last regeneration changed (« nouvelle », « modifiée »…)
    details: dict[str, Any] = field(default_factory=dict)  # instrument, pilot, evidence…
    # The items the action should move, as people set them (None: those of its trigger
    # evidence, roadmap.followup.default_links).
    links: tuple[str, ...] | None = None

    @property
    def evidence(self) -> list[dict[str, str]]:
        return list(self.details.get("evidence", []))

    @property
    def legal(self) -> LegalDuty | None:
        """The legal obligation that puts this action first in the plan, if any."""
        return LegalDuty.from_dict(self.details.get("legal"))

    @property
    def chantier(self) -> str | None:
        found = self.details.get("chantier")
        return str(found) if found else None

    @property
    def main(self) -> bool:
        """In the main plan: what the selection chose, and every row people wrote or kept
        (added by hand or in a workshop, retained, engaged, done); the others are « Autres
        pistes »."""
        if self.edited or self.origin in {"manual", "atelier"} or self.status in KEPT:
            return True
        return bool(self.details.get("main", True))

    @property
    def aside(self) -> str | None:
        """Why a generated action is not in the main plan (None when it is)."""
        return None if self.main else str(self.details.get("aside") or "") or None

    @property
    def window(self) -> Window | None:
        """The window stored at the last regeneration (the document computes its own)."""
        return Window.from_dict(self.details.get("window"))

    @property
    def horizon_chosen(self) -> bool:
        """People chose this row's horizon: written by hand, or changed from the proposal's."""
        if self.origin in {"manual", "atelier"}:
            return bool(self.horizon)
        proposed = self.details.get("proposed_horizon")
        return bool(self.horizon) and proposed is not None and self.horizon != proposed

    @property
    def measure(self) -> tuple[float, float] | None:
        """The indicator's baseline and target on 0-100 (chantiers.indicator_values)."""
        found = self.details.get("measure")
        if isinstance(found, list | tuple) and len(found) == 2:
            return float(found[0]), float(found[1])
        return None


def tally(items: Sequence[PlanItem]) -> tuple[int, int, int]:
    """How many actions, how many the collective kept, how many are still to examine."""
    kept = sum(i.status in KEPT for i in items)
    return len(items), kept, sum(i.status == "proposed" for i in items)


def priority_level(priority: float | None, ranked: Sequence[float]) -> str | None:
    """« haute », « moyenne » or « modérée »: the third of `ranked` (the priorities of the
    plan's actions without a legal duty) `priority` falls in; None without a priority."""
    if priority is None or not ranked:
        return None
    ordered = sorted(ranked, reverse=True)
    place = sum(p > priority for p in ordered) / len(ordered)
    return "haute" if place < 1 / 3 else "moyenne" if place < 2 / 3 else "modérée"


def provenance(item: PlanItem, plan: Sequence[PlanItem] = ()) -> str:
    """Where an action comes from: « Proposée par l'outil · priorité haute · constat partagé
    par 3 communes sur 5 »; the priority in words, its third among the actions of `plan` that
    carry no legal duty (docs/methodes.md)."""
    parts = [ORIGIN_LABELS.get(item.origin, item.origin)]
    ranked = [i.priority for i in plan if i.priority is not None and i.legal is None]
    level = priority_level(item.priority, ranked) if item.legal is None else None
    if level is not None:
        parts.append(f"priorité {level}")
    if item.details.get("shared_by"):
        parts.append(str(item.details["shared_by"]))
    return " · ".join(parts)


@dataclass(frozen=True)
class RoadmapDraft:
    """Everything the roadmap document shows, computed once and shared by every format."""

    territory: str
    campaign: str
    questionnaire: str  # « gouvernance 2026.1 »
    generated_on: date
    participation: dict[str, int]  # invited, started, submitted
    plan: tuple[PlanItem, ...]  # rejected items excluded; legal duties first, then by axis
    points: tuple[PointToInvestigate, ...]
    dimension_titles: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    voices: Voices | None = None  # free texts and consensus rationales to quote (voices.py)
    situation: Situation | None = None  # the territory on the document's day (fiche, moment)
    others: tuple[PlanItem, ...] = ()  # « Autres pistes »: triggered, not in the main plan
    groups: tuple[PlanGroup, ...] = ()  # the main plan by chantier (empty: by axis)
    windows: tuple[Window | None, ...] = ()  # each main-plan row's window, in plan order
    # roadmap.review.Review (not imported: it reads this module): the previous roadmap, action
    # by action (« Bilan de la feuille de route précédente »); None without one
    review: Any = None


@dataclass(frozen=True)
class PlanGroup:
    """A chantier of the main plan as the document shows it: its texts, its rows (indices in
    RoadmapDraft.plan) and its effort summed over them."""

    chantier: str  # its id, "" for the actions people added outside any chantier
    title: str
    objective: str
    pilot: str
    validation: str
    rows: tuple[int, ...]
    days: tuple[int, int] = (0, 0)  # staff days, summed ranges
    budget: tuple[int, int] = (0, 0)  # euros
    support: tuple[str, ...] = ()  # outside help, « CNFPT (…) : 1 à 2 jours »
