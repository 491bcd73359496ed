"""Roadmap generation: triggers, ranking, evidence, points to investigate, edits surviving."""

from __future__ import annotations

from datetime import date

import pytest

from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.roadmap import planning
from diagnostic.roadmap.library import parse_actions
from diagnostic.roadmap.model import LegalDuty, PlanItem
from diagnostic.roadmap.proposals import LATE_INDICATOR, current_duty, merge_plan, propose
from diagnostic.store import campaigns, consensus
from diagnostic.store.engine import session_scope
from diagnostic.territory.obligations import Obligation, State, Status
from diagnostic.territory.situation import Situation
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")
ACTIONS = parse_actions((FIXTURES / "mini_actions.yaml").read_text(encoding="utf-8"), Q)


def seed(engine, levels, codir_targets=5, debat=None, region=None, email="coord@exemple.fr"):
    """One respondent per level: EPCI first then the two communes, cycling; `region`: each
    one's (current, desired) on the grid's « Région » row (default (0, 3))."""
    pairs = region or [(0, 3)] * len(levels)
    user = make_user(engine, email)
    world = make_world(engine, coordinator=user, n_participants=len(levels))
    with session_scope(engine) as s:
        for i, (p, level) in enumerate(zip(world.participants, levels, strict=True)):
            raw = {
                "ins_codir": {"current": level, "target": codir_targets, "importance": 3},
                "ins_debat": {"level": debat[i] if debat else 4},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
                "act_grille": {
                    "rows": {
                        "region": dict(zip(("current", "desired"), pairs[i], strict=True)),
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
    # the collective levels in words, never the test (« niveau actuel 2 ≤ 2 »)
    assert ev.question_id == "ins_codir" and ev.trigger == "niveau 2 sur 5, visé 5"
    # levels 2, 2, 2, 1: mean 1.75 -> 18.75/100 ; target 5 -> 100/100 ; importance 3
    assert ev.summary.startswith(
        "score 19/100 aujourd'hui, 100/100 visé ; jugé prioritaire (3 sur 3) ; avis"
    )
    assert ev.summary.endswith("; 4 réponses")
    assert ev.source == "réponses individuelles"
    region = next(p for p in proposals if p.action_id == "region")
    assert region.evidence[0].trigger == (
        "Région : intensité 0 sur 4 aujourd'hui, 3 souhaitée (médiane des réponses)"
    )
    assert points == []


EPCI_AND_COMMUNES = 9  # respondents 0, 3 and 6 at the EPCI, the six others in communes


def test_a_split_grid_row_is_cited_by_structure_never_as_one_median(engine, qdir):
    # EPCI: 3 today, 4 wished (a gap of 1); communes: 0 today, 2 wished (a gap of 2). The
    # median of all, 0 -> 2, describes neither side: the row is read and cited by structure.
    region = [(3, 4) if i % 3 == 0 else (0, 2) for i in range(EPCI_AND_COMMUNES)]
    world, _ = seed(engine, [2] * EPCI_AND_COMMUNES, region=region)
    results = results_of(engine, world, qdir)
    assert results.grid_split("act_grille") is not None
    proposals, _ = propose(results, ACTIONS)
    [ev] = next(p for p in proposals if p.action_id == "region").evidence
    assert ev.trigger == (
        "Région : l'intercommunalité le voit à 3 sur 4 aujourd'hui et le souhaite à 4, les "
        "communes à 0 et à 2 (médianes de chaque structure : leurs avis s'opposent)"
    )
    assert "médiane des réponses" not in ev.trigger


def test_a_split_row_fires_only_when_one_structure_passes_the_test(engine, qdir):
    # EPCI 4 -> 4; communes half 0 -> 1, half 1 -> 3 (medians 0.5 -> 2: a gap of 1.5). The
    # median of all goes from 1 to 3, a gap of 2 that nobody holds: nothing is proposed.
    communes = iter([(0, 1), (0, 1), (0, 1), (1, 3), (1, 3), (1, 3)])
    region = [(4, 4) if i % 3 == 0 else next(communes) for i in range(EPCI_AND_COMMUNES)]
    world, _ = seed(engine, [2] * EPCI_AND_COMMUNES, region=region)
    results = results_of(engine, world, qdir)
    overall = results.grid_gaps.set_index("row_id").loc["region"]
    assert overall["gap_median"] == 2  # what the single median would have fired on
    proposals, _ = propose(results, ACTIONS)
    assert "region" not in [p.action_id for p in proposals]


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
    assert "avis opposés" in points[0].summary and "A =" not in points[0].summary


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


def test_a_regeneration_never_changes_another_campaigns_rows(engine, qdir):
    """The rows a regeneration updates or deletes are read in one statement, scoped to the
    campaign: an id of another campaign's plan is refused and nothing is written."""
    from diagnostic.errors import StoreError
    from diagnostic.store import roadmap as roadmap_store

    world, actor = seed(engine, [2, 2, 2, 1])
    other, other_actor = seed(engine, [2, 2, 2, 1], email="autre@exemple.fr")
    planning.regenerate(engine, actor, world.campaign_id, results_of(engine, world, qdir), ACTIONS)
    planning.regenerate(
        engine, other_actor, other.campaign_id, results_of(engine, other, qdir), ACTIONS
    )
    mine = planning.plan(engine, actor, world.campaign_id)
    theirs = planning.plan(engine, other_actor, other.campaign_id)
    for update, delete in (({theirs[0].id: {"title": "pirate"}}, []), ({}, [theirs[0].id])):
        with pytest.raises(StoreError, match="introuvable"), session_scope(engine) as s:
            roadmap_store.apply_changes(
                s,
                campaign_id=world.campaign_id,
                insert=[],
                update={mine[0].id: {"title": "changé"}, **update},
                delete=delete,
                actor="t",
            )
    assert planning.plan(engine, actor, world.campaign_id) == mine  # nothing written
    assert planning.plan(engine, other_actor, other.campaign_id) == theirs


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


# --- legal obligations (questions/obligations.yaml « actions ») -------------------------------

LATE_DAY = date(2026, 10, 22)


def obligation(ident, actions, base="CGCT, art. L5211-11-2"):
    return Obligation(
        id=ident,
        titre=f"Obligation {ident}",
        exige="Ce que la loi exige.",
        base_legale=base,
        fait=ident,
        actions=actions,
    )


def situation(*statuses):
    return Situation(on=date(2026, 12, 4), facts={}, obligations=tuple(statuses))


def status(ident, actions, state, due=None, why=""):
    return Status(obligation(ident, actions), state, due, why)


def test_without_a_situation_or_links_the_proposals_are_unchanged(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    before, _ = propose(results, ACTIONS)
    unlinked = situation(status("autre", [], State.EN_RETARD, LATE_DAY))
    for situ in (None, unlinked, situation()):
        after, _ = propose(results, ACTIONS, situ)
        assert after == before
        assert all(p.legal is None for p in after)


def test_a_late_obligation_becomes_a_duty_to_settle_at_once_first_in_the_plan(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    late = status("debat_pacte", ["instituer_codir"], State.EN_RETARD, LATE_DAY, "tenu : non")
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS, situation(late))
    first = proposals[0]
    assert first.action_id == "instituer_codir"
    assert first.horizon == "sans_attendre"  # never « dans l'année »
    assert first.indicator == LATE_INDICATOR
    assert first.legal.sentence() == (
        "À régulariser sans attendre : Obligation debat_pacte — échéance dépassée le "
        "22 octobre 2026 — CGCT, art. L5211-11-2"
    )
    assert first.legal.when() == "Sans attendre (échéance dépassée le 22 octobre 2026)"
    assert first.evidence  # its triggers fired too: they stay as evidence
    assert all(p.legal is None for p in proposals[1:])


def test_a_late_obligation_is_planned_even_when_no_answer_asks_for_it(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])  # ins_debat at 4: the « debat » action does not fire
    results = results_of(engine, world, qdir)
    assert "debat" not in {p.action_id for p in propose(results, ACTIONS)[0]}
    late = status("debat_ob", ["debat"], State.EN_RETARD, LATE_DAY)
    proposals, _ = propose(results, ACTIONS, situation(late))
    duty = next(p for p in proposals if p.action_id == "debat")
    assert duty.evidence == () and duty.priority is None
    assert duty.legal.late and proposals[0] is duty


def test_a_due_obligation_comes_before_its_legal_day(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    due = status("ob", ["grand_ecart"], State.A_FAIRE, date(2026, 12, 22))
    late = status("ob2", ["region"], State.EN_RETARD, LATE_DAY)
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS, situation(due, late))
    assert [p.action_id for p in proposals[:2]] == ["region", "grand_ecart"]  # late, then due
    ahead = proposals[1]
    assert ahead.horizon == "avant_echeance" and ahead.indicator == "Écart mesuré"
    assert ahead.legal.when() == "Avant le 22 décembre 2026"


def test_a_passed_window_is_not_proposed_an_open_one_is_dated_by_it(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    passed = status("cdci", ["region"], State.FENETRE_PASSEE, date(2026, 9, 22))
    assert "region" not in {p.action_id for p in propose(results, ACTIONS, situation(passed))[0]}
    opened = status("cdci", ["region"], State.FENETRE_OUVERTE, date(2026, 9, 22))
    region = next(
        p for p in propose(results, ACTIONS, situation(opened))[0] if p.action_id == "region"
    )
    assert region.legal.when() == "Avant la fin de la fenêtre, le 22 septembre 2026"


@pytest.mark.parametrize("state", [State.A_JOUR, State.SANS_OBJET])
def test_a_met_or_inapplicable_obligation_keeps_only_actions_that_practice_asks_for(
    engine, qdir, state
):
    world, _ = seed(engine, [2, 2, 2, 1])
    met = situation(
        status("ob_rang", ["priorite_habitat"], state),  # fired on a ranking: the fact itself
        status("ob_niveau", ["instituer_codir"], state),  # fired on a level: practice beyond
    )
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS, met)
    ids = {p.action_id for p in proposals}
    assert "priorite_habitat" not in ids
    assert "instituer_codir" in ids
    assert all(p.legal is None for p in proposals)


def test_an_obligation_to_check_leaves_the_answers_to_decide(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    unknown = situation(status("ob", ["instituer_codir", "debat"], State.A_VERIFIER))
    assert propose(results, ACTIONS, unknown)[0] == propose(results, ACTIONS)[0]


def test_the_worst_status_of_the_obligations_an_action_serves_decides(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    both = situation(
        status("adoption", ["priorite_habitat"], State.SANS_OBJET),
        status("debat", ["priorite_habitat"], State.EN_RETARD, LATE_DAY),
    )
    proposals, _ = propose(results_of(engine, world, qdir), ACTIONS, both)
    assert proposals[0].action_id == "priorite_habitat"
    assert proposals[0].legal.obligation == "debat"


def test_merge_stores_the_duty_and_tells_people_who_kept_the_row(engine, qdir):
    world, _ = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    late = situation(status("ob", ["instituer_codir"], State.EN_RETARD, LATE_DAY))
    proposals, _ = propose(results, ACTIONS, late)
    stored = [item(1, "instituer_codir", title="Notre CoDir", edited=True, origin="edited")]
    change = merge_plan(stored, proposals)
    fields = change.update[1]
    assert fields["details"]["legal"]["obligation"] == "ob"
    assert fields["change"] == "obligation légale en retard : à régulariser sans attendre"
    assert "horizon" not in fields  # a person's choice stays; the document dates it by the law
    # the fiche now shows it met: the duty leaves a row people kept, and says so
    kept = [item(1, "instituer_codir", edited=True, details={"legal": fields["details"]["legal"]})]
    met = situation(status("ob", ["instituer_codir"], State.A_JOUR))
    again = merge_plan(kept, propose(results, ACTIONS, met)[0])
    assert again.update[1]["details"]["legal"] is None
    # an untouched generated row simply follows: its horizon becomes « sans_attendre »
    plain = merge_plan([item(2, "instituer_codir")], proposals).update[2]
    assert plain["horizon"] == "sans_attendre" and plain["change"] == "modifiée"


def test_regenerate_with_a_situation_puts_duties_first_in_the_draft(engine, qdir):
    world, actor = seed(engine, [2, 2, 2, 1])
    results = results_of(engine, world, qdir)
    late = situation(status("ob", ["region"], State.EN_RETARD, LATE_DAY, "tenu : non"))
    planning.regenerate(engine, actor, world.campaign_id, results, ACTIONS, late)
    stored = {i.action_id: i for i in planning.plan(engine, actor, world.campaign_id)}
    assert stored["region"].legal == LegalDuty(
        "ob", "Obligation ob", "en_retard", "CGCT, art. L5211-11-2", LATE_DAY, "tenu : non"
    )
    assert stored["region"].horizon == "sans_attendre"
    draft = planning.draft(engine, actor, world.campaign_id, results, situation=late)
    assert draft.plan[0].action_id == "region" and draft.situation is late
    # on the document's day the obligation is met: the row is an ordinary action again
    met = situation(status("ob", ["region"], State.A_JOUR))
    draft = planning.draft(engine, actor, world.campaign_id, results, situation=met)
    assert current_duty(next(i for i in draft.plan if i.action_id == "region"), met) is None


def test_late_duties_come_first_the_oldest_deadline_first_then_those_in_force():
    from datetime import date

    from diagnostic.roadmap.model import DUE, LATE, WINDOW_OPEN, LegalDuty

    def duty(state, due=None):
        return LegalDuty("o", "Obligation", state, "CGCT", due)

    duties = [
        duty(WINDOW_OPEN, date(2026, 12, 1)),
        duty(DUE, date(2026, 12, 22)),
        duty(LATE),  # in force, without a day: after the dated late ones
        duty(LATE, date(2026, 10, 22)),
    ]
    ranked = sorted(duties, key=LegalDuty.urgency)
    assert [(d.state, d.due) for d in ranked] == [
        (LATE, date(2026, 10, 22)),
        (LATE, None),
        (DUE, date(2026, 12, 22)),
        (WINDOW_OPEN, date(2026, 12, 1)),
    ]
