"""Live workshops: sessions, linked campaigns, participant seats, contributions and votes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from diagnostic.errors import StoreError
from diagnostic.store.audit import record
from diagnostic.store.models import (
    Campaign,
    Contribution,
    Territory,
    Workshop,
    WorkshopCampaign,
    WorkshopParticipant,
    WorkshopVote,
    now,
)
from diagnostic.store.rows import inserted, set_fields

OPEN = "open"
ENDED = "ended"
SHOWN_STATUSES = frozenset({"visible", "highlighted"})  # diagnostic.workshop.live.SHOWN
WORKSHOP_FIELDS = {"step", "step_started_at", "controlled", "state", "title"}
CONTRIBUTION_FIELDS = {"status", "group_label", "retained", "dimension", "roadmap_item_id"}


def code_taken(session: Session, *, code: str) -> bool:
    """Codes stay unique for ever: an old code then says « atelier terminé », never another's."""
    return session.exec(select(Workshop.id).where(Workshop.code == code)).first() is not None


def campaigns_with_territory(
    session: Session, *, exclude_status: str | None = None
) -> list[tuple[Campaign, Territory]]:
    """Every campaign with its territory, by territory name then newest first."""
    stmt = select(Campaign, Territory).join(
        Territory, col(Territory.id) == col(Campaign.territory_id)
    )
    if exclude_status is not None:
        stmt = stmt.where(Campaign.status != exclude_status)
    stmt = stmt.order_by(col(Territory.name), col(Campaign.created_at).desc())
    return [(c, t) for c, t in session.exec(stmt)]


def create_workshop(
    session: Session,
    *,
    title: str,
    code: str,
    screen_token_hash: str,
    campaign_ids: list[int],
    facilitator_id: int | None,
    controlled: bool,
    actor: str,
) -> Workshop:
    """A new open workshop linked to its campaigns (one per territory)."""
    if not campaign_ids:
        raise StoreError("choisissez au moins une campagne")
    found = session.exec(select(Campaign).where(col(Campaign.id).in_(campaign_ids))).all()
    if len(found) != len(set(campaign_ids)):
        raise StoreError("campagne introuvable")
    territories = [c.territory_id for c in found]
    if len(set(territories)) != len(territories):
        raise StoreError("une seule campagne par territoire dans un même atelier")
    workshop = Workshop(
        title=title,
        code=code,
        screen_token_hash=screen_token_hash,
        facilitator_id=facilitator_id,
        controlled=controlled,
        status=OPEN,
        step=0,
        step_started_at=now(),
        state={},
    )
    session.add(workshop)
    session.flush()
    assert workshop.id is not None
    for campaign_id in sorted(set(campaign_ids)):
        session.add(WorkshopCampaign(workshop_id=workshop.id, campaign_id=campaign_id))
    record(
        session,
        actor=actor,
        action="workshop.create",
        target=f"workshop:{workshop.id}",
        campaigns=sorted(set(campaign_ids)),
    )
    return workshop


def get_workshop(session: Session, *, workshop_id: int) -> Workshop | None:
    return session.get(Workshop, workshop_id)


def workshop_by_code(session: Session, *, code: str) -> Workshop | None:
    return session.exec(select(Workshop).where(Workshop.code == code)).first()


def workshop_by_screen(session: Session, *, token_hash: str) -> Workshop | None:
    return session.exec(select(Workshop).where(Workshop.screen_token_hash == token_hash)).first()


def linked(session: Session, *, workshop_id: int) -> list[tuple[Campaign, Territory]]:
    """The workshop's campaigns with their territory, by territory name."""
    stmt = (
        select(Campaign, Territory)
        .join(WorkshopCampaign, col(WorkshopCampaign.campaign_id) == col(Campaign.id))
        .join(Territory, col(Territory.id) == col(Campaign.territory_id))
        .where(WorkshopCampaign.workshop_id == workshop_id)
        .order_by(col(Territory.name))
    )
    return [(c, t) for c, t in session.exec(stmt)]


def workshops_on(session: Session, *, territory_ids: set[int] | None) -> list[Workshop]:
    """Workshops whose every linked territory is among `territory_ids` (all when None)."""
    stmt = select(Workshop).order_by(col(Workshop.created_at).desc(), col(Workshop.id).desc())
    workshops = list(session.exec(stmt))
    if territory_ids is None:
        return workshops
    pairs = session.exec(
        select(WorkshopCampaign.workshop_id, Campaign.territory_id).join(
            Campaign, col(Campaign.id) == col(WorkshopCampaign.campaign_id)
        )
    ).all()
    places: dict[int, set[int]] = {}
    for workshop_id, territory_id in pairs:
        places.setdefault(workshop_id, set()).add(territory_id)
    return [w for w in workshops if places.get(w.id or 0) and places[w.id or 0] <= territory_ids]


def changed(session: Session, *, workshop_id: int, phones: bool = True) -> None:
    """Count one more change the room must see at once (the step, the timer, a post shown or
    grouped...): the pages following the workshop are pushed a refresh (pages/_push.py);
    `phones`: every phone shows it too (not a highlight, a group, the screen's focus). Atomic
    increments: two changes at once are two."""
    values: dict[str, Any] = {"changes": col(Workshop.changes) + 1}
    if phones:
        values["phone_changes"] = col(Workshop.phone_changes) + 1
    session.exec(  # type: ignore[call-overload]
        update(Workshop)
        .where(col(Workshop.id) == workshop_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def seat_changed(session: Session, *, seat_id: int) -> None:
    """One of this seat's posts changed by the facilitator: its phone is pushed it."""
    session.exec(  # type: ignore[call-overload]
        update(WorkshopParticipant)
        .where(col(WorkshopParticipant.id) == seat_id)
        .values(changes=col(WorkshopParticipant.changes) + 1)
        .execution_options(synchronize_session=False)
    )


def seat_changes(connection: Connection, *, seat_ids: Iterable[int]) -> dict[int, int]:
    """The change counters of these seats (the push watcher's second query)."""
    ids = sorted(set(seat_ids))
    if not ids:
        return {}
    table = _table(WorkshopParticipant)
    stmt = sa_select(table.c.id, table.c.changes).where(table.c.id.in_(ids))
    return {int(i): int(n or 0) for i, n in connection.execute(stmt)}


LiveRow = tuple[int, Any, str, bool, dict | None, int, int]


def live_rows(connection: Connection, *, workshop_ids: Iterable[int]) -> dict[int, LiveRow]:
    """What every live refresh reads of these workshops (step, its start, status, controlled,
    state, change counter), as plain rows in one query: no ORM entity on the hottest path of
    a room (the push watcher reads those of every workshop followed, four times a second)."""
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    table = _table(Workshop)
    stmt = sa_select(
        table.c.id,
        table.c.step,
        table.c.step_started_at,
        table.c.status,
        table.c.controlled,
        table.c.state,
        table.c.changes,
        table.c.phone_changes,
    ).where(table.c.id.in_(ids))
    return {int(row[0]): tuple(row[1:]) for row in connection.execute(stmt)}  # type: ignore[misc]


def post_rows(
    connection: Connection,
    *,
    workshop_id: int,
    step: int,
    statuses: set[str] | None = None,
    territory_id: int | None = None,
    participant_id: int | None = None,
) -> list[dict[str, Any]]:
    """The same as `contributions` for one step, as plain rows (column -> value), for the
    live pages' refreshes."""
    table = _table(Contribution)
    stmt = sa_select(table).where(table.c.workshop_id == workshop_id, table.c.step == step)
    if statuses is not None:
        stmt = stmt.where(table.c.status.in_(sorted(statuses)))
    if territory_id is not None:
        stmt = stmt.where(table.c.territory_id == territory_id)
    if participant_id is not None:
        stmt = stmt.where(table.c.participant_id == participant_id)
    rows = connection.execute(stmt.order_by(table.c.created_at, table.c.id)).mappings()
    return [dict(r) for r in rows]


def _table(model: type) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def update_workshop(
    session: Session, *, workshop_id: int, phones: bool = True, **fields: Any
) -> Workshop:
    """Some fields of the workshop changed; `phones`: whether the phones show it."""
    workshop = set_fields(session, _workshop(session, workshop_id), fields, WORKSHOP_FIELDS)
    changed(session, workshop_id=workshop_id, phones=phones)
    return workshop


def update_state(
    session: Session,
    *,
    workshop_id: int,
    changes: Mapping[str, Any],
    phones: bool = True,
    **fields: Any,
) -> Workshop:
    """Some keys of the workshop's state (and `fields`) changed together, the row locked
    (PostgreSQL) so that two controls clicked at once never drop each other's key; `phones`:
    whether the phones show the change (`changed`)."""
    workshop = locked_workshop(session, workshop_id=workshop_id)
    set_fields(session, workshop, fields, WORKSHOP_FIELDS)
    workshop.state = {**(workshop.state or {}), **changes}  # a new dict: the change is seen
    session.add(workshop)
    changed(session, workshop_id=workshop_id, phones=phones)
    return workshop


def locked_workshop(session: Session, *, workshop_id: int) -> Workshop:
    """The workshop's row, locked until the transaction ends (PostgreSQL; SQLite writes one
    transaction at a time anyway)."""
    stmt = select(Workshop).where(Workshop.id == workshop_id).with_for_update()
    workshop = session.exec(stmt).first()
    if workshop is None:
        raise StoreError("atelier introuvable")
    return workshop


def posts_by_step(session: Session, *, workshop_id: int) -> dict[int, int]:
    """How many contributions (any state, private notes too) a workshop has, by step."""
    stmt = (
        select(Contribution.step, func.count())
        .where(Contribution.workshop_id == workshop_id)
        .group_by(col(Contribution.step))
    )
    return {int(step): int(n) for step, n in session.exec(stmt)}


def renumber_steps(session: Session, *, workshop_id: int, moves: Mapping[int, int]) -> int:
    """Contributions moved from one step index to another (the programme was reordered), all
    at once: a post never lands on the index another one is leaving. Returns how many moved."""
    moving = {old: new for old, new in moves.items() if old != new}
    if not moving:
        return 0
    rows = session.exec(
        select(Contribution).where(
            Contribution.workshop_id == workshop_id, col(Contribution.step).in_(list(moving))
        )
    ).all()
    for row in rows:
        row.step = moving[row.step]
        session.add(row)
    session.flush()
    return len(rows)


def edit_programme(
    session: Session,
    *,
    workshop_id: int,
    steps: list[dict[str, Any]] | None,
    step: int,
    moves: Mapping[int, int],
    actor: str,
) -> Workshop:
    """The workshop's own programme (`steps`: its rows in order; None: the shipped one again),
    its current step and its posts' steps renumbered to match, in one transaction."""
    workshop = _workshop(session, workshop_id)
    revision = int((workshop.state or {}).get("programme_rev") or 0) + 1
    renumber_steps(session, workshop_id=workshop_id, moves=moves)
    record(
        session,
        actor=actor,
        action="workshop.programme",
        target=f"workshop:{workshop_id}",
        edited=steps is not None,
        moved=sum(1 for old, new in moves.items() if old != new),
    )
    return update_state(
        session,
        workshop_id=workshop_id,
        changes={"programme": steps, "programme_rev": revision},
        step=step,
    )


def set_screen_token(session: Session, *, workshop_id: int, token_hash: str, actor: str) -> None:
    workshop = _workshop(session, workshop_id)
    workshop.screen_token_hash = token_hash
    session.add(workshop)
    record(session, actor=actor, action="workshop.screen_link", target=f"workshop:{workshop_id}")


def end_workshop(session: Session, *, workshop_id: int, actor: str, **details: Any) -> Workshop:
    """Close the session: participants can no longer post; the screen link stops working."""
    workshop = _workshop(session, workshop_id)
    workshop.status = ENDED
    workshop.ended_at = now()
    workshop.screen_token_hash = None
    session.add(workshop)
    record(session, actor=actor, action="workshop.end", target=f"workshop:{workshop_id}", **details)
    changed(session, workshop_id=workshop_id)
    return workshop


def _workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise StoreError("atelier introuvable")
    return workshop


# --- participants -------------------------------------------------------------------------------


def add_seat(
    session: Session,
    *,
    workshop_id: int,
    token_hash: str,
    nickname: str,
    territory_id: int | None,
    role: str | None,
) -> WorkshopParticipant:
    seat = WorkshopParticipant(
        workshop_id=workshop_id,
        token_hash=token_hash,
        nickname=nickname,
        territory_id=territory_id,
        role=role,
    )
    return inserted(session, seat)


def seat_by_token(session: Session, *, token_hash: str) -> WorkshopParticipant | None:
    stmt = select(WorkshopParticipant).where(WorkshopParticipant.token_hash == token_hash)
    return session.exec(stmt).first()


def linked_seat(session: Session, *, token_hash: str) -> WorkshopParticipant | None:
    """The seat of a token, only while its territory still takes part in its workshop (one
    query): a seat left behind by an older campaign erasure opens nothing."""
    stmt = (
        select(WorkshopParticipant)
        .join(
            WorkshopCampaign,
            col(WorkshopCampaign.workshop_id) == col(WorkshopParticipant.workshop_id),
        )
        .join(
            Campaign,
            and_(
                col(Campaign.id) == col(WorkshopCampaign.campaign_id),
                col(Campaign.territory_id) == col(WorkshopParticipant.territory_id),
            ),
        )
        .where(WorkshopParticipant.token_hash == token_hash)
    )
    return session.exec(stmt).first()


def territory_linked(session: Session, *, workshop_id: int, territory_id: int | None) -> bool:
    """Whether a territory takes part in a workshop (through one of its linked campaigns)."""
    if territory_id is None:
        return False
    stmt = (
        select(WorkshopCampaign.campaign_id)
        .join(Campaign, col(Campaign.id) == col(WorkshopCampaign.campaign_id))
        .where(WorkshopCampaign.workshop_id == workshop_id, Campaign.territory_id == territory_id)
    )
    return session.exec(stmt).first() is not None


def move_seat(session: Session, *, seat_id: int, territory_id: int) -> bool:
    """Put a seat on another territory while it has neither posted nor voted (its posts and
    votes carry its territory); False, and nothing changed, once it has."""
    seat = session.get(WorkshopParticipant, seat_id)
    if seat is None:
        return False
    wrote = select(Contribution.id).where(Contribution.participant_id == seat_id).limit(1)
    voted = select(WorkshopVote.id).where(WorkshopVote.participant_id == seat_id).limit(1)
    if session.exec(wrote).first() is not None or session.exec(voted).first() is not None:
        return False
    seat.territory_id = territory_id
    session.add(seat)
    session.flush()
    return True


def step_activity(session: Session, *, workshop_id: int, step: int) -> tuple[int, int]:
    """How many posts a step received (private notes included: counted, never read) and
    from how many participants."""
    stmt = select(
        func.count(col(Contribution.id)), func.count(func.distinct(Contribution.participant_id))
    ).where(Contribution.workshop_id == workshop_id, Contribution.step == step)
    posts, authors = session.exec(stmt).one()
    return int(posts or 0), int(authors or 0)


def voter_count(session: Session, *, workshop_id: int, kinds: set[str]) -> int:
    """How many participants cast at least one vote of these kinds."""
    stmt = select(func.count(func.distinct(WorkshopVote.participant_id))).where(
        WorkshopVote.workshop_id == workshop_id, col(WorkshopVote.kind).in_(kinds)
    )
    return int(session.exec(stmt).one() or 0)


def get_seat(session: Session, *, seat_id: int) -> WorkshopParticipant | None:
    return session.get(WorkshopParticipant, seat_id)


def seat_counts(session: Session, *, workshop_id: int) -> dict[int | None, int]:
    """How many people joined, by territory."""
    stmt = (
        select(WorkshopParticipant.territory_id, func.count())
        .where(WorkshopParticipant.workshop_id == workshop_id)
        .group_by(col(WorkshopParticipant.territory_id))
    )
    return {t: int(n) for t, n in session.exec(stmt)}


# --- contributions ------------------------------------------------------------------------------


def add_contribution(
    session: Session,
    *,
    workshop_id: int,
    participant_id: int | None,
    territory_id: int | None,
    nickname: str,
    role: str | None,
    step: int,
    text: str,
    status: str,
    dimension: str | None = None,
) -> Contribution:
    row = Contribution(
        workshop_id=workshop_id,
        participant_id=participant_id,
        territory_id=territory_id,
        nickname=nickname,
        role=role,
        step=step,
        text=text,
        status=status,
        dimension=dimension,
    )
    return inserted(session, row)


def contributions(
    session: Session,
    *,
    workshop_id: int,
    step: int | None = None,
    statuses: set[str] | None = None,
    territory_id: int | None = None,
    participant_id: int | None = None,
) -> list[Contribution]:
    """Contributions of a workshop, oldest first, filtered as asked (one indexed query)."""
    stmt = select(Contribution).where(Contribution.workshop_id == workshop_id)
    if step is not None:
        stmt = stmt.where(Contribution.step == step)
    if statuses is not None:
        stmt = stmt.where(col(Contribution.status).in_(statuses))
    if territory_id is not None:
        stmt = stmt.where(Contribution.territory_id == territory_id)
    if participant_id is not None:
        stmt = stmt.where(Contribution.participant_id == participant_id)
    return list(session.exec(stmt.order_by(col(Contribution.created_at), col(Contribution.id))))


def status_counts(session: Session, *, workshop_id: int, status: str) -> dict[int, int]:
    """How many contributions of a workshop are in a state, by step."""
    stmt = (
        select(Contribution.step, func.count())
        .where(Contribution.workshop_id == workshop_id, Contribution.status == status)
        .group_by(col(Contribution.step))
    )
    return {int(step): int(n) for step, n in session.exec(stmt)}


def get_contribution(
    session: Session, *, workshop_id: int, contribution_id: int
) -> Contribution | None:
    row = session.get(Contribution, contribution_id)
    return row if row is not None and row.workshop_id == workshop_id else None


def update_contribution(
    session: Session, *, workshop_id: int, contribution_id: int, **fields: Any
) -> Contribution:
    row = get_contribution(session, workshop_id=workshop_id, contribution_id=contribution_id)
    if row is None:
        raise StoreError("contribution introuvable dans cet atelier")
    was_shown = row.status in SHOWN_STATUSES
    retained = row.retained
    row = set_fields(session, row, fields, CONTRIBUTION_FIELDS)
    # the phones show a post shown or hidden, or retained (their walls, their points, their
    # grid); its author's phone shows all its states (a highlight, a group)
    phones = (row.status in SHOWN_STATUSES) != was_shown or row.retained != retained
    changed(session, workshop_id=workshop_id, phones=phones)
    if row.participant_id is not None:
        seat_changed(session, seat_id=row.participant_id)
    return row


# --- votes --------------------------------------------------------------------------------------


def save_vote(
    session: Session,
    *,
    workshop_id: int,
    participant_id: int,
    kind: str,
    target: str,
    value: int,
    campaign_id: int | None = None,
) -> None:
    """One vote per participant, kind and target: a new vote replaces the previous one."""
    row = session.exec(
        select(WorkshopVote).where(
            WorkshopVote.participant_id == participant_id,
            WorkshopVote.kind == kind,
            WorkshopVote.target == target,
        )
    ).first()
    if row is None:
        row = WorkshopVote(
            workshop_id=workshop_id,
            participant_id=participant_id,
            kind=kind,
            target=target,
            campaign_id=campaign_id,
            value=value,
        )
    else:
        row.value = value
        row.updated_at = now()
    session.add(row)


def lock_seat(session: Session, *, seat_id: int) -> WorkshopParticipant | None:
    """A seat read for update: two tabs of the same participant giving points at once queue
    here on PostgreSQL, so that the second sees the first's points (SQLite writes one at a
    time anyway)."""
    stmt = select(WorkshopParticipant).where(WorkshopParticipant.id == seat_id).with_for_update()
    return session.exec(stmt).first()


def votes_on(
    session: Session, *, participant_id: int, kind: str, targets: set[str]
) -> dict[str, int]:
    """A participant's votes of one kind on these targets, by target."""
    if not targets:
        return {}
    stmt = select(WorkshopVote).where(
        WorkshopVote.participant_id == participant_id,
        WorkshopVote.kind == kind,
        col(WorkshopVote.target).in_(targets),
    )
    return {v.target: v.value for v in session.exec(stmt)}


def delete_vote(session: Session, *, participant_id: int, kind: str, target: str) -> None:
    session.exec(
        delete(WorkshopVote).where(
            col(WorkshopVote.participant_id) == participant_id,
            col(WorkshopVote.kind) == kind,
            col(WorkshopVote.target) == target,
        )
    )


def votes(
    session: Session, *, workshop_id: int, kinds: set[str] | None = None
) -> list[tuple[WorkshopVote, int | None]]:
    """Every vote of a workshop with the voter's territory."""
    stmt = (
        select(WorkshopVote, WorkshopParticipant.territory_id)
        .join(WorkshopParticipant, col(WorkshopParticipant.id) == col(WorkshopVote.participant_id))
        .where(WorkshopVote.workshop_id == workshop_id)
    )
    if kinds is not None:
        stmt = stmt.where(col(WorkshopVote.kind).in_(kinds))
    return [(v, t) for v, t in session.exec(stmt.order_by(col(WorkshopVote.id)))]


def votes_of(session: Session, *, participant_id: int) -> dict[tuple[str, str], int]:
    """A participant's own votes, by (kind, target)."""
    stmt = select(WorkshopVote).where(WorkshopVote.participant_id == participant_id)
    return {(v.kind, v.target): v.value for v in session.exec(stmt)}


# --- erasure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopErasure:
    """What an erasure removed (or, on a dry run, would remove) from workshops."""

    seats: int = 0
    posts: int = 0  # contributions, private notes included
    votes: int = 0

    def __add__(self, other: WorkshopErasure) -> WorkshopErasure:
        return WorkshopErasure(
            self.seats + other.seats, self.posts + other.posts, self.votes + other.votes
        )

    @property
    def total(self) -> int:
        return self.seats + self.posts + self.votes


def _erase(
    session: Session,
    *,
    workshop_id: int,
    territory_ids: set[int] | None,
    campaign_id: int | None = None,
    dry_run: bool = False,
) -> WorkshopErasure:
    """Delete the seats, posts and votes of some territories of a workshop (all when None).

    A post goes with its territory or its author's seat; a vote with its voter's seat, the
    post it grades or the campaign whose item it re-votes.
    """
    seats = select(WorkshopParticipant.id).where(WorkshopParticipant.workshop_id == workshop_id)
    posts = select(Contribution.id).where(Contribution.workshop_id == workshop_id)
    if territory_ids is not None:
        seats = seats.where(col(WorkshopParticipant.territory_id).in_(territory_ids))
        posts = posts.where(
            or_(
                col(Contribution.territory_id).in_(territory_ids),
                col(Contribution.participant_id).in_(seats),
            )
        )
    seat_ids = [int(i) for i in session.exec(seats)]
    post_ids = [int(i) for i in session.exec(posts)]
    votes = select(WorkshopVote.id).where(WorkshopVote.workshop_id == workshop_id)
    if territory_ids is not None:
        graded = [str(i) for i in post_ids]
        whose = [
            col(WorkshopVote.participant_id).in_(seat_ids),
            and_(col(WorkshopVote.kind) != "level", col(WorkshopVote.target).in_(graded)),
        ]
        if campaign_id is not None:
            whose.append(col(WorkshopVote.campaign_id) == campaign_id)
        votes = votes.where(or_(*whose))
    vote_ids = [int(i) for i in session.exec(votes)]
    if not dry_run:
        if vote_ids:
            session.exec(delete(WorkshopVote).where(col(WorkshopVote.id).in_(vote_ids)))
        if post_ids:
            session.exec(delete(Contribution).where(col(Contribution.id).in_(post_ids)))
        if seat_ids:
            session.exec(
                delete(WorkshopParticipant).where(col(WorkshopParticipant.id).in_(seat_ids))
            )
    return WorkshopErasure(len(seat_ids), len(post_ids), len(vote_ids))


def _linked_territories(session: Session, *, workshop_id: int) -> set[int]:
    stmt = (
        select(Campaign.territory_id)
        .join(WorkshopCampaign, col(WorkshopCampaign.campaign_id) == col(Campaign.id))
        .where(WorkshopCampaign.workshop_id == workshop_id)
    )
    return {int(t) for t in session.exec(stmt)}


def _close_for_good(session: Session, workshop: Workshop) -> None:
    """A workshop left without any campaign: ended, screen link gone, nothing shown."""
    workshop.status = ENDED
    workshop.ended_at = workshop.ended_at or now()
    workshop.screen_token_hash = None
    workshop.state = {}
    session.add(workshop)


def forget_campaign(
    session: Session, *, campaign_id: int, detach: bool, dry_run: bool = False
) -> WorkshopErasure:
    """Erase, in every workshop showing this campaign, its territory's seats, pseudonyms, posts
    and votes; the other territories' stay as they were.

    With `detach` (the campaign is being deleted), the campaign also leaves the workshop; a
    workshop left without any campaign loses what remains of its data and is closed for good
    (its code stays taken and says « terminé »; nobody can run it).
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise StoreError("campagne introuvable")
    workshop_ids = session.exec(
        select(WorkshopCampaign.workshop_id).where(WorkshopCampaign.campaign_id == campaign_id)
    ).all()
    done = WorkshopErasure()
    for workshop_id in sorted(int(w) for w in workshop_ids):
        done += _erase(
            session,
            workshop_id=workshop_id,
            territory_ids={campaign.territory_id},
            campaign_id=campaign_id,
            dry_run=dry_run,
        )
        if not detach or dry_run:
            continue
        session.exec(
            delete(WorkshopCampaign).where(
                col(WorkshopCampaign.workshop_id) == workshop_id,
                col(WorkshopCampaign.campaign_id) == campaign_id,
            )
        )
        workshop = _workshop(session, workshop_id)
        remaining = _linked_territories(session, workshop_id=workshop_id)
        if not remaining:
            done += _erase(session, workshop_id=workshop_id, territory_ids=None)
            _close_for_good(session, workshop)
            continue
        state = dict(workshop.state or {})
        if state.get("focus") == campaign.territory_id:
            state["focus"] = None  # the screen no longer shows the erased territory
        # pages opened before see, at their next refresh, that a territory has left
        state["territories"] = sorted(remaining)
        workshop.state = state
        session.add(workshop)
        changed(session, workshop_id=workshop_id)
    session.flush()
    return done


def sweep_orphans(session: Session, *, dry_run: bool = False) -> WorkshopErasure:
    """Erase workshop data whose territory no longer takes part in its workshop (left by a
    campaign erasure of an older version), and everything of a workshop without campaign."""
    done = WorkshopErasure()
    for workshop in session.exec(select(Workshop).order_by(col(Workshop.id))).all():
        assert workshop.id is not None
        linked = _linked_territories(session, workshop_id=workshop.id)
        if linked:
            seats = select(WorkshopParticipant.territory_id).where(
                WorkshopParticipant.workshop_id == workshop.id
            )
            posts = select(Contribution.territory_id).where(Contribution.workshop_id == workshop.id)
            present = {t for t in [*session.exec(seats), *session.exec(posts)] if t is not None}
            gone = present - linked
            if gone:
                done += _erase(
                    session, workshop_id=workshop.id, territory_ids=gone, dry_run=dry_run
                )
        else:
            done += _erase(session, workshop_id=workshop.id, territory_ids=None, dry_run=dry_run)
            if not dry_run and (workshop.status == OPEN or workshop.screen_token_hash):
                _close_for_good(session, workshop)
    session.flush()
    return done


def detach_roadmap_items(session: Session, *, item_ids: list[int]) -> None:
    """Commitments sent to roadmap actions that are being deleted no longer point at them."""
    if item_ids:
        session.exec(
            update(Contribution)
            .where(col(Contribution.roadmap_item_id).in_(item_ids))
            .values(roadmap_item_id=None)
        )
