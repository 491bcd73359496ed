"""Territories (EPCI and their communes)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.store.models import Membership, MembershipRole, Territory, TerritoryKind


def clean_label(value: str | None, *, max_length: int, what: str) -> str:
    """A one-line name or title as typed, made safe to store: line breaks and tabs become
    spaces, other control and format characters (NUL, escape sequences, bidi overrides) go,
    and the column's length is checked here (PostgreSQL refuses NUL and longer values)."""
    text = "".join(
        " "
        if c in "\t\n\r"
        else c
        if c == "\u200d" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"}
        else ""
        for c in value or ""
    )
    text = " ".join(text.split())
    if len(text) > max_length:
        raise StoreError(f"{what} est limité à {max_length} caractères ({len(text)})")
    return text


def create_territory(
    session: Session,
    *,
    name: str,
    kind: str,
    code: str | None = None,
    population: int | None = None,
    communes: Iterable[tuple[str, str | None]] = (),
    coordinator_id: int | None = None,
    story: str | None = None,
) -> Territory:
    """Create a territory with its member communes; its creator becomes coordinator."""
    name = clean_label(name, max_length=200, what="le nom du territoire")
    if not name:
        raise StoreError("le nom du territoire est obligatoire")
    if kind not in set(TerritoryKind):
        raise StoreError(f"type de territoire inconnu : {kind}")
    code = (code or "").strip() or None
    if code and (not code.isalnum() or len(code) > 20):
        raise StoreError("le code officiel ne contient que des chiffres et des lettres")
    if code:
        existing = territory_with_code(session, code=code)
        if existing is not None:
            raise StoreError(
                f"un territoire de code officiel {code} existe déjà : « {existing.name} » "
                "(demandez à son équipe de coordination ou à l'administration de vous y donner "
                "un rôle plutôt que de le créer une seconde fois)"
            )
    territory = Territory(name=name, kind=kind, code=code, population=population, story=story)
    session.add(territory)
    session.flush()
    seen: set[str] = set()
    for commune_name, commune_code in communes:
        commune_name = clean_label(commune_name, max_length=200, what="le nom d'une commune")
        if not commune_name:
            continue
        commune_code = (commune_code or "").strip() or None
        if commune_code and (not commune_code.isalnum() or len(commune_code) > 20):
            raise StoreError(
                f"le code de la commune « {commune_name} » ne contient que des chiffres et des "
                "lettres (20 au plus)"
            )
        if commune_name.casefold() in seen:
            raise StoreError(f"la commune « {commune_name} » est en double")
        seen.add(commune_name.casefold())
        session.add(
            Territory(
                name=commune_name,
                kind=TerritoryKind.COMMUNE,
                code=commune_code,
                parent_id=territory.id,
            )
        )
    if coordinator_id is not None:
        session.add(
            Membership(
                user_id=coordinator_id, territory_id=territory.id, role=MembershipRole.COORDINATOR
            )
        )
    session.flush()
    return territory


def territory_with_code(session: Session, *, code: str) -> Territory | None:
    """The diagnosed territory (not a member commune) that has this official code, if any.

    Not a unique index: databases made before this check may hold two territories with the
    same SIREN, and merging them (campaigns, roles) is a decision for people, not a migration.
    """
    stmt = (
        select(Territory)
        .where(Territory.code == code, col(Territory.parent_id).is_(None))
        .order_by(col(Territory.id))
    )
    return session.exec(stmt).first()


def member_communes(session: Session, *, territory_id: int) -> list[Territory]:
    """The communes attached to an EPCI, by name."""
    stmt = (
        select(Territory).where(Territory.parent_id == territory_id).order_by(col(Territory.name))
    )
    return list(session.exec(stmt))


def structures(session: Session, *, territory_id: int) -> list[Territory]:
    """The EPCI itself then its communes: where a respondent can work."""
    root = session.get(Territory, territory_id)
    return ([root] if root else []) + member_communes(session, territory_id=territory_id)


def root_territories(session: Session, *, ids: set[int] | None = None) -> list[Territory]:
    """Territories that are not a member of another (all of them, or among `ids`)."""
    stmt = select(Territory).where(col(Territory.parent_id).is_(None))
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(col(Territory.id).in_(ids))
    return list(session.exec(stmt.order_by(col(Territory.name))))


def count_territories(session: Session) -> int:
    return len(session.exec(select(Territory.id)).all())
