"""Consensus precedence: the value the collective retains for an item, and where it comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import item_catalogue
from diagnostic.analytics.levels import to_score
from diagnostic.questionnaire import Questionnaire, QuestionType

SOURCE_CONSENSUS = "consensus"
SOURCE_INDIVIDUAL = "réponses individuelles"
CONSENSUS_COLUMNS = ["question_id", "level", "target"]


def consensus_levels(consensus: pd.DataFrame | None, questionnaire: Questionnaire) -> pd.DataFrame:
    """Agreed levels by question_id (columns level, target), kept only where they fit the item.

    `consensus` has the columns question_id, level, target (NaN or None when not agreed), as
    stored in ConsensusScore. Unknown items, levels off the scale and targets of items
    without a target are dropped.
    """
    catalogue = item_catalogue(questionnaire).set_index("question_id")
    if consensus is None or consensus.empty:
        return pd.DataFrame(
            {"level": pd.Series(dtype=float), "target": pd.Series(dtype=float)},
            index=pd.Index([], name="question_id", dtype=object),
        )
    frame = consensus.reindex(columns=CONSENSUS_COLUMNS)
    frame = frame.loc[frame["question_id"].isin(catalogue.index)].drop_duplicates(
        "question_id", keep="last"
    )
    frame = frame.set_index("question_id")
    low = catalogue["scale_min"].reindex(frame.index)
    high = catalogue["scale_max"].reindex(frame.index)
    out = pd.DataFrame(index=frame.index)
    for column in ("level", "target"):
        value = pd.to_numeric(frame[column], errors="coerce").astype(float)
        fits = (value >= low) & (value <= high) & (value == np.floor(value))
        out[column] = value.where(fits)
    out["target"] = out["target"].where(catalogue["has_target"].reindex(frame.index).astype(bool))
    return out


def apply_consensus(
    stats: pd.DataFrame, questionnaire: Questionnaire, consensus: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Territory item statistics with the values results use and their source.

    Adds consensus_level, consensus_target, source and target_source ("consensus" or
    "réponses individuelles"), mean_used and target_mean_used (the consensus level where
    agreed, the respondents' mean otherwise), score_used, target_score_used and gap_used.
    """
    agreed = consensus_levels(consensus, questionnaire)
    catalogue = item_catalogue(questionnaire).set_index("question_id")
    out = stats.copy()
    out["consensus_level"] = out["question_id"].map(agreed["level"]).astype(float)
    out["consensus_target"] = out["question_id"].map(agreed["target"]).astype(float)
    out["source"] = np.where(out["consensus_level"].notna(), SOURCE_CONSENSUS, SOURCE_INDIVIDUAL)
    out["target_source"] = np.where(
        out["consensus_target"].notna(), SOURCE_CONSENSUS, SOURCE_INDIVIDUAL
    )
    out["mean_used"] = out["consensus_level"].fillna(out["mean"])
    out["target_mean_used"] = out["consensus_target"].fillna(out["target_mean"])
    low = out["question_id"].map(catalogue["scale_min"]).astype(float)
    high = out["question_id"].map(catalogue["scale_max"]).astype(float)
    out["score_used"] = to_score(out["mean_used"], low, high)
    out["target_score_used"] = to_score(out["target_mean_used"], low, high)
    out["gap_used"] = out["target_mean_used"] - out["mean_used"]
    return out


def collective_values(
    stats: pd.DataFrame, questionnaire: Questionnaire, consensus: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The collective value of each ordinal item, on which roadmap triggers are evaluated.

    current = consensus level if agreed, else the respondents' median; target likewise with
    the median target; gap = target - current. Columns: question_id, current, target, gap,
    source, target_source.
    """
    agreed = consensus_levels(consensus, questionnaire)
    out = stats[["question_id"]].copy()
    level = out["question_id"].map(agreed["level"]).astype(float)
    target = out["question_id"].map(agreed["target"]).astype(float)
    out["current"] = level.fillna(stats["median"])
    out["target"] = target.fillna(stats["target_median"])
    out["gap"] = out["target"] - out["current"]
    out["source"] = np.where(level.notna(), SOURCE_CONSENSUS, SOURCE_INDIVIDUAL)
    out["target_source"] = np.where(target.notna(), SOURCE_CONSENSUS, SOURCE_INDIVIDUAL)
    return out.reset_index(drop=True)


def collective_choices(choices: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """The most frequent answer of each single-choice question with options.

    Ties go to the option listed first in the questionnaire (`tied` says so). Questions
    without any answer are left out. Columns: question_id, option_id, count, n, share, tied.
    """
    order = {
        (q.id, o.id): i
        for q in questionnaire.questions()
        if q.type == QuestionType.SINGLE_CHOICE and q.options
        for i, o in enumerate(q.options)
    }
    single = {q for q, _ in order}
    given = choices.loc[choices["question_id"].isin(single) & ~choices["dont_know"]]
    columns = ["question_id", "option_id", "count", "n", "share", "tied"]
    if given.empty:
        return pd.DataFrame(columns=columns)
    counts = given.groupby(["question_id", "option_id"]).size().rename("count").reset_index()
    counts["n"] = counts.groupby("question_id")["count"].transform("sum")
    counts["share"] = counts["count"] / counts["n"]
    counts["order"] = [
        order[k] for k in zip(counts["question_id"], counts["option_id"], strict=True)
    ]
    top = counts.groupby("question_id")["count"].transform("max")
    counts["tied"] = (counts["count"] == top).groupby(counts["question_id"]).transform("sum") > 1
    best = counts.sort_values(["question_id", "count", "order"], ascending=[True, False, True])
    best = best.groupby("question_id", sort=False).head(1)
    qorder = {q.id: i for i, q in enumerate(questionnaire.questions())}
    best = best.sort_values("question_id", key=lambda s: s.map(qorder))
    return best[columns].reset_index(drop=True)
