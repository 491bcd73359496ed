"""The agreement index of a dimension: how many answers agree with its agreement statements.

An agreement statement (« Un climat de confiance règne… », on the questionnaire's agreement
scale) is answered with a degree of agreement, not a maturity level: it never enters a maturity
score (scoring.dimension_scores) and is reported beside it. The index is the share of the
levels given that agree (« plutôt d'accord » or « tout à fait d'accord »: above the middle of
the scale), per item (scoring.item_stats, column share_agree) and per dimension: the mean of
its statements' shares, every statement weighing the same, as items do in a maturity score.
Why a share and not a mean level: docs/methodes.md § 4 bis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import agreement_items, group_order
from diagnostic.analytics.groups import (
    STATUS_MASKED,
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_SUPPRESSED,
    status_label,
)
from diagnostic.questionnaire import Questionnaire

INDEX_COLUMNS = [
    "n_statements",
    "n_statements_counted",
    "n_answers",
    "share_agree",
    "agree_status",
    "agree_status_label",
]


def agreement_index(
    stats: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    min_answers: int,
    by: str | None = None,
) -> pd.DataFrame:
    """The agreement index of every dimension that has agreement statements, under the privacy
    rule.

    `stats`: territory item statistics (scoring.item_stats), or the frame of
    groups.compare_groups with by="group" (its hidden cells stay hidden). A statement counts
    when its share is known and at least `min_answers` levels were given (the minimum group
    size: below it the share would expose the few who answered). One row per dimension with
    statements (x group). Columns: dimension_id, position, [by], n_statements (in the
    questionnaire), n_statements_counted, n_answers (levels given to the statements counted),
    share_agree (mean of their shares, 0-1; NaN when none counts), agree_status (groups'
    statuses: "ok", "suppressed" when a statement had too few levels or was hidden, "masked",
    "no_data") and agree_status_label (French, "" when shown).
    """
    keys = ["dimension_id"] if by is None else ["dimension_id", by]
    statements = stats.loc[agreement_items(stats)].copy()
    n = pd.to_numeric(statements["n"], errors="coerce").astype(float)
    share = pd.to_numeric(statements["share_agree"], errors="coerce").astype(float)
    counted = share.notna() & (n >= min_answers)
    statements["_counted"] = counted
    statements["_share"] = share.where(counted)
    statements["_answers"] = n.where(counted, 0.0)
    statements["_small"] = (~counted) & (n > 0)
    if "status" in statements:  # a group cell hidden by the privacy rule
        statements["_small"] |= statements["status"] == STATUS_SUPPRESSED
        statements["_masked"] = statements["status"] == STATUS_MASKED
    else:
        statements["_masked"] = False
    grouped = statements.groupby(keys, sort=False)
    out = grouped.agg(
        n_statements=("question_id", "size"),
        n_statements_counted=("_counted", "sum"),
        n_answers=("_answers", "sum"),
        share_agree=("_share", "mean"),
        _small=("_small", "any"),
        _masked=("_masked", "any"),
    )
    order = {s.id: i for i, s in enumerate(questionnaire.dimensions)}
    present = [d for d in order if d in set(statements["dimension_id"])]
    if by is None:
        index = pd.Index(present, name="dimension_id")
    else:
        groups = group_order(stats[by])
        index = pd.MultiIndex.from_product([present, groups], names=keys)
    out = out.reindex(index).reset_index()
    for column in ("n_statements", "n_statements_counted", "n_answers"):
        out[column] = out[column].fillna(0).astype(int)
    out["position"] = out["dimension_id"].map(order)
    out["agree_status"] = np.select(
        [
            out["n_statements_counted"] > 0,
            out["_small"].fillna(False).astype(bool),
            out["_masked"].fillna(False).astype(bool),
        ],
        [STATUS_OK, STATUS_SUPPRESSED, STATUS_MASKED],
        STATUS_NO_DATA,
    )
    out["agree_status_label"] = [status_label(s, min_answers) for s in out["agree_status"]]
    return out[["dimension_id", "position", *keys[1:], *INDEX_COLUMNS]]
