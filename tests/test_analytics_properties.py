"""Invariants, checked by Hypothesis: ranges, row order, regrouping, agreement bounds."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from diagnostic.analytics import (
    borda,
    compare_groups,
    dimension_scores,
    grid_summary,
    item_stats,
    respondent_scores,
    tidy_responses,
    van_der_eijk,
)
from diagnostic.questionnaire import load_questionnaire

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "mini.yaml")
OPTIONS = ["mobilites", "habitat", "economie", "transition"]
GROUPINGS = ["structure_kind", "role", "structure_id"]
CELL = st.one_of(st.none(), st.just("nsp"), st.integers(0, 4))

respondent = st.fixed_dictionaries(
    {
        "structure": st.integers(1, 3),  # 1 is the EPCI, 2 and 3 communes
        "role": st.sampled_from(["dgs", "dga", "dst"]),
        "submitted": st.booleans(),
        "debat": st.one_of(st.none(), st.just("nsp"), st.integers(1, 5)),
        "codir": st.one_of(
            st.none(),
            st.just("nsp"),
            st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3)),
        ),
        "ranking": st.one_of(st.none(), st.permutations(OPTIONS).map(lambda p: list(p[:3]))),
        "grid": st.one_of(st.none(), st.tuples(CELL, CELL, CELL, CELL)),
        "version": st.sampled_from(["1", "0.9"]),
    }
)
territories = st.lists(respondent, min_size=1, max_size=12)


def frames(people: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    participants = pd.DataFrame(
        [
            {
                "participant_id": i,
                "role": p["role"],
                "structure_id": p["structure"],
                "structure_name": f"S{p['structure']}",
                "structure_kind": "epci" if p["structure"] == 1 else "commune",
                "started": True,
                "submitted": p["submitted"],
            }
            for i, p in enumerate(people, start=1)
        ]
    )
    rows = []
    for i, p in enumerate(people, start=1):

        def add(qid: str, value: dict[str, Any], i: int = i, p: dict[str, Any] = p) -> None:
            rows.append(
                {
                    "participant_id": i,
                    "question_id": qid,
                    "questionnaire_version": p["version"],
                    "value": value,
                    "dont_know": bool(value.get("dont_know")),
                }
            )

        if p["debat"] is not None:
            add("ins_debat", {"dont_know": True} if p["debat"] == "nsp" else {"level": p["debat"]})
        if p["codir"] == "nsp":
            add("ins_codir", {"dont_know": True})
        elif p["codir"] is not None:
            current, target, importance = p["codir"]
            add("ins_codir", {"current": current, "target": target, "importance": importance})
        if p["ranking"] is not None:
            add("act_priorites", {"ranking": p["ranking"]})
        if p["grid"] is not None:
            cells = dict(zip(["dc", "dd", "rc", "rd"], p["grid"], strict=True))
            rows_value = {
                "departement": {"current": cells["dc"], "desired": cells["dd"]},
                "region": {"current": cells["rc"], "desired": cells["rd"]},
            }
            rows_value = {
                r: {k: v for k, v in c.items() if v is not None} for r, c in rows_value.items()
            }
            add("act_grille", {"rows": rows_value})
    columns = ["participant_id", "question_id", "questionnaire_version", "value", "dont_know"]
    return pd.DataFrame(rows, columns=columns), participants


def within(values: pd.Series, low: float, high: float) -> bool:
    known = pd.to_numeric(values, errors="coerce").dropna()
    return bool(((known >= low - 1e-9) & (known <= high + 1e-9)).all())


@settings(max_examples=20, deadline=None)
@given(territories)
def test_scores_shares_and_agreement_stay_in_range(people: list[dict[str, Any]]) -> None:
    answers, participants = frames(people)
    data = tidy_responses(answers, participants, MINI, include_in_progress=True)
    stats = item_stats(data.items, MINI)
    for column in ("score", "target_score"):
        assert within(stats[column], 0, 100)
    assert within(stats["share_dont_know"], 0, 1)
    assert within(stats["agreement"], -1, 1)
    assert within(dimension_scores(stats, MINI)["score"], 0, 100)
    assert within(respondent_scores(data.items, MINI)["score"], 0, 100)
    for by in GROUPINGS:
        out = compare_groups(data, MINI, by, min_group_size=2)
        assert within(out["score"], 0, 100) and within(out["others_score"], 0, 100)
        assert within(out["difference"], -100, 100)


@settings(max_examples=20, deadline=None)
@given(territories, st.randoms(use_true_random=False), st.sampled_from(GROUPINGS))
def test_row_order_does_not_change_results(people: list[dict[str, Any]], rnd: Any, by: str) -> None:
    answers, participants = frames(people)
    seed = rnd.randint(0, 10_000)
    shuffled = (
        answers.sample(frac=1, random_state=seed),
        participants.sample(frac=1, random_state=seed + 1),
    )
    one = tidy_responses(answers, participants, MINI)
    two = tidy_responses(*shuffled, MINI)
    stats = item_stats(one.items, MINI)
    assert_frame_equal(stats, item_stats(two.items, MINI))
    assert_frame_equal(
        dimension_scores(stats, MINI), dimension_scores(item_stats(two.items, MINI), MINI)
    )
    assert_frame_equal(
        compare_groups(one, MINI, by, min_group_size=2),
        compare_groups(two, MINI, by, min_group_size=2),
    )
    assert_frame_equal(borda(one.rankings, MINI), borda(two.rankings, MINI))
    assert_frame_equal(grid_summary(one.grids, MINI), grid_summary(two.grids, MINI))


@settings(max_examples=20, deadline=None)
@given(territories)
def test_regrouping_does_not_change_results(people: list[dict[str, Any]]) -> None:
    answers, participants = frames(people)
    data = tidy_responses(answers, participants, MINI)
    total = item_stats(data.items, MINI).set_index("question_id")
    per_kind = item_stats(data.items, MINI, by="structure_kind")
    # the groups add up to the territory
    counts = ["n", "n_dont_know", "n_respondents"]
    sums = per_kind.groupby("question_id")[counts].sum()
    assert (sums == total.loc[sums.index, counts]).all().all()
    # a group's figures are those computed on its respondents alone, the others' likewise
    comparison = compare_groups(data, MINI, "structure_kind", min_group_size=1)
    for group, rows in comparison.groupby("group"):
        inside = data.items["structure_kind"] == group
        alone = item_stats(data.items.loc[inside], MINI).set_index("question_id")
        rest = item_stats(data.items.loc[~inside], MINI).set_index("question_id")
        for _, row in rows.loc[rows["status"] == "ok"].iterrows():
            q = row["question_id"]
            assert _same(row["mean"], alone.loc[q, "mean"])
            assert _same(row["median"], alone.loc[q, "median"])
            assert _same(row["others_mean"], rest.loc[q, "mean"])
    # renaming the groups changes nothing but the names
    renamed_people = participants.assign(structure_id=participants["structure_id"] + 100)
    renamed = tidy_responses(answers, renamed_people, MINI)
    first = compare_groups(data, MINI, "structure_id", min_group_size=2)
    second = compare_groups(renamed, MINI, "structure_id", min_group_size=2)
    names = ["group", "group_label"]
    assert_frame_equal(first.drop(columns=names), second.drop(columns=names))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=2, max_size=8).filter(lambda c: sum(c) > 0))
def test_agreement_index_stays_within_minus_one_and_one(counts: list[int]) -> None:
    a = van_der_eijk(counts)
    assert -1 - 1e-9 <= a <= 1 + 1e-9
    assert math.isclose(a, van_der_eijk(counts[::-1]), abs_tol=1e-9)  # no preferred end
    doubled = van_der_eijk([2 * c for c in counts])
    assert math.isclose(a, doubled, abs_tol=1e-9)  # depends on shares, not on headcount
