"""The follow-up of roadmap actions: status changes (one row each, never updated) and the items
an action is linked to."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, delete, select

from diagnostic.errors import StoreError
from diagnostic.roadmap.followup import StatusChange
from diagnostic.store.audit import record
from diagnostic.store.models import RoadmapFollowUp, RoadmapItem, User, now


def _item(session: Session, campaign_id: int, item_id: int) -> RoadmapItem:
    row = session.get(RoadmapItem, item_id)
    if row is None or row.campaign_id != campaign_id:
        raise StoreError("action introuvable dans cette feuille de route")
    return row


def record_status(
    session: Session,
    *,
    campaign_id: int,
    item_id: int,
    status: str,
    on: date,
    progress: int | None = None,
    indicator_value: float | None = None,
    comment: str | None = None,
    actor: str,
    user_id: int | None = None,
) -> int:
    """Add a status change to an action's history (values checked by the caller: see
    roadmap.followup.clean_change); audited as « roadmap.follow_up »."""
    _item(session, campaign_id, item_id)
    row = RoadmapFollowUp(
        campaign_id=campaign_id,
        item_id=item_id,
        status=status,
        on=on,
        progress=progress,
        indicator_value=indicator_value,
        comment=comment or None,
        recorded_by=user_id,
        recorded_at=now(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="roadmap.follow_up",
        target=f"roadmap:{item_id}",
        status=status,
        on=on.isoformat(),
    )
    assert row.id is not None
    return row.id


def history(session: Session, *, campaign_id: int) -> dict[int, list[StatusChange]]:
    """Every status change of the campaign's actions, by action, oldest first."""
    rows = session.exec(
        select(RoadmapFollowUp, User.name)
        .join(User, col(User.id) == col(RoadmapFollowUp.recorded_by), isouter=True)
        .where(RoadmapFollowUp.campaign_id == campaign_id)
        .order_by(
            col(RoadmapFollowUp.on), col(RoadmapFollowUp.recorded_at), col(RoadmapFollowUp.id)
        )
    )
    out: dict[int, list[StatusChange]] = {}
    for row, name in rows:
        out.setdefault(row.item_id, []).append(
            StatusChange(
                item_id=row.item_id,
                status=row.status,
                on=row.on,
                progress=row.progress,
                indicator_value=row.indicator_value,
                comment=row.comment or "",
                by=name,
                recorded_at=row.recorded_at,
            )
        )
    return out


def set_links(
    session: Session, *, campaign_id: int, item_id: int, links: list[str] | None, actor: str
) -> None:
    """The items an action should move (None: back to those of its trigger evidence)."""
    row = _item(session, campaign_id, item_id)
    row.links = list(links) if links is not None else None
    session.add(row)
    record(
        session,
        actor=actor,
        action="roadmap.links",
        target=f"roadmap:{item_id}",
        links=list(links) if links is not None else None,
    )


def forget(session: Session, *, item_ids: list[int]) -> None:
    """The history of actions being deleted goes with them (before the rows themselves)."""
    if item_ids:
        session.exec(delete(RoadmapFollowUp).where(col(RoadmapFollowUp.item_id).in_(item_ids)))
