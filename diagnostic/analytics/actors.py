"""Actor x intensity grids: median and spread of each cell, gap between desired and current,
and the rows where the intercommunality and the communes disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import group_frame
from diagnostic.analytics.groups import STATUS_NO_DATA, STATUS_OK, protect, require_group_size
from diagnostic.analytics.thresholds import at_least
from diagnostic.questionnaire import Questionnaire, QuestionType

CELL_COLUMNS = [
    "n",
    "n_nsp",
    "n_answers",
    "share_nsp",
    "median",
    "q1",
    "q3",
    "iqr",
    "mean",
    "sd",
    "min",
    "max",
]


def _cells(questionnaire: Questionnaire) -> pd.DataFrame:
    rows = []
    for q in questionnaire.questions():
        if q.type != QuestionType.GRID:
            continue
        columns = ("current", "desired") if q.desired else ("current",)
        for i, row in enumerate(q.rows or []):
            rows += [(q.id, row.id, i, c) for c in columns]
    return pd.DataFrame(rows, columns=["question_id", "row_id", "position", "column"])


def grid_summary(
    grids: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """Every cell of every grid: row (actor) x column ("current", "desired") [x group].

    Columns: question_id, row_id, position, column, [by], n (levels given), n_nsp ("Je ne sais
    pas"), n_answers, share_nsp (n_nsp / n_answers), median, q1, q3 (quartiles, linear
    interpolation), iqr (q3 - q1), mean, sd (population), min, max. With `by`, min_group_size
    is required and the privacy rule of groups.protect applies to each cell.
    """
    require_group_size(by, min_group_size, "une grille")
    keys = ["question_id", "row_id", "column"] + ([by] if by else [])
    grouped = grids.groupby(keys, dropna=False)
    values = grouped["value"]
    agg = grouped.agg(
        n=("value", "count"),
        n_nsp=("nsp", "sum"),
        n_answers=("nsp", "size"),
        median=("value", "median"),
        mean=("value", "mean"),
        min=("value", "min"),
        max=("value", "max"),
    )
    agg["q1"] = values.quantile(0.25)
    agg["q3"] = values.quantile(0.75)
    agg["sd"] = values.std(ddof=0)
    cells = _cells(questionnaire)
    if by is not None:
        cells = cells.merge(group_frame(grids[by]), how="cross")
    out = cells.merge(agg.reset_index(), on=keys, how="left")
    for column in ("n", "n_nsp", "n_answers"):
        out[column] = out[column].fillna(0).astype(int)
    out["share_nsp"] = out["n_nsp"] / out["n_answers"].where(out["n_answers"] > 0)
    out["iqr"] = out["q3"] - out["q1"]
    out = out[["question_id", "row_id", "position", "column", *keys[3:], *CELL_COLUMNS]]
    if by is None:
        return out
    hidden = [c for c in CELL_COLUMNS if c not in ("n_answers",)]
    return protect(
        out,
        cell=["question_id", "row_id", "column"],
        n_values="n",
        n_answers="n_answers",
        hidden=hidden,
        min_group_size=int(min_group_size or 0),
    )


def grid_gaps(summary: pd.DataFrame) -> pd.DataFrame:
    """Desired minus current intensity per grid row (from grid_summary), on means and medians.

    Columns: question_id, row_id, position, [group columns], current_median, desired_median,
    gap_median, current_mean, desired_mean, gap (desired_mean - current_mean). Grids without a
    desired column get NaN gaps.
    """
    extra = [
        c
        for c in summary.columns
        if c not in {"question_id", "row_id", "position", "column", "status_label"}
        and c not in CELL_COLUMNS
        and c != "status"
    ]
    keys = ["question_id", "row_id", "position", *extra]
    wide = summary.pivot_table(
        index=keys, columns="column", values=["median", "mean"], dropna=False, sort=False
    )
    out = pd.DataFrame(index=wide.index)
    for stat in ("median", "mean"):
        for column in ("current", "desired"):
            out[f"{column}_{stat}"] = (
                wide[(stat, column)] if (stat, column) in wide.columns else np.nan
            )
    out["gap_median"] = out["desired_median"] - out["current_median"]
    out["gap"] = out["desired_mean"] - out["current_mean"]
    out = out.reset_index()
    present = summary[keys].drop_duplicates()
    out = present.merge(out, on=keys, how="left")
    columns = ["current_median", "desired_median", "gap_median", "current_mean", "desired_mean"]
    return out[[*keys, *columns, "gap"]].reset_index(drop=True)


# A grid row is « split » when the intercommunality's and the communes' medians, both shown,
# stand SPLIT_LEVELS levels apart or more, today or wished (docs/methodes.md § 12 bis): the
# median of all respondents then falls between two camps and describes neither.
SPLIT_LEVELS = 2.0
KINDS = ("epci", "commune")
_COLUMNS = ("current", "desired")


def grid_by_kind(
    grids: pd.DataFrame, questionnaire: Questionnaire, *, min_group_size: int
) -> pd.DataFrame:
    """grid_summary by structure kind (intercommunality, communes), under the privacy rule."""
    return grid_summary(grids, questionnaire, by="structure_kind", min_group_size=min_group_size)


def grid_splits(by_kind: pd.DataFrame, *, threshold: float = SPLIT_LEVELS) -> pd.DataFrame:
    """Per grid row, each structure kind's medians and whether the two kinds disagree.

    `by_kind` is grid_by_kind's frame. One row per question x grid row: question_id, row_id,
    position; for each kind k of KINDS, k_current and k_desired (medians, NaN when hidden by
    the privacy rule or not asked), k_status (the first status that is not "ok" among its
    cells, else "ok") and k_status_label; gap_current and gap_desired (EPCI minus communes,
    NaN unless both are shown); split: one of the gaps is at least `threshold` levels wide.
    """
    rows = by_kind[["question_id", "row_id", "position"]].drop_duplicates()
    out = rows.reset_index(drop=True)
    keys = ["question_id", "row_id"]
    for kind in KINDS:
        cells = by_kind.loc[by_kind["structure_kind"] == kind]
        for column in _COLUMNS:
            part = cells.loc[cells["column"] == column, [*keys, "median", "status"]]
            part = part.rename(columns={"median": f"{kind}_{column}", "status": f"_{column}"})
            out = out.merge(part, on=keys, how="left")
        statuses = out[[f"_{c}" for c in _COLUMNS]]
        out[f"{kind}_status"] = [_first_hidden(s) for s in statuses.itertuples(index=False)]
        labels = dict(zip(cells["status"], cells["status_label"], strict=True))
        labels |= {STATUS_OK: "", STATUS_NO_DATA: labels.get(STATUS_NO_DATA, "aucune donnée")}
        out[f"{kind}_status_label"] = out[f"{kind}_status"].map(labels)
        out = out.drop(columns=[f"_{c}" for c in _COLUMNS])
    split = pd.Series(False, index=out.index)
    for column in _COLUMNS:
        gap = out[f"epci_{column}"] - out[f"commune_{column}"]
        out[f"gap_{column}"] = gap
        split |= at_least(gap.abs(), threshold)
    out["split"] = split.astype(bool)
    first = ["question_id", "row_id", "position"]
    return out[first + [c for c in out.columns if c not in first]]


def _first_hidden(statuses: tuple[object, ...]) -> str:
    """A kind's status on a row: its first cell that is not shown, else "ok"; a cell the
    questionnaire does not have (no desired column) is NaN and says nothing."""
    for status in statuses:
        if isinstance(status, str) and status != STATUS_OK:
            return status
    return STATUS_OK if any(isinstance(s, str) for s in statuses) else STATUS_NO_DATA


def split_grids(splits: pd.DataFrame) -> set[str]:
    """The grid questions with at least one split row (grid_splits)."""
    return set(splits.loc[splits["split"], "question_id"])
