"""Item statistics, gaps, priority index and dimension scores on 0-100."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostic.analytics.agreement import agreement_by_item
from diagnostic.analytics.consensus import SOURCE_CONSENSUS, SOURCE_INDIVIDUAL, apply_consensus
from diagnostic.analytics.frames import AGREEMENT, group_order, item_catalogue, maturity_items
from diagnostic.analytics.levels import round_half_up, to_score
from diagnostic.analytics.thresholds import at_least
from diagnostic.questionnaire import Questionnaire

ACTION_CANDIDATE_QUANTILE = 0.75  # priority index in the top quartile...
ACTION_CANDIDATE_MIN_GAP = 1.0  # ...and a gap of at least one level (domain brief 5.6)

STAT_COLUMNS = [
    "n_respondents",
    "n",
    "n_dont_know",
    "share_dont_know",
    "median",
    "mean",
    "sd",
    "min",
    "max",
    "score",
    "nearest_level",
    "level_label",
    "agreement",
    "agreement_tag",
    "share_agree",
    "target_n",
    "target_median",
    "target_mean",
    "target_sd",
    "target_score",
    "gap",
    "importance_n",
    "importance_mean",
    "priority_index",
]
COUNT_COLUMNS = ["n_respondents", "n", "n_dont_know", "target_n", "importance_n"]


def item_stats(
    items: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    groups: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Statistics of every ordinal item of the questionnaire, overall or per group.

    One row per item (x group when `by` names a column of `items`; `groups` lists the groups
    to show, by default those present). Items nobody answered are kept with n = 0.
    Columns: question_id, dimension_id, position, scored, measure (frames.item_catalogue), [by],
    n_respondents (answers, level or "Je ne sais pas"), n (levels given), n_dont_know,
    share_dont_know, median, mean, sd (population), min, max, score (mean on 0-100),
    nearest_level, level_label, agreement (van der Eijk's A), agreement_tag, share_agree
    (agreement statements only: the share of levels given that agree, see agreeing()),
    target_n, target_median, target_mean, target_sd, target_score, gap (mean target - mean
    current), importance_n, importance_mean, priority_index (gap x mean importance).
    """
    catalogue = item_catalogue(questionnaire)
    keys = ["question_id"] if by is None else ["question_id", by]
    grouped = items.groupby(keys, dropna=False, sort=False)
    agg = grouped.agg(
        n_respondents=("participant_id", "size"),
        n_dont_know=("dont_know", "sum"),
        n=("current", "count"),
        median=("current", "median"),
        mean=("current", "mean"),
        min=("current", "min"),
        max=("current", "max"),
        target_n=("target", "count"),
        target_median=("target", "median"),
        target_mean=("target", "mean"),
        importance_n=("importance", "count"),
        importance_mean=("importance", "mean"),
    )
    agg["sd"] = grouped["current"].std(ddof=0)
    agg["target_sd"] = grouped["target"].std(ddof=0)
    if by is None:
        index = pd.Index(catalogue["question_id"], name="question_id")
    else:
        wanted = list(groups) if groups is not None else group_order(items[by])
        index = pd.MultiIndex.from_product([catalogue["question_id"], wanted], names=keys)
    out = agg.reindex(index).reset_index()
    out = catalogue[["question_id", "dimension_id", "position", "scored", "measure"]].merge(
        out, on="question_id", how="right"
    )
    for column in COUNT_COLUMNS:
        out[column] = out[column].fillna(0).astype(int)
    scales = catalogue.set_index("question_id")
    low = out["question_id"].map(scales["scale_min"]).astype(float)
    high = out["question_id"].map(scales["scale_max"]).astype(float)
    out["share_dont_know"] = out["n_dont_know"] / out["n_respondents"].where(
        out["n_respondents"] > 0
    )
    out["score"] = to_score(out["mean"], low, high)
    out["target_score"] = to_score(out["target_mean"], low, high)
    out["gap"] = out["target_mean"] - out["mean"]
    out["priority_index"] = out["gap"] * out["importance_mean"]
    statements = out["measure"] == AGREEMENT
    if statements.any():
        agree = items.loc[items["question_id"].isin(out.loc[statements, "question_id"])]
        agree = agree.assign(_agree=agreeing(agree["current"], agree["question_id"], scales))
        n_agree = agree.groupby(keys, dropna=False, sort=False)["_agree"].sum()
        where = pd.MultiIndex.from_frame(out[keys]) if by is not None else out[keys[0]]
        found = n_agree.reindex(where)
        share = found.to_numpy(dtype=float) / out["n"].where(out["n"] > 0).to_numpy(dtype=float)
        out["share_agree"] = np.where(statements, share, np.nan)
    else:
        out["share_agree"] = np.nan
    out["nearest_level"] = round_half_up(out["mean"])
    labels = _level_labels(questionnaire)
    out["level_label"] = [
        labels.get((q, int(level))) if not np.isnan(level) else None
        for q, level in zip(out["question_id"], out["nearest_level"], strict=True)
    ]
    agreement = agreement_by_item(items, questionnaire, by=by)
    out = out.merge(agreement, on=keys, how="left")
    out["agreement_tag"] = out["agreement_tag"].astype(object).where(out["agreement"].notna(), None)
    first = ["question_id", "dimension_id", "position", "scored", "measure"]
    return out[[*first, *keys[1:], *STAT_COLUMNS]]


def agreeing(levels: pd.Series, question_ids: pd.Series, scales: pd.DataFrame) -> pd.Series:
    """Whether each level agrees: above the middle of its item's scale (4 and 5 on 1-5:
    « plutôt d'accord », « tout à fait d'accord »). `scales`: item_catalogue by question_id."""
    low = question_ids.map(scales["scale_min"]).astype(float)
    high = question_ids.map(scales["scale_max"]).astype(float)
    return levels > (low + high) / 2


def _level_labels(questionnaire: Questionnaire) -> dict[tuple[str, int], str]:
    return {
        (q.id, level): spec.label
        for q in questionnaire.questions()
        if q.type.value in ("maturity", "current_target") or q.scale
        for level, spec in questionnaire.scale_of(q).levels.items()
    }


def dimension_scores(
    stats: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    consensus: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Maturity score of each dimension (scored section): the mean of its item scores, 0-100.

    Only maturity items count (frames.maturity_items): agreement statements are reported
    apart (approval.agreement_index); a dimension made only of them has no score (NaN,
    n_items 0). Every item weighs the same; an item without any level given is left out.
    Where the team agreed a consensus level (territory level only, `by` None), it replaces
    the item's mean.
    Per group, pass item_stats(..., by=...) or, to respect the privacy rule, the frame of
    groups.compare_groups with by="group" (see groups.compare_dimensions).
    Columns: dimension_id, position, [by], n_items, n_items_scored, n_consensus, score,
    target_score, gap (mean item gap, in levels), n_dont_know, n_respondents, share_dont_know,
    nearest_level and level_label (on the questionnaire's default scale).
    """
    if by is not None and consensus is not None:
        raise ValueError(
            "les valeurs de consensus valent pour le territoire entier, pas par groupe"
        )
    used = apply_consensus(stats, questionnaire, consensus) if by is None else _as_used(stats)
    used = used.loc[maturity_items(used)]
    # Cells hidden by the privacy rule (groups.compare_groups) count neither way.
    used = used.assign(n_respondents=used["n_respondents"].where(used["n_dont_know"].notna(), 0))
    keys = ["dimension_id"] if by is None else ["dimension_id", by]
    grouped = used.groupby(keys, sort=False)
    out = grouped.agg(
        n_items=("question_id", "size"),
        n_items_scored=("score_used", "count"),
        score=("score_used", "mean"),
        target_score=("target_score_used", "mean"),
        gap=("gap_used", "mean"),
        n_dont_know=("n_dont_know", "sum"),
        n_respondents=("n_respondents", "sum"),
    )
    out["n_consensus"] = grouped["source"].agg(lambda s: int((s == SOURCE_CONSENSUS).sum()))
    order = {s.id: i for i, s in enumerate(questionnaire.dimensions)}
    if by is None:
        index = pd.Index([s.id for s in questionnaire.dimensions], name="dimension_id")
    else:
        groups = group_order(stats[by])
        index = pd.MultiIndex.from_product([list(order), groups], names=keys)
    out = out.reindex(index).reset_index()
    for column in ("n_items", "n_items_scored", "n_consensus", "n_dont_know", "n_respondents"):
        out[column] = out[column].fillna(0).astype(int)
    out["share_dont_know"] = out["n_dont_know"] / out["n_respondents"].where(
        out["n_respondents"] > 0
    )
    out["position"] = out["dimension_id"].map(order)
    scale = questionnaire.scales[questionnaire.default_scale]
    low, high = scale.values[0], scale.values[-1]
    out["nearest_level"] = round_half_up(low + out["score"] / 100 * (high - low))
    out["level_label"] = [
        scale.levels[int(v)].label if not np.isnan(v) else None for v in out["nearest_level"]
    ]
    columns = ["dimension_id", "position", *keys[1:], "n_items", "n_items_scored"]
    columns += ["n_consensus", "score", "target_score", "gap", "n_dont_know", "n_respondents"]
    return out[[*columns, "share_dont_know", "nearest_level", "level_label"]]


def _as_used(stats: pd.DataFrame) -> pd.DataFrame:
    return stats.assign(
        score_used=stats["score"],
        target_score_used=stats["target_score"],
        gap_used=stats["gap"],
        source=SOURCE_INDIVIDUAL,
    )


def action_candidates(stats: pd.DataFrame) -> pd.DataFrame:
    """Items sorted by priority index, with `candidate`: top quartile of the index and gap >= 1.

    Expects territory-level item statistics; items without a priority index come last.
    """
    ranked = stats.sort_values(
        ["priority_index", "position"], ascending=[False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)
    known = ranked["priority_index"].dropna()
    threshold = known.quantile(ACTION_CANDIDATE_QUANTILE) if not known.empty else np.inf
    ranked["candidate"] = (ranked["priority_index"] >= threshold) & (
        at_least(ranked["gap"], ACTION_CANDIDATE_MIN_GAP)
    )
    return ranked
