"""Dimension scores of many campaigns at once, from the stored numbers (for the benchmark table).

The results page scores one campaign from its tidy answers (frames.tidy_responses). At
national scale the same figures are needed for every campaign: this module computes them in
bulk from the numeric columns the store keeps beside each answer (level, target, importance,
dont_know), with the same rules — submitted respondents only, levels off the scale ignored,
consensus levels replacing the mean, every item weighing the same in its dimension — so that
a campaign's row here equals its dimension score on the results page (tested).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from diagnostic.analytics.agreement import (
    MIN_ANSWERS_FOR_AGREEMENT,
    agreement_by_item,
    van_der_eijk,
)
from diagnostic.analytics.consensus import consensus_levels
from diagnostic.analytics.frames import agreement_items, item_catalogue, maturity_items
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
    "share_agree",
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
    min_answers: int = 1,
) -> pd.DataFrame:
    """Each campaign's score on each dimension of `questionnaire` (all campaigns answer it).

    `answers`: the answers of submitted respondents only, columns campaign_id, participant_id,
    question_id, dont_know, level, target (as stored). `consensus`: campaign_id, question_id,
    level, target. One row per campaign of `campaign_ids` x scored dimension, in questionnaire
    order; columns: campaign_id, dimension_id, n_items (maturity items with a level or a
    consensus), n_consensus, score and target_score (0-100, the mean of the maturity item
    scores, consensus applied), agreement (mean van der Eijk A of the maturity items with at
    least two levels), share_agree (the agreement index of the dimension's agreement
    statements, each counted from `min_answers` levels, as approval.agreement_index).
    """
    everything = item_catalogue(questionnaire)
    catalogue = everything.loc[maturity_items(everything)]
    statements = everything.loc[agreement_items(everything)]
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
    out["share_agree"] = np.nan
    if statements.empty:
        return out[ROW_COLUMNS]
    said = _levels(answers, statements).dropna(subset=["current"])
    bounds = statements.set_index("question_id")
    mid = (bounds["scale_min"].astype(float) + bounds["scale_max"].astype(float)) / 2
    said = said.assign(
        agree=said["current"].astype(float) > said["question_id"].map(mid).astype(float)
    )
    shares = said.groupby(["campaign_id", "question_id"], sort=False)["agree"].agg(["sum", "size"])
    shares = shares.reindex(
        pd.MultiIndex.from_product(
            [list(campaign_ids), list(statements["question_id"])],
            names=["campaign_id", "question_id"],
        )
    ).reset_index()
    enough = shares["size"] >= min_answers
    shares["share"] = (shares["sum"] / shares["size"]).where(enough)
    shares["dimension_id"] = shares["question_id"].map(
        statements.set_index("question_id")["dimension_id"]
    )
    index = shares.groupby(["campaign_id", "dimension_id"], sort=False)["share"].mean()
    keys = pd.MultiIndex.from_frame(out[["campaign_id", "dimension_id"]])
    out["share_agree"] = index.reindex(keys).to_numpy(dtype=float)
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


# --- bulk scoring from counts (the benchmark table's refresh and rebuild) ----------------------
#
# The database counts, per campaign x item, the submitted answers at each level and at each
# target (store.benchmark.answer_counts: one GROUP BY, no answer row leaves the database).
# Everything campaign_dimension_rows derives from the answers follows from those counts: the
# mean level is the sum of level x count over the count, van der Eijk's A needs only the
# frequency vector. dimension_rows() below computes exactly the same rows (tested equal, to the
# last bit: means are summed in the same order with the same compensated summation as pandas).


@dataclass(frozen=True)
class Statements:
    """The agreement statements of a questionnaire's dimensions as arrays (questionnaire order)."""

    position: dict[str, int]  # question id -> position
    low: np.ndarray
    high: np.ndarray
    slots: np.ndarray  # dimension x rank -> statement position, -1 past the last one


@dataclass(frozen=True)
class ScoredItems:
    """The maturity items of a questionnaire as arrays, in questionnaire order, and its
    agreement statements apart."""

    question_ids: list[str]
    position: dict[str, int]  # question id -> position in question_ids
    dimensions: tuple[str, ...]  # questionnaire.dimensions order
    low: np.ndarray  # scale minimum (float)
    high: np.ndarray  # scale maximum (float)
    has_target: np.ndarray  # bool
    slots: np.ndarray  # dimension x rank -> item position, -1 past the dimension's last item
    statements: Statements

    @property
    def values(self) -> list[int]:
        """Every level of the items' and statements' scales, lowest first (the counts'
        columns)."""
        low = np.concatenate([self.low, self.statements.low])
        high = np.concatenate([self.high, self.statements.high])
        if not len(low):
            return []
        return list(range(int(low.min()), int(high.max()) + 1))


def _slots(dimension_ids: pd.Series, dims: tuple[str, ...]) -> np.ndarray:
    """Dimension x rank -> position in `dimension_ids` (-1 past a dimension's last one)."""
    rank = {d: i for i, d in enumerate(dims)}
    members: list[list[int]] = [[] for _ in dims]
    for position, dim in enumerate(dimension_ids):
        if dim in rank:
            members[rank[dim]].append(position)
    width = max((len(m) for m in members), default=0)
    slots = np.full((len(dims), width), -1, dtype=np.int64)
    for i, m in enumerate(members):
        slots[i, : len(m)] = m
    return slots


_SCORED: dict[int, tuple[Questionnaire, ScoredItems]] = {}
_SCORED_LOCK = threading.Lock()
_SCORED_MAX = 32


def scored_items(questionnaire: Questionnaire) -> ScoredItems:
    """ScoredItems of a questionnaire, kept for the life of the questionnaire object.

    item_catalogue costs milliseconds; a submission's refresh must cost less than that in all.
    The cache holds the questionnaire itself, so its id() cannot be reused while cached.
    """
    with _SCORED_LOCK:
        found = _SCORED.get(id(questionnaire))
    if found is not None and found[0] is questionnaire:
        return found[1]
    everything = item_catalogue(questionnaire)
    catalogue = everything.loc[maturity_items(everything)]
    said = everything.loc[agreement_items(everything)]
    dims = tuple(s.id for s in questionnaire.dimensions)
    slots = _slots(catalogue["dimension_id"], dims)
    statements = Statements(
        position={str(q): i for i, q in enumerate(said["question_id"])},
        low=said["scale_min"].to_numpy(dtype=float),
        high=said["scale_max"].to_numpy(dtype=float),
        slots=_slots(said["dimension_id"], dims),
    )
    items = ScoredItems(
        question_ids=[str(q) for q in catalogue["question_id"]],
        position={str(q): i for i, q in enumerate(catalogue["question_id"])},
        dimensions=dims,
        low=catalogue["scale_min"].to_numpy(dtype=float),
        high=catalogue["scale_max"].to_numpy(dtype=float),
        has_target=catalogue["has_target"].to_numpy(dtype=bool),
        slots=slots,
        statements=statements,
    )
    with _SCORED_LOCK:
        if len(_SCORED) >= _SCORED_MAX:
            _SCORED.pop(next(iter(_SCORED)))
        _SCORED[id(questionnaire)] = (questionnaire, items)
    return items


@dataclass(frozen=True)
class LevelCounts:
    """How many submitted respondents gave each level and each target, per campaign x item.

    Row i: campaign_id[i], question_id[i]; levels[i, j] and targets[i, j] count the value
    values[j] ("Je ne sais pas" excluded). What the database returns for one GROUP BY
    (store.benchmark.answer_counts), so that no answer row is ever read.
    """

    campaign_id: np.ndarray  # int64
    question_id: list[str]
    levels: np.ndarray  # int64, rows x len(values)
    targets: np.ndarray
    values: list[int]

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]], values: list[int]) -> LevelCounts:
        """From rows (campaign_id, question_id, level counts…, target counts…)."""
        width = len(values)
        if not rows:
            empty = np.zeros((0, width), dtype=np.int64)
            return cls(np.zeros(0, dtype=np.int64), [], empty, empty.copy(), list(values))
        columns = list(zip(*rows, strict=True))
        numbers = np.array(columns[2:], dtype=np.int64).T.reshape(len(rows), 2 * width)
        return cls(
            np.array(columns[0], dtype=np.int64),
            [str(q) for q in columns[1]],
            numbers[:, :width],
            numbers[:, width:],
            list(values),
        )

    def narrowed(self, values: list[int]) -> LevelCounts:
        """The same counts on `values` only (a subset of self.values)."""
        if values == self.values:
            return self
        position = [self.values.index(v) for v in values]
        return LevelCounts(
            self.campaign_id,
            self.question_id,
            self.levels[:, position],
            self.targets[:, position],
            list(values),
        )

    def of_campaigns(self, campaign_ids: list[int]) -> LevelCounts:
        """The rows of these campaigns."""
        keep = np.isin(self.campaign_id, np.asarray(campaign_ids, dtype=np.int64))
        question_id = [q for q, k in zip(self.question_id, keep.tolist(), strict=True) if k]
        return LevelCounts(
            self.campaign_id[keep], question_id, self.levels[keep], self.targets[keep], self.values
        )


def _agreements(counts: np.ndarray, start: np.ndarray, width: np.ndarray) -> np.ndarray:
    """van_der_eijk of each row's counts[start:start + width]: computed once per distinct row."""
    out = np.full(len(counts), np.nan)
    if not len(counts):
        return out
    keys = np.column_stack([start, width, counts]).astype(np.int64)
    sizes = keys.max(axis=0) + 1
    if float(np.prod(sizes.astype(float))) < 2.0**62:  # one integer per row: a fast 1-D unique
        codes = np.ravel_multi_index(tuple(keys.T), tuple(int(s) for s in sizes))
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        unique = keys[first]
    else:  # pragma: no cover - hundreds of respondents on long scales
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    values = np.array(
        [_agreement(tuple(row[2 + row[0] : 2 + row[0] + row[1]])) for row in unique.tolist()]
    )
    return values[np.asarray(inverse).reshape(-1)]


@lru_cache(maxsize=65_536)
def _agreement(counts: tuple[int, ...]) -> float:
    """van_der_eijk of a frequency vector, remembered: a submission's refresh meets the same
    few hundred vectors again and again."""
    return van_der_eijk(counts)


def _group_means(
    metrics: list[np.ndarray], slots: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Mean of the non-NaN values of each campaign x dimension (NaN when none), for each of
    `metrics` (campaigns x items), and the count of the first one's values.

    `slots`: dimensions x rank -> item (-1: none). The items are added in questionnaire order
    with Kahan's compensated summation, as pandas' groupby mean does: the figures are the same
    to the last bit.
    """
    present = slots >= 0
    stacked = np.stack(metrics)  # metrics x campaigns x items
    padded = np.where(present, stacked[:, :, np.where(present, slots, 0)], np.nan)
    shape = padded.shape[:3]  # metrics x campaigns x dimensions
    total, compensation = np.zeros(shape), np.zeros(shape)
    count = np.zeros(shape, dtype=np.int64)
    for rank in range(slots.shape[1]):
        value = padded[..., rank]
        ok = ~np.isnan(value)
        y = np.where(ok, value - compensation, 0.0)
        t = total + y
        compensation = np.where(ok, (t - total) - y, compensation)
        total = np.where(ok, t, total)
        count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return list(mean), count[0]


def dimension_scores(
    counts: LevelCounts,
    questionnaire: Questionnaire,
    *,
    campaign_ids: list[int],
    consensus: pd.DataFrame | None = None,
    min_answers: int = 1,
) -> dict[str, np.ndarray]:
    """campaign_dimension_rows() computed from counts instead of answers, as columns.

    `consensus`: campaign_id, question_id, level, target. Returns ROW_COLUMNS -> array: one
    row per campaign of `campaign_ids` x dimension, in that order; the same figures, to the
    last bit, as campaign_dimension_rows (tested).
    """
    items = scored_items(questionnaire)
    n_campaigns, n_items = len(campaign_ids), len(items.question_ids)
    campaign_position = {int(c): i for i, c in enumerate(campaign_ids)}
    ci = np.array([campaign_position.get(c, -1) for c in counts.campaign_id.tolist()], dtype=int)
    ii = np.array([items.position.get(q, -1) for q in counts.question_id], dtype=int)
    keep = (ci >= 0) & (ii >= 0)
    ci, ii = ci[keep], ii[keep]
    levels, targets = counts.levels[keep], counts.targets[keep]
    scale = np.asarray(counts.values, dtype=float)
    low, high = items.low[ii], items.high[ii]
    in_scale = (scale[None, :] >= low[:, None]) & (scale[None, :] <= high[:, None])
    levels = levels * in_scale
    targets = targets * (in_scale & items.has_target[ii][:, None])
    n_levels, n_targets = levels.sum(axis=1), targets.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_level = np.where(n_levels > 0, (levels @ scale) / n_levels, np.nan)
        mean_target = np.where(n_targets > 0, (targets @ scale) / n_targets, np.nan)
    first = counts.values[0] if counts.values else 0
    start = (low - first).astype(np.int64)
    width = (high - low + 1).astype(np.int64)
    several = n_levels >= MIN_ANSWERS_FOR_AGREEMENT
    agreement = np.full(len(ci), np.nan)
    agreement[several] = _agreements(levels[several], start[several], width[several])

    current = np.full((n_campaigns, n_items), np.nan)
    target = np.full((n_campaigns, n_items), np.nan)
    item_agreement = np.full((n_campaigns, n_items), np.nan)
    current[ci, ii], target[ci, ii], item_agreement[ci, ii] = mean_level, mean_target, agreement
    agreed_level, agreed_target = _agreed(consensus, items, campaign_position)
    agreed = ~np.isnan(agreed_level)
    current = np.where(agreed, agreed_level, current)
    target = np.where(np.isnan(agreed_target), target, agreed_target)
    score = to_score(current, items.low, items.high)
    target_score = to_score(target, items.low, items.high)

    slots = items.slots
    means, n_scored = _group_means([score, target_score, item_agreement], slots)
    mean_score, mean_target_score, mean_agreement = means
    present = slots >= 0
    n_consensus = np.where(present[None], agreed[:, np.where(present, slots, 0)], False).sum(2)
    n_dims = len(items.dimensions)
    share_agree = _agreement_index(counts, items, campaign_position, min_answers)
    return {
        "campaign_id": np.repeat(np.asarray(campaign_ids, dtype=np.int64), n_dims),
        "dimension_id": np.tile(np.asarray(items.dimensions, dtype=object), n_campaigns),
        "n_items": n_scored.reshape(-1).astype(np.int64),
        "n_consensus": n_consensus.reshape(-1).astype(np.int64),
        "score": mean_score.reshape(-1),
        "target_score": mean_target_score.reshape(-1),
        "agreement": mean_agreement.reshape(-1),
        "share_agree": share_agree.reshape(-1),
    }


def _agreement_index(
    counts: LevelCounts, items: ScoredItems, campaigns: dict[int, int], min_answers: int
) -> np.ndarray:
    """Campaigns x dimensions: the mean share of levels above the middle of the scale over the
    dimension's statements with at least `min_answers` levels (NaN: none)."""
    said = items.statements
    shape = (len(campaigns), len(said.position))
    ci = np.array([campaigns.get(c, -1) for c in counts.campaign_id.tolist()], dtype=int)
    si = np.array([said.position.get(q, -1) for q in counts.question_id], dtype=int)
    keep = (ci >= 0) & (si >= 0)
    ci, si = ci[keep], si[keep]
    scale = np.asarray(counts.values, dtype=float)
    low, high = said.low[si], said.high[si]
    levels = counts.levels[keep] * (
        (scale[None, :] >= low[:, None]) & (scale[None, :] <= high[:, None])
    )
    agree = (levels * (scale[None, :] > ((low + high) / 2)[:, None])).sum(axis=1)
    n = levels.sum(axis=1)
    share = np.full(shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share[ci, si] = np.where(n >= max(min_answers, 1), agree / np.maximum(n, 1), np.nan)
    if not said.slots.size:
        return np.full((len(campaigns), len(items.dimensions)), np.nan)
    (means,), _ = _group_means([share], said.slots)
    return means


def dimension_rows(
    counts: LevelCounts,
    questionnaire: Questionnaire,
    *,
    campaign_ids: list[int],
    consensus: pd.DataFrame | None = None,
    min_answers: int = 1,
) -> pd.DataFrame:
    """dimension_scores() as a frame (ROW_COLUMNS): what campaign_dimension_rows returns."""
    scores = dimension_scores(
        counts,
        questionnaire,
        campaign_ids=campaign_ids,
        consensus=consensus,
        min_answers=min_answers,
    )
    return pd.DataFrame(scores)[ROW_COLUMNS]


def _agreed(
    consensus: pd.DataFrame | None, items: ScoredItems, campaigns: dict[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Agreed level and target per campaign x item (NaN: none), kept where they fit the item,
    as consensus.consensus_levels keeps them (the last row of an item wins)."""
    shape = (len(campaigns), len(items.question_ids))
    level, target = np.full(shape, np.nan), np.full(shape, np.nan)
    if consensus is None or consensus.empty:
        return level, target
    frame = consensus.drop_duplicates(["campaign_id", "question_id"], keep="last")
    ci = np.array([campaigns.get(int(c), -1) for c in frame["campaign_id"]], dtype=int)
    ii = np.array([items.position.get(str(q), -1) for q in frame["question_id"]], dtype=int)
    keep = (ci >= 0) & (ii >= 0)
    ci, ii = ci[keep], ii[keep]
    low, high = items.low[ii], items.high[ii]
    for column, out, allowed in (
        ("level", level, np.ones(len(ii), dtype=bool)),
        ("target", target, items.has_target[ii]),
    ):
        value = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)[keep]
        fits = (value >= low) & (value <= high) & (value == np.floor(value)) & allowed
        out[ci, ii] = np.where(fits, value, np.nan)
    return level, target
