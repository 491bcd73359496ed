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

    def fact(self, fact_id: str) -> Value:
        """The fact's value on the fiche, None when unknown or not on the fiche."""
        return self.facts.get(fact_id)

    def status(self, obligation_id: str) -> Status | None:
        return next((s for s in self.obligations if s.obligation.id == obligation_id), None)

    def late(self) -> tuple[Status, ...]:
        """The obligations « en retard » on that day."""
        return tuple(s for s in self.obligations if s.state == State.EN_RETARD)
