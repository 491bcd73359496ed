"""Existing territories against the current official list: what differs (EPCI merged or absent,
member communes added or removed, population or kind changed) and the update that aligns a
territory on the list while keeping its campaigns and answers.

A territory keeps its own data until its coordinator updates it; the update never deletes a
member commune that respondents or workshop contributions point at (it says so instead).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from diagnostic.accounts.permissions import Action, Actor, can, require
from diagnostic.campaigns.official_territories import search_key, thousands
from diagnostic.errors import StoreError
from diagnostic.store import official as official_store
from diagnostic.store import territories as territory_store
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Territory
from diagnostic.vocabulary import KIND_LABELS, count


@dataclass(frozen=True)
class Member:
    """A member commune as the territory holds it (id None: a commune of the list)."""

    name: str
    code: str | None
    id: int | None = None


@dataclass(frozen=True)
class OfficialEpci:
    code: str
    name: str
    kind: str
    population: int | None
    population_year: int | None
    members: tuple[Member, ...]


@dataclass
class Gap:
    """How one territory differs from the list, and what its update would do."""

    territory_id: int
    name: str
    code: str | None
    target: OfficialEpci | None = None  # the EPCI of the list to update from
    changes: list[str] = field(default_factory=list)  # what the update changes, in French
    notes: list[str] = field(default_factory=list)  # what it cannot change, in French
    new_code: str | None = None
    new_name: str | None = None
    new_kind: str | None = None
    new_population: int | None = None
    population_changes: bool = False
    add: list[Member] = field(default_factory=list)
    remove: list[Member] = field(default_factory=list)
    rename: list[tuple[Member, str]] = field(default_factory=list)  # (member, official name)
    set_code: list[tuple[Member, str]] = field(default_factory=list)  # (member, INSEE code)

    @property
    def updatable(self) -> bool:
        return self.target is not None and bool(self.changes)


def _names(members: list[Member], limit: int = 8) -> str:
    shown = [f"{m.name} ({m.code})" if m.code else m.name for m in members[:limit]]
    more = len(members) - limit
    return ", ".join(shown) + (f" et {count(more, 'autre')}" if more > 0 else "")


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def compare(
    territory_id: int,
    name: str,
    code: str | None,
    kind: str,
    population: int | None,
    members: list[Member],
    official: OfficialEpci | None,
    *,
    successor: OfficialEpci | None = None,
    successor_taken: bool = False,
    in_use: frozenset[int] = frozenset(),
) -> Gap | None:
    """The gap between a territory and the list (None: nothing differs).

    `official` is the list's EPCI of the territory's SIREN; when there is none, `successor` is
    the EPCI that holds most of its member communes today (a merger), `successor_taken` whether
    another territory of the base already has its SIREN. `in_use`: ids of member communes that
    respondents or contributions point at (never removed)."""
    gap = Gap(territory_id=territory_id, name=name, code=code)
    target = official or successor
    if official is None:
        if successor is None:
            gap.notes.append(
                f"SIREN {code} absent de la liste officielle, et aucune de ses communes n'y est "
                "rattachée à un EPCI : rien à mettre à jour"
            )
            return gap
        if successor_taken:  # never the other territory's name: it may not be the actor's
            gap.notes.append(
                f"SIREN {code} absent de la liste officielle : ses communes appartiennent "
                f"aujourd'hui à « {successor.name} » (SIREN {successor.code}), qu'un autre "
                "territoire de l'application porte déjà : rapprochez-les avec l'administration"
            )
            return gap
        gap.changes.append(
            f"SIREN {code} absent de la liste officielle (EPCI fusionné ou transformé) : ses "
            f"communes appartiennent aujourd'hui à « {successor.name} » (SIREN "
            f"{successor.code}) ; la mise à jour en reprend le nom, le SIREN et les données"
        )
        gap.new_code, gap.new_name = successor.code, successor.name
    assert target is not None
    gap.target = target
    if target.kind != kind:
        gap.new_kind = target.kind
        gap.changes.append(f"type : {_kind(target.kind)} (ici : {_kind(kind)})")
    if target.population is not None and target.population != population:
        gap.new_population = target.population
        gap.population_changes = True
        vintage = f" {target.population_year}" if target.population_year else ""
        here = f"{thousands(population)}" if population is not None else "non renseignée"
        gap.changes.append(
            f"population municipale{vintage} : {thousands(target.population)} (ici : {here})"
        )
    listed = {m.code: m for m in target.members if m.code}
    by_key = {search_key(m.name): m for m in target.members}
    matched: set[str] = set()
    for member in members:
        if member.code and member.code in listed:
            matched.add(member.code)
            official_name = listed[member.code].name
            if search_key(official_name) != search_key(member.name):
                gap.rename.append((member, official_name))
        elif not member.code and search_key(member.name) in by_key:
            found = by_key[search_key(member.name)]
            if found.code and found.code not in matched:
                matched.add(found.code)
                gap.set_code.append((member, found.code))
        elif member.id is not None and member.id in in_use:
            gap.notes.append(
                f"{member.name} n'est plus membre selon la liste, mais des répondant·es ou des "
                "contributions d'atelier y sont rattachés : la commune est gardée"
            )
        else:
            gap.remove.append(member)
    gap.add = [m for c, m in sorted(listed.items()) if c not in matched]
    if gap.add:
        gap.changes.append(
            f"{count(len(gap.add), 'commune entrée', 'communes entrées')} : {_names(gap.add)}"
        )
    if gap.remove:
        gap.changes.append(
            f"{count(len(gap.remove), 'commune sortie', 'communes sorties')} : {_names(gap.remove)}"
        )
    if gap.rename:
        renamed = ", ".join(f"{m.name} → {new}" for m, new in gap.rename[:8])
        gap.changes.append(
            f"{count(len(gap.rename), 'commune renommée', 'communes renommées')} : {renamed}"
        )
    if gap.set_code:
        coded = ", ".join(f"{m.name} ({c})" for m, c in gap.set_code[:8])
        gap.changes.append(f"codes INSEE complétés : {coded}")
    return gap if gap.changes or gap.notes else None


# --- reading the base ------------------------------------------------------------------------


def _official_epci(session: Session, code: str) -> OfficialEpci | None:
    row = official_store.epci_row(session, code=code)
    if row is None:
        return None
    members = official_store.communes_of(session, epci_code=code)
    return OfficialEpci(
        code=str(row["code"]),
        name=str(row["name"]),
        kind=str(row["kind"]),
        population=None if pd.isna(row["population"]) else int(row["population"]),
        population_year=None if pd.isna(row["population_year"]) else int(row["population_year"]),
        members=tuple(
            Member(name=str(n), code=str(c))
            for n, c in zip(members["name"], members["code"], strict=True)
        ),
    )


def _gap_of(session: Session, territory: Territory) -> Gap | None:
    assert territory.id is not None
    if not territory.code or territory.kind == "commune":
        return None
    communes = territory_store.member_communes(session, territory_id=territory.id)
    members = [Member(name=c.name, code=c.code, id=c.id) for c in communes]
    official = _official_epci(session, territory.code)
    successor = None
    if official is None:
        codes = [m.code for m in members if m.code]
        homes = Counter(
            e for e in official_store.epci_of_communes(session, codes=codes).values() if e
        )
        if homes:
            successor = _official_epci(session, homes.most_common(1)[0][0])
    taken = successor is not None and (
        territory_store.territory_with_code(session, code=successor.code) is not None
    )
    in_use = frozenset(territory_store.communes_in_use(session, ids=[c.id for c in communes]))
    return compare(
        territory.id,
        territory.name,
        territory.code,
        territory.kind,
        territory.population,
        members,
        official,
        successor=successor,
        successor_taken=taken,
        in_use=in_use,
    )


def gaps(engine: Engine, actor: Actor) -> list[Gap]:
    """The territories the actor manages whose data differ from the stored official list (none
    when no list is stored)."""
    with session_scope(engine) as session:
        if not official_store.has_list(session):
            return []
        ids = None if actor.is_admin else actor.territories(Action.TERRITORY_MANAGE)
        found = []
        for territory in territory_store.root_territories(session, ids=ids):
            if not can(actor, Action.TERRITORY_MANAGE, territory_id=territory.id):
                continue
            gap = _gap_of(session, territory)
            if gap is not None:
                found.append(gap)
        return found


def update_from_list(engine: Engine, actor: Actor, *, territory_id: int) -> Gap:
    """Align a territory on the official list (its campaigns, answers and fiche stay); logged
    in the journal. Returns what was changed."""
    require(actor, Action.TERRITORY_MANAGE, territory_id=territory_id)
    with session_scope(engine) as session:
        territory = territory_store.root_territory(session, territory_id=territory_id)
        gap = _gap_of(session, territory) if territory is not None else None
        if gap is None:
            raise StoreError("ce territoire est déjà à jour de la liste officielle")
        if not gap.updatable:
            raise StoreError(f"rien à mettre à jour : {gap.notes[0]}")
        if gap.new_code and territory_store.territory_with_code(session, code=gap.new_code):
            raise StoreError(
                f"un autre territoire porte déjà le SIREN {gap.new_code} : rapprochez-les avec "
                "l'administration plutôt que de les mettre à jour"
            )
        territory_store.apply_official(
            session,
            territory_id=territory_id,
            code=gap.new_code,
            name=gap.new_name,
            kind=gap.new_kind,
            population=gap.new_population,
            add=[(m.name, m.code) for m in gap.add],
            remove=[m.id for m in gap.remove if m.id is not None],
            rename=[(m.id, new) for m, new in gap.rename if m.id is not None],
            set_code=[(m.id, code) for m, code in gap.set_code if m.id is not None],
        )
        assert gap.target is not None
        record(
            session,
            actor=actor.label(),
            action="territory.official_update",
            target=gap.name,
            siren=gap.target.code,
            changes=gap.changes,
        )
        return gap
