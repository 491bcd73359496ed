"""Roadmap generation: triggers, ranking, evidence, points to investigate, edits surviving."""

from __future__ import annotations

import pytest

from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.roadmap import planning
from diagnostic.roadmap.library import parse_actions
from diagnostic.roadmap.model import PlanItem
from diagnostic.roadmap.proposals import merge_plan, propose
from diagnostic.store import campaigns, consensus
from diagnostic.store.engine import session_scope
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")
ACTIONS = parse_actions((FIXTURES / "mini_actions.yaml").read_text(encoding="utf-8"), Q)


def seed(engine, levels, codir_targets=5, debat=None):
    """One respondent per level: EPCI first then the two communes, cycling."""
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=len(levels))
    with session_scope(engine) as s:
        for i, (p, level) in enumerate(zip(world.participants, levels, strict=True)):
            raw = {
                "ins_codir": {"current": level, "target": codir_targets, "importance": 3},
                "ins_debat": {"level": debat[i] if debat else 4},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
                "act_grille": {
                    "rows": {
                        "region": {"current": 0, "desired": 3},
                        "departement": {"current": 2, "desired": 2},
                    }
                },
            }
            store_answers(s, Q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)
    actor = Actor(
        kind="user", user_id=user.id, memberships=frozenset({(world.territory.id, "coordinator")})
    )
    return world, actor


def results_of(engine, world, questions_dir):
    return compute_results(
        read_campaign_data(engine, world.campaign_id, questions_dir), min_group_size=3
    )


@pytest.fixture
def qdir(questions_dir):
    return questions_dir


def test_triggers_fire_on_collective_values_with_evidence(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    proposals, points = propose(results_of(engine, world, qdir), ACTIONS)
    ids = [p.action_id for p in proposals]
    assert set(ids) == {"instituer_codir", "grand_ecart", "priorite_habitat", "region"}
    assert "debat" not in ids  # median 4 > 3
    codir = next(p for p in proposals if p.action_id == "instituer_codir")
    [ev] = codir.evidence
    assert ev.question_id == "ins_codir" and ev.trigger == "niveau actuel 2 ≤ 2"
    # levels 2, 2, 2, 1: mean 1.75 -> 18.75/100 ; target 5 -> 100/100 ; importance 3
    assert ev.summary.startswith("aujourd'hui 19/100 ; visé 100/100 ; importance 3/3")
    assert ev.source == "réponses individuelles"
    region = next(p for p in proposals if p.action_id == "region")
    assert region.evidence[0].trigger == "Région : médiane aujourd'hui 0, souhaité 3"
    assert points == []


def test_ranking_follows_the_documented_priority(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS)
    by_id = {p.action_id: p for p in proposals}
    # ins_codir: mean gap 5 - 1.75 = 3.25, importance 3, A for (1, 2, 2, 2):
    # (gap + 1) x 3/3 x (0.5 + 0.5 A); same item for both actions -> same priority
    assert by_id["instituer_codir"].priority == by_id["grand_ecart"].priority
    assert by_id["instituer_codir"].priority > by_id["priorite_habitat"].priority
    assert proposals[0].action_id in {"grand_ecart", "instituer_codir"}
    assert [p.priority for p in proposals] == sorted((p.priority for p in proposals), reverse=True)


def test_consensus_changes_what_is_proposed(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    with session_scope(engine) as s:
        consensus.save_consensus(
            s,
            campaign_id=world.campaign_id,
            question_id="ins_codir",
            level=4,
            target=5,
            rationale=None,
            user_id=None,
            actor="t",
        )
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS)
    ids = {p.action_id for p in proposals}
    assert "instituer_codir" not in ids and "grand_ecart" not in ids


def test_strongly_divergent_items_become_points_to_investigate(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 2, 2, 2], debat=[1, 5, 1, 5, 1, 5])
    proposals, points = propose(results_of(engine, world, qdir), ACTIONS)
    assert "debat" not in {p.action_id for p in proposals}  # median 3 would trigger it
    assert [p.question_id for p in points] == ["ins_debat"]
    assert "avis polarisé" in points[0].summary


def item(id_, action_id, **kw):
    base = dict(
        id=id_,
        action_id=action_id,
        dimension="instances",
        title=f"T{id_}",
        description="",
        horizon="cent_jours",
        owner=None,
        indicator=None,
        status="proposed",
        priority=1.0,
        position=id_,
        origin="generated",
        edited=False,
        change=None,
        details={},
    )
    base.update(kw)
    return PlanItem(**base)


def test_merge_keeps_human_edits_and_marks_changes(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS)
    stored = [
        item(1, "instituer_codir", title="Notre CoDir", edited=True, origin="edited"),
        item(2, "grand_ecart"),  # untouched: follows the proposal
        item(3, "debat"),  # untouched and no longer proposed: removed
        item(4, "ancienne", status="accepted"),  # chosen by people, no longer proposed: kept
        item(5, None, origin="manual", title="Action à nous"),
    ]
    change = merge_plan(stored, proposals)
    assert change.delete == [3]
    assert "title" not in change.update[1] and change.update[1]["change"] == "données mises à jour"
    assert change.update[2]["title"] == "Réduire un grand écart"
    assert change.update[2]["change"] == "modifiée"
    assert change.update[4] == {"change": "n'est plus déclenchée par les réponses"}
    assert 5 not in change.update
    assert {r["action_id"] for r in change.insert} == {"priorite_habitat", "region"}
    assert all(r["change"] == "nouvelle" and r["position"] >= 6 for r in change.insert)


def test_edits_survive_regeneration_in_the_store(engine, qdir):
    world, actor = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    planning.regenerate(engine, actor, world.campaign_id, results, ACTIONS)
    first = planning.plan(engine, actor, world.campaign_id)
    assert all(i.change is None for i in first)  # first generation: nothing is « new »
    codir = next(i for i in first if i.action_id == "instituer_codir")
    planning.edit(
        engine,
        actor,
        world.campaign_id,
        codir.id,
        title="Notre CoDir de territoire",
        owner="DGS de la CC",
        status="accepted",
    )
    manual = planning.add(
        engine,
        actor,
        world.campaign_id,
        title="Séminaire annuel",
        dimension="instances",
        horizon="premiere_annee",
    )
    planning.move(engine, actor, world.campaign_id, manual, -1)
    added, updated, removed = planning.regenerate(
        engine, actor, world.campaign_id, results, ACTIONS
    )
    assert (added, removed) == (0, 0)
    after = {i.id: i for i in planning.plan(engine, actor, world.campaign_id)}
    kept = after[codir.id]
    assert (kept.title, kept.owner, kept.status, kept.origin) == (
        "Notre CoDir de territoire",
        "DGS de la CC",
        "accepted",
        "edited",
    )
    assert kept.evidence and kept.evidence[0]["question_id"] == "ins_codir"
    assert after[manual].title == "Séminaire annuel"
    draft = planning.draft(engine, actor, world.campaign_id, results)
    assert draft.participation == {"invited": 4, "started": 4, "submitted": 4}
    assert "Séminaire annuel" in [p.title for p in draft.plan]


def test_roadmap_edits_are_checked_and_scoped(engine, qdir):
    from diagnostic.errors import AccessDenied
    from diagnostic.questionnaire.codecs import AnswerError

    world, actor = seed(engine, [2, 2, 2, 1])
    planning.regenerate(engine, actor, world.campaign_id, results_of(engine, world, qdir), ACTIONS)
    first = planning.plan(engine, actor, world.campaign_id)[0]
    with pytest.raises(AnswerError, match="obligatoire"):
        planning.edit(engine, actor, world.campaign_id, first.id, title="  ")
    with pytest.raises(AnswerError, match="échéance inconnue"):
        planning.edit(engine, actor, world.campaign_id, first.id, horizon="demain")
    stranger = Actor(kind="user", user_id=999, memberships=frozenset({(999, "coordinator")}))
    with pytest.raises(AccessDenied):
        planning.edit(engine, stranger, world.campaign_id, first.id, title="X")
    with pytest.raises(AccessDenied):
        planning.plan(engine, stranger, world.campaign_id)
