"""A respondent's own profile beside the territory's, shown once enough people have submitted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic.analytics.frames import Responses, item_catalogue, maturity_items
from diagnostic.analytics.groups import STATUS_OK, STATUS_SUPPRESSED, status_label
from diagnostic.analytics.levels import to_score
from diagnostic.analytics.scoring import dimension_scores, item_stats
from diagnostic.questionnaire import Questionnaire


def respondent_scores(items: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """Each respondent's dimension maturity scores: the mean of their own maturity item scores
    (agreement statements left out, as in scoring.dimension_scores), on 0-100.

    Columns: participant_id, dimension_id, n_items (levels given), score.
    """
    catalogue = item_catalogue(questionnaire)
    scored = catalogue.loc[maturity_items(catalogue)].set_index("question_id")
    own = items.loc[items["question_id"].isin(scored.index) & items["current"].notna()]
    q = own["question_id"]
    own = own.assign(
        score=to_score(
            own["current"],
            q.map(scored["scale_min"]).astype(float),
            q.map(scored["scale_max"]).astype(float),
        )
    )
    out = own.groupby(["participant_id", "dimension_id"], sort=False).agg(
        n_items=("score", "count"), score=("score", "mean")
    )
    return out.reset_index()


def respondent_profile(
    data: Responses,
    questionnaire: Questionnaire,
    participant_id: int,
    *,
    min_group_size: int,
) -> pd.DataFrame:
    """One respondent's dimension scores beside the territory's (individual answers only).

    The territory's side is shown only when at least min_group_size respondents have
    submitted; otherwise it is blank with status "suppressed". Columns: dimension_id,
    position, own_n_items, own_score, territory_score, difference (own - territory, in
    points), status, status_label.
    """
    territory = dimension_scores(item_stats(data.items, questionnaire), questionnaire)
    mine = respondent_scores(
        data.items.loc[data.items["participant_id"] == participant_id], questionnaire
    ).set_index("dimension_id")
    out = territory[["dimension_id", "position", "score"]].rename(
        columns={"score": "territory_score"}
    )
    out["own_n_items"] = (
        out["dimension_id"].map(mine["n_items"]).astype(float).fillna(0).astype(int)
    )
    out["own_score"] = out["dimension_id"].map(mine["score"]).astype(float)
    enough = int(data.respondents["submitted"].sum()) >= min_group_size
    status = STATUS_OK if enough else STATUS_SUPPRESSED
    if not enough:
        out["territory_score"] = np.nan
    out["difference"] = out["own_score"] - out["territory_score"]
    out["status"] = status
    out["status_label"] = status_label(status, min_group_size)
    columns = ["dimension_id", "position", "own_n_items", "own_score", "territory_score"]
    return out[[*columns, "difference", "status", "status_label"]]
