"""Where a territory stands on a day: the facts of its fiche, the status of its legal obligations
and the campaign's moment in the mandate. Built by `territory.service.situation_for`, read by
the roadmap (which never plans a late obligation as an ordinary action) and the documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from diagnostic.territory.calendar import Moment
from diagnostic.territory.facts import Fiche, Value
from diagnostic.territory.obligations import State, Status

DEFAULTED = frozenset({"population", "population_millesime"})  # from the official list


@dataclass(frozen=True)
class Situation:
    """The territory's situation on `on`: `facts` maps every fact id of the fiche to its value
    (None: unknown); `obligations` holds every obligation's status (worst first is the caller's
    choice); `moment` is the campaign's moment in the mandate (None outside the calendar)."""

    on: dt.date
    facts: Mapping[str, Value] = field(default_factory=dict)
    obligations: tuple[Status, ...] = ()
    moment: Moment | None = None
    fiche: Fiche | None = None  # the fiche's definition (labels, wording); None without one
    sources: Mapping[str, str] = field(default_factory=dict)  # fact id -> where it comes from

    @property
    def fiche_empty(self) -> bool:
        """Nothing entered on the fiche: every fact unknown but the population and its vintage,
        which the official list of EPCI gives without anyone entering them."""
        return all(v is None for k, v in self.facts.items() if k not in DEFAULTED)

    def moment_text(self) -> str | None:
        """« Campagne de début de mandat 2026-2032 — prochain renouvellement attendu vers mars
        2032 »; None outside the calendar."""
        found = self.moment
        if found is None:
            return None
        return f"Campagne de {found.label} {found.mandate} — {found.next_text()}"

    def fact(self, fact_id: str) -> Value:
        """The fact's value on the fiche, None when unknown or not on the fiche."""
        return self.facts.get(fact_id)

    def status(self, obligation_id: str) -> Status | None:
        return next((s for s in self.obligations if s.obligation.id == obligation_id), None)

    def late(self) -> tuple[Status, ...]:
        """The obligations « en retard » on that day."""
        return tuple(s for s in self.obligations if s.state == State.EN_RETARD)

    def served_by(self, action_id: str) -> tuple[Status, ...]:
        """The statuses of the obligations this library action serves (their `actions` in
        questions/obligations.yaml), worst first."""
        order = list(State)
        linked = [s for s in self.obligations if action_id in s.obligation.actions]
        return tuple(sorted(linked, key=lambda s: order.index(s.state)))

    def worst_first(self) -> tuple[Status, ...]:
        """Every obligation, worst status first (file order within a status)."""
        order = list(State)
        return tuple(sorted(self.obligations, key=lambda s: order.index(s.state)))
