"""A campaign's results: read once from the store, computed by the pure analytics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic import analytics as an
from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import consensus as consensus_store
from diagnostic.store.engine import read_scope, session_scope
from diagnostic.store.models import Campaign, Territory
from diagnostic.vocabulary import ROLE_LABELS


@dataclass(frozen=True)
class CampaignData:
    """The raw material of a campaign's results (one territory: small)."""

    campaign: Campaign
    territory: Territory
    questionnaire: Questionnaire
    answers: pd.DataFrame
    participants: pd.DataFrame
    consensus: pd.DataFrame


def data_version(engine: Engine, campaign_id: int) -> tuple[object, ...]:
    """A cheap fingerprint that changes whenever an answer, a submission or a consensus does.

    Pages key their cache on it, so that a new answer invalidates the cached results.
    """
    with read_scope(engine) as s:  # asked at every page run: never wait for a writer
        return answer_store.campaign_fingerprint(s, campaign_id=campaign_id)


def require_results_access(engine: Engine, actor: Actor, campaign_id: int) -> Campaign:
    """The campaign when the actor may read its results; the same refusal otherwise."""
    with session_scope(engine) as s:
        campaign = s.get(Campaign, campaign_id)
    if campaign is None or not can(actor, Action.RESULTS_VIEW, territory_id=campaign.territory_id):
        raise AccessDenied("campagne introuvable ou inaccessible")
    return campaign


def load_campaign_data(
    engine: Engine, actor: Actor, campaign_id: int, questions_dir: Path
) -> CampaignData:
    """Everything the results need, after checking that the actor may read them."""
    require_results_access(engine, actor, campaign_id)
    return read_campaign_data(engine, campaign_id, questions_dir)


def read_campaign_data(engine: Engine, campaign_id: int, questions_dir: Path) -> CampaignData:
    """The raw material of a campaign WITHOUT a permission check: callers check first
    (`require_results_access`); pages use it behind their cache, keyed by campaign."""
    with session_scope(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise AccessDenied("campagne introuvable ou inaccessible")
        territory = s.get(Territory, campaign.territory_id)
        assert territory is not None
        answers = answer_store.campaign_answers(s, campaign_id=campaign_id)
        participants = campaign_store.participants_frame(s, campaign_id=campaign_id)
        consensus = consensus_store.consensus_frame(s, campaign_id=campaign_id)
    questionnaire = get_questionnaire(
        questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
    )
    return CampaignData(campaign, territory, questionnaire, answers, participants, consensus)


@dataclass(frozen=True)
class CampaignResults:
    """Every table the results page, the consensus meeting and the roadmap read."""

    questionnaire: Questionnaire
    territory_name: str
    n_respondents: int
    items: pd.DataFrame  # territory item stats with consensus applied and divergence flags
    dimensions: pd.DataFrame  # dimension scores (consensus applied)
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
    blind = pd.concat([an.blind_spots(c) for c in comparisons.values()], ignore_index=True)
    grids = an.grid_summary(responses.grids, q)
    return CampaignResults(
        questionnaire=q,
        territory_name=data.territory.name,
        n_respondents=n,
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
    )


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
