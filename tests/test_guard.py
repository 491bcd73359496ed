"""The one access check of services: `require`, `require_campaign`, and nobody else refuses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from diagnostic.accounts.guard import CAMPAIGN_NOT_FOUND, require_campaign
from diagnostic.accounts.permissions import NO_ACCESS, Action, Actor, require
from diagnostic.errors import AccessDenied
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope
from tests.conftest import ROOT
from tests.factories import make_user, make_world

COORD = Actor(kind="user", user_id=1, memberships=frozenset({(10, "coordinator")}))
CONSULT = Actor(kind="user", user_id=2, memberships=frozenset({(10, "consultant")}))
RESPONDENT = Actor(kind="respondent", participant_id=7, campaign_id=1)


@pytest.mark.parametrize(
    ("actor", "action", "kwargs"),
    [
        (COORD, Action.TERRITORY_MANAGE, {"territory_id": 10}),
        (CONSULT, Action.RESULTS_VIEW, {"territory_id": 10}),
        (RESPONDENT, Action.ANSWER_OWN, {"participant_id": 7}),
    ],
)
def test_require_lets_an_allowed_actor_through(actor, action, kwargs):
    assert require(actor, action, **kwargs) is None


@pytest.mark.parametrize(
    ("actor", "action", "kwargs", "message"),
    [
        (CONSULT, Action.TERRITORY_MANAGE, {"territory_id": 10}, NO_ACCESS),
        (COORD, Action.TERRITORY_VIEW, {"territory_id": 11}, NO_ACCESS),
        (COORD, Action.USERS_MANAGE, {}, "réservé aux administrateur·rices"),
        (RESPONDENT, Action.ANSWER_OWN, {"participant_id": 8}, "accès refusé"),
        (COORD, Action.ANSWER_OWN, {"participant_id": 7}, "accès refusé"),
    ],
)
def test_require_refuses_with_the_actions_french_message(actor, action, kwargs, message):
    with pytest.raises(AccessDenied) as refused:
        require(actor, action, **kwargs)
    assert str(refused.value) == message


def test_require_says_what_the_caller_asks():
    with pytest.raises(AccessDenied, match="^autre chose$"):
        require(CONSULT, Action.TERRITORY_MANAGE, territory_id=10, message="autre chose")


def actor_of(engine, user) -> Actor:
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


def test_require_campaign_gives_the_campaign_or_one_refusal(engine):
    coordinator = make_user(engine, "a@exemple.fr")
    stranger = make_user(engine, "b@exemple.fr")
    mine = make_world(engine, name="CC A", coordinator=coordinator)
    make_world(engine, name="CC B", coordinator=stranger)
    coord, other = actor_of(engine, coordinator), actor_of(engine, stranger)

    campaign = require_campaign(engine, coord, Action.TERRITORY_MANAGE, mine.campaign_id)
    assert (campaign.id, campaign.territory_id) == (mine.campaign_id, mine.territory.id)

    refusals = []
    for actor, campaign_id in [(other, mine.campaign_id), (coord, mine.campaign_id + 1000)]:
        with pytest.raises(AccessDenied) as refused:
            require_campaign(engine, actor, Action.TERRITORY_VIEW, campaign_id)
        refusals.append(str(refused.value))
    # a campaign of another territory and one that does not exist: nothing tells them apart
    assert refusals == [CAMPAIGN_NOT_FOUND, CAMPAIGN_NOT_FOUND]


def _called(node: ast.AST, name: str) -> bool:
    """Whether `node` calls `name(...)` or `something.name(...)` anywhere inside."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                return True
    return False


def inline_refusals(path: Path) -> list[int]:
    """Lines of `if … can(…) …:` blocks that raise AccessDenied themselves."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and _called(node.test, "can")
        and any(
            isinstance(raised, ast.Raise)
            and raised.exc is not None
            and _called(raised.exc, "AccessDenied")
            for statement in node.body
            for raised in ast.walk(statement)
        )
    ]


def test_only_require_turns_a_permission_check_into_a_refusal():
    package = ROOT / "diagnostic"
    # the detector sees the one place that may do it
    assert inline_refusals(package / "accounts" / "permissions.py")
    found = {
        f"{path.relative_to(package).as_posix()}:{line}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).as_posix() not in {"accounts/permissions.py"}
        for line in inline_refusals(path)
    }
    assert found == set(), "utilisez permissions.require ou guard.require_campaign"
