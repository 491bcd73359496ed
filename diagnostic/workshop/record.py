"""The session's record: everything a workshop produced that may leave the room."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from diagnostic.workshop import live
from diagnostic.workshop.programme import Programme

if TYPE_CHECKING:  # the service builds them; the record only holds them
    from diagnostic.workshop.service import Place, WorkshopInfo


@dataclass(frozen=True)
class Revote:
    """One territory's re-vote: per item, the questionnaire's answers and the room's vote."""

    place: Place
    table: pd.DataFrame  # vote_shift columns + text, levels, level_labels


@dataclass(frozen=True)
class WorkshopRecord:
    """Everything the session produced that may leave the room (no private note)."""

    info: WorkshopInfo
    programme: Programme
    seats: dict[int | None, int]
    posts: tuple[live.Post, ...]  # shared posts, every state but private
    private_notes: dict[int, int]  # step index -> personal notes kept private
    revotes: tuple[Revote, ...] = ()
    grid: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the results step: each territory's items to discuss, (item, its reading)
    focus: tuple[tuple[Place, tuple[tuple[str, str], ...]], ...] = ()
    axes: Mapping[int | None, Mapping[str, str]] = field(default_factory=dict)  # id -> title
    dots: Mapping[int, pd.DataFrame] = field(default_factory=dict)  # step index -> tally

    def territory(self, territory_id: int | None) -> str:
        place = self.info.place_of(territory_id)
        return place.territory_name if place else "Sans territoire"

    def axis(self, post: live.Post) -> str | None:
        """The roadmap axis a commitment goes to, by its title (None until one is chosen)."""
        axes = self.axes.get(post.territory_id, {})
        chosen = live.axis_of(post.dimension, axes)
        return axes[chosen] if chosen else None

    @property
    def commitments(self) -> list[live.Post]:
        return [p for p in self.posts if p.retained and p.shown]
