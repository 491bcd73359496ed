"""Account administration and single sign-on: domain, command line and pages."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.accounts import access
from diagnostic.accounts.journal import ACTION_LABELS
from diagnostic.accounts.permissions import Actor
from diagnostic.cli import main
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.settings import get_settings
from diagnostic.store import accounts, audit
from diagnostic.store.engine import get_engine, migrate, session_scope
from diagnostic.store.models import AuditEvent, User
from tests.conftest import ROOT
from tests.factories import PASSWORD, make_user, make_world
from tests.markdown_check import flat, visible

APP = str(ROOT / "app.py")
SIGN_IN_TITLE = "Diagnostic de la gouvernance administrative du territoire"


def engine():
    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def admin_actor(user: User) -> Actor:
    with session_scope(engine()) as s:
        return accounts.actor_for(s, user_id=user.id)


def events(action: str) -> list[AuditEvent]:
    with session_scope(engine()) as s:
        return audit.recent_events(s, actions=[action])


def app(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def as_user(user: User) -> AppTest:
    return app(user_id=user.id, last_seen=time.time())


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


# --- domain -----------------------------------------------------------------------------------


@pytest.fixture
def people(app_env):
    admin = make_user(engine(), "admin@exemple.fr", admin=True)
    coord = make_user(engine(), "coord@exemple.fr")
    world = make_world(engine(), name="CC Alpha", coordinator=coord)
    return admin, coord, world


def test_overview_lists_memberships_with_territory_names(people):
    admin, coord, world = people
    views = {v.email: v for v in access.accounts_overview(engine(), admin_actor(admin))}
    assert views["coord@exemple.fr"].roles_text() == "CC Alpha (Coordination)"
    assert views["admin@exemple.fr"].memberships == ()
    table = access.accounts_table(list(views.values()))
    assert list(table.columns[:6]) == access.ACCOUNT_COLUMNS


def test_every_admin_action_needs_users_manage(people):
    _, coord, world = people
    actor = admin_actor(coord)  # a coordinator, not an admin
    calls = [
        lambda: access.accounts_overview(engine(), actor),
        lambda: access.revoke_role(
            engine(), actor, user_id=coord.id, territory_id=world.territory.id, role="coordinator"
        ),
        lambda: access.reset_password(engine(), actor, user_id=coord.id, password="x" * 12),
        lambda: access.set_account_active(engine(), actor, user_id=coord.id, active=False),
        lambda: access.unlock_account(engine(), actor, user_id=coord.id),
        lambda: access.grant_role(
            engine(), actor, user_id=coord.id, territory_id=world.territory.id, role="consultant"
        ),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    assert events("user.deactivate") == [] and events("membership.revoke") == []


def test_deactivate_refuses_sign_in_and_drops_the_actor(people):
    admin, coord, _ = people
    actor = admin_actor(admin)
    access.set_account_active(engine(), actor, user_id=coord.id, active=False)
    assert access.actor_for_user(engine(), coord.id) is None
    with pytest.raises(accounts.SignInError, match="incorrect"):
        access.sign_in_user(engine(), get_settings(), email="coord@exemple.fr", password=PASSWORD)
    access.set_account_active(engine(), actor, user_id=coord.id, active=True)
    assert access.sign_in_user(
        engine(), get_settings(), email="coord@exemple.fr", password=PASSWORD
    )
    assert [e.target for e in events("user.deactivate")] == ["coord@exemple.fr"]
    assert [e.actor for e in events("user.reactivate")] == ["admin@exemple.fr"]
    with pytest.raises(StoreError, match="votre propre compte"):
        access.set_account_active(engine(), actor, user_id=admin.id, active=False)


def test_reset_password_applies_the_policy_and_unlocks(people):
    admin, coord, _ = people
    for _ in range(get_settings().max_failed_logins):
        with pytest.raises(accounts.SignInError):
            access.sign_in_user(
                engine(), get_settings(), email=coord.email, password="faux", source="192.0.2.1"
            )
    view = next(
        v for v in access.accounts_overview(engine(), admin_actor(admin)) if v.id == coord.id
    )
    assert view.locked
    from diagnostic.accounts.security import WeakPasswordError

    with pytest.raises(WeakPasswordError, match="10 caractères"):
        access.reset_password(engine(), admin_actor(admin), user_id=coord.id, password="court")
    access.reset_password(engine(), admin_actor(admin), user_id=coord.id, password="temporaire-123")
    assert access.sign_in_user(
        engine(), get_settings(), email=coord.email, password="temporaire-123", source="192.0.2.1"
    )


def test_unlock_and_revoke_are_logged(people):
    admin, coord, world = people
    actor = admin_actor(admin)
    access.unlock_account(engine(), actor, user_id=coord.id)
    access.revoke_role(
        engine(), actor, user_id=coord.id, territory_id=world.territory.id, role="coordinator"
    )
    assert access.actor_for_user(engine(), coord.id).memberships == frozenset()
    with pytest.raises(StoreError, match="n'a pas ce rôle"):
        access.revoke_role(
            engine(), actor, user_id=coord.id, territory_id=world.territory.id, role="coordinator"
        )
    assert len(events("user.unlock")) == 1 and len(events("membership.revoke")) == 1


def test_new_audit_actions_have_french_labels():
    for action in ("user.deactivate", "user.reactivate", "user.unlock"):
        assert action in ACTION_LABELS


def test_sso_matches_an_active_account_case_insensitively(people):
    _, coord, _ = people
    assert access.sign_in_sso(engine(), email="  COORD@Exemple.FR ") == coord.id
    with pytest.raises(accounts.SignInError, match="aucun compte n'est associé"):
        access.sign_in_sso(engine(), email="inconnu@exemple.fr")
    with pytest.raises(accounts.SignInError, match="aucun compte"):
        access.sign_in_sso(engine(), email="")
    with pytest.raises(accounts.SignInError, match="pas vérifié"):
        access.sign_in_sso(engine(), email=coord.email, verified=False)
    with session_scope(engine()) as s:
        assert len(accounts.list_users(s)) == 2  # never provisioned


# --- command line -----------------------------------------------------------------------------


def test_cli_deactivate_and_reactivate(people, capsys):
    assert main(["deactivate", "--email", "coord@exemple.fr"]) == 0
    assert "désactivé" in capsys.readouterr().out
    assert access.actor_for_user(engine(), people[1].id) is None
    assert main(["deactivate", "--email", "COORD@exemple.fr", "--reactivate"]) == 0
    assert "réactivé" in capsys.readouterr().out
    assert main(["deactivate", "--email", "personne@exemple.fr"]) == 1
    assert capsys.readouterr().err.startswith("Erreur : aucun compte pour")


# --- the accounts page ------------------------------------------------------------------------


def test_accounts_page_lists_roles_and_manages_an_account(people):
    admin, coord, world = people
    at = as_user(admin)
    at.switch_page("pages/comptes.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Adresse")
    assert table.loc["coord@exemple.fr", "Rôles"] == "CC Alpha (Coordination)"
    at.selectbox(key="manage_user").set_value(coord.id).run()
    at.button(key="user_deactivate").click().run()
    assert not at.exception
    assert "désactivé" in at.info[0].value
    assert access.actor_for_user(engine(), coord.id) is None
    at.selectbox(key="manage_user").set_value(coord.id).run()
    at.button(key="user_reactivate").click().run()
    assert access.actor_for_user(engine(), coord.id) is not None
    at.selectbox(key="manage_user").set_value(coord.id).run()
    at.text_input(key="reset_password").input("court")
    at.button(key="FormSubmitter:reset_form-Réinitialiser le mot de passe").click().run()
    assert "10 caractères" in at.error[0].value
    at.text_input(key="reset_password").input("provisoire-2026")
    at.button(key="FormSubmitter:reset_form-Réinitialiser le mot de passe").click().run()
    assert "réinitialisé" in at.info[0].value
    assert access.sign_in_user(
        engine(), get_settings(), email=coord.email, password="provisoire-2026"
    )
    at.selectbox(key="revoke_pick").set_value((coord.id, world.territory.id, "coordinator"))
    at.button(key="revoke_role").click().run()
    assert not at.exception
    assert "Rôle retiré" in at.info[0].value
    assert access.actor_for_user(engine(), coord.id).memberships == frozenset()


def test_accounts_page_unlocks_a_locked_account(people):
    admin, coord, _ = people
    for _ in range(get_settings().max_failed_logins):
        with pytest.raises(accounts.SignInError):
            access.sign_in_user(
                engine(), get_settings(), email=coord.email, password="faux", source="192.0.2.1"
            )
    at = as_user(admin)
    at.switch_page("pages/comptes.py").run()
    at.selectbox(key="manage_user").set_value(coord.id).run()
    assert "verrouillé" in at.caption[0].value
    at.button(key="user_unlock").click().run()
    assert "déverrouillé" in at.info[0].value
    assert access.sign_in_user(
        engine(), get_settings(), email=coord.email, password=PASSWORD, source="192.0.2.1"
    )


def test_an_open_session_ends_at_the_next_rerun_after_deactivation(people):
    admin, coord, _ = people
    at = as_user(coord)
    assert titles(at) == ["Mes territoires"]
    access.set_account_active(engine(), admin_actor(admin), user_id=coord.id, active=False)
    at.run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert "n'est plus actif" in at.info[0].value
    assert "CC Alpha" not in str(at)


def test_a_revoked_role_closes_the_territory_at_the_next_rerun(people):
    admin, coord, world = people
    at = as_user(coord)
    at.switch_page("pages/campagne.py").run()
    assert titles(at) == ["Campagnes de diagnostic"]
    access.revoke_role(
        engine(),
        admin_actor(admin),
        user_id=coord.id,
        territory_id=world.territory.id,
        role="coordinator",
    )
    at.run()
    assert "Campagnes de diagnostic" not in titles(at)
    assert "CC Alpha" not in str(at)


# --- single sign-on ---------------------------------------------------------------------------


@pytest.fixture
def sso(people, monkeypatch):
    monkeypatch.setenv("OIDC_ENABLED", "true")
    get_settings.cache_clear()
    return people


def sso_app(email: str | None, **claims) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if email is not None:
        at.user = {"is_logged_in": True, "email": email, "name": "Personne", **claims}
    return at.run()


def test_sso_button_only_when_configured(people, monkeypatch):
    monkeypatch.setenv("OIDC_ENABLED", "false")  # whatever a local secrets.toml says
    get_settings.cache_clear()
    at = sso_app(None)
    assert not any(b.key == "sso_login" for b in at.button)
    monkeypatch.setenv("OIDC_ENABLED", "true")
    get_settings.cache_clear()
    at = sso_app(None)
    button = at.button(key="sso_login")
    assert button.label == "Se connecter avec le compte de ma collectivité"
    button.click().run()  # no [auth] section in this test environment: explained, no traceback
    assert not at.exception
    assert "[auth]" in at.error[0].value


def test_sso_signs_in_the_matching_account_with_its_roles(sso):
    _, coord, world = sso
    at = sso_app("Coord@Exemple.fr")
    assert not at.exception
    assert titles(at) == ["Mes territoires"]
    assert [h.value for h in at.subheader] == ["CC Alpha"]
    at.switch_page("pages/campagne.py").run()
    assert titles(at) == ["Campagnes de diagnostic"]
    at.switch_page("pages/comptes.py").run()  # a coordinator, not an admin
    assert "Comptes" not in titles(at)


def test_sso_unknown_address_gets_no_access(sso):
    at = sso_app("inconnu@exemple.fr")
    assert not at.exception
    assert titles(at) == [SIGN_IN_TITLE]
    assert (
        "aucun compte n'est associé à cette adresse : demandez à un·e administrateur·rice de "
        "créer votre compte" in flat(visible(at.error[0].value)[1])  # as read, escapes resolved
    )
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/accueil.py")  # not in an anonymous visitor's menu
    with session_scope(engine()) as s:
        assert accounts.user_by_email(s, email="inconnu@exemple.fr") is None


def test_sso_refuses_an_inactive_account_and_an_unverified_address(sso):
    admin, coord, _ = sso
    at = sso_app(coord.email, email_verified=False)
    assert titles(at) == [SIGN_IN_TITLE]
    assert "pas vérifié" in at.error[0].value
    access.set_account_active(engine(), admin_actor(admin), user_id=coord.id, active=False)
    at = sso_app(coord.email)
    assert titles(at) == [SIGN_IN_TITLE]
    assert "désactivé" in at.error[0].value


def test_sso_sign_out_also_logs_out_of_the_provider(sso):
    at = sso_app("coord@exemple.fr")
    assert titles(at) == ["Mes territoires"]
    at.switch_page("pages/deconnexion.py").run()
    assert not at.exception
    at.run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert not at.user.get("is_logged_in", False)


def test_an_expired_sso_session_also_ends_the_provider_session(sso):
    from tests.test_sessions import age_sessions

    _, coord, _ = sso
    at = sso_app("coord@exemple.fr")
    assert titles(at) == ["Mes territoires"]
    age_sessions(engine(), coord.id, minutes=61)  # the server-side session decides
    at.run()
    assert titles(at) == [SIGN_IN_TITLE]
    assert "expiré" in at.info[0].value
    assert not at.user.get("is_logged_in", False)  # else the next run would sign in again
