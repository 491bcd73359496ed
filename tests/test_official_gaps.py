"""Existing territories against the current official list: the differences (unit), the update
that keeps campaigns and answers (store, both databases), access rules, the journal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns import official_gaps as gaps
from diagnostic.campaigns import official_package as package
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.store import campaigns, territories
from diagnostic.store.engine import session_scope
from diagnostic.store.models import AuditEvent, Campaign, Participant, Territory
from tests.official_kit import extract

Member = gaps.Member
VAL = gaps.OfficialEpci(
    code="200000001",
    name="CC du Val Fictif",
    kind="cc",
    population=2000,
    population_year=2028,
    members=(Member("Saint-Étienne-du-Val", "99001"), Member("Valbonne", "99002")),
)


def test_a_territory_like_the_list_has_no_gap():
    members = [Member("Saint-Étienne-du-Val", "99001", 1), Member("Valbonne", "99002", 2)]
    gap = gaps.compare(1, "Val", "200000001", "cc", 2000, members, VAL)
    assert gap is None


def test_population_kind_and_members_that_changed():
    members = [
        Member("Saint-Etienne du Val", "99001", 1),  # same name, written otherwise
        Member("Vieux-Bourg", "99050", 2),  # left (or merged into another commune)
        Member("Ancienne", "99051", 3),  # left, but respondents are attached to it
    ]
    gap = gaps.compare(7, "Val", "200000001", "ca", 1900, members, VAL, in_use=frozenset({3}))
    assert gap.updatable and gap.target is VAL and gap.new_code is None
    assert gap.changes == [
        "type : Communauté de communes (ici : Communauté d'agglomération)",
        "population municipale 2028 : 2\u202f000 (ici : 1\u202f900)",
        "1 commune entrée : Valbonne (99002)",
        "1 commune sortie : Vieux-Bourg (99050)",
    ]
    assert gap.notes == [
        "Ancienne n'est plus membre selon la liste, mais des répondant·es ou des contributions "
        "d'atelier y sont rattachés : la commune est gardée"
    ]
    assert (gap.new_kind, gap.new_population) == ("cc", 2000)


def test_members_without_code_get_theirs_and_renamed_communes_their_name():
    members = [Member("valbonne", None, 1), Member("Saint-Étienne", "99001", 2)]
    gap = gaps.compare(7, "Val", "200000001", "cc", None, members, VAL)
    assert [(m.id, code) for m, code in gap.set_code] == [(1, "99002")]
    assert [(m.id, name) for m, name in gap.rename] == [(2, "Saint-Étienne-du-Val")]
    assert gap.changes[0] == "population municipale 2028 : 2\u202f000 (ici : non renseignée)"


def test_a_merged_epci_points_at_the_one_holding_its_communes():
    members = [Member("Saint-Étienne-du-Val", "99001", 1)]
    gap = gaps.compare(7, "CC Ancienne", "200099999", "cc", 1200, members, None, successor=VAL)
    assert (gap.new_code, gap.new_name) == ("200000001", "CC du Val Fictif")
    assert gap.changes[0].startswith("SIREN 200099999 absent de la liste officielle (EPCI")
    assert "« CC du Val Fictif » (SIREN 200000001)" in gap.changes[0]
    taken = gaps.compare(
        7,
        "CC Ancienne",
        "200099999",
        "cc",
        1200,
        members,
        None,
        successor=VAL,
        successor_taken=True,
    )
    assert not taken.updatable and "qu'un autre territoire de l'application porte" in taken.notes[0]
    lost = gaps.compare(8, "Fictive", "200099998", "cc", None, [], None)
    assert not lost.updatable and "rien à mettre à jour" in lost.notes[0]


@pytest.fixture
def listed(engine, tmp_path):
    """The fictional list in the base, and two territories: one stale (A, coordinated by
    user 1), one like the list (B, user 2)."""
    package.ensure_current_list(engine, extract(tmp_path))
    with session_scope(engine) as s:
        stale = territories.create_territory(
            s,
            name="CC du Val (ancien périmètre)",
            kind="cc",
            code="200000001",
            population=1900,
            communes=[("Saint-Étienne-du-Val", "99001"), ("Vieux-Bourg", "99050")],
        )
        current = territories.create_territory(
            s,
            name="CA de Testville",
            kind="ca",
            code="200000002",
            population=55000,
            communes=[("Testville", "99101"), ("Valfleuri", "99003")],
        )
        gone = {c.code: c for c in territories.member_communes(s, territory_id=stale.id)}["99050"]
        campaign = campaigns.create_campaign(
            s,
            territory_id=stale.id,
            title="Diagnostic 2026",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
        campaigns.add_participant(s, campaign_id=campaign.id, role="dgs", structure_id=gone.id)
        return stale.id, current.id, campaign.id


def coordinator(territory_id: int, user_id: int = 1) -> Actor:
    return Actor(
        kind="user",
        user_id=user_id,
        email=f"coord{user_id}@exemple.fr",
        memberships=frozenset({(territory_id, "coordinator")}),
    )


def test_a_coordinator_sees_and_updates_only_her_territories(engine, listed):
    stale, current, campaign_id = listed
    mine = coordinator(stale)
    [gap] = gaps.gaps(engine, mine)
    assert gap.territory_id == stale and gap.updatable
    assert gaps.gaps(engine, coordinator(current, 2)) == []  # B is like the list
    with pytest.raises(StoreError, match="déjà à jour de la liste officielle"):
        gaps.update_from_list(engine, coordinator(current, 2), territory_id=current)
    consultant = Actor(kind="user", user_id=3, memberships=frozenset({(stale, "consultant")}))
    assert gaps.gaps(engine, consultant) == []
    with pytest.raises(AccessDenied):
        gaps.update_from_list(engine, coordinator(current, 2), territory_id=stale)
    with pytest.raises(AccessDenied):
        gaps.update_from_list(engine, consultant, territory_id=stale)

    done = gaps.update_from_list(engine, mine, territory_id=stale)
    assert "1 commune entrée : Valbonne (99002)" in done.changes
    with session_scope(engine) as s:
        territory = s.get(Territory, stale)
        assert (territory.name, territory.population) == ("CC du Val (ancien périmètre)", 2000)
        members = {c.code for c in territories.member_communes(s, territory_id=stale)}
        assert members == {"99001", "99002", "99050"}  # 99050 kept: a respondent is there
        assert s.get(Campaign, campaign_id).territory_id == stale
        assert len(s.exec(select(Participant)).all()) == 1
        [event] = s.exec(
            select(AuditEvent).where(AuditEvent.action == "territory.official_update")
        ).all()
        assert (event.actor, event.target) == ("coord1@exemple.fr", territory.name)
        assert event.details["siren"] == "200000001"
    [left] = gaps.gaps(engine, mine)  # only the note on the kept commune remains
    assert not left.updatable and "Vieux-Bourg n'est plus membre" in left.notes[0]
    with pytest.raises(StoreError, match="rien à mettre à jour : Vieux-Bourg n.est plus"):
        gaps.update_from_list(engine, mine, territory_id=stale)


def test_a_merged_territory_takes_its_successor_unless_another_holds_it(engine, listed):
    stale, current, _ = listed
    with session_scope(engine) as s:
        old = territories.create_territory(
            s, name="CC Ancienne", kind="cc", code="200099999", communes=[("Testville", "99101")]
        )
    admin = Actor(kind="user", user_id=9, email="admin@exemple.fr", is_admin=True)
    by_id = {g.territory_id: g for g in gaps.gaps(engine, admin)}
    assert set(by_id) == {stale, old.id}
    assert not by_id[old.id].updatable  # « CA de Testville » is already a territory here
    with pytest.raises(StoreError, match="rien à mettre à jour : SIREN 200099999 absent"):
        gaps.update_from_list(engine, admin, territory_id=old.id)
    with session_scope(engine) as s:
        s.get(Territory, current).code = None  # the other one is not the CA any more
    assert gaps.gaps(engine, admin)[0].new_code == "200000002"
    gaps.update_from_list(engine, admin, territory_id=old.id)
    with session_scope(engine) as s:
        moved = s.get(Territory, old.id)
        assert (moved.code, moved.name, moved.kind) == ("200000002", "CA de Testville", "ca")
        names = [c.name for c in territories.member_communes(s, territory_id=old.id)]
        assert names == ["Testville", "Valfleuri"]
