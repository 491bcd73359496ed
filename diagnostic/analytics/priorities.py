"""Collective ranking of priorities by Borda count."""

from __future__ import annotations

import pandas as pd

from diagnostic.analytics.frames import group_frame
from diagnostic.analytics.groups import protect_grouped, require_group_size
from diagnostic.questionnaire import Questionnaire, QuestionType

BORDA_COLUMNS = [
    "points",
    "n_cited",
    "n_first",
    "n_respondents",
    "n_dont_know",
    "share_cited",
    "rank",
]


def ranking_depth(question_max_choices: int | None, n_options: int) -> int:
    """How many places a respondent ranks: max_choices, or every option."""
    return min(question_max_choices or n_options, n_options)


def borda(
    rankings: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """Borda count of every ranking question: in a top N, place r earns N - r + 1 points.

    One row per question x option (x group), every option listed, including those nobody
    cited. Columns: question_id, [group], option_id, position (order in the questionnaire),
    points, n_cited (respondents who ranked it), n_first (ranked it first), n_respondents
    (gave a ranking), n_dont_know, share_cited (n_cited / n_respondents), rank (collective
    rank by points; equal points share a rank, e.g. 1, 1, 3). Rows come in collective order:
    points, then n_cited, then questionnaire order. With `by`, min_group_size is required and
    the privacy rule of groups.protect applies to each group's ranking.
    """
    require_group_size(by, min_group_size, "un classement")
    keys = ["question_id"] if by is None else ["question_id", by]
    depth = {}
    options = []
    for q in questionnaire.questions():
        if q.type != QuestionType.RANKING:
            continue
        ids = [o.id for o in q.options or []]
        depth[q.id] = ranking_depth(q.max_choices, len(ids))
        options += [(q.id, o, i) for i, o in enumerate(ids)]
    grid = pd.DataFrame(options, columns=["question_id", "option_id", "position"])
    frame = rankings.loc[rankings["question_id"].isin(depth)]
    if by is not None:
        groups = group_frame(frame[by])
        grid = grid.merge(groups, how="cross")
    ranked = frame.loc[~frame["dont_know"]].copy()
    ranked["points"] = (
        ranked["question_id"].map(depth).astype(float) - ranked["rank"].astype(float) + 1
    )
    ranked["first"] = ranked["rank"] == 1
    per_option = ranked.groupby([*keys, "option_id"]).agg(
        points=("points", "sum"),
        n_cited=("participant_id", "nunique"),
        n_first=("first", "sum"),
    )
    respondents = ranked.groupby(keys)["participant_id"].nunique().rename("n_respondents")
    dont_know = frame.loc[frame["dont_know"]].groupby(keys).size().rename("n_dont_know")
    out = grid.merge(per_option.reset_index(), on=[*keys, "option_id"], how="left")
    out = out.merge(respondents.reset_index(), on=keys, how="left")
    out = out.merge(dont_know.reset_index(), on=keys, how="left")
    for column in ("points", "n_cited", "n_first", "n_respondents", "n_dont_know"):
        out[column] = out[column].fillna(0).astype(int)
    out["share_cited"] = out["n_cited"] / out["n_respondents"].where(out["n_respondents"] > 0)
    out["rank"] = out.groupby(keys)["points"].rank(method="min", ascending=False).astype(int)
    out = out.sort_values(
        [*keys, "points", "n_cited", "position"],
        ascending=[True] * len(keys) + [False, False, True],
        key=lambda s: s.map(_question_order(questionnaire)) if s.name == "question_id" else s,
        kind="stable",
    )
    out = out[[*keys, "option_id", "position", *BORDA_COLUMNS]].reset_index(drop=True)
    hidden = ["points", "n_cited", "n_first", "share_cited", "rank"]
    cell = ["question_id", "option_id"]
    return protect_grouped(
        out, by, min_group_size, cell=cell, n_values="n_respondents", hidden=hidden
    )


def _question_order(questionnaire: Questionnaire) -> dict[str, int]:
    return {q.id: i for i, q in enumerate(questionnaire.questions())}
