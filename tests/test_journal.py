"""The audit log: store queries on both bases, the admins-only domain functions."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from diagnostic.accounts import journal
from diagnostic.accounts.permissions import Actor
from diagnostic.errors import AccessDenied
from diagnostic.store import audit
from diagnostic.store.engine import session_scope

ADMIN = Actor(kind="user", user_id=1, email="admin@exemple.fr", is_admin=True)
COORD = Actor(kind="user", user_id=2, memberships=frozenset({(1, "coordinator")}))


def fill(engine):
    with session_scope(engine) as s:
        audit.record(s, actor="a@exemple.fr", action="membership.grant", target="user:2", role="x")
        audit.record(s, actor="b@exemple.fr", action="participant.reopen", target="participant:4")
        audit.record(s, actor="=cmd|' /C calc'!A0", action="user.create", target="@evil")


def test_recent_events_filter_and_actions(engine):
    fill(engine)
    with session_scope(engine) as s:
        everything = audit.recent_events(s)
        assert [e.action for e in everything] == [
            "user.create",
            "participant.reopen",
            "membership.grant",
        ]
        only = audit.recent_events(s, actions=["participant.reopen", "membership.grant"])
        assert {e.action for e in only} == {"participant.reopen", "membership.grant"}
        assert len(audit.recent_events(s, limit=1)) == 1
        assert audit.event_actions(s) == ["membership.grant", "participant.reopen", "user.create"]


def test_audit_log_in_french_for_admins_only(engine):
    fill(engine)
    log = journal.audit_log(engine, ADMIN, actions=["membership.grant"])
    assert list(log.columns) == ["Date", "Auteur", "Action", "Cible", "Détails"]
    assert log.iloc[0][["Auteur", "Action", "Cible", "Détails"]].tolist() == [
        "a@exemple.fr",
        "Rôle accordé",
        "compte 2",
        "rôle : x",
    ]
    assert str(log["Date"].dt.tz) == "Europe/Paris"
    assert journal.logged_actions(engine, ADMIN) == [
        "membership.grant",
        "participant.reopen",
        "user.create",
    ]
    assert journal.action_label("inconnue.action") == "inconnue.action"
    for actor in (COORD, Actor()):
        with pytest.raises(AccessDenied):
            journal.audit_log(engine, actor)
        with pytest.raises(AccessDenied):
            journal.logged_actions(engine, actor)


def test_log_export_is_safe_and_itself_logged(engine):
    fill(engine)
    out = journal.export_log(engine, ADMIN, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(out.data))["Journal"]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'@evil" in cells
    assert journal.audit_log(engine, ADMIN)["Action"].iloc[0] == "Export du journal"
    with pytest.raises(AccessDenied):
        journal.export_log(engine, COORD)


def test_details_and_targets_read_in_french():
    said = journal._details(
        {"status": "en_cours", "on": "2024-06-18", "links": None, "named": True, "x_y": 2}
    )
    assert said == "date : 18/06/2024, liens : aucun, nominative : oui, statut : En cours, x y : 2"
    assert journal._target("campaign:3") == "campagne 3"
    assert journal._target("roadmap:12") == "action de feuille de route 12"
    assert journal._target("autre:1") == "autre:1"
    assert journal._target(None) == ""
