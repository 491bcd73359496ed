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
  until the hidden bands hold at least `min_territories` or none is left to hide.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from diagnostic.analytics.benchmark import ALL_BANDS, BAND_LABELS, POPULATION_BANDS, UNKNOWN_BAND
from diagnostic.analytics.groups import STATUS_MASKED, STATUS_NO_DATA, STATUS_OK, STATUS_SUPPRESSED

QUANTILES = {"p10": 0.10, "q1": 0.25, "median": 0.50, "q3": 0.75, "p90": 0.90}
METRICS = ("score", "target_score", "agreement")
BAND_ORDER = [code for code, *_ in POPULATION_BANDS] + [UNKNOWN_BAND]


def peer_status_label(status: str, min_territories: int) -> str:
    """The French words shown in place of a hidden peer figure ("" when shown)."""
    return {
        STATUS_OK: "",
        STATUS_SUPPRESSED: f"moins de {min_territories} territoires",
        STATUS_MASKED: "masqué pour protéger un petit groupe",
        STATUS_NO_DATA: "aucun territoire",
    }[status]


def eligible(table: pd.DataFrame, *, questionnaire_id: str, min_respondents: int) -> pd.DataFrame:
    """Rows that may enter peer aggregates: consent given, enough questionnaires submitted,
    the questionnaire compared, and only the latest such campaign of each territory."""
    rows = table.loc[
        table["consent"].astype(bool)
        & (table["n_respondents"] >= min_respondents)
        & (table["questionnaire_id"] == questionnaire_id)
    ]
    latest = rows.groupby("territory_id")["campaign_id"].transform("max")
    return rows.loc[rows["campaign_id"] == latest]


def _cells(rows: pd.DataFrame, known: frozenset[int]) -> pd.DataFrame:
    """Territories per kind x band x dimension (with a score), and how many the viewer knows."""
    scored = rows.loc[rows["score"].notna()].assign(
        known=rows["territory_id"].isin(known).astype(int)
    )
    by_band = scored.groupby(["kind", "population_band", "dimension_id"]).agg(
        n=("territory_id", "nunique"), n_known=("known", "sum")
    )
    by_kind = scored.groupby(["kind", "dimension_id"]).agg(
        n=("territory_id", "nunique"), n_known=("known", "sum")
    )
    by_kind = by_kind.assign(population_band=ALL_BANDS).set_index("population_band", append=True)
    by_kind = by_kind.reorder_levels(["kind", "population_band", "dimension_id"])
    return pd.concat([by_band, by_kind]).reset_index()


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
            if not hidden or not shown or sum(unknown[i] for i in hidden) >= min_territories:
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
    cells = _cells(rows, known_set)
    if cells.empty:
        return pd.DataFrame(columns=_columns())
    cells = protect_peers(cells, min_territories=min_territories)
    stats = _quantiles(rows)
    out = cells.merge(stats, on=["kind", "population_band", "dimension_id"], how="left")
    figures = [c for c in out.columns if c.startswith(METRICS)]
    out["n"] = out["n"].astype("Int64")
    out.loc[out["status"] != STATUS_OK, [*figures, "n"]] = pd.NA
    out["status_label"] = [peer_status_label(s, min_territories) for s in out["status"]]
    out["band_label"] = out["population_band"].map(BAND_LABELS)
    order = {b: i for i, b in enumerate([*BAND_ORDER, ALL_BANDS])}
    out = out.sort_values(
        ["kind", "population_band", "dimension_id"],
        key=lambda s: s.map(order) if s.name == "population_band" else s,
        kind="stable",
    )
    return out[_columns()].reset_index(drop=True)


def _columns() -> list[str]:
    figures = [f"{m}_{q}" for m in METRICS for q in QUANTILES]
    first = ["kind", "population_band", "band_label", "dimension_id", "n", "status"]
    return [*first, "status_label", *figures]


def _quantiles(rows: pd.DataFrame) -> pd.DataFrame:
    """Centiles of every metric per kind x band x dimension, and per kind x dimension."""
    parts = []
    for frame in (rows, rows.assign(population_band=ALL_BANDS)):
        grouped = frame.groupby(["kind", "population_band", "dimension_id"])
        parts.append(
            pd.DataFrame(
                {
                    f"{metric}_{name}": grouped[metric].quantile(q)
                    for metric in METRICS
                    for name, q in QUANTILES.items()
                }
            )
        )
    return pd.concat(parts).reset_index()


def group_rows(rows: pd.DataFrame, kind: str, band: str) -> pd.DataFrame:
    """The eligible rows of one peer group (band ALL_BANDS: the whole kind)."""
    mask = rows["kind"] == kind
    if band != ALL_BANDS:
        mask &= rows["population_band"] == band
    return rows.loc[mask]


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
    members = group_rows(peers, kind, band)
    cells = groups.loc[(groups["kind"] == kind) & (groups["population_band"] == band)]
    status = cells.set_index("dimension_id")["status"]
    out = []
    for territory_id, dimension_id, score in scores[
        ["territory_id", "dimension_id", "score"]
    ].itertuples(index=False, name=None):
        others = members.loc[
            (members["dimension_id"] == dimension_id)
            & (members["territory_id"] != territory_id)
            & members["score"].notna(),
            "score",
        ].to_numpy()
        cell = status.get(dimension_id, STATUS_NO_DATA)
        rank = np.nan
        if cell == STATUS_OK and len(others) and not pd.isna(score):
            below = (others < score - 1e-9).sum()
            ties = (np.abs(others - score) <= 1e-9).sum()
            rank = 100 * (below + 0.5 * ties) / len(others)
        out.append((territory_id, dimension_id, score, rank, len(others), cell))
    columns = ["territory_id", "dimension_id", "score", "rank", "n_peers", "status"]
    return pd.DataFrame(out, columns=columns)
