"""The consensus meeting's agenda, from the results alone (pure: meeting.py records the levels)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diagnostic.analytics import level_distribution
from diagnostic.results.model import CampaignResults


@dataclass(frozen=True)
class AgendaItem:
    """One scored item to walk through, with what the meeting shows of it."""

    question_id: str
    dimension_id: str
    n: int  # answers
    divergent: bool
    agreement_tag: str | None
    level: int | None  # the level agreed by the group, once recorded
    target: int | None  # the agreed target (current_target items)

    @property
    def done(self) -> bool:
        return self.level is not None


def _level(value: float | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def agenda(results: CampaignResults) -> list[AgendaItem]:
    """Scored items to walk through: divergent ones first, then by increasing agreement."""
    items = results.items.loc[results.items["scored"]].copy()
    items["divergent"] = items["divergent"].fillna(False).astype(bool)
    items = items.sort_values(
        ["divergent", "agreement", "sd"], ascending=[False, True, False], na_position="last"
    )
    return [
        AgendaItem(
            question_id=row.question_id,
            dimension_id=row.dimension_id,
            n=int(row.n),
            divergent=bool(row.divergent),
            agreement_tag=row.agreement_tag if isinstance(row.agreement_tag, str) else None,
            level=_level(row.consensus_level),
            target=_level(row.consensus_target),
        )
        for row in items.itertuples(index=False)
    ]


def distribution(results: CampaignResults, question_id: str) -> pd.DataFrame:
    """How many respondents gave each current level of one item (every level listed)."""
    assert results.responses is not None
    frame = level_distribution(results.responses.items, results.questionnaire)
    return frame.loc[frame["question_id"] == question_id]


def distribution_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The data of the distribution chart, in French."""
    return frame[["level", "count"]].rename(columns={"level": "Niveau", "count": "Réponses"})
