"""Anonymous peer groups: which territories count, quantiles per dimension, suppression, ranks.

A peer group is the territories of one kind (CC, CA, CU, métropole…) and one population band
(benchmark.POPULATION_BANDS), or of one kind whatever their size. Only campaigns whose
coordination consented to anonymous benchmarking, with at least `min_respondents` submitted
questionnaires, count; a territory counts once, through its latest such campaign of the
questionnaire compared. Peers are never named: a group shows its number of territories and
the 10th, 25th, 50th, 75th and 90th centiles of each dimension (never a minimum, a maximum
nor a single territory's value).

Privacy rules (docs/methodes.md § 15):
- primary: a group x dimension cell is hidden when fewer than `min_territories` territories
  are in it, not counting those the viewer accompanies (whose values they already know and
  could subtract);
- secondary: the bands of a kind add up to the kind's total, which is shown. When the hidden
  bands of a kind hold fewer than `min_territories` territories together, the total minus the
  shown bands would reveal them: the shown band with the fewest territories is hidden too,
  until the hidden bands hold at least `min_territories` or none is left to hide. Only the
  territories unknown to the viewer count: hidden bands that hold none (only territories the
  viewer accompanies, whose figures they already know) reveal nothing and mask no other band.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from diagnostic.analytics.bulk_scores import ALL_BANDS, BAND_LABELS, POPULATION_BANDS, UNKNOWN_BAND
from diagnostic.analytics.groups import (
    STATUS_MASKED,
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_SUPPRESSED,
    hidden_label,
)

QUANTILES = {"p10": 0.10, "q1": 0.25, "median": 0.50, "q3": 0.75, "p90": 0.90}
METRICS = ("score", "target_score", "agreement")
BAND_ORDER = [code for code, *_ in POPULATION_BANDS] + [UNKNOWN_BAND]


def peer_status_label(status: str, min_territories: int) -> str:
    """The French words shown in place of a hidden peer figure ("" when shown)."""
    return hidden_label(
        status, too_few=f"moins de {min_territories} territoires", nobody="aucun territoire"
    )


def eligible(table: pd.DataFrame, *, questionnaire_id: str, min_respondents: int) -> pd.DataFrame:
    """Rows that may enter peer aggregates: consent given, enough questionnaires submitted,
    the questionnaire compared, and only the latest such campaign of each territory."""
    return table.iloc[
        eligible_positions(
            table, questionnaire_id=questionnaire_id, min_respondents=min_respondents
        )
    ]


def eligible_positions(
    table: pd.DataFrame, *, questionnaire_id: str, min_respondents: int
) -> np.ndarray:
    """The positions in `table` of eligible()'s rows, in the table's order (no row taken)."""
    mask = (
        table["consent"].to_numpy(dtype=bool)
        & (table["n_respondents"].to_numpy() >= min_respondents)
        & (table["questionnaire_id"] == questionnaire_id).to_numpy(dtype=bool)
    )
    index = np.flatnonzero(mask)
    territory = table["territory_id"].to_numpy()[index]
    campaign = table["campaign_id"].to_numpy()[index]
    return index[campaign == _latest(territory, campaign)]


def _latest(territory: np.ndarray, campaign: np.ndarray) -> np.ndarray:
    """For each row, the highest campaign id of its territory."""
    if not len(territory):
        return campaign
    order = np.lexsort((campaign, territory))
    ordered = territory[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    last = np.r_[starts[1:], True]
    top = np.empty_like(campaign)
    top[order] = campaign[order][last][group]
    return top


_BAND_KEYS = ["kind", "population_band", "dimension_id"]
_KIND_KEYS = ["kind", "dimension_id"]


def _cells_and_figures(
    rows: pd.DataFrame, known: frozenset[int]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The cells of the peer groups and, aligned with them, the centiles of every metric.

    Cells: territories per kind x band x dimension with a score (n), and how many of them the
    viewer knows (n_known); the kind x band x dimension cells first, then the kind x dimension
    ones (band ALL_BANDS), each sorted by their keys as groupby sorts them (protect_peers
    breaks ties by this order). Centiles: over the group's eligible rows with that metric
    (NaN left out), linear interpolation computed as pandas' groupby quantile does (the same
    figures to the last bit).

    `rows` are eligible() rows: one campaign per territory, one row per campaign x dimension,
    so a cell holds each of its territories once and counting its rows counts them."""
    scored = ~np.isnan(rows["score"].to_numpy(dtype=float))
    territory = rows["territory_id"].to_numpy(dtype=np.int64)
    is_known = np.isin(territory, np.fromiter(known, dtype=np.int64, count=len(known)))
    metrics = {m: rows[m].to_numpy(dtype=float) for m in METRICS}
    factors = {name: _factor(rows[name]) for name in _BAND_KEYS}  # each text column once
    order = {m: _value_order(values) for m, values in metrics.items()}  # each metric once
    parts, figures = [], []
    for names in (_BAND_KEYS, _KIND_KEYS):
        code, keys = _group_codes([factors[name] for name in names], names)
        size = len(keys["kind"])
        n = np.bincount(code[scored], minlength=size)
        present = n > 0
        n_known = np.bincount(code[scored], weights=is_known[scored], minlength=size)
        cells = {
            "kind": keys["kind"][present],
            "population_band": keys["population_band"][present]
            if "population_band" in keys
            else np.full(int(present.sum()), ALL_BANDS, dtype=object),
            "dimension_id": keys["dimension_id"][present],
            "n": n[present].astype(np.int64),
            "n_known": n_known[present].astype(np.int64),
        }
        parts.append(cells)
        figures.append(
            {
                f"{metric}_{name}": column[present]
                for metric, values in metrics.items()
                for name, column in _group_quantiles(values, code, size, order[metric]).items()
            }
        )
    frame = pd.DataFrame(
        {
            k: np.concatenate([p[k] for p in parts])
            for k in ["kind", *_BAND_KEYS[1:], "n", "n_known"]
        }
    )
    joined = {k: np.concatenate([f[k] for f in figures]) for k in figures[0]}
    return frame, joined


def _factor(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column's codes (int64) and its distinct values (object), sorted as groupby sorts
    them."""
    code, unique = pd.factorize(column, sort=True)
    return code.astype(np.int64), np.asarray(unique, dtype=object)


def _group_codes(
    factors: list[tuple[np.ndarray, np.ndarray]], names: list[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each row's group (0…G-1, groups sorted by their keys as groupby sorts them) and the
    groups' keys (name -> one value per group), from each key's _factor(). The keys are never
    missing in the table."""
    combined = np.zeros(len(factors[0][0]) if factors else 0, dtype=np.int64)
    span = 1
    for code, unique in factors:
        combined = combined * max(len(unique), 1) + code
        span *= max(len(unique), 1)
    # the combined key is small (kinds x bands x dimensions): present keys by counting, no sort
    seen = np.bincount(combined, minlength=span) > 0
    present = np.flatnonzero(seen)
    rank = np.cumsum(seen) - 1
    group = rank[combined]
    keys = {}
    for name, (_, unique) in zip(reversed(names), reversed(factors), strict=True):
        size = max(len(unique), 1)
        keys[name] = unique[present % size] if len(unique) else np.array([], dtype=object)
        present = present // size
    return group.astype(np.int64), keys


def protect_peers(cells: pd.DataFrame, *, min_territories: int) -> pd.DataFrame:
    """Add `status` to kind x band x dimension cells (columns n, n_known); see the module doc."""
    out = cells.reset_index(drop=True)
    unknown = (out["n"] - out["n_known"]).to_numpy()
    status = np.select(
        [out["n"].to_numpy() == 0, unknown < min_territories],
        [STATUS_NO_DATA, STATUS_SUPPRESSED],
        STATUS_OK,
    ).astype(object)
    siblings: dict[tuple[str, str], list[int]] = {}
    for i, (kind, band, dim) in enumerate(
        zip(out["kind"], out["population_band"], out["dimension_id"], strict=True)
    ):
        if band != ALL_BANDS:
            siblings.setdefault((kind, dim), []).append(i)
    for rows in siblings.values():
        while True:
            hidden = [i for i in rows if status[i] in (STATUS_SUPPRESSED, STATUS_MASKED)]
            shown = [i for i in rows if status[i] == STATUS_OK]
            exposed = sum(unknown[i] for i in hidden)  # hidden territories the viewer ignores
            if not hidden or not shown or exposed == 0 or exposed >= min_territories:
                break
            status[min(shown, key=lambda i: (unknown[i], i))] = STATUS_MASKED
    return out.assign(status=status)


def peer_groups(
    table: pd.DataFrame,
    *,
    questionnaire_id: str,
    min_territories: int,
    min_respondents: int,
    known: Iterable[int] = (),
) -> pd.DataFrame:
    """Every peer group's figures per dimension, privacy rules applied.

    `table` is the benchmark table (store.benchmark.read_table); `known` the territories the
    viewer accompanies. One row per kind x band (ALL_BANDS for the kind's total) x dimension;
    columns: kind, population_band, band_label, dimension_id, n (territories), status,
    status_label, and for each metric (score, target_score, agreement) its p10, q1, median,
    q3 and p90 (e.g. score_median), blank unless status is "ok".
    """
    rows = eligible(table, questionnaire_id=questionnaire_id, min_respondents=min_respondents)
    known_set = frozenset(int(t) for t in known)
    cells, figures = _cells_and_figures(rows, known_set)
    if cells.empty:
        return pd.DataFrame(columns=_columns())
    cells = protect_peers(cells, min_territories=min_territories)
    hidden = (cells["status"] != STATUS_OK).to_numpy()
    order = {b: i for i, b in enumerate([*BAND_ORDER, ALL_BANDS])}
    band_rank = np.array([order.get(b, len(order)) for b in cells["population_band"]])
    kind_code = pd.factorize(cells["kind"], sort=True)[0]
    dimension_code = pd.factorize(cells["dimension_id"], sort=True)[0]
    sort = np.lexsort((dimension_code, band_rank, kind_code))
    n = pd.array(cells["n"].to_numpy(), dtype="Int64")
    n[hidden] = pd.NA
    out = {
        "kind": cells["kind"].to_numpy()[sort],
        "population_band": cells["population_band"].to_numpy()[sort],
        "band_label": [BAND_LABELS.get(b) for b in cells["population_band"].to_numpy()[sort]],
        "dimension_id": cells["dimension_id"].to_numpy()[sort],
        "n": n[sort],
        "status": cells["status"].to_numpy()[sort],
        "status_label": [
            peer_status_label(s, min_territories) for s in cells["status"].to_numpy()[sort]
        ],
    }
    for name, values in figures.items():
        out[name] = np.where(hidden, np.nan, values)[sort]
    return pd.DataFrame(out)[_columns()]


def _columns() -> list[str]:
    figures = [f"{m}_{q}" for m in METRICS for q in QUANTILES]
    first = ["kind", "population_band", "band_label", "dimension_id", "n", "status"]
    return [*first, "status_label", *figures]


def _value_order(values: np.ndarray) -> np.ndarray:
    """The positions of the non-NaN values, in increasing order of value."""
    keep = np.flatnonzero(~np.isnan(values))
    return keep[np.argsort(values[keep], kind="stable")]


def _group_quantiles(
    values: np.ndarray, group: np.ndarray, n_groups: int, by_value: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The QUANTILES of the non-NaN values of each group (NaN for a group without any).

    `by_value`: _value_order(values), when the caller sorts the values once for several
    groupings; a stable sort by group then leaves each group's values in increasing order."""
    if by_value is None:
        by_value = _value_order(values)
    groups = group[by_value]
    small = groups.astype(np.int16) if n_groups < np.iinfo(np.int16).max else groups
    ordered = values[by_value][np.argsort(small, kind="stable")]
    size = np.bincount(groups, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    has = size > 0
    out = {}
    for name, q in QUANTILES.items():
        position = q * (size[has] - 1).astype(float)
        index = start[has] + position.astype(np.int64)
        fraction = position % 1
        value = ordered[index]
        following = ordered[np.minimum(index + 1, len(ordered) - 1)]
        column = np.full(n_groups, np.nan)
        column[has] = np.where(fraction == 0.0, value, value + (following - value) * fraction)
        out[name] = column
    return out


def percentile_ranks(
    scores: pd.DataFrame,
    peers: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    kind: str,
    band: str,
) -> pd.DataFrame:
    """Where each chosen territory stands in a peer group, dimension by dimension.

    `scores`: territory_id, dimension_id, score of the territories compared; `peers`: the
    eligible rows (eligible()); `groups`: peer_groups() output. The rank is the share of the
    group's other territories with a lower score, ties counting half, on 0-100. It is given
    only where the group's cell is shown (status "ok"); a territory is never its own peer.
    Columns: territory_id, dimension_id, score, rank, n_peers, status.
    """
    score_of = peers["score"].to_numpy(dtype=float)
    mask = (peers["kind"] == kind).to_numpy(dtype=bool) & ~np.isnan(score_of)
    if band != ALL_BANDS:
        mask = mask & (peers["population_band"] == band).to_numpy(dtype=bool)
    territory_of = peers["territory_id"].to_numpy()[mask]
    score_of = score_of[mask]
    dimension_code, dimension_names = pd.factorize(peers["dimension_id"].to_numpy()[mask])
    by_dimension = {
        name: (territory_of[dimension_code == i], score_of[dimension_code == i])
        for i, name in enumerate(dimension_names)
    }
    nobody = (np.zeros(0, dtype=np.int64), np.zeros(0))
    cells = (groups["kind"].to_numpy() == kind) & (groups["population_band"].to_numpy() == band)
    status = dict(
        zip(
            groups["dimension_id"].to_numpy()[cells],
            groups["status"].to_numpy()[cells],
            strict=True,
        )
    )
    out = []
    for territory_id, dimension_id, score in scores[
        ["territory_id", "dimension_id", "score"]
    ].itertuples(index=False, name=None):
        territories, values = by_dimension.get(dimension_id, nobody)
        others = values[territories != territory_id]
        cell = status.get(dimension_id, STATUS_NO_DATA)
        rank = np.nan
        if cell == STATUS_OK and len(others) and not pd.isna(score):
            below = (others < score - 1e-9).sum()
            ties = (np.abs(others - score) <= 1e-9).sum()
            rank = 100 * (below + 0.5 * ties) / len(others)
        out.append((territory_id, dimension_id, score, rank, len(others), cell))
    columns = ["territory_id", "dimension_id", "score", "rank", "n_peers", "status"]
    return pd.DataFrame(out, columns=columns)
