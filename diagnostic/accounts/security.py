"""Passwords (argon2) and invitation tokens (derived or random, stored hashed only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from diagnostic.errors import DiagnosticError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


class WeakPasswordError(DiagnosticError, ValueError):
    """The password does not meet the minimal policy."""


def check_password_policy(password: str) -> None:
    """Refuse passwords that are too short; raise WeakPasswordError with a French message."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères"
        )


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash; never raises on a bad hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A hash computed once so that unknown accounts take as long to reject as known ones.
DUMMY_HASH = _hasher.hash("compte-inexistant-" + secrets.token_hex(8))


def new_token() -> str:
    """A fresh invitation token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def derived_token(secret: bytes, participant_id: int, link_version: int) -> str:
    """The token of a participant's link number `link_version`: HMAC-SHA256 of the link secret,
    URL-safe base64 without padding (43 characters). The same inputs give the same token, so a
    reminder can carry the link again although only its hash is stored; the next version gives
    another token, which is how re-issuing a link kills the old one."""
    message = f"participant:{participant_id}:{link_version}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """The stored form of a token (tokens have enough entropy for a plain SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str | None) -> bool:
    """Cheap shape check before touching the database (length and alphabet)."""
    if not value or not 20 <= len(value) <= 100:
        return False
    return all(c.isalnum() or c in "-_" for c in value)
