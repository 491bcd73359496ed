"""What the review of the previous roadmap reads: the territory's earlier campaigns that kept
roadmap actions (roadmap/review_service.py picks the latest)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from diagnostic.roadmap.model import KEPT
from diagnostic.store.models import Campaign, RoadmapItem


def _when(campaign: Campaign) -> tuple[object, int]:
    """A campaign's place in time: the day it opened (the day it was created when never
    opened), then its id."""
    return (campaign.opened_at or campaign.created_at, campaign.id or 0)


def previous_campaign(session: Session, *, campaign_id: int) -> Campaign | None:
    """The latest campaign of the same territory, earlier than this one, whose roadmap has
    kept actions (retained, engaged or done); None when there is none."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    with_kept = select(RoadmapItem.campaign_id).where(col(RoadmapItem.status).in_(KEPT)).distinct()
    rows = session.exec(
        select(Campaign).where(
            Campaign.territory_id == campaign.territory_id,
            Campaign.id != campaign_id,
            col(Campaign.id).in_(with_kept),
        )
    ).all()
    earlier = [c for c in rows if _when(c) < _when(campaign)]
    return max(earlier, key=_when) if earlier else None
