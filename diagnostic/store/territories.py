"""Territories (EPCI and their communes)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from diagnostic.store.models import Membership, MembershipRole, Territory, TerritoryKind


class StoreError(ValueError):
    """A request the store refuses, with a French message for the user."""


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
    name = name.strip()
    if not name:
        raise StoreError("le nom du territoire est obligatoire")
    if kind not in set(TerritoryKind):
        raise StoreError(f"type de territoire inconnu : {kind}")
    code = (code or "").strip() or None
    if code and (not code.isalnum() or len(code) > 20):
        raise StoreError("le code officiel ne contient que des chiffres et des lettres")
    territory = Territory(name=name, kind=kind, code=code, population=population, story=story)
    session.add(territory)
    session.flush()
    seen: set[str] = set()
    for commune_name, commune_code in communes:
        commune_name = commune_name.strip()
        if not commune_name:
            continue
        if commune_name.casefold() in seen:
            raise StoreError(f"la commune « {commune_name} » est en double")
        seen.add(commune_name.casefold())
        session.add(
            Territory(
                name=commune_name,
                kind=TerritoryKind.COMMUNE,
                code=(commune_code or "").strip() or None,
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


def get_territory(session: Session, *, territory_id: int) -> Territory | None:
    return session.get(Territory, territory_id)


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
