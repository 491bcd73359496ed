"""The comparison as French tables: the data of every chart, and the CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from diagnostic.analytics import STATUS_OK, agreement_tag
from diagnostic.analytics.bulk_scores import BAND_LABELS
from diagnostic.comparison.service import Comparison, group_overview
from diagnostic.vocabulary import KIND_LABELS


def _median_of_own_group(comparison: Comparison, column: str) -> pd.Series:
    """Per row of comparison.ranks (or .scores): the median `column` of the territory's own
    peer group (NaN when the group is hidden)."""
    frame = comparison.ranks if column == "score_median" else comparison.scores
    values = []
    for territory_id, dimension_id in zip(
        frame["territory_id"], frame["dimension_id"], strict=True
    ):
        group = comparison.group_of(int(territory_id))
        if not group.shown:
            values.append(float("nan"))
            continue
        cells = group.peers.set_index("dimension_id")[column]
        values.append(float(cells.get(dimension_id, float("nan"))))
    return pd.Series(values, index=frame.index, dtype=float)


def dimensions(comparison: Comparison, labels: Mapping[str, str], order: list[str]) -> pd.DataFrame:
    """One row per dimension: each territory's score, then the median of each peer group
    compared (its label in the column's name; blank when the group is hidden)."""
    out = pd.DataFrame({"Dimension": [labels.get(d, d) for d in order]})
    for name, frame in comparison.scores.groupby("name", sort=False):
        out[str(name)] = frame.set_index("dimension_id")["score"].reindex(order).round().to_numpy()
    for group, _names in comparison.by_group():
        column = f"Médiane des pairs : {group.caption}"
        if group.shown:
            median = group.peers.set_index("dimension_id")["score_median"].reindex(order)
            out[column] = median.round().to_numpy()
        else:
            out[column] = [None] * len(order)
    return out


def peer_figures(
    comparison: Comparison, labels: Mapping[str, str], order: list[str]
) -> pd.DataFrame:
    """Each peer group compared, dimension by dimension: how many territories, its quartiles
    (never a minimum, a maximum nor a single territory), or why they are hidden."""
    rows = []
    for group, names in comparison.by_group():
        cells = group.peers.set_index("dimension_id") if len(group.peers) else None
        for dimension in order:
            cell = cells.loc[dimension] if cells is not None and dimension in cells.index else None
            ok = cell is not None and cell["status"] == STATUS_OK
            rows.append(
                {
                    "Groupe de pairs": group.label,
                    "Territoires comparés dans ce groupe": ", ".join(names),
                    "Dimension": labels.get(dimension, dimension),
                    "Territoires du groupe": int(cell["n"]) if ok else None,
                    "1er quartile": round(float(cell["score_q1"])) if ok else None,
                    "Médiane": round(float(cell["score_median"])) if ok else None,
                    "3e quartile": round(float(cell["score_q3"])) if ok else None,
                    "Remarque": "" if ok else _hidden(cell, comparison.min_territories),
                }
            )
    return pd.DataFrame(rows)


def _hidden(cell: Any, min_territories: int) -> str:
    if cell is None:
        return "aucun territoire du groupe n'a accepté la comparaison"
    label = str(cell["status_label"] or "")
    return label or f"moins de {min_territories} territoires"


def statements(comparison: Comparison, labels: Mapping[str, str]) -> pd.DataFrame:
    """Each territory's agreement index on the dimensions that have agreement statements:
    reported beside the maturity scores, never inside them, and not compared with peers."""
    frame = comparison.scores
    with_index = frame.groupby("dimension_id")["share_agree"].transform(lambda s: s.notna().any())
    frame = frame.loc[with_index.astype(bool)]
    return pd.DataFrame(
        {
            "Territoire": frame["name"],
            "Dimension": frame["dimension_id"].map(labels),
            "Part d'accord (%)": frame["share_agree"].mul(100).round(),
        }
    ).reset_index(drop=True)


def ranks(comparison: Comparison, labels: Mapping[str, str]) -> pd.DataFrame:
    """Each territory within its own peer group: its score, the group's median, the
    difference and the percentile rank (only within its own group)."""
    frame = comparison.ranks
    median = _median_of_own_group(comparison, "score_median")
    remark = [
        "" if status == STATUS_OK else "groupe de pairs masqué : rang non calculé"
        for status in frame["status"]
    ]
    return pd.DataFrame(
        {
            "Territoire": frame["name"],
            "Groupe de pairs": frame["group"],
            "Dimension": frame["dimension_id"].map(labels),
            "Score": frame["score"].astype(float).round(),
            "Médiane des pairs": median.round(),
            "Écart à la médiane": (frame["score"].astype(float) - median).round(),
            "Rang centile": frame["rank"].astype(float).round(),
            "Remarque": remark,
        }
    )


def agreement(comparison: Comparison, labels: Mapping[str, str]) -> pd.DataFrame:
    """Agreement per territory and dimension, with its reading and its own group's median."""
    frame = comparison.scores
    median = _median_of_own_group(comparison, "agreement_median")
    return pd.DataFrame(
        {
            "Territoire": frame["name"],
            "Dimension": frame["dimension_id"].map(labels),
            "Accord (A)": frame["agreement"].round(2),
            "Lecture": [agreement_tag(v) or "" for v in frame["agreement"]],
            "Médiane des pairs (A)": median.round(2),
            "Groupe de pairs": [comparison.group_of(int(t)).label for t in frame["territory_id"]],
        }
    )


def united_or_divided(comparison: Comparison) -> pd.DataFrame:
    """Per territory: mean agreement over its dimensions, its reading, the most divided one."""
    rows = []
    for name, frame in comparison.scores.groupby("name", sort=False):
        known = frame.dropna(subset=["agreement"])
        mean = known["agreement"].mean() if not known.empty else float("nan")
        worst = known.sort_values("agreement").iloc[0]["dimension_id"] if not known.empty else None
        rows.append((name, mean, agreement_tag(mean) or "", worst))
    return pd.DataFrame(rows, columns=["name", "agreement", "tag", "most_divided"])


def agreement_lines(comparison: Comparison, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Per territory with a reading: its name and the Markdown that reads its agreement
    (« avis **consensus** en moyenne (A = 0,62) ; accord le plus faible : Dimension. »)."""
    return [
        (
            str(row.name),
            f"avis **{row.tag}** en moyenne (A = {row.agreement:.2f}".replace(".", ",")
            + f") ; accord le plus faible : {labels.get(row.most_divided, '')}.",
        )
        for row in united_or_divided(comparison).itertuples(index=False)
        if row.tag
    ]


def profile(row: Any) -> str:
    """What a territory's radar caption says after its campaign title (an accompanied() row)."""
    kind = KIND_LABELS.get(row.kind, row.kind)
    return (
        f"{int(row.n_respondents)} questionnaires · {kind}, {BAND_LABELS.get(row.population_band)}"
    )


def groups(comparison: Comparison) -> pd.DataFrame:
    """Every peer group of the questionnaire: how many territories, or why it is hidden."""
    overview = group_overview(comparison.groups)
    return pd.DataFrame(
        {
            "Groupe de pairs": overview["label"],
            "Territoires": ["" if pd.isna(n) else str(int(n)) for n in overview["n"]],
            "Remarque": overview["status_label"],
        }
    )


def differences(frame: pd.DataFrame, labels: Mapping[str, str], items: Mapping[str, str]):
    """Items on which the territories compared differ most (comparison.differences)."""
    if frame.empty:
        return pd.DataFrame(columns=["Item", "Dimension", "Écart (points)"])
    names = [c for c in frame.columns if c not in ("question_id", "dimension_id", "spread")]
    out = pd.DataFrame(
        {"Item": frame["question_id"].map(items), "Écart (points)": frame["spread"].round()}
    )
    for name in names:
        out[name] = frame[name].round()
    out["Dimension"] = frame["dimension_id"].map(labels)
    return out


def evolution_items(frame: pd.DataFrame, items: Mapping[str, str], labels: Mapping[str, str]):
    """What moved item by item between two campaigns (comparison.evolution)."""
    return pd.DataFrame(
        {
            "Item": frame["question_id"].map(items),
            "Dimension": frame["dimension_id"].map(labels),
            "Avant": frame["score_before"].round(),
            "Après": frame["score_after"].round(),
            "Évolution (points)": frame["change"].round(),
            "Réponses avant": frame["n_before"],
            "Réponses après": frame["n_after"],
        }
    )


def evolution_dimensions(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Dimension": frame["dimension_id"].map(labels),
            "Items communs": frame["n_items"],
            "Avant": frame["score_before"].round(),
            "Après": frame["score_after"].round(),
            "Évolution (points)": frame["change"].round(),
        }
    )
