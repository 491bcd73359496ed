"""Accounts, memberships, sign-in with lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from diagnostic.accounts.permissions import Actor
from diagnostic.accounts.ratelimit import SignInFailures
from diagnostic.accounts.security import (
    DUMMY_HASH,
    check_password_policy,
    hash_password,
    verify_password,
)
from diagnostic.errors import SignInError, StoreError
from diagnostic.store.audit import record
from diagnostic.store.models import Membership, MembershipRole, SessionEnd, Territory, User, now
from diagnostic.store.rows import inserted
from diagnostic.store.sessions import end_all
from diagnostic.store.territories import clean_label

SIGN_IN_REFUSED = (
    "adresse ou mot de passe incorrect (ou trop d'essais : réessayez dans quelques minutes)"
)

# Wrong passwords of this server process, per account and address
# (see diagnostic.accounts.ratelimit).
SIGN_IN_FAILURES = SignInFailures()


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or not email.isprintable() or " " in email:
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
    name = clean_label(name, max_length=120, what="le nom affiché") or email[:120]
    user = User(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin)
    return inserted(session, user)


def user_by_email(session: Session, *, email: str) -> User | None:
    email = email.strip().lower()
    if not email.isprintable():  # no account has one; PostgreSQL would refuse a NUL
        return None
    return session.exec(select(User).where(User.email == email)).first()


def set_password(session: Session, *, user_id: int, password: str, actor: str) -> None:
    """A new password (length policy applies; lockout lifted); the account's open sessions
    end: every browser signed in with the former password signs in again."""
    user = session.get(User, user_id)
    if user is None:
        raise StoreError("compte introuvable")
    check_password_policy(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    SIGN_IN_FAILURES.forget_account(user.email)
    end_all(session, user_id=user_id, reason=SessionEnd.PASSWORD)
    record(session, actor=actor, action="user.password_reset", target=user.email)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive UTC datetimes
        return moment.replace(tzinfo=UTC)
    return moment


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    max_failures: int,
    lockout_minutes: int,
    source: str | None = None,
) -> User:
    """Check credentials; every refusal is the same `SIGN_IN_REFUSED`, after one argon2 check.

    After `max_failures` wrong passwords on an account from one address (`source`) within
    `lockout_minutes`, that address is refused on that account until the oldest of them is
    `lockout_minutes` old; other addresses are not concerned. An unknown address (None) shares
    one window per account with a higher ceiling (`ratelimit.UNKNOWN_SOURCE_FACTOR`). The
    lock is noted on the account (`locked_until`, for the admins, and the journal): clearing
    it (« Déverrouiller », a new password, from any process) lifts the lock at the next attempt.
    Unknown, inactive and locked accounts run the same argon2 verification as a wrong password
    and get the same answer, so that neither the message nor the time tells them apart.
    """
    user = user_by_email(session, email=email)
    if user is None or not user.is_active:
        verify_password(DUMMY_HASH, password)  # same cost as a real check
        raise SignInError(SIGN_IN_REFUSED)
    current = now()
    at = current.timestamp()
    window = lockout_minutes * 60.0
    wait = SIGN_IN_FAILURES.retry_after(
        user.email, source, at, max_failures=max_failures, window=window
    )
    if wait and not (user.locked_until is not None and _aware(user.locked_until) > current):
        SIGN_IN_FAILURES.forget_account(user.email)  # unlocked by an admin meanwhile
        wait = 0.0
    matches = verify_password(user.password_hash, password)  # also when locked: same time
    if wait or not matches:
        if not wait:
            wait = SIGN_IN_FAILURES.failed(
                user.email, source, at, max_failures=max_failures, window=window
            )
            if wait:
                until = current + timedelta(seconds=wait)
                user.locked_until = max(until, _aware(user.locked_until) or until)
                session.add(user)
                record(session, actor=user.email, action="user.locked")
        raise SignInError(SIGN_IN_REFUSED)
    SIGN_IN_FAILURES.succeeded(user.email, source)
    user.failed_logins = 0
    user.last_login_at = current
    session.add(user)
    return user


NO_SSO_ACCOUNT = (
    "aucun compte n'est associé à cette adresse : demandez à un·e administrateur·rice de créer "
    "votre compte"
)


def authenticate_sso(session: Session, *, email: str) -> User:
    """The active account of an address the identity provider vouched for (single sign-on).

    No account is ever created here: an unknown address is refused, and so is an inactive
    account. A temporary lockout (failed passwords) does not apply: no password is involved.
    """
    user = user_by_email(session, email=email) if email.strip() else None
    if user is None:
        raise SignInError(NO_SSO_ACCOUNT)
    if not user.is_active:
        raise SignInError("ce compte est désactivé : adressez-vous à un·e administrateur·rice")
    user.last_login_at = now()
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
    if not rows:
        raise StoreError("ce compte n'a pas ce rôle sur ce territoire")
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


def memberships(session: Session) -> list[tuple[int, int, str, str]]:
    """Every membership as (user id, territory id, territory name, role), by territory name."""
    stmt = (
        select(Membership.user_id, Membership.territory_id, Territory.name, Membership.role)
        .join(Territory, col(Territory.id) == col(Membership.territory_id))
        .order_by(col(Territory.name), col(Membership.role))
    )
    return [(u, t, name, role) for u, t, name, role in session.exec(stmt)]


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise StoreError("compte introuvable")
    return user


def set_active(session: Session, *, user_id: int, active: bool, actor: str) -> User:
    """Deactivate (or reactivate) an account: an inactive account cannot sign in, and its open
    sessions end (in a browser, at its next rerun)."""
    user = _user(session, user_id)
    if not active:
        end_all(session, user_id=user_id, reason=SessionEnd.DEACTIVATED)
    if user.is_active != active:
        user.is_active = active
        session.add(user)
        record(
            session,
            actor=actor,
            action="user.reactivate" if active else "user.deactivate",
            target=user.email,
        )
    return user


def unlock(session: Session, *, user_id: int, actor: str) -> User:
    """Lift a lockout after too many failed sign-ins (the password is unchanged)."""
    user = _user(session, user_id)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    SIGN_IN_FAILURES.forget_account(user.email)
    record(session, actor=actor, action="user.unlock", target=user.email)
    return user
