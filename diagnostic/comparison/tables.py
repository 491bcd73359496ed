"""The comparison as French tables: the data of every chart, and the CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from diagnostic.analytics import STATUS_OK, agreement_tag
from diagnostic.analytics.bulk_scores import BAND_LABELS
from diagnostic.comparison.service import Comparison, group_overview
from diagnostic.exports import Export, export
from diagnostic.vocabulary import KIND_LABELS


def _peer(comparison: Comparison, column: str) -> pd.Series:
    return (
        comparison.peers.set_index("dimension_id")[column] if not comparison.peers.empty else None
    )


def dimensions(comparison: Comparison, labels: Mapping[str, str], order: list[str]) -> pd.DataFrame:
    """One row per dimension: each territory's score, then the peer group's quartiles."""
    out = pd.DataFrame({"Dimension": [labels.get(d, d) for d in order]})
    for name, frame in comparison.scores.groupby("name", sort=False):
        out[str(name)] = frame.set_index("dimension_id")["score"].reindex(order).round().to_numpy()
    if not comparison.peers.empty:
        peers = comparison.peers.set_index("dimension_id").reindex(order)
        out["Pairs : 1er quartile"] = peers["score_q1"].round().to_numpy()
        out["Pairs : médiane"] = peers["score_median"].round().to_numpy()
        out["Pairs : 3e quartile"] = peers["score_q3"].round().to_numpy()
        out["Pairs : territoires"] = peers["n"].to_numpy()
        out["Pairs : remarque"] = peers["status_label"].fillna("").to_numpy()
    return out


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
    """Each territory's score, the peer median, the difference and the percentile rank."""
    frame = comparison.ranks
    median = _peer(comparison, "score_median")
    peer = frame["dimension_id"].map(median) if median is not None else pd.Series(dtype=float)
    remark = [
        "" if status == STATUS_OK else "groupe de pairs trop petit : rang non calculé"
        for status in frame["status"]
    ]
    return pd.DataFrame(
        {
            "Territoire": frame["name"],
            "Dimension": frame["dimension_id"].map(labels),
            "Score": frame["score"].round(),
            "Médiane des pairs": peer.round() if len(peer) else None,
            "Écart à la médiane": (frame["score"] - peer).round() if len(peer) else None,
            "Rang centile": frame["rank"].round(),
            "Remarque": remark,
        }
    )


def agreement(comparison: Comparison, labels: Mapping[str, str]) -> pd.DataFrame:
    """Agreement per territory and dimension, with its reading and the peer median."""
    frame = comparison.scores
    median = _peer(comparison, "agreement_median")
    return pd.DataFrame(
        {
            "Territoire": frame["name"],
            "Dimension": frame["dimension_id"].map(labels),
            "Accord (A)": frame["agreement"].round(2),
            "Lecture": [agreement_tag(v) or "" for v in frame["agreement"]],
            "Médiane des pairs (A)": (
                frame["dimension_id"].map(median).round(2) if median is not None else None
            ),
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


def sheets(
    comparison: Comparison, labels: Mapping[str, str], order: list[str]
) -> dict[str, pd.DataFrame]:
    """The tables of the export, the dimensions first (the CSV)."""
    return {
        "Dimensions": dimensions(comparison, labels, order),
        "Rangs": ranks(comparison, labels),
        "Accord": agreement(comparison, labels),
        "Affirmations": statements(comparison, labels),
        "Groupes de pairs": groups(comparison),
    }


def comparison_export(sheets: Mapping[str, pd.DataFrame], fmt: str, name: str) -> Export:
    """What the page shows, as a CSV (the first table) or an XLSX workbook (every table)."""
    return export(dict(sheets), name, fmt)
