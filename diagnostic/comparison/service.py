"""Comparing territories: the accompanied ones side by side, and anonymous peer groups.

A consultant (or a coordinator, or an admin) sees by name only the territories whose results
they may read (Action.RESULTS_VIEW); about every other territory they see only peer-group
figures (analytics.peers), computed from the precomputed benchmark table, never from answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from diagnostic import analytics as an
from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.analytics.bulk_scores import ALL_BANDS, BAND_LABELS, UNKNOWN_BAND, population_band
from diagnostic.analytics.peers import (
    eligible_positions,
    peer_groups,
    percentile_ranks,
)
from diagnostic.questionnaire import Problem, Questionnaire, QuestionnaireError
from diagnostic.questionnaire import messages as msg
from diagnostic.questionnaire.loader import line_of
from diagnostic.questionnaire.registry import get_questionnaire, questionnaires, version_key
from diagnostic.questionnaire.source import load_yaml
from diagnostic.results.model import CampaignData, counted_respondents
from diagnostic.store import benchmark as store
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import KIND_LABELS, count

RENAMED_FILE = "renamed.yaml"
TOP_DIFFERENCES = 15


def known_territories(actor: Actor) -> frozenset[int]:
    """Territories whose figures the viewer already knows (and could subtract from a total).

    An admin may read every territory anyway: nothing is subtracted for them.
    """
    if actor.is_admin:
        return frozenset()
    return frozenset(actor.territories(Action.RESULTS_VIEW))


def accompanied(
    engine: Engine, actor: Actor, table: pd.DataFrame, *, min_group_size: int
) -> pd.DataFrame:
    """The territories the actor may compare by name, each with its latest campaign per
    questionnaire that has at least `min_group_size` submitted questionnaires.

    Columns: territory_id, name, kind, population, population_band, campaign_id, title,
    questionnaire_id, questionnaire_version, n_respondents.
    """
    mask = table["n_respondents"].to_numpy() >= min_group_size
    if not actor.is_admin:
        mine = list(actor.territories(Action.RESULTS_VIEW))
        mask &= np.isin(table["territory_id"].to_numpy(), mine)
    # one row per campaign, its first: the mask is the same on all the rows of a campaign
    # (its territory, its count), so only the rows kept need be searched
    kept = np.flatnonzero(mask)
    first = kept[np.unique(table["campaign_id"].to_numpy()[kept], return_index=True)[1]]
    columns = ["territory_id", "campaign_id", "questionnaire_id", "questionnaire_version"]
    columns += ["kind", "population", "population_band", "n_respondents"]
    runs = table[columns].iloc[np.sort(first)]
    latest = runs.groupby(["territory_id", "questionnaire_id"])["campaign_id"].transform("max")
    runs = runs.loc[runs["campaign_id"] == latest]
    with session_scope(engine) as s:
        names = store.territory_names(s, ids=[int(i) for i in runs["territory_id"].unique()])
        titles = store.campaign_titles(s, ids=[int(c) for c in runs["campaign_id"]])
    runs = runs.assign(name=runs["territory_id"].map(names), title=runs["campaign_id"].map(titles))
    order = ["territory_id", "name", "kind", "population", "population_band", "campaign_id"]
    order += ["title", "questionnaire_id", "questionnaire_version", "n_respondents"]
    return runs[order].sort_values("name").reset_index(drop=True)


def campaign_rows(engine: Engine, table: pd.DataFrame, campaign_ids: Sequence[int]) -> pd.DataFrame:
    """accompanied() rows of given campaigns, in the order given (no access check: callers
    check; a campaign absent from the benchmark table, without any submitted questionnaire,
    is left out)."""
    first = table.drop_duplicates("campaign_id").set_index("campaign_id")
    ids = [int(c) for c in campaign_ids if int(c) in first.index]
    columns = ["territory_id", "questionnaire_id", "questionnaire_version"]
    columns += ["kind", "population", "population_band", "n_respondents"]
    runs = first.loc[ids, columns].reset_index()
    with session_scope(engine) as s:
        names = store.territory_names(s, ids=[int(i) for i in runs["territory_id"].unique()])
        titles = store.campaign_titles(s, ids=ids)
    runs = runs.assign(name=runs["territory_id"].map(names), title=runs["campaign_id"].map(titles))
    order = ["territory_id", "name", "kind", "population", "population_band", "campaign_id"]
    order += ["title", "questionnaire_id", "questionnaire_version", "n_respondents"]
    return runs[order].reset_index(drop=True)


def group_label(kind: str, band: str) -> str:
    """« Communautés de communes, 15 000 à 29 999 habitants »."""
    return f"{KIND_LABELS.get(kind, kind)} — {BAND_LABELS.get(band, band)}"


KIND_SHORT = {
    "cc": "CC",
    "ca": "CA",
    "cu": "CU",
    "metropole": "Métropoles",
    "commune": "Communes",
    "autre": "Autres EPCI",
}


def short_group_label(kind: str, band: str) -> str:
    """« CA de 50 000 à 99 999 hab. », « CC de toutes tailles »: what a chart title holds."""
    kind_label = KIND_SHORT.get(kind, KIND_LABELS.get(kind, kind))
    if band == ALL_BANDS:
        return f"{kind_label} de toutes tailles"
    if band == UNKNOWN_BAND:
        return f"{kind_label} à la population non renseignée"
    return f"{kind_label} de {BAND_LABELS.get(band, band).replace('habitants', 'hab.')}"


@dataclass(frozen=True)
class PeerGroup:
    """The peer group of one compared territory: its kind and a band (ALL_BANDS: the whole
    kind), with the group's rows of peer_groups() (one per dimension; empty when nobody)."""

    kind: str
    band: str
    peers: pd.DataFrame
    min_territories: int

    @property
    def label(self) -> str:
        return short_group_label(self.kind, self.band)

    @property
    def shown(self) -> bool:
        return bool(len(self.peers)) and bool((self.peers["status"] == an.STATUS_OK).any())

    @property
    def n(self) -> int | None:
        """How many territories the group counts (None when its figures are hidden)."""
        return int(self.peers["n"].max()) if self.shown else None

    @property
    def caption(self) -> str:
        """« CA de 50 000 à 99 999 hab. — 12 territoires », or why its figures are hidden."""
        if self.shown:
            return f"{self.label} — {count(int(self.n or 0), 'territoire')}"
        if not len(self.peers):
            why = "aucun territoire n'a accepté la comparaison"
        elif (self.peers["status"] == an.STATUS_MASKED).any():
            why = "masqués pour protéger un petit groupe voisin"
        else:
            why = f"moins de {self.min_territories} territoires hors ceux que vous accompagnez"
        return f"{self.label} — chiffres masqués ({why})"

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.band)


def cell_of(groups: pd.DataFrame, kind: str, band: str) -> pd.DataFrame:
    """The rows of one peer group in peer_groups() output (one per dimension)."""
    if groups.empty:
        return groups
    at = (groups["kind"].to_numpy() == kind) & (groups["population_band"].to_numpy() == band)
    return groups.iloc[np.flatnonzero(at)].reset_index(drop=True)


def band_choices(own_band: str) -> list[str]:
    """The groups a territory may be compared with, narrowest first: its own band, then its
    whole kind (never another kind: a CA is never ranked among CC)."""
    return [own_band, ALL_BANDS] if own_band != ALL_BANDS else [ALL_BANDS]


def default_band(groups: pd.DataFrame, kind: str, own_band: str) -> str:
    """The narrowest usable group of a territory: its band when shown, else its whole kind
    when shown, else its band (hidden: the page says why)."""
    for band in band_choices(own_band):
        cell = cell_of(groups, kind, band)
        if len(cell) and (cell["status"] == an.STATUS_OK).any():
            return band
    return own_band


@dataclass(frozen=True)
class Comparison:
    """Everything the comparison page and its exports show."""

    questionnaire_id: str
    chosen: pd.DataFrame  # accompanied() rows of the territories compared
    # territory_id, name, dimension_id, score (maturity), target_score, agreement, n_items,
    # share_agree (the agreement index of the statements, apart from the score)
    scores: pd.DataFrame
    groups: pd.DataFrame  # peers.peer_groups(): every group, privacy applied
    peer_of: dict[int, PeerGroup]  # each territory compared -> its own peer group
    # peers.percentile_ranks() of each territory within its own group, with its name and
    # the group's label (column group)
    ranks: pd.DataFrame
    min_territories: int

    def group_of(self, territory_id: int) -> PeerGroup:
        return self.peer_of[int(territory_id)]

    def scores_of(self, territory_id: int) -> pd.DataFrame:
        return self.scores.loc[self.scores["territory_id"] == territory_id]

    def by_group(self) -> list[tuple[PeerGroup, list[str]]]:
        """The distinct peer groups, in the order of the territories, each with the names of
        the territories compared within it."""
        out: dict[tuple[str, str], tuple[PeerGroup, list[str]]] = {}
        for row in self.chosen.itertuples(index=False):
            group = self.group_of(int(row.territory_id))
            out.setdefault(group.key, (group, []))[1].append(str(row.name))
        return list(out.values())

    @property
    def any_shown(self) -> bool:
        return any(g.shown for g in self.peer_of.values())


def compare(
    table: pd.DataFrame,
    chosen: pd.DataFrame,
    *,
    questionnaire_id: str,
    known: Iterable[int],
    min_territories: int,
    min_respondents: int,
    groups: pd.DataFrame | None = None,
    dimensions: list[str] | None = None,
    choice: Mapping[int, str] | None = None,
) -> Comparison:
    """The chosen territories (accompanied() rows), each beside its own peer group: its kind
    and, by default, the narrowest usable band (default_band); `choice`: territory id -> a band
    of band_choices() chosen instead. Percentile ranks are computed within each territory's own
    group only. Pure: reads only the benchmark table. `groups`: peer_groups() computed
    beforehand with the same arguments (the page caches it)."""
    chosen = chosen.loc[chosen["questionnaire_id"] == questionnaire_id]
    at = np.flatnonzero(np.isin(table["campaign_id"].to_numpy(), chosen["campaign_id"].to_numpy()))
    mine = table[_SCORE_COLUMNS].iloc[at]  # only the columns shown: one take per column
    names = dict(zip(chosen["campaign_id"], chosen["name"], strict=True))
    scores = mine.assign(name=mine["campaign_id"].map(names))[
        [
            "territory_id",
            "name",
            "dimension_id",
            "score",
            "target_score",
            "agreement",
            "n_items",
            "share_agree",
        ]
    ]
    if dimensions is not None:  # territories in the order chosen, dimensions in the questionnaire's
        rank = {c: i for i, c in enumerate(chosen["campaign_id"])}
        position = {d: i for i, d in enumerate(dimensions)}
        scores = scores.assign(
            _t=mine["campaign_id"].map(rank), _d=scores["dimension_id"].map(position)
        ).sort_values(["_t", "_d"], kind="stable")[scores.columns]
    scores = scores.reset_index(drop=True)
    if groups is None:
        groups = peer_groups(
            table,
            questionnaire_id=questionnaire_id,
            min_territories=min_territories,
            min_respondents=min_respondents,
            known=known,
        )
    # the eligible rows, with the columns percentile_ranks reads (it filters kind and band)
    at = eligible_positions(
        table, questionnaire_id=questionnaire_id, min_respondents=min_respondents
    )
    members = table[_MEMBER_COLUMNS].iloc[at]
    peer_of: dict[int, PeerGroup] = {}
    parts = []
    for row in chosen.itertuples(index=False):
        kind, own = str(row.kind), population_band(row.population)
        allowed = band_choices(own)
        wanted = (choice or {}).get(int(row.territory_id))
        band = wanted if wanted in allowed else default_band(groups, kind, own)
        group = PeerGroup(kind, band, cell_of(groups, kind, band), min_territories)
        peer_of[int(row.territory_id)] = group
        own_scores = scores.loc[scores["territory_id"] == row.territory_id]
        ranked = percentile_ranks(own_scores, members, groups, kind=kind, band=band)
        parts.append(ranked.assign(name=str(row.name), group=group.label))
    columns = ["territory_id", "dimension_id", "score", "rank", "n_peers", "status", "name"]
    ranks = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*columns, "group"])
    )
    return Comparison(
        questionnaire_id,
        chosen.reset_index(drop=True),
        scores,
        groups,
        peer_of,
        ranks,
        min_territories,
    )


_SCORE_COLUMNS = ["campaign_id", "territory_id", "dimension_id", "score", "target_score"]
_SCORE_COLUMNS += ["agreement", "n_items", "share_agree"]
_MEMBER_COLUMNS = ["territory_id", "dimension_id", "kind", "population_band", "score"]


def of_questionnaire(mine: pd.DataFrame, questionnaire_id: str) -> pd.DataFrame:
    """The accompanied() rows of one questionnaire."""
    return mine.loc[mine["questionnaire_id"] == questionnaire_id].reset_index(drop=True)


def in_order(mine: pd.DataFrame, territory_ids: Sequence[int]) -> pd.DataFrame:
    """The accompanied() rows of these territories, in the order given."""
    chosen = mine.loc[mine["territory_id"].isin(territory_ids)]
    return chosen.set_index("territory_id").loc[list(territory_ids)].reset_index()


def group_overview(groups: pd.DataFrame) -> pd.DataFrame:
    """One row per peer group: kind, population_band, label, n (or the reason it is hidden)."""
    if groups.empty:
        return pd.DataFrame(columns=["kind", "population_band", "label", "n", "status_label"])
    rank = {an.STATUS_OK: 0, an.STATUS_MASKED: 1, an.STATUS_SUPPRESSED: 2, an.STATUS_NO_DATA: 3}
    best = (
        groups.assign(_r=groups["status"].map(rank))
        .sort_values(["_r"], kind="stable")
        .drop_duplicates(["kind", "population_band"])
    )
    labels = zip(best["kind"], best["population_band"], strict=True)
    best = best.assign(label=[group_label(k, b) for k, b in labels])
    order = groups[["kind", "population_band"]].drop_duplicates()
    return order.merge(best, on=["kind", "population_band"])[
        ["kind", "population_band", "label", "n", "status_label"]
    ].reset_index(drop=True)


# --- item level: the accompanied territories only ----------------------------------------------


def item_scores(data: CampaignData, *, min_group_size: int) -> pd.DataFrame | None:
    """Maturity items of one campaign (read after an access check), consensus applied; None when
    fewer than min_group_size questionnaires were submitted. Columns: question_id,
    dimension_id, position, type, scale_min, scale_max, n, score, target_score, agreement."""
    if counted_respondents(data) < min_group_size:
        return None
    q = data.questionnaire
    responses = an.tidy_responses(data.answers, data.participants, q)
    stats = an.apply_consensus(an.item_stats(responses.items, q), q, data.consensus)
    stats = stats.loc[an.maturity_items(stats)]  # the statements have no maturity score
    catalogue = an.item_catalogue(q)[["question_id", "type", "scale_min", "scale_max"]]
    stats = stats.merge(catalogue, on="question_id")
    out = stats.rename(columns={"score_used": "item_score", "target_score_used": "item_target"})
    out = out[["question_id", "dimension_id", "position", "type", "scale_min", "scale_max"]].assign(
        n=stats["n"].to_numpy(),
        score=out["item_score"].to_numpy(),
        target_score=out["item_target"].to_numpy(),
        agreement=stats["agreement"].to_numpy(),
    )
    return out.reset_index(drop=True)


def differences(
    found: Mapping[str, pd.DataFrame | None], *, top: int = TOP_DIFFERENCES
) -> pd.DataFrame:
    """Items on which the territories compared differ most: each one's score and the spread
    (highest minus lowest score). `found`: territory name -> item_scores() (None: left out).
    Columns: question_id, dimension_id, one column per territory, spread."""
    items = {name: frame for name, frame in found.items() if frame is not None}
    if len(items) < 2:
        return pd.DataFrame(columns=["question_id", "dimension_id", "spread"])
    frames = [
        f.set_index("question_id")[["score"]].rename(columns={"score": name})
        for name, f in items.items()
    ]
    wide = pd.concat(frames, axis=1, join="inner")
    dims = next(iter(items.values())).set_index("question_id")["dimension_id"]
    wide["spread"] = wide.max(axis=1) - wide.min(axis=1)
    wide = wide.loc[wide[list(items)].notna().sum(axis=1) >= 2]
    wide = wide.sort_values("spread", ascending=False, kind="stable").head(top)
    wide.insert(0, "dimension_id", dims.reindex(wide.index))
    return wide.reset_index()


# --- repeat campaigns ----------------------------------------------------------------------------


def load_renamed(questions_dir: Path) -> dict[str, dict[str, str]]:
    """questions/renamed.yaml: per questionnaire id, old question id -> new question id."""
    path = Path(questions_dir) / RENAMED_FILE
    if not path.is_file():
        return {}
    _, data = load_yaml(path)
    return parse_renamed(data, str(path))


def parse_renamed(data: Any, name: str) -> dict[str, dict[str, str]]:
    """The renames of a parsed renamed.yaml; a malformed table is a `file:line` problem."""
    renamed = data.get("renamed") if isinstance(data, dict) else None
    problems = []
    if not isinstance(renamed, dict):
        expected = "des questions renommées (clé « renamed: » suivie d'une table)"
        raise msg.NOT_A_MAPPING.fail(name, 1, expected=expected)
    out: dict[str, dict[str, str]] = {}
    for qid, mapping in renamed.items():
        if mapping is None:
            out[str(qid)] = {}
            continue
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            line = line_of(data, ("renamed", qid))
            problems.append(msg.RENAMED_NOT_A_TABLE.at(name, line, f"« {qid} »"))
            continue
        out[str(qid)] = {str(k): str(v) for k, v in mapping.items()}
    if problems:
        raise QuestionnaireError(problems)
    return out


def check_renamed(
    renamed: dict[str, dict[str, str]], data: Any, name: str, questions_dir: Path
) -> list[Problem]:
    """Renames checked against the questionnaires: a known questionnaire id, an old id found in
    one of its versions, a new id found in its latest version."""
    available = questionnaires(questions_dir)
    ids = sorted({qid for qid, _ in available})
    problems = []
    for qid, mapping in renamed.items():
        versions = [q for (key, _), q in available.items() if key == qid]
        if not versions:
            problems.append(
                msg.RENAMED_UNKNOWN_QUESTIONNAIRE.at(
                    name,
                    line_of(data, ("renamed", qid)),
                    questionnaire=qid,
                    questionnaires=", ".join(ids),
                )
            )
            continue
        latest = max(versions, key=lambda q: version_key(q.version))
        everywhere = {x.id for q in versions for x in q.questions()}
        for old, new in mapping.items():
            line = line_of(data, ("renamed", qid, old))
            if old not in everywhere:
                problems.append(msg.RENAMED_OLD_UNKNOWN.at(name, line, f"« {qid} »", old=old))
            if new not in {x.id for x in latest.questions()}:
                problems.append(msg.RENAMED_NEW_UNKNOWN.at(name, line, f"« {qid} »", new=new))
    return problems


def common_items(before: Questionnaire, after: Questionnaire, renamed: dict[str, str]) -> dict:
    """Items the two versions share: after's id -> before's id, when the question kept its type
    and scale (an id renamed in `renamed`, old -> new, is followed)."""
    old_of = {new: old for old, new in renamed.items()}
    before_items = an.item_catalogue(before).set_index("question_id")
    pairs = {}
    for row in an.item_catalogue(after).itertuples(index=False):
        old = old_of.get(row.question_id, row.question_id)
        if old not in before_items.index:
            continue
        was = before_items.loc[old]
        if (was["type"], was["scale_min"], was["scale_max"]) == (
            row.type,
            row.scale_min,
            row.scale_max,
        ):
            pairs[row.question_id] = old
    return pairs


def evolution(
    before: pd.DataFrame, after: pd.DataFrame, pairs: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What moved between two campaigns, item by item (common items only), then by dimension.

    `before`, `after`: item_scores(); `pairs`: common_items(). Returns (items, dimensions):
    items: question_id, before_id, dimension_id, score_before, score_after, change, n_before,
    n_after, largest change first; dimensions: dimension_id, n_items, score_before,
    score_after, change — the mean over the common items only.
    """
    b = before.set_index("question_id")
    rows = []
    for item in after.itertuples(index=False):
        old = pairs.get(item.question_id)
        if old is None or old not in b.index:
            continue
        rows.append(
            (
                item.question_id,
                old,
                item.dimension_id,
                item.position,
                b.at[old, "score"],
                item.score,
                int(b.at[old, "n"]),
                int(item.n),
            )
        )
    columns = ["question_id", "before_id", "dimension_id", "position", "score_before"]
    columns += ["score_after", "n_before", "n_after"]
    items = pd.DataFrame(rows, columns=columns)
    items["change"] = items["score_after"] - items["score_before"]
    both = items.dropna(subset=["score_before", "score_after"])
    dims = both.groupby("dimension_id", sort=False).agg(
        position=("position", "min"),
        n_items=("question_id", "size"),
        score_before=("score_before", "mean"),
        score_after=("score_after", "mean"),
    )
    dims["change"] = dims["score_after"] - dims["score_before"]
    dims = dims.sort_values("position").drop(columns="position").reset_index()
    items = items.assign(_abs=items["change"].abs()).sort_values(
        ["_abs", "position"], ascending=[False, True], na_position="last", kind="stable"
    )
    return items.drop(columns=["_abs", "position"]).reset_index(drop=True), dims


def campaigns_for_evolution(
    engine: Engine, actor: Actor, table: pd.DataFrame, territory_id: int, *, min_group_size: int
) -> pd.DataFrame:
    """The campaigns of one accompanied territory that have results (≥ min_group_size),
    oldest first (by the day they opened): campaign_id, title, questionnaire_id,
    questionnaire_version."""
    if not can(actor, Action.RESULTS_VIEW, territory_id=territory_id):
        return pd.DataFrame(columns=["campaign_id", "title", "questionnaire_id"])
    rows = table.loc[
        (table["territory_id"] == territory_id) & (table["n_respondents"] >= min_group_size)
    ].drop_duplicates("campaign_id")
    ids = [int(c) for c in rows["campaign_id"]]
    with session_scope(engine) as s:
        titles = store.campaign_titles(s, ids=ids)
        days = store.campaign_days(s, ids=ids)
    columns = ["campaign_id", "questionnaire_id", "questionnaire_version", "n_respondents"]
    out = rows[columns].assign(
        title=rows["campaign_id"].map(titles),
        day=[pd.Timestamp(days[c]) if days.get(c) is not None else pd.NaT for c in ids],
    )
    order = sorted(ids, key=lambda c: (str(days.get(c)), c))  # an earlier one entered later too
    return out.set_index("campaign_id").loc[order].reset_index()


def trend(table: pd.DataFrame, runs: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """Each dimension's score in every campaign of `runs` (campaigns_for_evolution(), oldest
    first), as the benchmark table holds it (the whole dimension of each campaign's
    questionnaire). Columns: campaign_id, title, day, questionnaire_id, questionnaire_version,
    n_respondents, dimension_id, score; campaigns oldest first, dimensions in `dimensions`'
    order (those of no campaign left out)."""
    ids = [int(c) for c in runs["campaign_id"]]
    rows = table.loc[table["campaign_id"].isin(ids), ["campaign_id", "dimension_id", "score"]]
    rows = rows.loc[rows["dimension_id"].isin(list(dimensions))]
    out = runs.merge(rows, on="campaign_id", how="inner")
    position = {d: i for i, d in enumerate(dimensions)}
    rank = {c: i for i, c in enumerate(ids)}
    out = out.assign(_c=out["campaign_id"].map(rank), _d=out["dimension_id"].map(position))
    return out.sort_values(["_c", "_d"]).drop(columns=["_c", "_d"]).reset_index(drop=True)


def versions_differ(runs: pd.DataFrame) -> bool:
    """Whether the campaigns compared answered different questionnaires or versions."""
    pairs = runs[["questionnaire_id", "questionnaire_version"]].drop_duplicates()
    return len(pairs) > 1


def latest_questionnaire(questions_dir: Path, questionnaire_id: str) -> Questionnaire | None:
    """The latest version of a questionnaire id (its dimension titles label the comparison)."""
    found = [q for (qid, _), q in questionnaires(questions_dir).items() if qid == questionnaire_id]
    return max(found, key=lambda q: version_key(q.version)) if found else None


def questionnaires_compared(
    questions_dir: Path, mine: pd.DataFrame, table: pd.DataFrame
) -> dict[str, Questionnaire]:
    """The latest version of each questionnaire that the accompanied territories (accompanied())
    or the peer groups (the benchmark table) answered, by id in alphabetical order."""
    ids = sorted(set(mine["questionnaire_id"]) | set(table["questionnaire_id"]))
    latest = {qid: latest_questionnaire(questions_dir, qid) for qid in ids}
    return {qid: q for qid, q in latest.items() if q is not None}


def evolution_pairs(
    questions_dir: Path, runs: pd.DataFrame, before: int, after: int
) -> dict[str, str]:
    """common_items() of two campaigns of campaigns_for_evolution() (`runs`), renamed ids
    followed."""
    versions = runs.set_index("campaign_id")[["questionnaire_id", "questionnaire_version"]]
    q_before = get_questionnaire(questions_dir, *versions.loc[before])
    q_after = get_questionnaire(questions_dir, *versions.loc[after])
    renamed = load_renamed(questions_dir).get(q_after.id, {})
    return common_items(q_before, q_after, renamed)
