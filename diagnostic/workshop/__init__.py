"""The live workshop « Et demain sur mon territoire ? »: programme, codes, live logic, service.

`programme` loads questions/atelier.yaml; `codes` draws join codes; `live` holds the pure logic
(countdown, wall, re-vote shift, impact x effort grid); `screens` sorts and words what the
console, the phones and the screen show; `throttle` bounds wrong join codes; `service`
orchestrates the store with the permission check; `output` builds the session's record,
`minutes` writes its files (Word with charts, Markdown, CSV, board image); `priorities` checks
the participants' points (dot voting) and the facilitator's placements on the grid; `figures`
draws the re-vote, grid and points charts for the screen, `prints` those of the files
(matplotlib).
"""

from diagnostic.workshop.programme import Programme, Step, StepKind, load_programme, programme_for
from diagnostic.workshop.service import (
    Created,
    Live,
    Place,
    Seat,
    SendReport,
    WorkshopError,
    WorkshopInfo,
)

__all__ = [
    "Created",
    "Live",
    "Place",
    "Programme",
    "Seat",
    "SendReport",
    "Step",
    "StepKind",
    "WorkshopError",
    "WorkshopInfo",
    "load_programme",
    "programme_for",
]
