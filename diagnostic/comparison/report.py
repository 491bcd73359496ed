"""A comparison that stands alone: every table, the trends, the item differences, the date,
each peer group's definition and the method notes, for the XLSX/CSV exports and the slides.

The page and the `comparaison` command build it the same way (`build`); item scores are read
only after an access check on each campaign (`read_items`), unless the caller passes its own
(cached, access-checked) reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Actor
from diagnostic.comparison import service as cmp
from diagnostic.comparison import tables as ct
from diagnostic.exports import file_name
from diagnostic.questionnaire import Questionnaire
from diagnostic.results.service import read_campaign_data, require_results_access
from diagnostic.vocabulary import count, french_date

ItemReader = Callable[[int], pd.DataFrame | None]


@dataclass(frozen=True)
class Labels:
    """A questionnaire's words: dimension titles, dimensions in order, item texts."""

    dimensions: dict[str, str]
    order: list[str]
    items: dict[str, str]

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Labels:
        return cls(
            {d.id: d.title for d in questionnaire.dimensions},
            [d.id for d in questionnaire.dimensions],
            {x.id: x.text for x in questionnaire.questions()},
        )


@dataclass(frozen=True)
class Trend:
    """The campaigns of one territory with results, oldest first, and its dimension scores."""

    name: str
    runs: pd.DataFrame  # campaigns_for_evolution()
    scores: pd.DataFrame  # service.trend()
    # item by item between its last two campaigns (service.evolution), when it has two
    items: pd.DataFrame | None = None
    titles: Mapping[str, str] = field(default_factory=dict)  # questionnaire id -> its title

    @property
    def differ(self) -> bool:
        return cmp.versions_differ(self.runs)


@dataclass(frozen=True)
class Report:
    comparison: cmp.Comparison
    labels: Labels
    questionnaire_title: str
    day: date
    differences: pd.DataFrame  # service.differences()
    trends: list[Trend] = field(default_factory=list)


def read_items(
    engine: Engine, actor: Actor, questions_dir: Path, min_group_size: int
) -> ItemReader:
    """An ItemReader that checks the actor's access to each campaign before reading it."""

    def read(campaign_id: int) -> pd.DataFrame | None:
        require_results_access(engine, actor, campaign_id)
        data = read_campaign_data(engine, campaign_id, questions_dir)
        return cmp.item_scores(data, min_group_size=min_group_size)

    return read


def territory_trend(
    engine: Engine,
    actor: Actor,
    table: pd.DataFrame,
    *,
    territory_id: int,
    name: str,
    labels: Labels,
    questions_dir: Path,
    min_group_size: int,
    items_of: ItemReader,
) -> Trend:
    """One territory's campaigns with results, its dimension scores in each, and what moved
    item by item between its last two campaigns (common items only)."""
    runs = cmp.campaigns_for_evolution(
        engine, actor, table, territory_id, min_group_size=min_group_size
    )
    scores = cmp.trend(table, runs, labels.order)
    moved = None
    if len(runs) >= 2:
        before, after = (int(c) for c in runs["campaign_id"].iloc[-2:])
        pairs = cmp.evolution_pairs(questions_dir, runs, before, after)
        first, last = items_of(before), items_of(after)
        if first is not None and last is not None:
            moved = cmp.evolution(first, last, pairs)[0]
    return Trend(name, runs, scores, moved, questionnaire_titles(questions_dir, runs))


def questionnaire_titles(questions_dir: Path, runs: pd.DataFrame) -> dict[str, str]:
    """The title of each questionnaire the campaigns answered (its latest version's)."""
    found = {q: cmp.latest_questionnaire(questions_dir, q) for q in set(runs["questionnaire_id"])}
    return {q: found[q].title for q in found if found[q] is not None}


def build(
    engine: Engine,
    actor: Actor,
    table: pd.DataFrame,
    view: cmp.Comparison,
    labels: Labels,
    *,
    questionnaire_title: str,
    questions_dir: Path,
    min_group_size: int,
    day: date,
    items_of: ItemReader | None = None,
) -> Report:
    """Everything the exports hold, for the territories of `view` (access checked)."""
    reader = items_of or read_items(engine, actor, questions_dir, min_group_size)
    found = {str(r.name): reader(int(r.campaign_id)) for r in view.chosen.itertuples(index=False)}
    trends = [
        territory_trend(
            engine,
            actor,
            table,
            territory_id=int(r.territory_id),
            name=str(r.name),
            labels=labels,
            questions_dir=questions_dir,
            min_group_size=min_group_size,
            items_of=reader,
        )
        for r in view.chosen.itertuples(index=False)
    ]
    return Report(view, labels, questionnaire_title, day, cmp.differences(found), trends)


# --- tables ------------------------------------------------------------------------------------


def trend_table(trend: Trend, labels: Labels) -> pd.DataFrame:
    """One row per campaign: its title, day, questionnaire and version, questionnaires
    submitted, then one column per dimension (the score of the whole dimension)."""
    runs = trend.runs
    out = pd.DataFrame(
        {
            "Campagne": runs["title"],
            "Ouverte le": [d.date() if not pd.isna(d) else None for d in runs["day"]],
            "Questionnaire": runs["questionnaire_id"],
            "Version": runs["questionnaire_version"],
            "Questionnaires envoyés": runs["n_respondents"].astype(int),
        }
    )
    wide = trend.scores.pivot_table(
        index="campaign_id", columns="dimension_id", values="score", aggfunc="first"
    )
    for dimension in labels.order:
        if dimension in wide.columns:
            values = wide[dimension].reindex(runs["campaign_id"]).round().to_numpy()
            out[labels.dimensions.get(dimension, dimension)] = values
    return out


def caution(trend: Trend) -> str | None:
    """The French warning when the campaigns answered different questionnaires or versions."""
    if not trend.differ:
        return None
    versions = ", ".join(
        f"« {trend.titles.get(q, q)} », version {v}"
        for q, v in trend.runs[["questionnaire_id", "questionnaire_version"]]
        .drop_duplicates()
        .itertuples(index=False, name=None)
    )
    return (
        f"Attention : ces campagnes n'ont pas répondu au même questionnaire ({versions}). Le "
        "score d'une dimension n'y porte pas exactement sur les mêmes items : lisez une "
        "tendance, pas un écart de quelques points ; le tableau « Évolution des items » compare "
        "les seuls items identiques."
    )


def method_notes(min_territories: int, min_group_size: int) -> list[str]:
    return [
        "Scores de 0 à 100 : auto-évaluations des directions (une perception, pas une mesure "
        "externe), valeurs de consensus appliquées ; chaque item pèse le même poids.",
        "Chaque territoire est comparé à son propre groupe de pairs : même type d'EPCI et, par "
        "défaut, même tranche de population, sinon tout son type quand sa tranche est masquée.",
        f"Un groupe de pairs n'est détaillé qu'à partir de {min_territories} territoires ayant "
        "accepté la comparaison anonyme, sans compter ceux que vous accompagnez ; une tranche "
        "voisine peut être masquée pour qu'aucun petit groupe ne se déduise du total du type.",
        "Des pairs, seuls les quartiles et la médiane sont donnés : jamais un nom, un minimum, "
        "un maximum ni la valeur d'un territoire.",
        "Rang centile : part des autres territoires du groupe dont le score est plus bas (les "
        "égalités comptent pour moitié), calculé dans le seul groupe du territoire.",
        f"Un territoire n'a de résultats qu'à partir de {min_group_size} questionnaires "
        "envoyés ; l'évolution item par item ne porte que sur les items identiques des deux "
        "questionnaires (questions/renamed.yaml pour les identifiants renommés).",
        "Méthode complète : docs/methodes.md, § 15.",
    ]


def about(report: Report, min_group_size: int) -> pd.DataFrame:
    """The « Lisez-moi » sheet: date, questionnaire, territories, their groups, method."""
    view = report.comparison
    rows: list[tuple[str, str]] = [
        ("Document", "Comparaison entre territoires"),
        ("Date", french_date(report.day)),
        ("Questionnaire", report.questionnaire_title),
    ]
    for row in view.chosen.itertuples(index=False):
        group = view.group_of(int(row.territory_id))
        rows.append(
            (
                f"Territoire : {row.name}",
                f"{row.title} · {count(int(row.n_respondents), 'questionnaire envoyé')} · "
                f"groupe de pairs : {group.caption}",
            )
        )
    for trend in report.trends:
        note = caution(trend)
        if note:
            rows.append((f"Évolution : {trend.name}", note))
    rows += [("Méthode", note) for note in method_notes(view.min_territories, min_group_size)]
    return pd.DataFrame(rows, columns=["Rubrique", "Contenu"])


def trends(report: Report) -> pd.DataFrame:
    """Every territory's trend, one row per campaign x dimension."""
    frames = []
    for trend in report.trends:
        frame = trend.scores
        frames.append(
            pd.DataFrame(
                {
                    "Territoire": trend.name,
                    "Campagne": frame["title"],
                    "Ouverte le": [d.date() if not pd.isna(d) else None for d in frame["day"]],
                    "Questionnaire": frame["questionnaire_id"],
                    "Version": frame["questionnaire_version"],
                    "Questionnaires envoyés": frame["n_respondents"].astype(int),
                    "Dimension": frame["dimension_id"].map(report.labels.dimensions),
                    "Score": frame["score"].round(),
                }
            )
        )
    columns = ["Territoire", "Campagne", "Ouverte le", "Questionnaire", "Version"]
    columns += ["Questionnaires envoyés", "Dimension", "Score"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def moved_items(report: Report) -> pd.DataFrame:
    """Item by item between each territory's last two campaigns (common items only)."""
    frames = []
    for trend in report.trends:
        if trend.items is None:
            continue
        titles = list(trend.runs["title"].iloc[-2:])
        frame = ct.evolution_items(trend.items, report.labels.items, report.labels.dimensions)
        frame.insert(0, "Territoire", trend.name)
        frame.insert(1, "Campagnes", f"{titles[0]} → {titles[1]}")
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["Territoire", "Campagnes", "Item", "Dimension"])
    return pd.concat(frames, ignore_index=True)


def sheets(report: Report, min_group_size: int) -> dict[str, pd.DataFrame]:
    """The workbook: what it is first, then every table of the page and the evolution."""
    view, labels = report.comparison, report.labels
    return {
        "Lisez-moi": about(report, min_group_size),
        "Dimensions": ct.dimensions(view, labels.dimensions, labels.order),
        "Rangs": ct.ranks(view, labels.dimensions),
        "Pairs": ct.peer_figures(view, labels.dimensions, labels.order),
        "Accord": ct.agreement(view, labels.dimensions),
        "Affirmations": ct.statements(view, labels.dimensions),
        "Écarts entre territoires": ct.differences(
            report.differences, labels.dimensions, labels.items
        ),
        "Tendance": trends(report),
        "Évolution des items": moved_items(report),
        "Groupes de pairs": ct.groups(view),
    }


_KEYS = ("Territoire", "Groupe de pairs", "Campagne", "Dimension", "Item", "Rubrique")


def long_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every table in one (the CSV): one row per figure, with the table, the territory, the
    peer group, the campaign, the dimension and the item it belongs to, where it has them."""
    rows = []
    for title, frame in tables.items():
        keys = [k for k in _KEYS if k in frame.columns]
        for record in frame.to_dict("records"):
            base = {"Tableau": title} | {k: record.get(k) for k in keys}
            for column, value in record.items():
                if column in keys:
                    continue
                rows.append(base | {"Colonne": column, "Valeur": value})
    return pd.DataFrame(rows, columns=["Tableau", *_KEYS, "Colonne", "Valeur"])


def base_name(report: Report) -> str:
    """« comparaison-val-de-loir-loire-bocage-2026-12-06 »: the territories and the date."""
    names = "-".join(short_name(str(n)) for n in report.comparison.chosen["name"])
    stem = file_name(f"comparaison {names}", "x")[:-2][:60].rstrip("-")
    return f"{stem}-{report.day.isoformat()}"


_PREFIX = re.compile(
    r"^(communauté (de communes|d'agglomération|urbaine)|métropole)"
    r"( (de la|de l'|du|des|de|d'))?\s*",
    re.IGNORECASE,
)


def short_name(name: str) -> str:
    """A territory's name without « Communauté de communes du » (file names stay short)."""
    return _PREFIX.sub("", name.replace("’", "'")).strip() or name
