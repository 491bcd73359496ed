"""The results as French display tables: the data alternative of every chart, and exports."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from diagnostic.analytics import AGREEMENT, MATURITY
from diagnostic.results.chart_specs import KIND_LABELS
from diagnostic.results.model import CampaignResults, Labels
from diagnostic.vocabulary import ROLE_LABELS

COLUMN_LABELS = {"current": "Aujourd'hui", "desired": "Souhaitée"}
MISSING = "—"  # a figure that is not there (hidden, not measured): never « None » nor « nan »
MEASURE_LABELS = {MATURITY: "maturité", AGREEMENT: "affirmation (accord)"}


def dimensions(results: CampaignResults, names: Labels) -> pd.DataFrame:
    """One row per dimension: maturity score, target, gap, consensus items, share of « Je ne
    sais pas »; then, beside them and never inside, its agreement statements and their share
    of agreement; a remark says why a figure is missing."""
    frame = results.dimensions
    return pd.DataFrame(
        {
            "Dimension": frame["dimension_id"].map(names.dimensions),
            "Score": frame["score"].round(),
            "Visé": frame["target_score"].round(),
            "Écart moyen (niveaux)": frame["gap"].round(1),
            "Items notés": frame["n_items_scored"],
            "Items en consensus": frame["n_consensus"],
            "Je ne sais pas (%)": frame["share_dont_know"].fillna(0).mul(100).round(),
            "Affirmations": frame["n_statements"],
            "Part d'accord (%)": frame["share_agree"].mul(100).round(),
            "Remarque": [dimension_remark(row) for _, row in frame.iterrows()],
        }
    )


KIND_COLUMNS = {"epci": "Score intercommunalité", "commune": "Score communes"}


def radar(results: CampaignResults, names: Labels, *, groups: bool = True) -> pd.DataFrame:
    """The radar's data: each dimension's table line and, when the chart draws them (`groups`),
    the scores of the intercommunality's and of the communes' respondents beside the
    territory's (« — » for a group under the minimum size)."""
    table = dimensions(results, names)
    kinds = results.dimensions_by_kind
    if not groups or kinds.empty:
        return table
    wide = kinds.pivot(index="dimension_id", columns="structure_kind", values="score").round()
    at = table.columns.get_loc("Score") + 1
    for kind, column in reversed(KIND_COLUMNS.items()):
        values = results.dimensions["dimension_id"].map(wide[kind]) if kind in wide else None
        table.insert(at, column, pd.Series(values, dtype=float).to_numpy())
    return table


def dimension_remark(row: pd.Series) -> str:
    """Why a dimension shows no maturity score or no share of agreement ("" when it shows
    what it has)."""
    remarks = []
    if not row["n_items"]:
        remarks.append(
            "que des affirmations : pas de score de maturité"
            if row["n_statements"]
            else "aucun item noté sur une échelle de niveaux"
        )
    elif pd.isna(row["score"]):
        remarks.append("aucun niveau donné")
    status = row.get("agree_status")
    if status not in (None, "ok") and not pd.isna(status):
        remarks.append(f"part d'accord : {row['agree_status_label']}")
    return " ; ".join(remarks)


def agreement(results: CampaignResults, names: Labels) -> pd.DataFrame:
    """One row per dimension with agreement statements: how many, the share of answers that
    agree, and each of the EPCI's and the communes' when their group may be shown (the remark
    says why a share is missing)."""
    frame = results.dimensions.loc[results.dimensions["n_statements"] > 0]
    kinds = results.agreement_by_kind
    shares: dict[str, pd.Series] = {}
    hidden: dict[str, pd.Series] = {}
    for kind in ("epci", "commune"):
        rows = kinds.loc[kinds["structure_kind"] == kind] if not kinds.empty else kinds
        rows = rows.set_index("dimension_id") if not rows.empty else pd.DataFrame()
        shares[kind] = rows["share_agree"] if not rows.empty else pd.Series(dtype=float)
        hidden[kind] = rows["agree_status_label"] if not rows.empty else pd.Series(dtype=str)
    remarks = []
    for row in frame.itertuples(index=False):
        said = [] if row.agree_status == "ok" else [str(row.agree_status_label)]
        why = {k: hidden[k].get(row.dimension_id, "") for k in ("epci", "commune")}
        if row.agree_status == "ok" and why["epci"] and why["epci"] == why["commune"]:
            said.append(f"par groupe : {why['epci']}")
        elif row.agree_status == "ok":
            for kind, label in (("epci", "intercommunalité"), ("commune", "communes")):
                if why[kind]:
                    said.append(f"{label} : {why[kind]}")
        remarks.append(" ; ".join(said))
    return pd.DataFrame(
        {
            "Dimension": frame["dimension_id"].map(names.dimensions),
            "Affirmations": frame["n_statements"],
            "Part d'accord (%)": frame["share_agree"].mul(100).round(),
            "Intercommunalité (%)": frame["dimension_id"].map(shares["epci"]).mul(100).round(),
            "Communes (%)": frame["dimension_id"].map(shares["commune"]).mul(100).round(),
            "Remarque": remarks,
        }
    ).reset_index(drop=True)


def items(results: CampaignResults, names: Labels, dimension: str | None = None) -> pd.DataFrame:
    """One row per item of a dimension (optionally of one), maturity items and agreement
    statements alike: a statement has no maturity score (left blank), its
    share of agreement is given instead of a score."""
    frame = results.items.loc[results.items["scored"]]
    if dimension:
        frame = frame.loc[frame["dimension_id"] == dimension]
    return pd.DataFrame(
        {
            "Dimension": frame["dimension_id"].map(names.dimensions),
            "Item": frame["question_id"].map(names.items),
            "Réponses": frame["n"],
            "Je ne sais pas (%)": frame["share_dont_know"].fillna(0).mul(100).round(),
            "Score": frame["score_used"].where(frame["measure"] == MATURITY).round(),
            "Visé": frame["target_score_used"].round(),
            "Écart (niveaux)": frame["gap_used"].round(1),
            "Part d'accord (%)": frame["share_agree"].mul(100).round(),
            "Accord (A)": frame["agreement"].round(2),
            "Avis": frame["agreement_tag"],
            "Divergence": frame["divergent"].map({True: "oui", False: ""}),
            "Source": frame["source"],
            "Mesure": frame["measure"].map(MEASURE_LABELS),
        }
    ).reset_index(drop=True)


def comparison(
    results: CampaignResults, names: Labels, grouping: str, dimension: str
) -> pd.DataFrame:
    """Each group's score of each item of a dimension beside the other respondents'."""
    frame = results.compared(grouping, dimension)
    return pd.DataFrame(
        {
            "Item": frame["question_id"].map(names.items),
            "Groupe": frame["group_label"],
            "Score": frame["score"].round(),
            "Autres répondants": frame["others_score"].round(),
            "Différence": frame["difference"].round(),
            "Remarque": frame["status_label"],
        }
    ).reset_index(drop=True)


GROUP_WORDS = {
    "structure_kind": ("structure", "de l'intercommunalité ou des communes"),
    "role": ("fonction", "d'aucune fonction"),
    "structure_id": ("commune", "d'aucune commune"),
}


def comparison_gap(results: CampaignResults, grouping: str, dimension: str) -> str | None:
    """Why a view of « Regards croisés » shows no group at all (None when one is shown): no
    respondent of such a group, or every group under the minimum size — with the size of the
    largest, and where to look instead."""
    frame = results.compared(grouping, dimension)
    if not frame.empty and frame["status"].eq("ok").any():
        return None
    k = results.min_group_size
    word, none = GROUP_WORDS.get(grouping, ("groupe", "d'aucun groupe"))
    if frame.empty:
        return (
            f"Aucune réponse envoyée {none} pour l'instant : ce regard n'a rien à comparer."
            if grouping != "structure_id"
            else "Aucune personne d'une commune n'a encore envoyé ses réponses : ce regard "
            "compare chaque commune aux autres répondant·es."
        )
    largest = int(frame["group_size"].max())
    elsewhere = (
        " Le regard « Intercommunalité et communes » compare l'ensemble des communes à "
        "l'intercommunalité ; le filtre « Commune » en haut de page détaille une commune dès "
        f"qu'elle compte {k} réponses."
        if grouping == "structure_id"
        else ""
    )
    return (
        f"Aucune {word} ne compte encore {k} réponses envoyées (la plus représentée en compte "
        f"{largest}) : pour protéger l'anonymat des personnes, aucune n'est détaillée à part."
        + elsewhere
    )


def blind_spots(results: CampaignResults, names: Labels) -> pd.DataFrame:
    """Angles morts of every grouping; the EPCI-communes pair is listed once."""
    frame = results.blind_spots
    if frame.empty:
        return pd.DataFrame(columns=["Item", "Regard", "Score du groupe", "Autres", "Écart"])
    pairs = frame["grouping"] == "structure_kind"
    frame = pd.concat([frame.loc[pairs & (frame["group"] == "commune")], frame.loc[~pairs]])
    frame = frame.sort_values("difference", key=abs, ascending=False)
    return pd.DataFrame(
        {
            "Item": frame["question_id"].map(names.items),
            "Regard": frame["group_label"],
            "Score du groupe": frame["score"].round(),
            "Autres": frame["others_score"].round(),
            "Écart": frame["difference"].round(),
        }
    ).reset_index(drop=True)


def priorities(results: CampaignResults, names: Labels, question_id: str) -> pd.DataFrame:
    """Borda points of one ranking question, cited options only, best first."""
    frame = results.priorities
    frame = frame.loc[(frame["question_id"] == question_id) & (frame["points"] > 0)]
    frame = frame.sort_values(["points", "n_cited"], ascending=False)
    return pd.DataFrame(
        {
            "Option": frame["option_id"].map(names.options.get(question_id, {})),
            "Points": frame["points"],
            "Citations": frame["n_cited"],
            "Classée première": frame["n_first"],
        }
    ).reset_index(drop=True)


def grid(results: CampaignResults, names: Labels, question_id: str) -> pd.DataFrame:
    """Median and quartiles of every cell of one grid question; by structure kind, the lines
    of its chart, when the intercommunality and the communes disagree (grid_by_kind)."""
    split = results.grid_split(question_id)
    if split is not None:
        return grid_by_kind(results, names, question_id, split)
    frame = results.grids.loc[results.grids["question_id"] == question_id]
    return pd.DataFrame(
        {
            "Ligne": frame["row_id"].map(names.options.get(question_id, {})),
            "Colonne": frame["column"].map(COLUMN_LABELS),
            "Médiane": frame["median"],
            "1er quartile": frame["q1"],
            "3e quartile": frame["q3"],
            "Réponses": frame["n"],
            "Je ne sais pas (%)": frame["share_nsp"].fillna(0).mul(100).round(),
        }
    ).reset_index(drop=True)


def grid_by_kind(
    results: CampaignResults, names: Labels, question_id: str, split: pd.DataFrame
) -> pd.DataFrame:
    """One line per grid row and structure kind, in the chart's order: the kind's medians
    today and wished, how many gave a level today, whether the row is one where the two kinds
    disagree, and why a hidden kind's figures are missing."""
    cells = results.grids_by_kind
    counts = cells.loc[
        (cells["question_id"] == question_id) & (cells["column"] == "current")
    ].set_index(["row_id", "structure_kind"])["n"]
    rows = split.sort_values("position")
    lines = []
    for row in rows.itertuples(index=False):
        for kind, label in KIND_LABELS.items():
            lines.append(
                {
                    "Ligne": names.options.get(question_id, {}).get(row.row_id, row.row_id),
                    "Structure": label,
                    "Aujourd'hui (médiane)": getattr(row, f"{kind}_current"),
                    "Souhaitée (médiane)": getattr(row, f"{kind}_desired"),
                    "Réponses": counts.get((row.row_id, kind), pd.NA),
                    "Avis opposés": "oui" if row.split else "",
                    "Remarque": getattr(row, f"{kind}_status_label") or "",
                }
            )
    out = pd.DataFrame(lines)
    out["Réponses"] = out["Réponses"].astype("Int64")
    return out


def participation(results: CampaignResults, by: str) -> pd.DataFrame:
    """Invited, started and submitted, per structure or per role."""
    frame = results.participation_by[by]
    first = frame["structure_name"] if by == "structure" else frame["role"].map(ROLE_LABELS)
    return pd.DataFrame(
        {
            "Structure" if by == "structure" else "Fonction": first,
            "Invité·es": frame["invited"],
            "Ont commencé": frame["started"],
            "Ont envoyé": frame["submitted"],
        }
    ).reset_index(drop=True)


def decimal_columns(frame: pd.DataFrame, keep: Collection[str] = ()) -> list[str]:
    """The columns of a display table holding figures with decimals (to be written with a
    decimal comma on screen), but those in `keep` (the page draws them its own way)."""
    return [
        str(name)
        for name in frame.columns
        if name not in keep
        and pd.api.types.is_float_dtype(frame[name])
        and frame[name].dropna().mod(1).ne(0).any()
    ]
