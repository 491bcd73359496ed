"""The permission check, as a table of cases and as properties over random actors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagnostic.accounts.permissions import (
    ANONYMOUS,
    PAGES,
    Action,
    Actor,
    can,
    page_allowed,
    pages_for,
)

COORD_1 = Actor(kind="user", user_id=1, memberships=frozenset({(10, "coordinator")}))
CONSULT_1 = Actor(kind="user", user_id=2, memberships=frozenset({(10, "consultant")}))
FACILITATOR = Actor(kind="user", user_id=4, memberships=frozenset({(10, "facilitator")}))
ADMIN = Actor(kind="user", user_id=3, is_admin=True)
NOBODY = Actor(kind="user", user_id=5)
RESPONDENT = Actor(kind="respondent", participant_id=7, campaign_id=1)


@pytest.mark.parametrize(
    ("actor", "action", "kwargs", "expected"),
    [
        (ANONYMOUS, Action.PUBLIC, {}, True),
        (ANONYMOUS, Action.SIGN_IN, {}, True),
        (COORD_1, Action.SIGN_IN, {}, False),
        (ANONYMOUS, Action.TERRITORY_VIEW, {"territory_id": 10}, False),
        (ANONYMOUS, Action.TERRITORY_CREATE, {}, False),
        (COORD_1, Action.TERRITORY_VIEW, {"territory_id": 10}, True),
        (COORD_1, Action.TERRITORY_MANAGE, {"territory_id": 10}, True),
        (COORD_1, Action.RESULTS_VIEW, {"territory_id": 10}, True),
        (COORD_1, Action.TERRITORY_VIEW, {"territory_id": 11}, False),
        (COORD_1, Action.TERRITORY_VIEW, {}, False),
        (COORD_1, Action.USERS_MANAGE, {}, False),
        (COORD_1, Action.TERRITORY_CREATE, {}, True),
        (CONSULT_1, Action.RESULTS_VIEW, {"territory_id": 10}, True),
        (CONSULT_1, Action.TERRITORY_MANAGE, {"territory_id": 10}, False),
        (FACILITATOR, Action.RESULTS_VIEW, {"territory_id": 10}, False),
        (NOBODY, Action.TERRITORY_VIEW, {"territory_id": 10}, False),
        (ADMIN, Action.TERRITORY_MANAGE, {"territory_id": 99}, True),
        (ADMIN, Action.USERS_MANAGE, {}, True),
        (CONSULT_1, Action.BENCHMARK_VIEW, {}, True),  # peer aggregates: any membership
        (COORD_1, Action.BENCHMARK_VIEW, {"territory_id": 10}, True),
        (COORD_1, Action.BENCHMARK_VIEW, {"territory_id": 11}, False),
        (FACILITATOR, Action.BENCHMARK_VIEW, {}, False),
        (NOBODY, Action.BENCHMARK_VIEW, {}, False),
        (ANONYMOUS, Action.BENCHMARK_VIEW, {}, False),
        (RESPONDENT, Action.BENCHMARK_VIEW, {}, False),
        (FACILITATOR, Action.WORKSHOP_RUN, {"territory_id": 10}, True),
        (FACILITATOR, Action.WORKSHOP_RUN, {"territory_id": 11}, False),
        (COORD_1, Action.WORKSHOP_RUN, {"territory_id": 10}, True),
        (CONSULT_1, Action.WORKSHOP_RUN, {"territory_id": 10}, False),
        (ADMIN, Action.WORKSHOP_RUN, {"territory_id": 99}, True),
        (ANONYMOUS, Action.WORKSHOP_RUN, {"territory_id": 10}, False),
        (RESPONDENT, Action.WORKSHOP_RUN, {"territory_id": 10}, False),
        (RESPONDENT, Action.ANSWER_OWN, {"participant_id": 7}, True),
        (RESPONDENT, Action.ANSWER_OWN, {"participant_id": 8}, False),
        (RESPONDENT, Action.ANSWER_OWN, {}, False),
        (RESPONDENT, Action.TERRITORY_VIEW, {"territory_id": 10}, False),
        (RESPONDENT, Action.RESULTS_VIEW, {"territory_id": 10}, False),
        (COORD_1, Action.ANSWER_OWN, {"participant_id": 7}, False),
        (ADMIN, Action.ANSWER_OWN, {"participant_id": 7}, False),
    ],
)
def test_can(actor, action, kwargs, expected):
    assert can(actor, action, **kwargs) is expected


def keys(actor):
    return [p.key for p in pages_for(actor)]


def test_pages_per_actor():
    assert keys(ANONYMOUS) == ["connexion", "reperes", "confidentialite"]
    assert keys(RESPONDENT) == ["questionnaire"]
    assert keys(COORD_1) == [
        "accueil",
        "fiche",
        "campagne",
        "resultats",
        "comparaison",
        "consensus",
        "feuille_de_route",
        "suivi",
        "atelier",
        "projection",
        "territoire",
        "reperes",
        "confidentialite",
        "deconnexion",
    ]
    assert keys(CONSULT_1) == [
        "accueil",
        "fiche",
        "resultats",
        "comparaison",
        "suivi",
        "territoire",
        "reperes",
        "confidentialite",
        "deconnexion",
    ]
    assert keys(ADMIN) == [
        "accueil",
        "fiche",
        "campagne",
        "resultats",
        "comparaison",
        "consensus",
        "feuille_de_route",
        "suivi",
        "atelier",
        "projection",
        "territoire",
        "comptes",
        "journal",
        "reperes",
        "confidentialite",
        "deconnexion",
    ]
    assert not page_allowed(COORD_1, "comptes")
    assert not page_allowed(COORD_1, "journal")
    assert not page_allowed(CONSULT_1, "journal")
    assert not page_allowed(ANONYMOUS, "questionnaire")
    assert keys(FACILITATOR) == [
        "accueil",
        "fiche",
        "atelier",
        "projection",
        "territoire",
        "reperes",
        "confidentialite",
        "deconnexion",
    ]
    # the participants' page opens only from a workshop link (app.py), never from a menu
    assert not any(page_allowed(a, "participer") for a in (ANONYMOUS, COORD_1, ADMIN))


def test_every_page_file_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for page in PAGES:
        assert (root / page.path).is_file(), page.path


memberships = st.frozensets(
    st.tuples(st.integers(1, 6), st.sampled_from(["coordinator", "consultant", "facilitator"])),
    max_size=4,
)
actors = st.builds(
    Actor,
    kind=st.sampled_from(["anonymous", "user", "respondent"]),
    user_id=st.one_of(st.none(), st.integers(1, 5)),
    is_admin=st.booleans(),
    memberships=memberships,
    participant_id=st.one_of(st.none(), st.integers(1, 5)),
)


@given(actor=actors, territory=st.integers(1, 8), action=st.sampled_from(list(Action)))
def test_territory_access_needs_a_membership_or_admin(actor, territory, action):
    allowed = can(actor, action, territory_id=territory)
    scoped = {Action.TERRITORY_VIEW, Action.TERRITORY_MANAGE, Action.RESULTS_VIEW}
    if action in scoped | {Action.WORKSHOP_RUN} and allowed:
        assert actor.is_user
        assert actor.is_admin or any(t == territory for t, _ in actor.memberships)


@given(actor=actors, participant=st.integers(1, 8))
def test_answers_only_reachable_by_their_own_respondent(actor, participant):
    if can(actor, Action.ANSWER_OWN, participant_id=participant):
        assert actor.kind == "respondent" and actor.participant_id == participant


@given(actor=actors)
def test_non_users_never_see_account_pages(actor):
    if not actor.is_user:
        assert set(keys(actor)) <= {"connexion", "questionnaire", "reperes", "confidentialite"}
