"""Campaign results end to end (store -> analytics -> tables -> figures), on a small world."""

from __future__ import annotations

import pytest

from diagnostic.accounts.permissions import Actor
from diagnostic.consensus.agenda import agenda, distribution, distribution_table
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results import figures, tables
from diagnostic.results.model import (
    TooFewRespondents,
    compute_results,
    counted_respondents,
    labels,
    restrict,
)
from diagnostic.results.service import data_version, read_campaign_data, results_for
from diagnostic.settings import get_settings
from diagnostic.store import campaigns, consensus
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")


@pytest.fixture
def world(tmp_path):
    """4 respondents: EPCI (levels 4, 4) and commune A/B (levels 2, 1) on ins_debat."""
    engine = build_engine(f"sqlite:///{tmp_path / 'r.db'}")
    migrate(engine)
    user = make_user(engine)
    w = make_world(engine, coordinator=user, n_participants=4)
    levels = [4, 2, 1, 4]  # participants 0 and 3 at the EPCI (places cycle EPCI, A, B, EPCI)
    with session_scope(engine) as s:
        for p, level in zip(w.participants, levels, strict=True):
            raw = {
                "ctx_structure": {"choice": "epci" if level == 4 else "commune"},
                "ins_debat": {"level": level},
                "ins_codir": {"current": level, "target": 5, "importance": 3},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
            }
            store_answers(s, Q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)
    qdir = tmp_path / "questions"
    (qdir / "questionnaires").mkdir(parents=True)
    (qdir / "questionnaires" / "mini.yaml").write_text(
        (FIXTURES / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    admin = Actor(
        kind="user", user_id=user.id, memberships=frozenset({(w.territory.id, "coordinator")})
    )
    return engine, w, admin, qdir


def test_results_numbers_from_the_answers(world):
    engine, w, actor, qdir = world
    data = read_campaign_data(engine, w.campaign_id, qdir)
    assert counted_respondents(data) == 4
    r = compute_results(data, min_group_size=2)
    debat = r.items.set_index("question_id").loc["ins_debat"]
    # levels 4, 2, 1, 4: mean 2.75 -> (2.75 - 1) x 25 = 43.75
    assert debat["mean"] == pytest.approx(2.75)
    assert debat["score_used"] == pytest.approx(43.75)
    assert debat["source"] == "réponses individuelles"
    # dimension « instances » = mean of ins_codir (43.75) and ins_debat (43.75)
    dims = r.dimensions.set_index("dimension_id")
    assert dims.loc["instances", "score"] == pytest.approx(43.75)
    # EPCI (4, 4) vs communes (2, 1): 75 vs 37.5 -> an angle mort of 37.5 points
    kind = r.comparisons["structure_kind"].set_index(["question_id", "group"])
    assert kind.loc[("ins_debat", "epci"), "score"] == pytest.approx(75.0)
    assert kind.loc[("ins_debat", "commune"), "score"] == pytest.approx(12.5)
    assert "ins_debat" in set(r.blind_spots["question_id"])
    # Borda top 3: habitat 3 x 4 = 12 points
    prio = r.priorities.set_index("option_id")
    assert prio.loc["habitat", "points"] == 12 and prio.loc["economie", "points"] == 4
    assert r.turnout() == {"invited": 4, "started": 4, "submitted": 4}
    assert r.ranking("act_priorites") is not None and r.grid("act_grille") is None  # unanswered


def test_consensus_replaces_the_mean_and_says_so(world):
    engine, w, actor, qdir = world
    before = data_version(engine, w.campaign_id)
    with session_scope(engine) as s:
        consensus.save_consensus(
            s,
            campaign_id=w.campaign_id,
            question_id="ins_debat",
            level=3,
            target=4,
            rationale="Accord",
            user_id=None,
            actor="t",
        )
    assert data_version(engine, w.campaign_id) != before
    r = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=2)
    debat = r.items.set_index("question_id").loc["ins_debat"]
    assert debat["score_used"] == pytest.approx(50.0) and debat["source"] == "consensus"
    table = tables.items(r, labels(Q))
    assert "consensus" in set(table["Source"])
    walk = {item.question_id: item for item in agenda(r)}  # the meeting's agenda
    assert set(walk) == {"ins_codir", "ins_debat"}  # the scored items only
    assert walk["ins_debat"].done and walk["ins_debat"].level == 3
    assert not walk["ins_codir"].done and walk["ins_codir"].level is None
    assert walk["ins_debat"].n == 4 and walk["ins_debat"].dimension_id == "instances"
    shown = distribution_table(distribution(r, "ins_debat"))
    assert dict(zip(shown["Niveau"], shown["Réponses"], strict=True)) == {
        1: 1,
        2: 1,
        3: 0,
        4: 2,
        5: 0,
    }


def test_small_groups_are_not_broken_down(world):
    engine, w, actor, qdir = world
    data = read_campaign_data(engine, w.campaign_id, qdir)
    r = compute_results(data, min_group_size=3)
    kind = r.comparisons["structure_kind"].set_index(["question_id", "group"])
    # 2 EPCI respondents and 2 commune respondents: both below 3
    assert kind.loc[("ins_debat", "epci"), "status"] == "suppressed"
    assert kind.loc[("ins_debat", "epci"), "status_label"] == "moins de 3 réponses"
    assert kind.loc[("ins_debat", "epci"), "score"] != kind.loc[("ins_debat", "epci"), "score"]
    assert r.dimensions_by_kind.empty
    only_epci = restrict(data, structure_kind="epci")
    assert counted_respondents(only_epci) == 2


def test_results_are_refused_to_other_territories(world):
    engine, w, _, qdir = world
    stranger = Actor(
        kind="user", user_id=999, memberships=frozenset({(w.territory.id + 1, "coordinator")})
    )
    with pytest.raises(AccessDenied):
        results_for(engine, stranger, w.campaign_id)
    respondent = Actor(
        kind="respondent", participant_id=w.participants[0].id, campaign_id=w.campaign_id
    )
    with pytest.raises(AccessDenied):
        results_for(engine, respondent, w.campaign_id)
    with pytest.raises(AccessDenied, match="campagne introuvable ou inaccessible"):
        results_for(engine, stranger, w.campaign_id + 1)  # no such campaign: the same refusal


@pytest.fixture
def settings_of(world, monkeypatch):
    """Settings reading the world's questions folder, with a chosen minimum group size."""
    qdir = world[3]

    def set_minimum(k: int) -> None:
        monkeypatch.setenv("QUESTIONS_DIR", str(qdir))
        monkeypatch.setenv("MIN_GROUP_SIZE", str(k))
        get_settings.cache_clear()

    yield set_minimum
    get_settings.cache_clear()


def test_results_for_applies_the_minimum_group_size_of_the_settings(world, settings_of):
    engine, w, actor, _ = world
    settings_of(3)
    r = results_for(engine, actor, w.campaign_id)
    assert not isinstance(r, TooFewRespondents)
    assert (r.n_respondents, r.min_group_size) == (4, 3)
    # 2 EPCI respondents: the filtered group is not shown
    assert results_for(engine, actor, w.campaign_id, structure_kind="epci") == TooFewRespondents(3)
    settings_of(2)
    epci = results_for(engine, actor, w.campaign_id, structure_kind="epci", role=None)
    assert not isinstance(epci, TooFewRespondents) and epci.n_respondents == 2
    settings_of(5)
    assert results_for(engine, actor, w.campaign_id) == TooFewRespondents(5)
    with pytest.raises(ValueError, match="filtre inconnu"):
        results_for(engine, actor, w.campaign_id, territory=1)


def test_figures_are_built_from_the_same_tables(world):
    engine, w, actor, qdir = world
    r = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=2)
    names = labels(Q)
    radar = figures.radar(r.dimensions, names.dimensions, respondents=r.respondent_scores).to_dict()
    assert [t["name"] for t in radar["data"]] == [
        "Réponses individuelles",
        "Niveau visé",
        "Territoire aujourd'hui",
    ]
    territory = radar["data"][-1]
    # "Acteurs et besoins" has no item on a scale of levels: no maturity score, no axis
    assert list(territory["theta"]) == ["Instances de concertation", "Instances de concertation"]
    assert territory["r"][0] == pytest.approx(43.75)
    heat = figures.heatmap(
        r.comparisons["structure_kind"], names.items, title="t", min_group_size=2
    ).to_dict()
    assert list(heat["data"][0]["x"]) == ["Intercommunalité", "Communes"]
    prio = figures.priorities(
        r.priorities[r.priorities.question_id == "act_priorites"],
        names.options["act_priorites"],
        title="Priorités",
    ).to_dict()
    assert list(prio["data"][0]["y"])[-1] == "Habitat et logement"  # best at the top
    gaps = figures.gaps(r.dimensions, names.dimensions).to_dict()
    assert gaps["layout"]["title"]["text"] == "Écart entre aujourd'hui et le niveau visé"
    part = figures.participation(r.participation_by["structure"]).to_dict()
    assert [t["name"] for t in part["data"]] == ["Invité·es", "Ont commencé", "Ont envoyé"]


def test_heatmap_says_why_a_cell_is_hidden(world):
    engine, w, actor, qdir = world
    r = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=3)
    heat = figures.heatmap(
        r.comparisons["structure_kind"], labels(Q).items, title="t", min_group_size=3
    ).to_dict()
    texts = {cell for row in heat["data"][0]["text"] for cell in row}
    assert "< 3 rép." in texts


def test_a_view_with_no_group_big_enough_says_why_instead_of_an_empty_chart(world):
    engine, w, actor, qdir = world
    r = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=3)
    dimension = Q.section_of("ins_debat").id
    said = tables.comparison_gap(r, "structure_id", dimension)
    assert said is not None and said.startswith("Aucune commune ne compte encore 3 réponses")
    assert "la plus représentée en compte 1" in said and "Intercommunalité et communes" in said
    assert tables.comparison_gap(r, "structure_kind", dimension).startswith("Aucune structure")
    shown = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=1)
    assert tables.comparison_gap(shown, "structure_id", dimension) is None


def test_display_tables_name_their_columns_with_decimals():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Item": ["a", None],
            "Score": [42.0, np.nan],
            "Écart": [1.6, np.nan],
            "Réponses": [3, 12],
            "Avancement": [50.5, np.nan],
        }
    )
    assert tables.decimal_columns(frame, keep=["Avancement"]) == ["Écart"]
    assert tables.MISSING == "—"


def test_the_radar_table_has_the_lines_the_chart_draws(world):
    engine, w, actor, qdir = world
    r = compute_results(read_campaign_data(engine, w.campaign_id, qdir), min_group_size=2)
    names = labels(Q)
    table = tables.radar(r, names)
    assert list(table.columns[:4]) == [
        "Dimension",
        "Score",
        "Score intercommunalité",
        "Score communes",
    ]
    row = table.set_index("Dimension").loc[names.dimensions["instances"]]
    kinds = r.dimensions_by_kind.set_index(["structure_kind", "dimension_id"])["score"].round()
    assert row["Score intercommunalité"] == kinds[("epci", "instances")]
    assert row["Score communes"] == kinds[("commune", "instances")]
    assert list(tables.radar(r, names, groups=False).columns) == list(
        tables.dimensions(r, names).columns
    )
