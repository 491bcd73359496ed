"""The draft roadmap as plain data: proposals with their evidence, plan rows, the whole draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from diagnostic.analytics.summary import format_number
from diagnostic.roadmap.voices import Voices

HORIZON_LABELS = {
    "cent_jours": "100 premiers jours",
    "premiere_annee": "Première année",
    "mi_mandat": "Mi-mandat (2029)",
    "fin_de_mandat": "Fin de mandat (2032)",
}
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
    priority: float
    evidence: tuple[Evidence, ...]
    shared_by: str | None = None  # e.g. « écart partagé par 4 communes sur 5 »


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

    @property
    def evidence(self) -> list[dict[str, str]]:
        return list(self.details.get("evidence", []))


def tally(items: Sequence[PlanItem]) -> tuple[int, int, int]:
    """How many actions, how many the collective kept, how many are still to examine."""
    kept = sum(i.status in KEPT for i in items)
    return len(items), kept, sum(i.status == "proposed" for i in items)


def provenance(item: PlanItem) -> str:
    """Where an action comes from: « Proposée par l'outil · priorité 0,83 · écart partagé… »."""
    parts = [ORIGIN_LABELS.get(item.origin, item.origin)]
    if item.priority is not None:
        parts.append(f"priorité {format_number(item.priority, 2)}")
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
    plan: tuple[PlanItem, ...]  # rejected items excluded, in axis then position order
    points: tuple[PointToInvestigate, ...]
    dimension_titles: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
    voices: Voices | None = None  # free texts and consensus rationales to quote (voices.py)
