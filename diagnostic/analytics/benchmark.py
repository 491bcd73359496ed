"""Dimension scores of many campaigns at once, from the stored numbers (for the benchmark table).

The results page scores one campaign from its tidy answers (frames.tidy_responses). At
national scale the same figures are needed for every campaign: this module computes them in
bulk from the numeric columns the store keeps beside each answer (level, target, importance,
dont_know), with the same rules — submitted respondents only, levels off the scale ignored,
consensus levels replacing the mean, every item weighing the same in its dimension — so that
a campaign's row here equals its dimension score on the results page (tested).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic.analytics.agreement import agreement_by_item
from diagnostic.analytics.consensus import consensus_levels
from diagnostic.analytics.frames import item_catalogue
from diagnostic.analytics.levels import to_score
from diagnostic.questionnaire import Questionnaire

# Population bands of the peer groups (inhabitants). The limits follow thresholds of the law
# on intercommunality: 15 000, the minimum size of an EPCI since the NOTRe law (CGCT
# L5210-1-1, with exceptions); 50 000, the size from which a conseil de développement is
# compulsory (L5211-10-1) and a communauté d'agglomération can be created (L5216-1);
# 250 000, the size of a communauté urbaine (L5215-1). 30 000 and 100 000 split the two
# most populated bands of communautés de communes and d'agglomération.
POPULATION_BANDS: tuple[tuple[str, int, int | None, str], ...] = (
    ("lt15k", 0, 15_000, "moins de 15 000 habitants"),
    ("15k-30k", 15_000, 30_000, "15 000 à 29 999 habitants"),
    ("30k-50k", 30_000, 50_000, "30 000 à 49 999 habitants"),
    ("50k-100k", 50_000, 100_000, "50 000 à 99 999 habitants"),
    ("100k-250k", 100_000, 250_000, "100 000 à 249 999 habitants"),
    ("250k+", 250_000, None, "250 000 habitants et plus"),
)
UNKNOWN_BAND = "inconnue"
ALL_BANDS = "toutes"
BAND_LABELS = {code: label for code, _, _, label in POPULATION_BANDS} | {
    UNKNOWN_BAND: "population non renseignée",
    ALL_BANDS: "toutes tailles",
}

ANSWER_COLUMNS = ["campaign_id", "participant_id", "question_id", "dont_know", "level", "target"]
ROW_COLUMNS = [
    "campaign_id",
    "dimension_id",
    "n_items",
    "n_consensus",
    "score",
    "target_score",
    "agreement",
]


def population_band(population: int | float | None) -> str:
    """The code of the population band of a territory (UNKNOWN_BAND without a population)."""
    if population is None or pd.isna(population) or population < 0:
        return UNKNOWN_BAND
    for code, low, high, _ in POPULATION_BANDS:
        if population >= low and (high is None or population < high):
            return code
    return UNKNOWN_BAND  # pragma: no cover - the last band has no upper limit


def _levels(answers: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent x ordinal item, current and target as floats, as tidy_responses."""
    frame = answers.reindex(columns=ANSWER_COLUMNS).merge(
        catalogue[["question_id", "dimension_id", "scale_min", "scale_max", "has_target"]],
        on="question_id",
        how="inner",
    )
    dont_know = frame["dont_know"].fillna(False).astype(bool)
    low, high = frame["scale_min"].astype(float), frame["scale_max"].astype(float)

    def in_scale(values: pd.Series) -> pd.Series:
        v = pd.to_numeric(values, errors="coerce").astype(float)
        return v.where((v >= low) & (v <= high) & (v == np.floor(v)) & ~dont_know)

    frame["current"] = in_scale(frame["level"])
    frame["target"] = in_scale(frame["target"]).where(frame["has_target"].astype(bool))
    keep = dont_know | frame["current"].notna() | frame["target"].notna()
    frame = frame.loc[keep]
    return frame[["campaign_id", "participant_id", "question_id", "current", "target"]]


def campaign_dimension_rows(
    answers: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    campaign_ids: list[int],
    consensus: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each campaign's score on each dimension of `questionnaire` (all campaigns answer it).

    `answers`: the answers of submitted respondents only, columns campaign_id, participant_id,
    question_id, dont_know, level, target (as stored). `consensus`: campaign_id, question_id,
    level, target. One row per campaign of `campaign_ids` x scored dimension, in questionnaire
    order; columns: campaign_id, dimension_id, n_items (items with a level or a consensus),
    n_consensus, score and target_score (0-100, the mean of the item scores, consensus
    applied), agreement (mean van der Eijk A of the items with at least two levels).
    """
    catalogue = item_catalogue(questionnaire)
    catalogue = catalogue.loc[catalogue["scored"].astype(bool)]
    levels = _levels(answers, catalogue)
    grouped = levels.groupby(["campaign_id", "question_id"], sort=False)
    means = grouped[["current", "target"]].mean()
    index = pd.MultiIndex.from_product(
        [list(campaign_ids), list(catalogue["question_id"])], names=["campaign_id", "question_id"]
    )
    items = means.reindex(index).reset_index()
    agreement = agreement_by_item(levels, questionnaire, by="campaign_id")
    items = items.merge(agreement[["campaign_id", "question_id", "agreement"]], how="left")
    agreed = _consensus(consensus, questionnaire)
    if not agreed.empty:
        items = items.merge(agreed, on=["campaign_id", "question_id"], how="left")
    else:
        items["agreed_level"] = np.nan
        items["agreed_target"] = np.nan
    items["current"] = items["agreed_level"].astype(float).fillna(items["current"])
    items["target"] = items["agreed_target"].astype(float).fillna(items["target"])
    scales = catalogue.set_index("question_id")
    low = items["question_id"].map(scales["scale_min"]).astype(float)
    high = items["question_id"].map(scales["scale_max"]).astype(float)
    items["score"] = to_score(items["current"], low, high)
    items["target_score"] = to_score(items["target"], low, high)
    items["dimension_id"] = items["question_id"].map(scales["dimension_id"])
    items["consensus"] = items["agreed_level"].notna()
    out = items.groupby(["campaign_id", "dimension_id"], sort=False).agg(
        n_items=("score", "count"),
        n_consensus=("consensus", "sum"),
        score=("score", "mean"),
        target_score=("target_score", "mean"),
        agreement=("agreement", "mean"),
    )
    dims = [s.id for s in questionnaire.dimensions]
    full = pd.MultiIndex.from_product(
        [list(campaign_ids), dims], names=["campaign_id", "dimension_id"]
    )
    out = out.reindex(full).reset_index()
    for column in ("n_items", "n_consensus"):
        out[column] = out[column].fillna(0).astype(int)
    return out[ROW_COLUMNS]


def _consensus(consensus: pd.DataFrame | None, questionnaire: Questionnaire) -> pd.DataFrame:
    """Agreed levels per campaign, kept where they fit the item (consensus.consensus_levels)."""
    columns = ["campaign_id", "question_id", "agreed_level", "agreed_target"]
    if consensus is None or consensus.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    for campaign_id, frame in consensus.groupby("campaign_id", sort=False):
        agreed = consensus_levels(frame, questionnaire)
        parts.append(
            agreed.rename(columns={"level": "agreed_level", "target": "agreed_target"})
            .reset_index()
            .assign(campaign_id=campaign_id)
        )
    return pd.concat(parts, ignore_index=True)[columns]
