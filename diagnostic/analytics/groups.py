"""Crossed views: each group against the other respondents, small-group privacy, angles morts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import Responses, group_order, item_catalogue, maturity_items
from diagnostic.analytics.levels import to_score
from diagnostic.analytics.scoring import STAT_COLUMNS, dimension_scores, item_stats
from diagnostic.analytics.thresholds import at_least
from diagnostic.questionnaire import Questionnaire

GROUPINGS = ("structure_kind", "role", "structure_id")  # communes vs EPCI, role, each structure
KIND_LABELS = {"epci": "Intercommunalité", "commune": "Communes"}

STATUS_OK = "ok"
STATUS_SUPPRESSED = "suppressed"  # fewer than min_group_size answers: "moins de N réponses"
STATUS_MASKED = "masked"  # enough answers, hidden so that a suppressed cell cannot be deduced
STATUS_NO_DATA = "no_data"  # nobody in the group answered: "aucune donnée"

BLIND_SPOT_THRESHOLD = 25.0  # score points: one level on a 1-5 scale


def hidden_label(status: str, *, too_few: str, nobody: str) -> str:
    """The French words shown in place of a hidden figure ("" when it is shown): `too_few`
    for a suppressed one, `nobody` where there is no data."""
    return {
        STATUS_OK: "",
        STATUS_SUPPRESSED: too_few,
        STATUS_MASKED: "masqué pour protéger un petit groupe",
        STATUS_NO_DATA: nobody,
    }[status]


def status_label(status: str, min_group_size: int) -> str:
    """The French words shown in place of a hidden cell ("" when the cell is shown)."""
    return hidden_label(
        status, too_few=f"moins de {min_group_size} réponses", nobody="aucune donnée"
    )


def require_group_size(by: str | None, min_group_size: int | None, what: str) -> None:
    """A figure detailed by group needs the minimum group size (`what`: « une grille »…)."""
    if by is not None and min_group_size is None:
        raise ValueError(f"min_group_size est requis pour détailler {what} par groupe")


def protect(
    frame: pd.DataFrame,
    *,
    cell: Sequence[str],
    n_values: str,
    n_answers: str,
    hidden: Sequence[str],
    min_group_size: int,
) -> pd.DataFrame:
    """Apply the privacy rule to group cells; add `status` and `status_label`, blank `hidden`.

    A cell is the figures of one group for one `cell` key (an item, a grid cell...); the groups
    of a key form a partition of the respondents. Primary rule: a cell with answers but fewer
    than min_group_size of them (n_answers, counting "Je ne sais pas"), or with between 1 and
    min_group_size - 1 levels given (n_values), is suppressed; a cell without any answer has
    no data. Secondary rule: when exactly one cell of a key is suppressed, the shown cell with
    the fewest answers is masked too, otherwise the total minus the shown cells would reveal it.
    """
    out = frame.copy()
    n, answers = out[n_values], out[n_answers]
    small = (answers < min_group_size) | ((n > 0) & (n < min_group_size))
    status = np.select([answers == 0, small], [STATUS_NO_DATA, STATUS_SUPPRESSED], STATUS_OK)
    out["status"] = status
    keys = list(cell)
    lone = out.assign(_s=out["status"] == STATUS_SUPPRESSED).groupby(keys)["_s"].transform("sum")
    candidates = out.loc[(lone == 1) & (out["status"] == STATUS_OK)]
    if not candidates.empty:
        first = candidates.sort_values([*keys, n_answers], kind="stable").groupby(keys).head(1)
        out.loc[first.index, "status"] = STATUS_MASKED
    out["status_label"] = [status_label(s, min_group_size) for s in out["status"]]
    hidden = list(hidden)
    whole = [c for c in hidden if pd.api.types.is_integer_dtype(out[c])]
    if whole:  # counts stay whole numbers, with <NA> where hidden
        out[whole] = out[whole].astype("Int64")
    if hidden:
        out.loc[out["status"] != STATUS_OK, hidden] = np.nan
    return out


def protect_grouped(
    frame: pd.DataFrame,
    by: str | None,
    min_group_size: int | None,
    *,
    cell: Sequence[str],
    n_values: str,
    hidden: Sequence[str],
) -> pd.DataFrame:
    """`frame` under the privacy rule of `protect` when it is detailed `by` a grouping, as it
    is otherwise; a cell's answers are its `n_values` plus its n_dont_know."""
    if by is None:
        return frame
    out = protect(
        frame.assign(n_answers=frame[n_values] + frame["n_dont_know"]),
        cell=cell,
        n_values=n_values,
        n_answers="n_answers",
        hidden=hidden,
        min_group_size=int(min_group_size or 0),
    )
    return out.drop(columns="n_answers")


def group_labels(
    respondents: pd.DataFrame, by: str, labels: Mapping[Any, str] | None
) -> dict[Any, str]:
    """Display label of each group: given labels, else commune names, kind names or the code."""
    groups = group_order(respondents[by])
    default: dict[Any, str]
    if by == "structure_id":
        names = respondents.drop_duplicates("structure_id").set_index("structure_id")
        default = names["structure_name"].to_dict()
    elif by == "structure_kind":
        default = KIND_LABELS
    else:
        default = {}
    given = labels or {}
    return {g: given.get(g, default.get(g, str(g))) for g in groups}


def compare_groups(
    data: Responses,
    questionnaire: Questionnaire,
    by: str,
    *,
    min_group_size: int,
    threshold: float = BLIND_SPOT_THRESHOLD,
    labels: Mapping[Any, str] | None = None,
) -> pd.DataFrame:
    """Each group's view of each ordinal item beside the view of all other respondents.

    `by` is structure_kind (communes vs EPCI), role, or structure_id (each commune vs the
    rest: only communes are listed, the others always include the EPCI's respondents, and the
    privacy rule works among the communes, whose total is the "Communes" group of the
    structure_kind view). One row per item x group.

    Columns: grouping (`by`), group, group_label, group_size, status, status_label, the
    item_stats columns of the group (hidden unless status is "ok"; n_respondents stays),
    others_n, others_mean, others_score, difference (group score - others score, in points)
    and blind_spot (|difference| >= threshold, maturity items only). The others' figures are
    blank too when fewer than min_group_size of them gave a level.
    """
    respondents = data.respondents
    if by == "structure_id":  # each commune vs the rest; the EPCI is the structure_kind view
        respondents = respondents.loc[respondents["structure_kind"] == "commune"]
    order = group_order(respondents[by])
    stats = item_stats(data.items, questionnaire, by=by, groups=order)
    sizes = respondents.groupby(by, sort=False).size()
    stats["group_size"] = stats[by].map(sizes).fillna(0).astype(int)
    catalogue = item_catalogue(questionnaire).set_index("question_id")
    # Others = every counted respondent outside the group: totals minus the group's sums.
    levels = data.items.loc[data.items["current"].notna()]
    sums = levels.groupby(["question_id", by])["current"].sum()
    total_sum = levels.groupby("question_id")["current"].sum()
    total_n = levels.groupby("question_id")["current"].count()
    total_answers = data.items.groupby("question_id").size()
    key = pd.MultiIndex.from_frame(stats[["question_id", by]])
    group_sum = sums.reindex(key, fill_value=0).to_numpy()
    q = stats["question_id"]
    stats["others_n"] = (q.map(total_n).astype(float).fillna(0) - stats["n"]).astype(int)
    others_answers = q.map(total_answers).astype(float).fillna(0) - stats["n_respondents"]
    stats["others_mean"] = (q.map(total_sum).astype(float).fillna(0) - group_sum) / stats[
        "others_n"
    ].where(stats["others_n"] > 0)
    low = q.map(catalogue["scale_min"]).astype(float)
    high = q.map(catalogue["scale_max"]).astype(float)
    stats["others_score"] = to_score(stats["others_mean"], low, high)
    stats = stats.rename(columns={by: "group"})
    hidden = [c for c in STAT_COLUMNS if c != "n_respondents"]
    out = protect(
        stats,
        cell=["question_id"],
        n_values="n",
        n_answers="n_respondents",
        hidden=[*hidden, "others_n", "others_mean", "others_score"],
        min_group_size=min_group_size,
    )
    others_ok = (out["others_n"].fillna(0) >= min_group_size) & (others_answers >= min_group_size)
    out.loc[~others_ok.to_numpy(dtype=bool), ["others_n", "others_mean", "others_score"]] = np.nan
    out["difference"] = out["score"] - out["others_score"]
    # An angle mort is a gap of maturity: an agreement statement's gap is read in the groups'
    # agreement index (approval.agreement_index), not on the 0-100 score.
    out["blind_spot"] = at_least(out["difference"].abs(), threshold) & maturity_items(out)
    names = group_labels(respondents, by, labels)
    out["group_label"] = out["group"].map(names)
    out["grouping"] = by
    first = ["question_id", "dimension_id", "position", "scored", "measure", "grouping", "group"]
    first += ["group_label", "group_size", "status", "status_label"]
    rest = [c for c in out.columns if c not in first]
    return out[first + rest].reset_index(drop=True)


def compare_dimensions(
    comparison: pd.DataFrame, questionnaire: Questionnaire, *, min_group_size: int
) -> pd.DataFrame:
    """Each group's dimension scores, from the item cells of compare_groups that are shown.

    Hidden item cells are left out, so no figure escapes the privacy rule. A dimension
    without any shown item takes the status of its items: "suppressed" if one was, else
    "masked" if one was, else "no_data". Columns: dimension_id, position, group,
    group_label, n_items, n_items_scored, score, target_score, gap, n_dont_know,
    n_respondents, share_dont_know, nearest_level, level_label, status, status_label.
    """
    dims = dimension_scores(comparison, questionnaire, by="group").drop(columns="n_consensus")
    scored = comparison.loc[maturity_items(comparison)]
    statuses = scored.groupby(["dimension_id", "group"])["status"].agg(set)

    def status_of(dimension: str, group: Any, n_scored: int) -> str:
        if n_scored > 0:
            return STATUS_OK
        found = statuses.get((dimension, group), set())
        for status in (STATUS_SUPPRESSED, STATUS_MASKED, STATUS_OK):
            if status in found:
                return status
        return STATUS_NO_DATA

    dims["status"] = [
        status_of(d, g, n)
        for d, g, n in zip(dims["dimension_id"], dims["group"], dims["n_items_scored"], strict=True)
    ]
    dims["status_label"] = [status_label(s, min_group_size) for s in dims["status"]]
    labels = comparison.drop_duplicates("group").set_index("group")["group_label"]
    dims.insert(3, "group_label", dims["group"].map(labels))
    return dims


def blind_spots(comparison: pd.DataFrame) -> pd.DataFrame:
    """The angles morts of a comparison, widest difference first."""
    found = comparison.loc[comparison["blind_spot"].fillna(False).astype(bool)]
    return (
        found.assign(_d=found["difference"].abs())
        .sort_values(["_d", "position"], ascending=[False, True], kind="stable")
        .drop(columns="_d")
        .reset_index(drop=True)
    )
