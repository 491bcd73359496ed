"""Territories (EPCI and their communes)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlmodel import Session, col, select

from diagnostic.errors import StoreError
from diagnostic.store.models import (
    Contribution,
    Membership,
    MembershipRole,
    Participant,
    Territory,
    TerritoryKind,
    WorkshopParticipant,
)


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


def root_territory(session: Session, *, territory_id: int) -> Territory | None:
    """The diagnosed territory of this id (None for a member commune or an unknown id)."""
    territory = session.get(Territory, territory_id)
    return territory if territory is not None and territory.parent_id is None else None


def communes_in_use(session: Session, *, ids: Iterable[int | None]) -> set[int]:
    """Those of these member communes that respondents or workshop seats and contributions
    point at (deleting them would lose or break that data)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    used: set[int] = set()
    for column in (
        Participant.structure_id,
        Contribution.territory_id,
        WorkshopParticipant.territory_id,
    ):
        stmt = select(column).where(col(column).in_(wanted)).distinct()
        used.update(i for i in session.exec(stmt) if i is not None)
    return used


def apply_official(
    session: Session,
    *,
    territory_id: int,
    code: str | None,
    name: str | None,
    kind: str | None,
    population: int | None,
    add: Iterable[tuple[str, str | None]],
    remove: Iterable[int],
    rename: Iterable[tuple[int, str]],
    set_code: Iterable[tuple[int, str]],
) -> None:
    """Align a territory on the official list: the given fields (None: unchanged), member
    communes added, removed (never one in use: see communes_in_use), renamed or given their
    INSEE code. Campaigns, answers, roles and the fiche stay as they are."""
    territory = root_territory(session, territory_id=territory_id)
    if territory is None:
        raise StoreError("territoire introuvable")
    if code is not None:
        territory.code = code
    if name is not None:
        territory.name = clean_label(name, max_length=200, what="le nom du territoire")
    if kind is not None:
        territory.kind = kind
    if population is not None:
        territory.population = population
    members = {c.id: c for c in member_communes(session, territory_id=territory_id)}
    removed = set(remove)
    if removed & communes_in_use(session, ids=removed):
        raise StoreError(
            "une commune à laquelle des répondant·es sont rattaché·es ne peut pas être retirée"
        )
    for commune_id in removed:
        if commune_id in members:
            session.delete(members[commune_id])
    for commune_id, new_name in rename:
        if commune_id in members:
            members[commune_id].name = clean_label(new_name, max_length=200, what="le nom")
    for commune_id, insee in set_code:
        if commune_id in members:
            members[commune_id].code = insee
    for commune_name, commune_code in add:
        session.add(
            Territory(
                name=clean_label(commune_name, max_length=200, what="le nom d'une commune"),
                kind=TerritoryKind.COMMUNE,
                code=commune_code,
                parent_id=territory_id,
            )
        )
    session.add(territory)
    session.flush()
