"""Answer distributions: share of each level of an ordinal item, of each option of a choice."""

from __future__ import annotations

import pandas as pd

from diagnostic.analytics.frames import group_frame, item_catalogue
from diagnostic.analytics.groups import protect_grouped, require_group_size
from diagnostic.questionnaire import Questionnaire, QuestionType

HIDDEN = ["count", "share", "n_dont_know"]  # blanked in a group cell too small to show


def level_distribution(
    items: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    column: str = "current",
    by: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """How many respondents gave each level of each ordinal item (every level listed).

    Columns: question_id, [by], level, count, n (levels given), n_dont_know, share (count /
    n; "Je ne sais pas" is counted apart, never in the denominator). With `by`,
    min_group_size is required and the privacy rule of groups.protect applies.
    """
    require_group_size(by, min_group_size, "une distribution")
    keys = ["question_id"] + ([by] if by else [])
    catalogue = item_catalogue(questionnaire)
    levels = pd.DataFrame(
        [
            (q, level)
            for q, low, high in catalogue[["question_id", "scale_min", "scale_max"]].itertuples(
                index=False
            )
            for level in range(int(low), int(high) + 1)
        ],
        columns=["question_id", "level"],
    )
    if by is not None:
        levels = levels.merge(group_frame(items[by]), how="cross")
    given = items.loc[items[column].notna()]
    counts = given.groupby([*keys, column]).size().rename("count").reset_index()
    counts = counts.rename(columns={column: "level"})
    out = levels.merge(counts, on=[*keys, "level"], how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    n = given.groupby(keys).size().rename("n")
    dk = items.loc[items["dont_know"]].groupby(keys).size().rename("n_dont_know")
    out = out.merge(n.reset_index(), on=keys, how="left").merge(
        dk.reset_index(), on=keys, how="left"
    )
    for c in ("n", "n_dont_know"):
        out[c] = out[c].fillna(0).astype(int)
    out["share"] = out["count"] / out["n"].where(out["n"] > 0)
    out["level"] = out["level"].astype(int)
    out = out[[*keys, "level", "count", "n", "n_dont_know", "share"]]
    return protect_grouped(
        out, by, min_group_size, cell=["question_id", "level"], n_values="n", hidden=HIDDEN
    )


def choice_distribution(
    choices: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    by: str | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame:
    """How many respondents picked each option of each choice question without a scale.

    Columns: question_id, [by], option_id, position, count, n (respondents who answered with
    an option), n_dont_know, share (count / n; over 100 % in total for a multiple choice).
    """
    require_group_size(by, min_group_size, "une distribution")
    keys = ["question_id"] + ([by] if by else [])
    options = pd.DataFrame(
        [
            (q.id, o.id, i)
            for q in questionnaire.questions()
            if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE) and q.options
            for i, o in enumerate(q.options)
        ],
        columns=["question_id", "option_id", "position"],
    )
    if by is not None:
        options = options.merge(group_frame(choices[by]), how="cross")
    given = choices.loc[~choices["dont_know"]]
    counts = given.groupby([*keys, "option_id"]).size().rename("count").reset_index()
    n = given.groupby(keys)["participant_id"].nunique().rename("n")
    dk = choices.loc[choices["dont_know"]].groupby(keys).size().rename("n_dont_know")
    out = options.merge(counts, on=[*keys, "option_id"], how="left")
    out = out.merge(n.reset_index(), on=keys, how="left").merge(
        dk.reset_index(), on=keys, how="left"
    )
    for c in ("count", "n", "n_dont_know"):
        out[c] = out[c].fillna(0).astype(int)
    out["share"] = out["count"] / out["n"].where(out["n"] > 0)
    out = out[[*keys, "option_id", "position", "count", "n", "n_dont_know", "share"]]
    return protect_grouped(
        out, by, min_group_size, cell=["question_id", "option_id"], n_values="n", hidden=HIDDEN
    )
