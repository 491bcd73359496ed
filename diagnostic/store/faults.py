"""Database faults the app survives: a base locked for too long, or out of reach."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

UNAVAILABLE_MESSAGE = (
    "La base de données ne répond pas pour le moment (serveur arrêté, réseau coupé ou base "
    "occupée trop longtemps). Les réponses déjà enregistrées sont conservées. Réessayez dans un "
    "instant ; si le problème persiste, prévenez la personne qui coordonne le diagnostic."
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means "the database cannot be used right now" (worth a retry),
    as opposed to a refusal or a bug: locked (SQLite), connection refused or lost."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
