"""Anonymous peer groups: the 5-territory threshold, secondary suppression, consent, ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.analytics.bulk_scores import ALL_BANDS, population_band
from diagnostic.analytics.peers import (
    eligible,
    peer_groups,
    percentile_ranks,
    protect_peers,
)

DIMS = ("d1", "d2")


def rows(specs):
    """Benchmark rows: one campaign per spec (territory_id, kind, population, score, consent)."""
    out = []
    for i, spec in enumerate(specs):
        territory, kind, population, score = spec[:4]
        consent = spec[4] if len(spec) > 4 else True
        n = spec[5] if len(spec) > 5 else 8
        campaign = spec[6] if len(spec) > 6 else 100 + i
        for j, dim in enumerate(DIMS):
            out.append(
                {
                    "campaign_id": campaign,
                    "dimension_id": dim,
                    "territory_id": territory,
                    "questionnaire_id": "q",
                    "questionnaire_version": "1",
                    "kind": kind,
                    "population": population,
                    "population_band": population_band(population),
                    "consent": consent,
                    "n_respondents": n,
                    "n_items": 3,
                    "n_consensus": 0,
                    "score": float(score + j),
                    "target_score": float(score + 10),
                    "agreement": 0.5,
                }
            )
    return pd.DataFrame(out)


def groups(table, known=(), min_territories=5):
    return peer_groups(
        table, questionnaire_id="q", min_territories=min_territories, min_respondents=3, known=known
    )


def cell(frame, kind, band, dim="d1"):
    found = frame.loc[
        (frame["kind"] == kind)
        & (frame["population_band"] == band)
        & (frame["dimension_id"] == dim)
    ]
    assert len(found) == 1
    return found.iloc[0]


def test_population_bands():
    assert population_band(None) == "inconnue"
    assert population_band(14_999) == "lt15k"
    assert population_band(15_000) == "15k-30k"
    assert population_band(49_999) == "30k-50k"
    assert population_band(250_000) == "250k+"


def test_a_group_of_five_territories_is_shown_and_four_is_not():
    five = rows([(t, "cc", 20_000, 10 * t) for t in range(1, 6)])
    shown = cell(groups(five), "cc", "15k-30k")
    assert shown["status"] == "ok" and shown["n"] == 5
    assert shown["score_median"] == 30.0
    four = rows([(t, "cc", 20_000, 10 * t) for t in range(1, 5)])
    hidden = cell(groups(four), "cc", "15k-30k")
    assert hidden["status"] == "suppressed"
    assert hidden["status_label"] == "moins de 5 territoires"
    assert pd.isna(hidden["n"]) and np.isnan(hidden["score_median"])
    assert np.isnan(hidden["score_q1"]) and np.isnan(hidden["agreement_median"])


def test_the_threshold_is_a_setting():
    four = rows([(t, "cc", 20_000, 10 * t) for t in range(1, 5)])
    assert cell(groups(four, min_territories=4), "cc", "15k-30k")["status"] == "ok"


def test_territories_the_viewer_accompanies_do_not_count_towards_the_threshold():
    six = rows([(t, "cc", 20_000, 10 * t) for t in range(1, 7)])
    assert cell(groups(six, known={1}), "cc", "15k-30k")["status"] == "ok"
    assert cell(groups(six, known={1, 2}), "cc", "15k-30k")["status"] == "suppressed"


def test_secondary_suppression_hides_the_smallest_sibling_band():
    table = rows(
        [(t, "cc", 10_000, 20) for t in range(1, 4)]  # 3 small CC: suppressed
        + [(t, "cc", 20_000, 40) for t in range(4, 10)]  # 6 CC of 15-30k: masked too
        + [(t, "cc", 40_000, 60) for t in range(10, 18)]  # 8 CC of 30-50k: shown
        + [(t, "ca", 60_000, 50) for t in range(20, 26)]  # 6 CA: shown, another kind
    )
    out = groups(table)
    assert cell(out, "cc", "lt15k")["status"] == "suppressed"
    masked = cell(out, "cc", "15k-30k")
    assert masked["status"] == "masked"
    assert masked["status_label"] == "masqué pour protéger un petit groupe"
    assert np.isnan(masked["score_median"])
    assert cell(out, "cc", "30k-50k")["status"] == "ok"
    total = cell(out, "cc", ALL_BANDS)
    assert total["status"] == "ok" and total["n"] == 17
    # what the viewer can subtract from the kind's total: 17 - 8 = 9 territories, not 3
    assert cell(out, "ca", "50k-100k")["status"] == "ok"


def test_no_secondary_suppression_when_no_band_is_hidden():
    table = rows(
        [(t, "cc", 10_000, 20) for t in range(1, 6)] + [(t, "cc", 20_000, 40) for t in range(6, 11)]
    )
    out = groups(table)
    assert set(out.loc[out["kind"] == "cc", "status"]) == {"ok"}


def test_two_small_bands_together_large_enough_need_no_extra_mask():
    table = rows(
        [(t, "cc", 10_000, 20) for t in range(1, 4)]  # 3
        + [(t, "cc", 20_000, 40) for t in range(4, 7)]  # 3: together 6 >= 5
        + [(t, "cc", 40_000, 60) for t in range(7, 14)]  # 7
    )
    out = groups(table)
    assert cell(out, "cc", "lt15k")["status"] == "suppressed"
    assert cell(out, "cc", "15k-30k")["status"] == "suppressed"
    assert cell(out, "cc", "30k-50k")["status"] == "ok"


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 9), min_size=1, max_size=6),
    known=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    threshold=st.integers(2, 6),
)
def test_hidden_bands_can_never_be_recomputed_from_the_total(sizes, known, threshold):
    """Whenever the kind's total is shown, the hidden bands hold, together, at least the
    threshold of territories unknown to the viewer (or none at all)."""
    cells = pd.DataFrame(
        [
            {"kind": "cc", "population_band": f"b{i}", "dimension_id": "d1", "n": n, "n_known": 0}
            for i, n in enumerate(sizes)
        ]
    )
    cells["n_known"] = [min(k, n) for k, n in zip(known, cells["n"], strict=False)]
    total = pd.DataFrame(
        [
            {
                "kind": "cc",
                "population_band": ALL_BANDS,
                "dimension_id": "d1",
                "n": int(cells["n"].sum()),
                "n_known": int(cells["n_known"].sum()),
            }
        ]
    )
    out = protect_peers(pd.concat([cells, total], ignore_index=True), min_territories=threshold)
    bands = out.loc[out["population_band"] != ALL_BANDS]
    hidden = bands.loc[bands["status"].isin(["suppressed", "masked"])]
    unknown = int((hidden["n"] - hidden["n_known"]).sum())
    shown = out.loc[out["status"] == "ok"]
    assert ((shown["n"] - shown["n_known"]) >= threshold).all()
    if out.iloc[-1]["status"] == "ok" and len(hidden):
        assert unknown == 0 or unknown >= threshold
    # never more masked than needed: a masked band was needed to protect unknown territories
    masked = bands.loc[bands["status"] == "masked"]
    if len(masked):
        primary = bands.loc[bands["status"] == "suppressed"]
        assert 0 < int((primary["n"] - primary["n_known"]).sum()) < threshold


def test_a_band_of_the_viewers_own_territories_masks_no_sibling_band():
    """The viewer accompanies both CC of 15 000 to 29 999 inhabitants: that band is hidden
    (no other territory in it), but the kind's total minus the shown band reveals only
    territories whose figures the viewer already reads, so the 30-50k band stays shown."""
    table = rows(
        [(t, "cc", 20_000, 40) for t in (1, 2)]  # both accompanied
        + [(t, "cc", 40_000, 60) for t in range(3, 9)]  # 6 others
    )
    out = groups(table, known={1, 2})
    assert cell(out, "cc", "15k-30k")["status"] == "suppressed"
    assert cell(out, "cc", "30k-50k")["status"] == "ok"
    assert cell(out, "cc", ALL_BANDS)["status"] == "ok"
    # one unknown territory among them: the sibling band is masked again
    mixed = rows(
        [(t, "cc", 20_000, 40) for t in (1, 2, 9)] + [(t, "cc", 40_000, 60) for t in range(3, 9)]
    )
    assert cell(groups(mixed, known={1, 2}), "cc", "30k-50k")["status"] == "masked"


def test_consent_withdrawal_removes_the_territory_from_every_aggregate():
    specs = [(t, "cc", 20_000, 40) for t in range(1, 7)] + [(7, "cc", 20_000, 95)]
    table = rows(specs)
    before = groups(table)
    assert cell(before, "cc", "15k-30k")["n"] == 7
    assert cell(before, "cc", ALL_BANDS)["n"] == 7
    assert cell(before, "cc", "15k-30k")["score_p90"] > 40
    withdrawn = table.assign(consent=table["territory_id"] != 7)
    after = groups(withdrawn)
    assert 7 not in set(
        eligible(withdrawn, questionnaire_id="q", min_respondents=3)["territory_id"]
    )
    for band in ("15k-30k", ALL_BANDS):
        for dim in DIMS:
            shown = cell(after, "cc", band, dim)
            assert shown["n"] == 6
            assert (
                shown[["score_p10", "score_median", "score_p90"]].tolist()
                == [40.0 + DIMS.index(dim)] * 3
            )


def test_only_consenting_campaigns_with_enough_respondents_and_the_latest_one_count():
    table = rows(
        [
            (1, "cc", 20_000, 10, True, 8, 1),
            (1, "cc", 20_000, 90, True, 8, 2),  # latest campaign of territory 1
            (2, "cc", 20_000, 50, False),  # no consent
            (3, "cc", 20_000, 50, True, 2),  # too few respondents
            (4, "cc", 20_000, 50, True, 8),
        ]
    )
    found = eligible(table, questionnaire_id="q", min_respondents=3)
    assert sorted(found.drop_duplicates("campaign_id")["campaign_id"]) == [2, 104]
    assert found.loc[found["territory_id"] == 1, "score"].min() == 90


def test_percentile_rank_excludes_the_territory_itself_and_counts_ties_half():
    table = rows(
        [(t, "cc", 20_000, s) for t, s in zip(range(1, 7), [10, 20, 30, 30, 50, 60], strict=True)]
    )
    out = groups(table)
    members = eligible(table, questionnaire_id="q", min_respondents=3)
    scores = pd.DataFrame(
        [
            {"territory_id": 3, "dimension_id": "d1", "score": 30.0},  # a member
            {"territory_id": 99, "dimension_id": "d1", "score": 55.0},  # not a member
        ]
    )
    ranks = percentile_ranks(scores, members, out, kind="cc", band="15k-30k")
    mine, other = ranks.iloc[0], ranks.iloc[1]
    assert mine["n_peers"] == 5 and mine["rank"] == pytest.approx(100 * (2 + 0.5) / 5)
    assert other["n_peers"] == 6 and other["rank"] == pytest.approx(100 * 5 / 6)


def test_no_rank_when_the_group_is_too_small():
    table = rows([(t, "cc", 20_000, 10 * t) for t in range(1, 5)])
    out = groups(table)
    members = eligible(table, questionnaire_id="q", min_respondents=3)
    scores = pd.DataFrame([{"territory_id": 9, "dimension_id": "d1", "score": 30.0}])
    rank = percentile_ranks(scores, members, out, kind="cc", band="15k-30k").iloc[0]
    assert np.isnan(rank["rank"]) and rank["status"] == "suppressed"


def test_peer_figures_never_include_a_single_territorys_extreme_value():
    table = rows(
        [(t, "cc", 20_000, s) for t, s in zip(range(1, 6), [0, 10, 20, 30, 100], strict=True)]
    )
    shown = cell(groups(table), "cc", "15k-30k")
    assert not any(c.endswith(("_min", "_max", "_mean")) for c in shown.index)
    assert shown["score_p90"] < 100 and shown["score_p10"] > 0
