"""Rows of a campaign's draft roadmap (the action plan), as edited by the coordination."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.roadmap.model import PlanItem
from diagnostic.store.audit import record, record_on_campaign
from diagnostic.store.followup import forget as forget_follow_ups
from diagnostic.store.models import RoadmapItem, now
from diagnostic.store.rows import set_fields
from diagnostic.store.workshops import detach_roadmap_items

EDITABLE = {"title", "description", "horizon", "owner", "indicator", "status", "dimension"}


def _plan_item(row: RoadmapItem) -> PlanItem:
    meta = row.rationale or {}
    return PlanItem(
        id=row.id,
        action_id=row.action_id,
        dimension=row.dimension,
        title=row.title,
        description=row.description or "",
        horizon=row.horizon,
        owner=row.owner,
        indicator=row.indicator,
        status=row.status,
        priority=row.priority,
        position=row.position,
        origin=row.origin,
        edited=row.edited,
        change=meta.get("change"),
        details=dict(meta.get("details") or {}),
        links=tuple(row.links) if row.links is not None else None,
    )


def plan_items(session: Session, *, campaign_id: int) -> list[PlanItem]:
    """The campaign's plan rows in their order."""
    rows = session.exec(
        select(RoadmapItem)
        .where(RoadmapItem.campaign_id == campaign_id)
        .order_by(col(RoadmapItem.position), col(RoadmapItem.id))
    )
    return [_plan_item(r) for r in rows]


def apply_changes(
    session: Session,
    *,
    campaign_id: int,
    insert: list[dict[str, Any]],
    update: dict[int, dict[str, Any]],
    delete: list[int],
    actor: str,
) -> None:
    """Write a regeneration: new rows, updated evidence and numbers, removed untouched rows."""
    # The rows to change, read in one statement (one read per row, each flushing the rows
    # added before it, was a fifth of « Mettre à jour les propositions »).
    rows = _rows(session, campaign_id, [*update, *delete])
    for fields in insert:
        fields = dict(fields)
        meta = {"details": fields.pop("details", {}), "change": fields.pop("change", None)}
        session.add(RoadmapItem(campaign_id=campaign_id, rationale=meta, **fields))
    for item_id, fields in update.items():
        row = rows[item_id]
        fields = dict(fields)
        meta = dict(row.rationale or {})
        if "details" in fields:
            meta["details"] = fields.pop("details")
        if "change" in fields:
            meta["change"] = fields.pop("change")
        row.rationale = meta
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now()
        session.add(row)
    forget_follow_ups(session, item_ids=list(delete))
    for item_id in delete:
        session.delete(rows[item_id])
    detach_roadmap_items(session, item_ids=list(delete))
    record_on_campaign(
        session,
        actor,
        "roadmap.generate",
        campaign_id,
        inserted=len(insert),
        updated=len(update),
        deleted=len(delete),
    )


def _rows(session: Session, campaign_id: int, item_ids: list[int]) -> dict[int, RoadmapItem]:
    """The campaign's rows of these ids, by id; StoreError if one is not the campaign's."""
    if not item_ids:
        return {}
    stmt = select(RoadmapItem).where(
        RoadmapItem.campaign_id == campaign_id, col(RoadmapItem.id).in_(set(item_ids))
    )
    found = {row.id: row for row in session.exec(stmt)}
    if any(i not in found for i in item_ids):
        raise StoreError("action introuvable dans cette feuille de route")
    return found  # type: ignore[return-value]


def _row(session: Session, campaign_id: int, item_id: int) -> RoadmapItem:
    row = session.get(RoadmapItem, item_id)
    if row is None or row.campaign_id != campaign_id:
        raise StoreError("action introuvable dans cette feuille de route")
    return row


def edit_item(
    session: Session, *, campaign_id: int, item_id: int, fields: dict[str, Any], actor: str
) -> None:
    """A person's edit: it will survive every regeneration."""
    row = set_fields(session, _row(session, campaign_id, item_id), fields, EDITABLE)
    row.edited = True
    if row.origin == "generated":
        row.origin = "edited"
    meta = dict(row.rationale or {})
    meta["change"] = None
    row.rationale = meta
    row.updated_at = now()
    record(session, actor=actor, action="roadmap.edit", target=f"roadmap:{item_id}")


def add_item(
    session: Session, *, campaign_id: int, fields: dict[str, Any], origin: str, actor: str
) -> int:
    """An action written by the collective (or a workshop), placed after the others."""
    last = session.exec(
        select(RoadmapItem.position)
        .where(RoadmapItem.campaign_id == campaign_id)
        .order_by(col(RoadmapItem.position).desc())
    ).first()
    row = RoadmapItem(
        campaign_id=campaign_id,
        origin=origin,
        edited=True,
        status=fields.get("status", "accepted"),  # a workshop's commitment comes as "proposed"
        position=(last if last is not None else -1) + 1,
        rationale={"details": {}},
        **{k: v for k, v in fields.items() if k in EDITABLE and k != "status"},
    )
    session.add(row)
    session.flush()
    record(session, actor=actor, action="roadmap.add", target=f"roadmap:{row.id}", origin=origin)
    assert row.id is not None
    return row.id


def move_item(session: Session, *, campaign_id: int, item_id: int, step: int) -> None:
    """Swap an action with its neighbour (step -1: up, +1: down) in the plan order."""
    rows = list(
        session.exec(
            select(RoadmapItem)
            .where(RoadmapItem.campaign_id == campaign_id)
            .order_by(col(RoadmapItem.position), col(RoadmapItem.id))
        )
    )
    index = next((i for i, r in enumerate(rows) if r.id == item_id), None)
    if index is None:
        raise StoreError("action introuvable dans cette feuille de route")
    other = index + step
    if not 0 <= other < len(rows):
        return
    for i, r in enumerate(rows):  # renumber, then swap: positions stay dense and unique
        r.position = i
    rows[index].position, rows[other].position = other, index
    rows[index].edited = True
    for r in rows:
        session.add(r)


def delete_item(session: Session, *, campaign_id: int, item_id: int, actor: str) -> None:
    """Remove an action written by hand (generated ones are set aside, not deleted)."""
    row = _row(session, campaign_id, item_id)
    if row.origin not in {"manual", "atelier"}:
        raise StoreError(
            "une action proposée se met de côté (statut « Écartée »), elle ne se supprime pas"
        )
    forget_follow_ups(session, item_ids=[item_id])  # its history goes with it
    session.delete(row)
    detach_roadmap_items(session, item_ids=[item_id])  # the workshop no longer says « inscrit »
    record(session, actor=actor, action="roadmap.delete", target=f"roadmap:{item_id}")
