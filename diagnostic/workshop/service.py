"""The live workshop, orchestrated: facilitator actions (checked), participant seats, votes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.accounts.security import hash_token, looks_like_token, new_token
from diagnostic.errors import AccessDenied, DiagnosticError, StoreError
from diagnostic.exports import DAY_FORMAT, local_time
from diagnostic.questionnaire import QuestionnaireError
from diagnostic.questionnaire.codecs import AnswerError, clean_text
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.roadmap import planning
from diagnostic.store import workshops as store
from diagnostic.store.engine import read_connection, read_scope, session_scope
from diagnostic.store.models import Campaign, CampaignStatus, Contribution, Territory, Workshop
from diagnostic.store.models import now as live_now
from diagnostic.vocabulary import ROLE_LABELS, count
from diagnostic.workshop import live, throttle
from diagnostic.workshop.codes import normalize_code, unique_code
from diagnostic.workshop.programme import (
    EDITABLE,
    Programme,
    Step,
    StepKind,
    edited_programme,
    programme_for,
    step_rows,
)

MAX_TITLE = 200


class WorkshopError(DiagnosticError, ValueError):
    """A request the workshop refuses, with a French message for the person."""


@dataclass(frozen=True)
class Place:
    """A territory taking part, through the campaign whose results the workshop shows."""

    campaign_id: int
    campaign_title: str
    territory_id: int
    territory_name: str
    questionnaire_id: str
    questionnaire_version: str


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop and its territories (what does not change during the session)."""

    id: int
    code: str
    title: str
    status: str
    step: int
    step_started_at: datetime | None
    controlled: bool
    focus: int | None  # the territory the screen shows, None for all
    created_at: datetime
    ended_at: datetime | None
    places: tuple[Place, ...]

    @property
    def open(self) -> bool:
        """Open, and still showing at least one campaign (erasing them all ends it)."""
        return self.status == store.OPEN and bool(self.places)

    @property
    def day(self) -> str:
        """The workshop's date as written in the roadmap: « 30/11/2026 »."""
        return local_time(self.created_at).strftime(DAY_FORMAT)

    def place_of(self, territory_id: int | None) -> Place | None:
        return next((p for p in self.places if p.territory_id == territory_id), None)


@dataclass(frozen=True)
class Live:
    """What a refresh needs: the current step, its start, the session's state (one query)."""

    step: int
    step_started_at: datetime | None
    status: str
    controlled: bool
    focus: int | None
    territories: tuple[int, ...] | None = None  # set once a campaign has left the workshop
    timer: live.Timer = live.Timer()  # pause, minutes added (issue 20)
    revealed: frozenset[str] = frozenset()  # vote steps (ids) whose results the screen shows
    revision: int = 0  # the workshop's programme: +1 at each edit (pages built on it redraw)
    changes: int = 0  # +1 at each change the room must see (the push watcher compares it)
    phone_changes: int = 0  # +1 at each change every phone shows (not a highlight nor a group)

    @property
    def open(self) -> bool:
        return self.status == store.OPEN

    def shows_results(self, step: Step) -> bool:
        """Whether the screen shows this step's results: always, except on vote steps (re-vote,
        grid), where the facilitator reveals them once the room has voted."""
        return step.kind not in live.REVEALED_KINDS or step.id in self.revealed

    def stale(self, info: WorkshopInfo) -> bool:
        """Whether a page built on `info` shows a territory whose campaign has since been
        erased (it must then be built again, without it)."""
        if self.territories is None:
            return False
        return {p.territory_id for p in info.places} != set(self.territories)


@dataclass(frozen=True)
class Seat:
    """A participant's place in a workshop, opened by the token of their link."""

    participant_id: int
    workshop_id: int
    nickname: str
    territory_id: int | None
    role: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role or "", self.role or "")


@dataclass(frozen=True)
class Created:
    workshop_id: int
    code: str
    screen_token: str


@dataclass(frozen=True)
class SendReport:
    """Commitments written into roadmaps, by territory name; those without a territory; those
    left unsent because nobody chose their roadmap axis (never a default axis)."""

    sent: dict[str, int]
    skipped: int
    unassigned: int = 0


# --- facilitator -------------------------------------------------------------------------------


def runnable_campaigns(engine: Engine, actor: Actor) -> list[Place]:
    """Campaigns on the territories where the actor may run a workshop (not drafts)."""
    if not actor.is_user:
        return []
    with read_scope(engine) as s:
        rows = store.campaigns_with_territory(s, exclude_status=CampaignStatus.DRAFT)
    return [_place(c, t) for c, t in rows if can(actor, Action.WORKSHOP_RUN, territory_id=t.id)]


def _place(campaign: Campaign, territory: Territory) -> Place:
    assert campaign.id is not None and territory.id is not None
    return Place(
        campaign.id,
        campaign.title,
        territory.id,
        territory.name,
        campaign.questionnaire_id,
        campaign.questionnaire_version,
    )


def create(
    engine: Engine, actor: Actor, *, title: str, campaign_ids: list[int], controlled: bool
) -> Created:
    """Open a workshop on campaigns the actor may run; returns its code and the screen link."""
    title = clean_text(title or "", MAX_TITLE) or "Et demain sur mon territoire ?"
    allowed = {p.campaign_id for p in runnable_campaigns(engine, actor)}
    if not campaign_ids:
        raise WorkshopError("choisissez au moins une campagne")
    if not set(campaign_ids) <= allowed:
        raise AccessDenied("campagne introuvable ou inaccessible")
    token = new_token()
    with session_scope(engine) as s:
        code = unique_code(lambda c: store.code_taken(s, code=c))
        try:
            workshop = store.create_workshop(
                s,
                title=title,
                code=code,
                screen_token_hash=hash_token(token),
                campaign_ids=campaign_ids,
                facilitator_id=actor.user_id,
                controlled=controlled,
                actor=actor.label(),
            )
        except StoreError as exc:
            raise WorkshopError(str(exc)) from None
        assert workshop.id is not None
        return Created(workshop.id, code, token)


def _info(s: object, workshop: Workshop) -> WorkshopInfo:
    assert workshop.id is not None
    places = tuple(_place(c, t) for c, t in store.linked(s, workshop_id=workshop.id))  # type: ignore[arg-type]
    return WorkshopInfo(
        id=workshop.id,
        code=workshop.code,
        title=workshop.title,
        status=workshop.status,
        step=workshop.step,
        step_started_at=workshop.step_started_at,
        controlled=workshop.controlled,
        focus=(workshop.state or {}).get("focus"),
        created_at=workshop.created_at,
        ended_at=workshop.ended_at,
        places=places,
    )


def _may_run(actor: Actor, info: WorkshopInfo) -> bool:
    """A role on each of the workshop's territories; a workshop whose campaigns were all
    erased has none, and nobody runs it (`all()` over an empty list would say yes)."""
    return (
        actor.is_user
        and bool(info.places)
        and all(can(actor, Action.WORKSHOP_RUN, territory_id=p.territory_id) for p in info.places)
    )


def workshops(engine: Engine, actor: Actor) -> list[WorkshopInfo]:
    """The workshops the actor may run, open ones first, newest first."""
    if not actor.is_user:
        return []
    ids = None if actor.is_admin else actor.territories(Action.WORKSHOP_RUN)
    with read_scope(engine) as s:
        found = [_info(s, w) for w in store.workshops_on(s, territory_ids=ids)]
    return sorted((w for w in found if _may_run(actor, w)), key=lambda w: not w.open)


def facilitated(engine: Engine, actor: Actor, workshop_id: int) -> WorkshopInfo:
    """The workshop, when the actor may run it (a membership on each of its territories)."""
    with read_scope(engine) as s:
        workshop = store.get_workshop(s, workshop_id=workshop_id)
        info = _info(s, workshop) if workshop else None
    if info is None or not _may_run(actor, info):
        raise AccessDenied("atelier introuvable ou inaccessible")
    return info


def live_state(engine: Engine, workshop_id: int) -> Live | None:
    """The one small query of every refresh (screen, phones, console)."""
    return live_states(engine, [workshop_id]).get(workshop_id)


def live_states(engine: Engine, workshop_ids: Iterable[int]) -> dict[int, Live]:
    """The live state of several workshops in one query (the push watcher's, four times a
    second); a workshop gone is absent."""
    with read_connection(engine) as connection:
        rows = store.live_rows(connection, workshop_ids=workshop_ids)
    return {workshop_id: _live(row) for workshop_id, row in rows.items()}


def _live(row: store.LiveRow) -> Live:
    step, started, status, controlled, state, changes, phone_changes = row
    state = state or {}
    territories = state.get("territories")
    return Live(
        step,
        started,
        status,
        bool(controlled),
        state.get("focus"),
        tuple(territories) if territories is not None else None,
        live.Timer.from_state(state.get("timer")),
        frozenset(str(i) for i in state.get("revealed") or ()),
        int(state.get("programme_rev") or 0),
        int(changes or 0),
        int(phone_changes or 0),
    )


def seat_changes(engine: Engine, seat_ids: Iterable[int]) -> dict[int, int]:
    """The change counters of these seats (one small query)."""
    with read_connection(engine) as connection:
        return store.seat_changes(connection, seat_ids=seat_ids)


def _update(engine: Engine, actor: Actor, workshop_id: int, **fields: object) -> None:
    info = facilitated(engine, actor, workshop_id)
    if not info.open:
        raise WorkshopError("l'atelier est terminé")
    with session_scope(engine) as s:
        store.update_workshop(s, workshop_id=workshop_id, **fields)


def _change_state(
    engine: Engine, actor: Actor, workshop_id: int, changes: dict[str, object], **fields: object
) -> None:
    info = facilitated(engine, actor, workshop_id)
    if not info.open:
        raise WorkshopError("l'atelier est terminé")
    with session_scope(engine) as s:
        store.update_state(s, workshop_id=workshop_id, changes=changes, **fields)


FRESH_TIMER = live.Timer().to_state()


def go_to(engine: Engine, actor: Actor, workshop_id: int, index: int, programme: Programme) -> None:
    """Move the room to a step; its countdown starts now, running (a pause ends with its step)."""
    index = max(0, min(index, programme.last))
    _change_state(
        engine, actor, workshop_id, {"timer": FRESH_TIMER}, step=index, step_started_at=live_now()
    )


def restart_timer(engine: Engine, actor: Actor, workshop_id: int) -> None:
    """The step's countdown from its full duration again, running."""
    _change_state(engine, actor, workshop_id, {"timer": FRESH_TIMER}, step_started_at=live_now())


def _timer(
    engine: Engine, actor: Actor, workshop_id: int, change: Callable[[Live], live.Timer]
) -> None:
    now = live_state(engine, workshop_id)
    if now is None:
        raise WorkshopError("atelier introuvable")
    _change_state(engine, actor, workshop_id, {"timer": change(now).to_state()})


def pause_timer(engine: Engine, actor: Actor, workshop_id: int) -> None:
    """Freeze the countdown on the console, the screen and the phones (« En pause »)."""
    _timer(engine, actor, workshop_id, lambda now: live.pause(now.timer, live_now()))


def resume_timer(engine: Engine, actor: Actor, workshop_id: int) -> None:
    _timer(engine, actor, workshop_id, lambda now: live.resume(now.timer, live_now()))


def add_minute(engine: Engine, actor: Actor, workshop_id: int, programme: Programme) -> None:
    """One more minute on the current step's countdown (again and again if need be)."""
    _timer(
        engine,
        actor,
        workshop_id,
        lambda now: live.add_time(
            now.step_started_at, programme.step(now.step).seconds, live_now(), now.timer
        ),
    )


def reveal(engine: Engine, actor: Actor, workshop_id: int, step_id: str, shown: bool) -> None:
    """Show (or hide again) a vote step's results on the screen; stored by step id, so that a
    reordered programme keeps what was revealed."""
    now = live_state(engine, workshop_id)
    if now is None:
        raise WorkshopError("atelier introuvable")
    revealed = (now.revealed | {step_id}) if shown else (now.revealed - {step_id})
    _change_state(engine, actor, workshop_id, {"revealed": sorted(revealed)})


def set_controlled(engine: Engine, actor: Actor, workshop_id: int, controlled: bool) -> None:
    """Controlled mode: new posts wait in the inbox until the facilitator accepts them."""
    _update(engine, actor, workshop_id, controlled=controlled)


def set_focus(engine: Engine, actor: Actor, workshop_id: int, territory_id: int | None) -> None:
    """Show one territory on the screen, or all of them (None)."""
    info = facilitated(engine, actor, workshop_id)
    if territory_id is not None and info.place_of(territory_id) is None:
        raise WorkshopError("ce territoire ne participe pas à l'atelier")
    with session_scope(engine) as s:
        store.update_state(  # the screen's focus: no phone shows it
            s, workshop_id=workshop_id, changes={"focus": territory_id}, phones=False
        )


def reissue_screen(engine: Engine, actor: Actor, workshop_id: int) -> str:
    """A new screen link (?ecran=); the previous one stops working."""
    info = facilitated(engine, actor, workshop_id)
    if not info.open:
        raise WorkshopError("l'atelier est terminé")
    token = new_token()
    with session_scope(engine) as s:
        store.set_screen_token(
            s, workshop_id=workshop_id, token_hash=hash_token(token), actor=actor.label()
        )
    return token


def screen(engine: Engine, token: str | None) -> WorkshopInfo | None:
    """The open workshop a screen link shows, or None."""
    if not looks_like_token(token):
        return None
    assert token is not None
    with read_scope(engine) as s:
        w = store.workshop_by_screen(s, token_hash=hash_token(token))
        info = _info(s, w) if w is not None and w.status == store.OPEN else None
    return info if info is not None and info.open else None


# --- moderation --------------------------------------------------------------------------------


POST_FIELDS = (
    "id",
    "step",
    "text",
    "nickname",
    "role",
    "territory_id",
    "status",
    "group_label",
    "retained",
    "dimension",
    "created_at",
    "participant_id",
    "roadmap_item_id",
)


def _post_of(row: dict[str, Any]) -> live.Post:
    """A post from a plain row (store.post_rows)."""
    return live.Post(**{name: row[name] for name in POST_FIELDS})


def _post(row: Contribution) -> live.Post:
    assert row.id is not None
    return live.Post(**{name: getattr(row, name) for name in POST_FIELDS})


def inbox(
    engine: Engine, actor: Actor, workshop_id: int, step: int | None = None
) -> list[live.Post]:
    """Every shared post of the workshop (private notes excluded), for moderation."""
    facilitated(engine, actor, workshop_id)
    with read_scope(engine) as s:
        rows = store.contributions(
            s, workshop_id=workshop_id, step=step, statuses=set(live.MODERATION)
        )
        return [_post(r) for r in rows]


def wall(
    engine: Engine, workshop_id: int, *, step: int, territory_id: int | None = None
) -> list[live.Post]:
    """The posts shown to the room at a step (public to whoever holds the code)."""
    with read_connection(engine) as connection:
        rows = store.post_rows(
            connection,
            workshop_id=workshop_id,
            step=step,
            statuses=set(live.SHOWN),
            territory_id=territory_id,
        )
    return [_post_of(r) for r in rows]


def moderate(engine: Engine, actor: Actor, workshop_id: int, post_id: int, status: str) -> None:
    """Accept (show), highlight, hide or send back to the inbox a post."""
    if status not in live.MODERATION:
        raise WorkshopError(f"état inconnu : {status}")
    facilitated(engine, actor, workshop_id)
    fields: dict[str, object] = {"status": status}
    if status == live.HIDDEN:
        fields["retained"] = False  # a hidden post is not a commitment
    with session_scope(engine) as s:
        _shared(s, workshop_id, post_id)
        store.update_contribution(s, workshop_id=workshop_id, contribution_id=post_id, **fields)


def _shared(s: object, workshop_id: int, post_id: int) -> Contribution:
    row = store.get_contribution(s, workshop_id=workshop_id, contribution_id=post_id)  # type: ignore[arg-type]
    if row is None or row.status == live.PRIVATE:
        raise WorkshopError("contribution introuvable dans cet atelier")
    return row


def set_group(engine: Engine, actor: Actor, workshop_id: int, post_id: int, label: str) -> None:
    """Gather a post under a label (an empty label ungroups it)."""
    text = clean_text(label or "", live.MAX_GROUP_LABEL) or None
    facilitated(engine, actor, workshop_id)
    with session_scope(engine) as s:
        _shared(s, workshop_id, post_id)
        store.update_contribution(
            s, workshop_id=workshop_id, contribution_id=post_id, group_label=text
        )


def retain(
    engine: Engine,
    actor: Actor,
    workshop_id: int,
    post_id: int,
    *,
    retained: bool,
    dimension: str | None = None,
) -> None:
    """Mark a post as a commitment for its territory's roadmap (it is shown on screen)."""
    facilitated(engine, actor, workshop_id)
    with session_scope(engine) as s:
        row = _shared(s, workshop_id, post_id)
        fields: dict[str, object] = {"retained": retained}
        if retained and row.status not in live.SHOWN:
            fields["status"] = live.VISIBLE
        if dimension is not None:
            fields["dimension"] = dimension
        store.update_contribution(s, workshop_id=workshop_id, contribution_id=post_id, **fields)


def dimensions_of(questions_dir: Path, place: Place) -> dict[str, str]:
    """The roadmap axes of a territory's questionnaire, id -> title."""
    q = get_questionnaire(questions_dir, place.questionnaire_id, place.questionnaire_version)
    return {d.id: d.title for d in q.dimensions}


def seat_axes(engine: Engine, seat: Seat, questions_dir: Path) -> dict[str, str]:
    """The roadmap axes a participant's commitment may go to: those of their territory's
    questionnaire in this workshop (none when the territory has left it)."""
    info = find_by_id(engine, seat.workshop_id)
    place = info.place_of(seat.territory_id) if info is not None else None
    return dimensions_of(questions_dir, place) if place is not None else {}


def send_commitments(
    engine: Engine,
    actor: Actor,
    workshop_id: int,
    programme: Programme,
    questions_dir: Path,
) -> SendReport:
    """Write each retained commitment into its territory's roadmap draft as a proposal.

    Idempotent: a commitment already sent is not sent again.
    """
    info = facilitated(engine, actor, workshop_id)
    steps = {i for i, s in enumerate(programme.steps) if s.kind == StepKind.COMMITMENTS}
    with session_scope(engine) as s:
        rows = [
            r
            for r in store.contributions(s, workshop_id=workshop_id, statuses=set(live.SHOWN))
            if r.retained and r.roadmap_item_id is None and r.step in steps
        ]
        todo = [_post(r) for r in rows]
    sent: dict[str, int] = {}
    skipped = unassigned = 0
    for post in todo:
        place = info.place_of(post.territory_id)
        if place is None:
            skipped += 1
            continue
        dimension = live.axis_of(post.dimension, dimensions_of(questions_dir, place))
        if dimension is None:  # the facilitator chooses it on the console, then sends again
            unassigned += 1
            continue
        item_id = planning.add(
            engine,
            actor,
            place.campaign_id,
            origin="atelier",
            title=live.commitment_title(post.text),
            dimension=dimension,
            description=f"Issu de l'atelier du {info.day} : {post.text}",
            status="proposed",
        )
        with session_scope(engine) as s:
            store.update_contribution(
                s, workshop_id=workshop_id, contribution_id=post.id, roadmap_item_id=item_id
            )
        sent[place.territory_name] = sent.get(place.territory_name, 0) + 1
    return SendReport(sent, skipped, unassigned)


def end(
    engine: Engine, actor: Actor, workshop_id: int, programme: Programme, questions_dir: Path
) -> SendReport:
    """Close the session and send the retained commitments to the roadmaps."""
    info = facilitated(engine, actor, workshop_id)
    report = send_commitments(engine, actor, workshop_id, programme, questions_dir)
    if info.open:
        with session_scope(engine) as s:
            store.end_workshop(
                s,
                workshop_id=workshop_id,
                actor=actor.label(),
                commitments=sum(report.sent.values()),
            )
    return report


# --- participants ------------------------------------------------------------------------------


def find(engine: Engine, code: str | None) -> WorkshopInfo | None:
    """The workshop of a join code (open or ended), or None for an unknown code."""
    normal = normalize_code(code)
    if normal is None:
        return None
    with read_scope(engine) as s:
        w = store.workshop_by_code(s, code=normal)
        return _info(s, w) if w is not None else None


def join(
    engine: Engine, code: str, *, nickname: str, territory_id: int | None, role: str | None
) -> tuple[Seat, str]:
    """Take a seat in an open workshop; returns it and the token kept in the participant's URL."""
    info = find(engine, code)
    if info is None:
        raise WorkshopError("code d'atelier inconnu")
    if not info.open:
        raise WorkshopError("cet atelier est terminé")
    name = clean_text(nickname or "", live.MAX_NICKNAME)
    if not name:
        raise WorkshopError("choisissez un pseudonyme (un prénom suffit)")
    if info.place_of(territory_id) is None:
        raise WorkshopError("choisissez votre territoire dans la liste")
    if role is None or not role.strip():  # as the join form: each person gives their function
        raise WorkshopError("choisissez votre fonction dans la liste")
    if role not in ROLE_LABELS:
        raise WorkshopError(f"fonction inconnue : {role}")
    token = new_token()
    with session_scope(engine) as s:
        row = store.add_seat(
            s,
            workshop_id=info.id,
            token_hash=hash_token(token),
            nickname=name,
            territory_id=territory_id,
            role=role,
        )
        assert row.id is not None
        return Seat(row.id, info.id, name, territory_id, role), token


def change_territory(engine: Engine, seat: Seat, territory_id: int | None) -> Seat:
    """Move a seat to another territory of its workshop, as long as it has neither posted
    nor voted (someone who joined the wrong territory corrects it before taking part)."""
    info = find_by_id(engine, seat.workshop_id)
    if info is None or not info.open:
        raise WorkshopError("cet atelier est terminé")
    if info.place_of(territory_id) is None:
        raise WorkshopError("choisissez votre territoire dans la liste")
    assert territory_id is not None
    with session_scope(engine) as s:
        _own_seat(s, seat)
        if not store.move_seat(s, seat_id=seat.participant_id, territory_id=territory_id):
            raise WorkshopError(
                "vous avez déjà écrit ou voté pour votre territoire : le changer n'est plus "
                "possible, demandez à l'animation"
            )
    return Seat(seat.participant_id, seat.workshop_id, seat.nickname, territory_id, seat.role)


def find_by_id(engine: Engine, workshop_id: int) -> WorkshopInfo | None:
    """A workshop by its id (open or ended), or None."""
    with read_scope(engine) as s:
        w = store.get_workshop(s, workshop_id=workshop_id)
        return _info(s, w) if w is not None else None


def seat(engine: Engine, workshop_id: int, token: str | None) -> Seat | None:
    """The seat a participant's token opens in this workshop, or None."""
    if not looks_like_token(token):
        return None
    assert token is not None
    with read_scope(engine) as s:
        row = store.linked_seat(s, token_hash=hash_token(token))
        if row is None or row.workshop_id != workshop_id or row.id is None:
            return None
        return Seat(row.id, row.workshop_id, row.nickname, row.territory_id, row.role)


def code_of_seat(engine: Engine, token: str | None) -> str | None:
    """The code of the workshop a seat token belongs to (a valid seat link needs no code
    check: its 32 random bytes cannot be guessed), or None."""
    if not looks_like_token(token):
        return None
    assert token is not None
    with read_scope(engine) as s:
        row = store.seat_by_token(s, token_hash=hash_token(token))
        w = store.get_workshop(s, workshop_id=row.workshop_id) if row is not None else None
        return w.code if w is not None else None


def _own_seat(s: object, seat: Seat) -> None:
    """Refuse a Seat that does not match its stored row (one built by hand, not by `seat`),
    or whose territory no longer takes part (its campaign was erased)."""
    row = store.get_seat(s, seat_id=seat.participant_id)  # type: ignore[arg-type]
    if (
        row is None
        or row.workshop_id != seat.workshop_id
        or row.territory_id != seat.territory_id
        or row.nickname != seat.nickname
        or not store.territory_linked(
            s,  # type: ignore[arg-type]
            workshop_id=row.workshop_id,
            territory_id=row.territory_id,
        )
    ):
        raise AccessDenied("place introuvable dans cet atelier")


def open_for(s: object, seat: Seat, not_done: str, step: int | None = None) -> Workshop:
    """The seat's workshop, in a participant's write: the seat checked (_own_seat), the
    workshop still open (else « l'atelier est terminé : `not_done` ») and, with `step`, that
    step already begun."""
    _own_seat(s, seat)
    w = store.get_workshop(s, workshop_id=seat.workshop_id)  # type: ignore[arg-type]
    if w is None or w.status != store.OPEN:
        raise WorkshopError(f"l'atelier est terminé : {not_done}")
    if step is not None and step > w.step:
        raise WorkshopError("cette étape n'a pas encore commencé")
    return w


def post(
    engine: Engine,
    seat: Seat,
    programme: Programme,
    *,
    step: int,
    text: str,
    share: bool = False,
    dimension: str | None = None,
    questions_dir: Path | None = None,
    revision: int | None = None,
) -> live.Post:
    """Store a participant's contribution at once (it survives reloads and lost connections).

    With `questions_dir`, a commitment must name one of the roadmap axes of the seat's
    territory (`seat_axes`): it is refused without one, never given a default. With
    `revision` (the one of the programme the page showed), a post written before the
    facilitator reordered the programme is refused rather than filed under another step."""
    body = clean_text(text or "", live.MAX_POST)
    if not body:
        raise WorkshopError("la contribution est vide")
    kind = programme.step(step).kind
    if not programme.step(step).posts:
        raise WorkshopError("cette étape ne reçoit pas de contributions")
    if kind == StepKind.COMMITMENTS and questions_dir is not None:
        axes = seat_axes(engine, seat, questions_dir)
        if axes and dimension not in axes:
            raise WorkshopError("choisissez l'axe de la feuille de route de votre engagement")
    with session_scope(engine) as s:
        w = open_for(s, seat, "votre contribution n'a pas été envoyée", step)
        if revision is not None and revision != int((w.state or {}).get("programme_rev") or 0):
            raise WorkshopError(
                "l'animation vient de modifier le déroulé : votre texte est gardé, renvoyez-le"
            )
        row = store.add_contribution(
            s,
            workshop_id=seat.workshop_id,
            participant_id=seat.participant_id,
            territory_id=seat.territory_id,
            nickname=seat.nickname,
            role=seat.role,
            step=step,
            text=body,
            status=live.initial_status(kind, share=share, controlled=w.controlled),
            dimension=dimension if kind == StepKind.COMMITMENTS else None,
        )
        return _post(row)


def my_posts(engine: Engine, seat: Seat, step: int | None = None) -> list[live.Post]:
    if step is not None:  # a phone's refresh: plain rows
        with read_connection(engine) as connection:
            rows = store.post_rows(
                connection,
                workshop_id=seat.workshop_id,
                step=step,
                participant_id=seat.participant_id,
            )
        return [_post_of(r) for r in rows]
    with read_scope(engine) as s:
        rows = store.contributions(
            s, workshop_id=seat.workshop_id, participant_id=seat.participant_id, step=step
        )
        return [_post(r) for r in rows]


def vote(
    engine: Engine,
    seat: Seat,
    *,
    kind: str,
    target: str,
    value: int,
    campaign_id: int | None = None,
) -> None:
    """A re-vote level on an item, or the impact/effort of a post; a new vote replaces the old."""
    if kind == live.LEVEL:
        if not 1 <= value <= 10 or campaign_id is None:
            raise AnswerError("niveau hors de l'échelle")
    elif kind in {live.IMPACT, live.EFFORT}:
        if value not in live.GRID_SCALE:
            raise AnswerError("valeur hors de l'échelle (1 à 3)")
    else:
        raise AnswerError(f"vote inconnu : {kind}")
    with session_scope(engine) as s:
        open_for(s, seat, "votre vote n'a pas été enregistré")
        if kind == live.LEVEL and not any(
            c.id == campaign_id and t.id == seat.territory_id
            for c, t in store.linked(s, workshop_id=seat.workshop_id)
        ):
            raise AccessDenied("campagne introuvable dans cet atelier pour votre territoire")
        if kind != live.LEVEL:
            rows = store.contributions(
                s,
                workshop_id=seat.workshop_id,
                statuses=set(live.SHOWN),
                territory_id=seat.territory_id,
            )
            if not any(str(r.id) == target for r in rows):
                raise WorkshopError("chantier introuvable pour votre territoire")
        store.save_vote(
            s,
            workshop_id=seat.workshop_id,
            participant_id=seat.participant_id,
            kind=kind,
            target=target,
            value=value,
            campaign_id=campaign_id,
        )


def my_votes(engine: Engine, seat: Seat) -> dict[tuple[str, str], int]:
    with read_scope(engine) as s:
        return store.votes_of(s, participant_id=seat.participant_id)


def votes_frame(engine: Engine, workshop_id: int, kinds: set[str] | None = None) -> pd.DataFrame:
    """Votes of a workshop: kind, target, value, campaign_id, territory_id (no voter)."""
    with read_scope(engine) as s:
        rows = store.votes(s, workshop_id=workshop_id, kinds=kinds)
    return pd.DataFrame(
        [(v.kind, v.target, v.value, v.campaign_id, t) for v, t in rows],
        columns=["kind", "target", "value", "campaign_id", "territory_id"],
    )


def private_counts(engine: Engine, workshop_id: int) -> dict[int, int]:
    """How many personal notes stayed private, by step (their text never leaves the phone)."""
    with read_scope(engine) as s:
        return store.status_counts(s, workshop_id=workshop_id, status=live.PRIVATE)


@dataclass(frozen=True)
class StepCounts:
    """Who took part in a step, for the facilitator: « 12 votes sur 15 »."""

    seats: int  # participants in the room
    posts: int  # texts posted at the step (private notes counted, never shown)
    authors: int  # participants who posted at least one
    voters: int  # participants who voted at least once (re-vote, grid, points)


STEP_VOTES = {
    StepKind.REVOTE: {live.LEVEL},
    StepKind.GRID: {live.IMPACT, live.EFFORT},
    StepKind.DOTS: {live.DOT},
}


def step_counts(
    engine: Engine, actor: Actor, workshop_id: int, step: int, programme: Programme
) -> StepCounts:
    """The counts of one step (facilitators only): two small queries per refresh."""
    facilitated(engine, actor, workshop_id)
    kinds = STEP_VOTES.get(programme.step(step).kind)
    with read_scope(engine) as s:
        seats = sum(store.seat_counts(s, workshop_id=workshop_id).values())
        posts, authors = store.step_activity(s, workshop_id=workshop_id, step=step)
        voters = store.voter_count(s, workshop_id=workshop_id, kinds=kinds) if kinds else 0
    return StepCounts(seats, posts, authors, voters)


def vote_progress(engine: Engine, workshop_id: int, kind: StepKind) -> tuple[int, int]:
    """How many of the room voted at a vote step, and the room's size: what the screen shows
    (« 12 votes sur 15 ») while the results wait to be revealed. Counts only, no voter."""
    kinds = STEP_VOTES.get(kind)
    with read_scope(engine) as s:
        seats = sum(store.seat_counts(s, workshop_id=workshop_id).values())
        voters = store.voter_count(s, workshop_id=workshop_id, kinds=kinds) if kinds else 0
    return voters, seats


def seat_counts(engine: Engine, workshop_id: int) -> dict[int | None, int]:
    with read_scope(engine) as s:
        return store.seat_counts(s, workshop_id=workshop_id)


# --- what the pages open -----------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """What a join code opens: the workshop (None: unknown code), or a wait in seconds when
    this browser or its address met too many wrong codes lately (nothing was looked up)."""

    info: WorkshopInfo | None
    wait: float = 0.0


def open_code(
    engine: Engine,
    code: str | None,
    tries: throttle.Tries,
    *,
    seat_token: str | None,
    source: str | None,
) -> Opening:
    """The workshop of a code typed on a phone, throttled (diagnostic.workshop.throttle): a
    code this browser opened already, or the one of its seat link, is never held back."""
    if code is None:  # not even the shape of a code: the database is not asked
        return Opening(None)
    trusted = code in tries.opened or code_of_seat(engine, seat_token) == code
    now = throttle.clock()
    wait = 0.0 if trusted else tries.wait(source, now)
    if wait:
        return Opening(None, wait)
    found = find(engine, code)
    if found is not None:
        tries.opened.add(code)
    else:
        tries.failed(code, source, now)
    return Opening(found)


def projected(engine: Engine, actor: Actor, wanted: int | None) -> WorkshopInfo | None:
    """The open workshop a facilitator's screen shows: the one of their console (`wanted`),
    else the first they may run, else None."""
    mine = [w for w in workshops(engine, actor) if w.open]
    return next((w for w in mine if w.id == wanted), mine[0] if mine else None)


def seconds_left(now: Live, seconds: int) -> int:
    """The countdown of the current step, lasting `seconds` (paused, lengthened: `now.timer`)."""
    return live.remaining_seconds(now.step_started_at, seconds, live_now(), now.timer)


# --- the workshop's programme ------------------------------------------------------------------


def programme_of(engine: Engine, info: WorkshopInfo | None, questions_dir: Path) -> Programme:
    """THE programme of a workshop, for every page and export: its own (edited on the console,
    kept in its state) or else the shipped one (questions/atelier.yaml); the shipped one for
    no workshop. A kept programme that the file no longer validates (it changed since) falls
    back to the shipped one rather than break the room."""
    shipped = programme_for(questions_dir)
    if info is None:
        return shipped
    with read_scope(engine) as s:
        w = store.get_workshop(s, workshop_id=info.id)
        rows = (w.state or {}).get("programme") if w is not None else None
    return _kept(shipped, rows)


def _kept(shipped: Programme, rows: object) -> Programme:
    """The programme kept in a workshop's state (`rows`), or the shipped one."""
    if not rows:
        return shipped
    try:
        return _edited(shipped, json.dumps(rows, sort_keys=True))
    except QuestionnaireError:
        return shipped


_EDITED: dict[str, tuple[Programme, Programme]] = {}


def _edited(shipped: Programme, rows: str) -> Programme:
    """An edited programme, built once per (shipped file, rows): every refresh asks for it."""
    found = _EDITED.get(rows)
    if found is None or found[0] is not shipped:  # the file changed since: built again
        if len(_EDITED) > 64:
            _EDITED.clear()
        found = _EDITED[rows] = (shipped, edited_programme(shipped, json.loads(rows)))
    return found[1]


def programme_rows(engine: Engine, info: WorkshopInfo, questions_dir: Path) -> list[dict[str, Any]]:
    """The editor's rows of a workshop: every step of the shipped programme in the workshop's
    order, with its title, prompt, minutes and whether it was removed."""
    with read_scope(engine) as s:
        w = store.get_workshop(s, workshop_id=info.id)
        rows = (w.state or {}).get("programme") if w is not None else None
    return step_rows(programme_for(questions_dir), rows)


class ProgrammeRefused(WorkshopError):
    """An edited programme refused, with every problem in French (one line each)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ; ".join(problems))
        self.problems = problems


def edit_programme(
    engine: Engine,
    actor: Actor,
    workshop_id: int,
    rows: list[dict[str, Any]] | None,
    questions_dir: Path,
) -> Programme:
    """Give the workshop its own programme (`rows` as `programme_rows` gives them, in the new
    order; None: the shipped programme again), validated like the file.

    Posts keep their step: each post's index is renumbered to its step's new place, and the
    room stays on the step it is on. A step that already has posts, or the current one, cannot
    be removed (its posts would have nowhere to be shown)."""
    info = facilitated(engine, actor, workshop_id)
    if not info.open:
        raise WorkshopError("l'atelier est terminé")
    shipped = programme_for(questions_dir)
    clean = None if rows is None else [_row(r) for r in rows]
    try:
        new = shipped if clean is None else edited_programme(shipped, clean)
    except QuestionnaireError as exc:
        raise ProgrammeRefused([f"{p.message} ({p.fix})" for p in exc.problems]) from None
    with session_scope(engine) as s:
        w = store.locked_workshop(s, workshop_id=workshop_id)  # one edit at a time
        old = _kept(shipped, (w.state or {}).get("programme"))
        posted = store.posts_by_step(s, workshop_id=workshop_id)
        kept = {step.id: i for i, step in enumerate(new.steps)}
        problems = []
        for i, step in enumerate(old.steps):
            if step.id in kept:
                continue
            if i == w.step:
                problems.append(f"« {step.title} » est l'étape en cours : elle reste au déroulé")
            elif posted.get(i):
                problems.append(
                    f"« {step.title} » a déjà {count(posted[i], 'contribution')} : "
                    "elle reste au déroulé"
                )
        if problems:
            raise ProgrammeRefused(problems)
        moves = {i: kept[step.id] for i, step in enumerate(old.steps) if step.id in kept}
        current = old.step(w.step).id
        store.edit_programme(
            s,
            workshop_id=workshop_id,
            steps=clean,
            step=kept.get(current, min(w.step, new.last)),
            moves=moves,
            actor=actor.label(),
        )
    return new


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """One editor row as kept: its id, the editable fields, whether it is removed (a whole
    number of minutes stays a number: the editor's cells may give 3.0)."""
    kept: dict[str, Any] = {"id": str(row.get("id") or "")}
    for key in EDITABLE:
        value = row.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        kept[key] = value
    kept["removed"] = bool(row.get("removed"))
    return kept
