"""Sign-in and account administration, on top of the store and the permission check."""

from __future__ import annotations

from sqlalchemy import Engine

from diagnostic.permissions import Action, Actor, can
from diagnostic.respondent import AccessDenied
from diagnostic.settings import Settings
from diagnostic.store import accounts
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.store.models import User


def sign_in_user(engine: Engine, settings: Settings, *, email: str, password: str) -> int:
    """The user id for valid credentials; raises SignInError (failures are counted)."""
    failure: accounts.SignInError | None = None
    user_id: int | None = None
    with session_scope(engine) as session:
        try:
            user = accounts.authenticate(
                session,
                email=email,
                password=password,
                max_failures=settings.max_failed_logins,
                lockout_minutes=settings.lockout_minutes,
            )
            user_id = user.id
        except accounts.SignInError as exc:
            failure = exc  # keep the failure count: the transaction still commits
    if failure is not None:
        raise failure
    assert user_id is not None
    return user_id


def actor_for_user(engine: Engine, user_id: int) -> Actor | None:
    """The signed-in user's actor, rebuilt from the database (fresh roles, active account)."""
    with session_scope(engine) as session:
        return accounts.actor_for(session, user_id=user_id)


def list_accounts(engine: Engine, actor: Actor) -> list[User]:
    if not can(actor, Action.USERS_MANAGE):
        raise AccessDenied("réservé aux administrateur·rices")
    with session_scope(engine) as session:
        return accounts.list_users(session)


def create_account(
    engine: Engine, actor: Actor, *, email: str, name: str, password: str, is_admin: bool
) -> User:
    if not can(actor, Action.USERS_MANAGE):
        raise AccessDenied("réservé aux administrateur·rices")
    with session_scope(engine) as session:
        user = accounts.create_user(
            session, email=email, name=name, password=password, is_admin=is_admin
        )
        record(session, actor=actor.label(), action="user.create", target=user.email)
        return user


def grant_role(engine: Engine, actor: Actor, *, user_id: int, territory_id: int, role: str) -> None:
    if not can(actor, Action.USERS_MANAGE):
        raise AccessDenied("réservé aux administrateur·rices")
    with session_scope(engine) as session:
        accounts.grant(
            session, user_id=user_id, territory_id=territory_id, role=role, actor=actor.label()
        )
