"""Participation: invited, started and submitted respondents, per structure and role."""

from __future__ import annotations

import pandas as pd

STRUCTURE = ["structure_id", "structure_name", "structure_kind"]
PARTICIPATION_COLUMNS = ["invited", "started", "submitted", "share_started", "share_submitted"]


def participation(participants: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Counts of invited, started and submitted participants, overall or per group.

    `participants` lists the invited participants (participant_id, role, structure_id,
    structure_name, structure_kind, started, submitted); a submitted participant counts as
    started. `by` is None (one row), "structure" (structure_id, structure_name,
    structure_kind: the EPCI first, then communes by name), "structure_kind" or "role".
    Columns: the group columns, invited, started, submitted, share_started and
    share_submitted (over invited). Participation is not broken down under privacy rules:
    it says who took part, not what they answered.
    """
    columns = ["participant_id", "role", *STRUCTURE, "started", "submitted"]
    frame = participants.reindex(columns=list(dict.fromkeys([*participants.columns, *columns])))
    frame["submitted"] = frame["submitted"].fillna(False).astype(bool)
    frame["started"] = frame["started"].fillna(False).astype(bool) | frame["submitted"]
    keys = STRUCTURE if by == "structure" else ([] if by is None else [by])
    if keys:
        out = frame.groupby(keys, dropna=False, sort=False).agg(
            invited=("participant_id", "size"),
            started=("started", "sum"),
            submitted=("submitted", "sum"),
        )
        out = out.reset_index()
    else:
        out = pd.DataFrame(
            {
                "invited": [len(frame)],
                "started": [int(frame["started"].sum())],
                "submitted": [int(frame["submitted"].sum())],
            }
        )
    for column in ("invited", "started", "submitted"):
        out[column] = out[column].astype(int)
    invited = out["invited"].where(out["invited"] > 0)
    out["share_started"] = out["started"] / invited
    out["share_submitted"] = out["submitted"] / invited
    if by == "structure":
        out = out.sort_values(
            ["structure_kind", "structure_name"],
            key=lambda s: s.map({"epci": 0}).fillna(1) if s.name == "structure_kind" else s,
            kind="stable",
        )
    elif keys:
        out = out.sort_values(keys, kind="stable")
    return out[[*keys, *PARTICIPATION_COLUMNS]].reset_index(drop=True)
