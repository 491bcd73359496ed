"""A campaign's results as plain data, computed by the pure analytics (no store, no service).

`shown_results` applies the privacy rule: below the minimum group size, nothing is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from diagnostic import analytics as an
from diagnostic.questionnaire import Questionnaire
from diagnostic.vocabulary import ROLE_LABELS

if TYPE_CHECKING:
    from diagnostic.store.models import Campaign, Territory


@dataclass(frozen=True)
class CampaignData:
    """The raw material of a campaign's results (one territory: small)."""

    campaign: Campaign
    territory: Territory
    questionnaire: Questionnaire
    answers: pd.DataFrame
    participants: pd.DataFrame
    consensus: pd.DataFrame


@dataclass(frozen=True)
class CampaignResults:
    """Every table the results page, the consensus meeting and the roadmap read."""

    questionnaire: Questionnaire
    territory_name: str
    n_respondents: int
    min_group_size: int  # the privacy threshold the group breakdowns were computed with
    items: pd.DataFrame  # territory item stats with consensus applied and divergence flags
    dimensions: pd.DataFrame  # maturity scores (consensus applied) and agreement index
    dimensions_by_kind: pd.DataFrame  # dimension scores of the EPCI and communes groups
    respondent_scores: pd.DataFrame  # each respondent's dimension scores (for the spread)
    comparisons: dict[str, pd.DataFrame]  # by structure_kind, role, structure_id
    blind_spots: pd.DataFrame
    priorities: pd.DataFrame  # Borda count of every ranking question
    grids: pd.DataFrame  # actor grid cells (median, spread)
    grid_gaps: pd.DataFrame
    choices: pd.DataFrame  # distribution of choice questions
    participation: pd.DataFrame  # overall
    participation_by: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: list[an.SummarySection] = field(default_factory=list)
    collective: pd.DataFrame = field(default_factory=pd.DataFrame)  # values for the roadmap
    responses: an.Responses | None = None
    # agreement index of the EPCI and communes groups (analytics.agreement_index, by group)
    agreement_by_kind: pd.DataFrame = field(default_factory=pd.DataFrame)
    # actor grid cells of the EPCI and communes groups (privacy rule applied), and per grid row
    # each kind's medians and whether they disagree (analytics.grid_splits)
    grids_by_kind: pd.DataFrame = field(default_factory=pd.DataFrame)
    grid_splits: pd.DataFrame = field(default_factory=pd.DataFrame)

    def turnout(self) -> dict[str, int]:
        """Invited, started and submitted, over the whole campaign."""
        overall = self.participation.iloc[0]
        return {k: int(overall[k]) for k in ("invited", "started", "submitted")}

    def compared(self, grouping: str, dimension: str) -> pd.DataFrame:
        """The groups' item scores of one dimension (grouping: a key of `comparisons`)."""
        frame = self.comparisons[grouping]
        return frame.loc[frame["dimension_id"] == dimension]

    def ranking(self, question_id: str) -> pd.DataFrame | None:
        """The Borda points of one ranking question; None while nobody has ranked."""
        frame = self.priorities.loc[self.priorities["question_id"] == question_id]
        return frame if frame["points"].any() else None

    def grid(self, question_id: str) -> pd.DataFrame | None:
        """The cells of one actor grid; None while nobody has answered it."""
        cells = self.grids.loc[self.grids["question_id"] == question_id]
        return cells if cells["n"].any() else None

    def grid_split(self, question_id: str) -> pd.DataFrame | None:
        """Each kind's medians per row of one grid when the intercommunality and the communes
        disagree on one row at least (docs/methodes.md § 12 bis); None when they do not."""
        splits = self.grid_splits
        if splits.empty:
            return None
        rows = splits.loc[splits["question_id"] == question_id]
        return rows if rows["split"].any() else None


@dataclass(frozen=True)
class TooFewRespondents:
    """The group asked for counts fewer respondents than the privacy threshold: nothing shown."""

    min_group_size: int


SUBSET_COLUMNS = ("structure_kind", "structure_id", "role")


def restrict(data: CampaignData, **subset: object) -> CampaignData:
    """The same campaign limited to some respondents (structure_kind, structure_id, role)."""
    people = data.participants
    for column, value in subset.items():
        if column not in SUBSET_COLUMNS:
            raise ValueError(f"filtre inconnu : {column}")
        if value is not None:
            people = people.loc[people[column] == value]
    answers = data.answers.loc[data.answers["participant_id"].isin(people["participant_id"])]
    return CampaignData(
        data.campaign, data.territory, data.questionnaire, answers, people, data.consensus
    )


def counted_respondents(data: CampaignData, *, include_in_progress: bool = False) -> int:
    """How many respondents the results would count (submitted ones by default)."""
    people = data.participants
    mask = people["submitted"] | (people["started"] if include_in_progress else False)
    return int(mask.sum())


def shown_results(
    data: CampaignData, *, min_group_size: int, **subset: object
) -> CampaignResults | TooFewRespondents:
    """The results of the respondents in `subset` (none: everybody), or TooFewRespondents when
    they are fewer than min_group_size: the privacy rule of every screen of results."""
    data = restrict(data, **subset)
    if counted_respondents(data) < min_group_size:
        return TooFewRespondents(min_group_size)
    return compute_results(data, min_group_size=min_group_size)


def compute_results(
    data: CampaignData, *, min_group_size: int, include_in_progress: bool = False
) -> CampaignResults:
    """All results of a campaign, privacy rule applied to every group breakdown."""
    q = data.questionnaire
    responses = an.tidy_responses(
        data.answers, data.participants, q, include_in_progress=include_in_progress
    )
    n = len(responses.respondents)
    stats = an.item_stats(responses.items, q)
    stats = an.apply_consensus(stats, q, data.consensus)
    flags = an.divergence(responses.items, q, min_group_size=min_group_size)
    stats = stats.merge(
        flags[["question_id", "divergent"]] if "divergent" in flags else flags,
        on="question_id",
        how="left",
    )
    dims = an.dimension_scores(stats, q, consensus=data.consensus)
    # The agreement statements are reported beside the maturity score, never inside it.
    index = an.agreement_index(stats, q, min_answers=min_group_size)
    dims = with_agreement_index(dims, index)
    names = dict(
        zip(data.participants["structure_id"], data.participants["structure_name"], strict=False)
    )
    comparisons = {
        "structure_kind": an.compare_groups(
            responses, q, "structure_kind", min_group_size=min_group_size
        ),
        "role": an.compare_groups(
            responses, q, "role", min_group_size=min_group_size, labels=ROLE_LABELS
        ),
        "structure_id": an.compare_groups(
            responses, q, "structure_id", min_group_size=min_group_size, labels=names
        ),
    }
    # Group dimension scores only from the item cells the privacy rule lets through.
    by_kind = an.compare_dimensions(comparisons["structure_kind"], q, min_group_size=min_group_size)
    by_kind = by_kind.loc[by_kind["status"] == an.STATUS_OK].rename(
        columns={"group": "structure_kind"}
    )
    agreement_by_kind = an.agreement_index(
        comparisons["structure_kind"], q, min_answers=min_group_size, by="group"
    ).rename(columns={"group": "structure_kind"})
    blind = pd.concat([an.blind_spots(c) for c in comparisons.values()], ignore_index=True)
    grids = an.grid_summary(responses.grids, q)
    grids_by_kind = an.grid_by_kind(responses.grids, q, min_group_size=min_group_size)
    return CampaignResults(
        questionnaire=q,
        territory_name=data.territory.name,
        n_respondents=n,
        min_group_size=min_group_size,
        items=stats,
        dimensions=dims,
        dimensions_by_kind=by_kind,
        respondent_scores=an.respondent_scores(responses.items, q),
        comparisons=comparisons,
        blind_spots=blind,
        priorities=an.borda(responses.rankings, q),
        grids=grids,
        grid_gaps=an.grid_gaps(grids),
        choices=an.choice_distribution(responses.choices, q),
        participation=an.participation(data.participants),
        participation_by={
            "structure": an.participation(data.participants, by="structure"),
            "role": an.participation(data.participants, by="role"),
        },
        summary=an.summary(
            stats,
            q,
            n_respondents=n,
            comparisons=comparisons.values(),
            min_answers=min_group_size,
        ),
        collective=an.collective_values(stats, q, data.consensus),
        responses=responses,
        agreement_by_kind=agreement_by_kind,
        grids_by_kind=grids_by_kind,
        grid_splits=an.grid_splits(grids_by_kind),
    )


def with_agreement_index(dimensions: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
    """The dimensions' maturity scores with their agreement index beside them (columns of
    analytics.agreement_index; n_statements 0 and agree_status None without statements)."""
    columns = [c for c in index.columns if c not in ("position",)]
    out = dimensions.merge(index[columns], on="dimension_id", how="left")
    for column in ("n_statements", "n_statements_counted", "n_answers"):
        out[column] = out[column].fillna(0).astype(int)
    out["agree_status"] = out["agree_status"].astype(object).where(out["n_statements"] > 0, None)
    return out


@dataclass(frozen=True)
class Labels:
    """French labels of a questionnaire's ids, for charts and tables."""

    dimensions: dict[str, str]
    items: dict[str, str]
    options: dict[str, dict[str, str]]  # question id -> option or row id -> label
    levels: dict[str, dict[int, str]]  # question id -> level -> label


def labels(questionnaire: Questionnaire) -> Labels:
    """Every label the results show, read from the questionnaire (no wording in Python)."""
    q = questionnaire
    options = {
        x.id: {o.id: o.label for o in [*(x.options or []), *(x.rows or [])]} for x in q.questions()
    }
    levels = {}
    for x in q.questions():
        if x.scored or x.scale or x.rows:
            scale = q.scale_of(x)
            levels[x.id] = {v: lvl.label for v, lvl in scale.levels.items()}
    return Labels(
        dimensions={s.id: s.title for s in q.sections},
        items={x.id: x.text for x in q.questions()},
        options=options,
        levels=levels,
    )


def commune_names(results: CampaignResults) -> dict[int, str]:
    """The member communes that have participants, by structure id (for filters)."""
    frame = results.participation_by["structure"]
    frame = frame.loc[frame["structure_kind"] == "commune"]
    return dict(zip(frame["structure_id"].astype(int), frame["structure_name"], strict=True))
