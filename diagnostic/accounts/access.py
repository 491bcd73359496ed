"""Sign-in and account administration, on top of the store and the permission check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.errors import StoreError
from diagnostic.settings import Settings
from diagnostic.store import accounts
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.store.models import User, now
from diagnostic.vocabulary import MEMBERSHIP_LABELS


def sign_in_user(
    engine: Engine, settings: Settings, *, email: str, password: str, source: str | None = None
) -> int:
    """The user id for valid credentials; raises SignInError (failures are counted per account
    and address `source`, see `accounts.authenticate`)."""
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
                source=source,
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
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        return accounts.list_users(session)


def create_account(
    engine: Engine, actor: Actor, *, email: str, name: str, password: str, is_admin: bool
) -> User:
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        user = accounts.create_user(
            session, email=email, name=name, password=password, is_admin=is_admin
        )
        record(session, actor=actor.label(), action="user.create", target=user.email)
        return user


def grant_role(engine: Engine, actor: Actor, *, user_id: int, territory_id: int, role: str) -> None:
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        accounts.grant(
            session, user_id=user_id, territory_id=territory_id, role=role, actor=actor.label()
        )


def sign_in_sso(engine: Engine, *, email: str | None, verified: bool | None = None) -> int:
    """The user id of the active account matching an address vouched for by the identity
    provider (single sign-on); raises SignInError otherwise. Never creates an account."""
    if verified is False:  # the provider says the address was not checked
        raise accounts.SignInError(
            "votre fournisseur d'identité n'a pas vérifié cette adresse électronique"
        )
    with session_scope(engine) as session:
        user = accounts.authenticate_sso(session, email=email or "")
        assert user.id is not None
        return user.id


class Membership(NamedTuple):
    """A role on a territory, named (a row of `accounts.memberships` without its user)."""

    territory_id: int
    territory: str
    role: str


@dataclass(frozen=True)
class AccountView:
    """An account as the admin page lists it: who, status and roles on territories."""

    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    memberships: tuple[Membership, ...]

    @property
    def locked(self) -> bool:
        until = self.locked_until
        if until is None:
            return False
        if until.tzinfo is None:  # SQLite returns naive UTC datetimes
            until = until.replace(tzinfo=now().tzinfo)
        return until > now()

    def roles_text(self) -> str:
        return " ; ".join(
            f"{m.territory} ({MEMBERSHIP_LABELS.get(m.role, m.role)})" for m in self.memberships
        )


def accounts_overview(engine: Engine, actor: Actor) -> list[AccountView]:
    """Every account with its memberships (territory names and roles), for the admins."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        users = accounts.list_users(session)
        rows = accounts.memberships(session)
    by_user: dict[int, list[Membership]] = {}
    for user_id, *membership in rows:
        by_user.setdefault(user_id, []).append(Membership(*membership))
    return [
        AccountView(
            id=u.id,
            email=u.email,
            name=u.name,
            is_admin=u.is_admin,
            is_active=u.is_active,
            locked_until=u.locked_until,
            last_login_at=u.last_login_at,
            memberships=tuple(by_user.get(u.id, ())),
        )
        for u in users
        if u.id is not None
    ]


ACCOUNT_COLUMNS = ["Adresse", "Nom", "Administrateur", "Actif", "Verrouillé", "Rôles"]


def accounts_table(views: list[AccountView]) -> pd.DataFrame:
    """The accounts as a table with French columns (last sign-in kept as a date)."""
    rows = [
        {
            "Adresse": v.email,
            "Nom": v.name,
            "Administrateur": v.is_admin,
            "Actif": v.is_active,
            "Verrouillé": v.locked,
            "Rôles": v.roles_text(),
            "Dernière connexion": v.last_login_at,
        }
        for v in views
    ]
    frame = pd.DataFrame(rows, columns=[*ACCOUNT_COLUMNS, "Dernière connexion"])
    frame["Dernière connexion"] = pd.to_datetime(frame["Dernière connexion"], utc=True)
    return frame


def revoke_role(
    engine: Engine, actor: Actor, *, user_id: int, territory_id: int, role: str
) -> None:
    """Take a role on a territory away from an account (effective at its next rerun)."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        accounts.revoke(
            session, user_id=user_id, territory_id=territory_id, role=role, actor=actor.label()
        )


def reset_password(engine: Engine, actor: Actor, *, user_id: int, password: str) -> None:
    """Set a temporary password chosen by the admin (length policy applies; lockout lifted)."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        accounts.set_password(session, user_id=user_id, password=password, actor=actor.label())


def set_account_active(engine: Engine, actor: Actor, *, user_id: int, active: bool) -> None:
    """Deactivate or reactivate an account; an admin cannot deactivate their own account."""
    require(actor, Action.USERS_MANAGE)
    if not active and user_id == actor.user_id:
        raise StoreError("vous ne pouvez pas désactiver votre propre compte")
    with session_scope(engine) as session:
        accounts.set_active(session, user_id=user_id, active=active, actor=actor.label())


def unlock_account(engine: Engine, actor: Actor, *, user_id: int) -> None:
    """Lift the temporary lockout of an account after too many failed sign-ins."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        accounts.unlock(session, user_id=user_id, actor=actor.label())
