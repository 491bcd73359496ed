"""Tidy frames built from the stored answers: one row per respondent and item, option or cell."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from diagnostic.questionnaire import Questionnaire, QuestionType
from diagnostic.questionnaire.codecs import codec_for

RESPONDENT_COLUMNS = [
    "participant_id",
    "role",
    "structure_id",
    "structure_name",
    "structure_kind",
    "submitted",
]
ITEM_COLUMNS = [
    "participant_id",
    "question_id",
    "dimension_id",
    "questionnaire_version",
    "dont_know",
    "current",
    "target",
    "importance",
]
CHOICE_COLUMNS = ["participant_id", "question_id", "option_id", "dont_know"]
RANKING_COLUMNS = ["participant_id", "question_id", "option_id", "rank", "dont_know"]
GRID_COLUMNS = ["participant_id", "question_id", "row_id", "column", "value", "nsp"]
CATALOGUE_COLUMNS = [
    "question_id",
    "dimension_id",
    "position",
    "type",
    "scored",
    "measure",
    "scale_min",
    "scale_max",
    "has_target",
    "has_importance",
]
# What an ordinal item measures: a maturity level (counted in its dimension's maturity score)
# or a degree of agreement with a statement (reported apart, in the agreement index).
MATURITY = "maturite"
AGREEMENT = "accord"
GROUP_COLUMNS = ["role", "structure_id", "structure_name", "structure_kind"]
_KINDS = ("items", "choices", "rankings", "grids")
_KIND_RANK = {"epci": 0, "commune": 1}


def group_order(values: pd.Series) -> list[Any]:
    """The groups present, in an order that does not depend on row order: EPCI first, sorted."""
    present = [v for v in pd.unique(values) if not pd.isna(v)]
    return sorted(present, key=lambda v: (_KIND_RANK.get(v, 2), type(v).__name__, v))


def group_frame(values: pd.Series) -> pd.DataFrame:
    """One column named like `values`, listing its groups in group_order, dtype kept."""
    return pd.DataFrame({values.name: pd.Series(group_order(values), dtype=values.dtype)})


def item_catalogue(questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per ordinal item, in questionnaire order.

    Columns: question_id, dimension_id (its section), position, type, scored (the section is a
    dimension: the item is one of the dimension's results), measure (AGREEMENT for an item on
    the questionnaire's agreement scale, MATURITY otherwise: only MATURITY items of a scored
    section count in a maturity score, see `maturity_items`), scale_min, scale_max,
    has_target, has_importance.
    """
    rows: list[tuple[Any, ...]] = []
    for section in questionnaire.sections:
        for question in section.questions:
            if not codec_for(question).ordinal(question):
                continue
            values = questionnaire.scale_of(question).values
            rows.append(
                (
                    question.id,
                    section.id,
                    len(rows),
                    question.type.value,
                    section.scored,
                    AGREEMENT if questionnaire.is_agreement(question) else MATURITY,
                    values[0],
                    values[-1],
                    question.type == QuestionType.CURRENT_TARGET,
                    question.type == QuestionType.CURRENT_TARGET and question.importance,
                )
            )
    return pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)


def maturity_items(frame: pd.DataFrame) -> pd.Series:
    """Rows (of a frame with `scored` and `measure`) that count in a maturity score."""
    return frame["scored"].astype(bool) & (frame["measure"] == MATURITY)


def agreement_items(frame: pd.DataFrame) -> pd.Series:
    """Rows (of a frame with `scored` and `measure`) that count in an agreement index."""
    return frame["scored"].astype(bool) & (frame["measure"] == AGREEMENT)


def select_respondents(
    participants: pd.DataFrame, *, include_in_progress: bool = False
) -> pd.DataFrame:
    """The participants whose answers count: submitted ones, plus started ones if asked."""
    frame = participants.copy()
    for column in RESPONDENT_COLUMNS:
        if column not in frame:
            frame[column] = pd.NA
    submitted = frame["submitted"].fillna(False).astype(bool)
    started = frame["started"].fillna(False).astype(bool) if "started" in frame else submitted
    keep = submitted | (started if include_in_progress else False)
    frame["submitted"] = submitted
    return frame.loc[keep, RESPONDENT_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Responses:
    """The answers that count, as tidy frames, each row carrying its respondent's groups.

    - respondents: participant_id, role, structure_id, structure_name, structure_kind, submitted
    - items: one row per respondent x ordinal item answered (a level, or "Je ne sais pas"):
      participant_id, question_id, dimension_id, questionnaire_version, dont_know, current,
      target, importance (floats, NaN when absent or "Je ne sais pas") + group columns
    - choices: one row per option ticked in a choice question without scale (one row with
      option_id None and dont_know True for "Je ne sais pas")
    - rankings: one row per ranked option with its rank (1 = first); dont_know rows as above
    - grids: one row per respondent x grid question x row x column ("current"/"desired"):
      value (NaN for "nsp"), nsp (bool); a "Je ne sais pas" on the whole grid makes every cell nsp
    """

    respondents: pd.DataFrame
    items: pd.DataFrame
    choices: pd.DataFrame
    rankings: pd.DataFrame
    grids: pd.DataFrame


def tidy_responses(
    answers: pd.DataFrame,
    participants: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    include_in_progress: bool = False,
) -> Responses:
    """Turn the long answers frame (store.answers.campaign_answers) into tidy frames.

    Only answers of counted respondents are kept (submitted ones by default). An answer whose
    question id no longer exists, whose shape no longer fits the question's type, or whose
    level, option or row left the current questionnaire is ignored; answers given under an
    older questionnaire version otherwise count (the id is the item's identity).
    """
    respondents = select_respondents(participants, include_in_progress=include_in_progress)
    by_id = {q.id: q for q in questionnaire.questions()}
    columns = ["participant_id", "question_id", "questionnaire_version", "value", "dont_know"]
    answers = answers.reindex(columns=columns)
    frame = answers.loc[
        answers["participant_id"].isin(respondents["participant_id"])
        & answers["question_id"].isin(by_id)
    ]
    records: dict[str, list[tuple[Any, ...]]] = {k: [] for k in _KINDS}
    section_of = {q.id: s.id for s in questionnaire.sections for q in s.questions}
    for pid, qid, version, raw, dk_flag in frame.itertuples(index=False, name=None):
        question = by_id[qid]
        value = _as_dict(raw)
        dont_know = _flag(dk_flag) or _flag(value.get("dont_know"))
        kind, rows = codec_for(question).tidy(questionnaire, question, value, dont_know)
        for row in rows:
            if kind == "items":
                records[kind].append((pid, qid, section_of[qid], version, *row))
            else:
                records[kind].append((pid, qid, *row))
    groups = respondents[["participant_id", *GROUP_COLUMNS]]
    return Responses(
        respondents=respondents,
        items=_frame(
            records["items"], ITEM_COLUMNS, groups, floats=("current", "target", "importance")
        ),
        choices=_frame(records["choices"], CHOICE_COLUMNS, groups),
        rankings=_frame(records["rankings"], RANKING_COLUMNS, groups),
        grids=_frame(records["grids"], GRID_COLUMNS, groups, floats=("value",)),
    )


def _frame(
    rows: list[tuple[Any, ...]],
    columns: list[str],
    groups: pd.DataFrame,
    floats: tuple[str, ...] = (),
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in floats:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("dont_know", "nsp"):
        if column in frame:
            frame[column] = frame[column].astype(bool)
    if "rank" in frame:
        frame["rank"] = frame["rank"].astype("Int64")
    frame["participant_id"] = frame["participant_id"].astype(groups["participant_id"].dtype)
    return frame.merge(groups, on="participant_id", how="left")


def _flag(v: Any) -> bool:
    """True for a true boolean (or 1); False for anything else, missing values included."""
    return isinstance(v, bool | np.bool_ | int | np.integer) and bool(v)


def _as_dict(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
