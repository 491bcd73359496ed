"""Accounts, memberships, sign-in with lockout."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from diagnostic.permissions import Actor
from diagnostic.security import (
    DUMMY_HASH,
    check_password_policy,
    hash_password,
    verify_password,
)
from diagnostic.store.audit import record
from diagnostic.store.models import Membership, MembershipRole, Territory, User, now
from diagnostic.store.territories import StoreError


class SignInError(StoreError):
    """Sign-in refused (wrong credentials or locked account)."""


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise StoreError(f"adresse électronique invalide : {email!r}")
    return email


def create_user(
    session: Session, *, email: str, name: str, password: str, is_admin: bool = False
) -> User:
    """Create an account; the password is hashed with argon2id."""
    email = normalize_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise StoreError(f"un compte existe déjà pour {email}")
    check_password_policy(password)
    name = name.strip() or email
    user = User(
        email=email, name=name[:120], password_hash=hash_password(password), is_admin=is_admin
    )
    session.add(user)
    session.flush()
    return user


def user_by_email(session: Session, *, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def set_password(session: Session, *, user_id: int, password: str, actor: str) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise StoreError("compte introuvable")
    check_password_policy(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    record(session, actor=actor, action="user.password_reset", target=user.email)


def authenticate(
    session: Session, *, email: str, password: str, max_failures: int, lockout_minutes: int
) -> User:
    """Check credentials; after `max_failures` failures the account is locked for a while."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active:
        verify_password(DUMMY_HASH, password)  # same cost as a real check
        raise SignInError("adresse ou mot de passe incorrect")
    current = now()
    if user.locked_until is not None and user.locked_until > current:
        raise SignInError(
            "trop de tentatives : compte verrouillé temporairement, réessayez plus tard"
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = current + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
            record(session, actor=user.email, action="user.locked")
        session.add(user)
        raise SignInError("adresse ou mot de passe incorrect")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = current
    session.add(user)
    return user


def grant(session: Session, *, user_id: int, territory_id: int, role: str, actor: str) -> None:
    """Give a user a role on a territory (idempotent)."""
    if role not in set(MembershipRole):
        raise StoreError(f"rôle inconnu : {role}")
    if session.get(User, user_id) is None or session.get(Territory, territory_id) is None:
        raise StoreError("compte ou territoire introuvable")
    exists = session.exec(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.territory_id == territory_id,
            Membership.role == role,
        )
    ).first()
    if exists is None:
        session.add(Membership(user_id=user_id, territory_id=territory_id, role=role))
        record(
            session,
            actor=actor,
            action="membership.grant",
            target=f"user:{user_id}",
            territory_id=territory_id,
            role=role,
        )


def revoke(session: Session, *, user_id: int, territory_id: int, role: str, actor: str) -> None:
    rows = session.exec(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.territory_id == territory_id,
            Membership.role == role,
        )
    ).all()
    for row in rows:
        session.delete(row)
    record(
        session,
        actor=actor,
        action="membership.revoke",
        target=f"user:{user_id}",
        territory_id=territory_id,
        role=role,
    )


def actor_for(session: Session, *, user_id: int) -> Actor | None:
    """Rebuild the actor of a signed-in user from the database (fresh memberships)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    rows = session.exec(
        select(Membership.territory_id, Membership.role).where(Membership.user_id == user_id)
    ).all()
    return Actor(
        kind="user",
        user_id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        memberships=frozenset((t, r) for t, r in rows),
    )


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.email))))
