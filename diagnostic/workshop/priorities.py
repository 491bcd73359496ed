"""What the room prioritises, checked: each participant's points (dot voting, bounded per
person) and the facilitator's placements on the impact x effort grid."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Actor
from diagnostic.store import workshops as store
from diagnostic.store.engine import read_scope, session_scope
from diagnostic.vocabulary import count
from diagnostic.workshop import live
from diagnostic.workshop.programme import Programme, StepKind
from diagnostic.workshop.service import (
    Seat,
    WorkshopError,
    WorkshopInfo,
    _shared,
    facilitated,
    open_for,
    votes_frame,
    wall,
)


@dataclass(frozen=True)
class Dots:
    """A participant's points at a dots step: by post id, how many are left, the bound."""

    given: dict[int, int]
    left: int
    bound: int


def _dots_step(programme: Programme, step: int) -> tuple[int, int]:
    """The source step index and the bound of a dots step (refused for another kind)."""
    found = programme.step(step)
    if found.kind != StepKind.DOTS or step != programme.steps.index(found):
        raise WorkshopError("cette étape ne se vote pas par points")
    return programme.index_of(found.source or ""), found.dot_count


def _dots_given(s: object, seat: Seat, source: int) -> dict[int, int]:
    """The points of a seat on every post of the source step (hidden ones too: the bound
    counts each point stored)."""
    posts = store.contributions(s, workshop_id=seat.workshop_id, step=source)  # type: ignore[arg-type]
    given = store.votes_on(
        s,  # type: ignore[arg-type]
        participant_id=seat.participant_id,
        kind=live.DOT,
        targets={str(p.id) for p in posts},
    )
    return {int(t): v for t, v in given.items() if v > 0}


def my_dots(engine: Engine, seat: Seat, programme: Programme, step: int) -> Dots:
    """Where this seat's points are at a dots step, and how many are left."""
    source, bound = _dots_step(programme, step)
    with read_scope(engine) as s:
        given = _dots_given(s, seat, source)
    return Dots(given, live.dots_left(given, bound), bound)


def set_dots(
    engine: Engine, seat: Seat, programme: Programme, *, step: int, post_id: int, points: int
) -> Dots:
    """Set how many of one's points a post carries (0 takes them all back), never beyond the
    step's bound: checked here, in one transaction holding the seat, so that another tab or
    phone of the same participant cannot go over it either. Setting a value, not adding one,
    makes a choice received twice (a tap sent again by the browser) count once."""
    source, bound = _dots_step(programme, step)
    if not 0 <= points <= bound:
        raise WorkshopError(f"de 0 à {count(bound, 'point')} par contribution")
    with session_scope(engine) as s:
        store.lock_seat(s, seat_id=seat.participant_id)
        open_for(s, seat, "vos points n'ont pas été enregistrés", step)
        given = _dots_given(s, seat, source)
        mine = given.get(post_id, 0)
        if points > mine:
            candidates = store.contributions(
                s,
                workshop_id=seat.workshop_id,
                step=source,
                statuses=set(live.SHOWN),
                territory_id=seat.territory_id,
            )
            if not any(r.id == post_id for r in candidates):
                raise WorkshopError("contribution introuvable pour votre territoire")
            left = live.dots_left(given, bound)
            if points - mine > left:
                raise WorkshopError(
                    f"vous avez donné vos {count(bound, 'point')} : retirez-en un d'une autre "
                    "contribution pour le donner à celle-ci"
                    if left <= 0
                    else f"il vous reste {count(left, 'point')} : retirez-en d'une autre "
                    "contribution pour en donner davantage à celle-ci"
                )
        if points > 0 and points != mine:
            store.save_vote(
                s,
                workshop_id=seat.workshop_id,
                participant_id=seat.participant_id,
                kind=live.DOT,
                target=str(post_id),
                value=points,
            )
        elif points == 0 and mine > 0:
            store.delete_vote(
                s, participant_id=seat.participant_id, kind=live.DOT, target=str(post_id)
            )
        given = {k: v for k, v in given.items() if k != post_id}
        if points > 0:
            given[post_id] = points
    return Dots(given, live.dots_left(given, bound), bound)


def dot_tallies(
    engine: Engine, info: WorkshopInfo, programme: Programme, step: int, territories: set[int]
) -> dict[int, pd.DataFrame]:
    """The points of a dots step per territory (live.dot_tally), for the screen: these
    territories only, in the workshop's order of territories."""
    source, _ = _dots_step(programme, step)
    posts = wall(engine, info.id, step=source)
    votes = votes_frame(engine, info.id, {live.DOT})
    names = {p.territory_id: p.territory_name for p in info.places}
    return {
        p.territory_id: live.dot_tally(
            [x for x in posts if x.territory_id == p.territory_id], votes, names
        )
        for p in info.places
        if p.territory_id in territories
    }


# --- the facilitator's placements on the grid ------------------------------------------------


PLACED = "placed"  # Workshop.state key: post id (as text) -> [impact, effort]


def placements(engine: Engine, workshop_id: int) -> dict[int, tuple[float, float]]:
    """Where the facilitator put items on the impact x effort grid, by post id."""
    with read_scope(engine) as s:
        w = store.get_workshop(s, workshop_id=workshop_id)
        found = ((w.state or {}).get(PLACED) or {}) if w is not None else {}
    return {int(k): (float(v[0]), float(v[1])) for k, v in found.items()}


def place(
    engine: Engine,
    actor: Actor,
    workshop_id: int,
    post_id: int,
    position: tuple[float, float] | None,
) -> None:
    """Put an item at (impact, effort) on the grid, or back at the mean of the votes (None)."""
    info = facilitated(engine, actor, workshop_id)
    if not info.open:
        raise WorkshopError("l'atelier est terminé")
    if position is not None:
        try:
            position = live.placement(*position)
        except ValueError as exc:
            raise WorkshopError(str(exc)) from None
    with session_scope(engine) as s:
        _shared(s, workshop_id, post_id)
        w = store.get_workshop(s, workshop_id=workshop_id)
        assert w is not None
        state = dict(w.state or {})
        placed = dict(state.get(PLACED) or {})
        if position is None:
            placed.pop(str(post_id), None)
        else:
            placed[str(post_id)] = list(position)
        store.update_workshop(  # on the screen only: the phones vote, they show no position
            s, workshop_id=workshop_id, state={**state, PLACED: placed}, phones=False
        )


def grid_candidates(
    engine: Engine, actor: Actor, workshop_id: int, programme: Programme, step: int
) -> pd.DataFrame:
    """Every candidate of a grid step for the facilitator's placement controls (checked):
    live.grid_points' columns (the position shown: placed or mean), with the mean of the
    votes beside it (vote_impact, vote_effort: None before a vote)."""
    info = facilitated(engine, actor, workshop_id)
    found = programme.step(step)
    if found.kind != StepKind.GRID:
        raise WorkshopError("cette étape n'est pas une grille")
    posts = wall(engine, info.id, step=programme.index_of(found.source or ""))
    votes = votes_frame(engine, info.id, {live.IMPACT, live.EFFORT})
    points = live.grid_points(posts, votes, placements(engine, info.id))
    means = live.grid_points(posts, votes)
    points["vote_impact"] = means["impact"] if not means.empty else None
    points["vote_effort"] = means["effort"] if not means.empty else None
    return points
