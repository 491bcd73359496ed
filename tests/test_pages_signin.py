"""AppTest: sign-in, session expiry, sign-out, the menu each actor gets, the accounts page."""

from __future__ import annotations

from tests.factories import make_user, make_world
from tests.markdown_check import flat, visible
from tests.pages_kit import app, engine, signed_in, titles

# --- anonymous visitors and sign-in ----------------------------------------------------------


def test_anonymous_visitor_only_sees_sign_in(app_env):
    at = app()
    assert not at.exception
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]
    assert at.text_input(key="login_password").proto.type == 1  # password field


def test_wrong_password_is_refused_in_french(app_env):
    make_user(engine())
    at = app()
    at.text_input(key="login_email").input("coord@exemple.fr")
    at.text_input(key="login_password").input("mauvais")
    at.button[0].click().run()
    assert [flat(visible(e.value)[1]) for e in at.error] == [  # as read, escapes resolved
        "Connexion refusée : adresse ou mot de passe incorrect (ou trop d'essais : réessayez "
        "dans quelques minutes)."
    ]
    assert "Mes territoires" not in titles(at)


def test_sign_in_leads_home_with_empty_state(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    assert titles(at) == ["Mes territoires"]
    assert "aucun territoire" in at.info[0].value


def test_session_expires_after_inactivity(app_env):
    from tests.test_sessions import age_sessions

    user = make_user(engine())
    at = signed_in("coord@exemple.fr")
    age_sessions(engine(), user.id, minutes=61)  # the server-side session decides
    at.run()
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]
    assert "expiré" in at.info[0].value


def test_sign_out(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/deconnexion.py").run()
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]


# --- coordinator ------------------------------------------------------------------------------


def test_coordinator_cannot_open_another_territory_nor_admin_pages(app_env):
    make_user(engine(), "a@exemple.fr")
    other = make_user(engine(), "b@exemple.fr")
    make_world(engine(), name="CC Autre", coordinator=other)
    at = signed_in("a@exemple.fr")
    at.switch_page("pages/accueil.py").run()
    assert "aucun territoire" in at.info[0].value
    at.switch_page("pages/campagne.py").run()  # not in this actor's menu
    assert "CC Autre" not in str(at)
    assert "Campagnes de diagnostic" not in titles(at)
    at.switch_page("pages/comptes.py").run()
    assert "b@exemple.fr" not in str(at)
    assert "Comptes" not in titles(at)


def test_admin_accounts_page(app_env):
    make_user(engine(), "admin@exemple.fr", admin=True)
    at = signed_in("admin@exemple.fr")
    at.switch_page("pages/comptes.py").run()
    assert titles(at) == ["Comptes"]
    at.text_input(key="acc_email").input("nouveau@exemple.fr")
    at.text_input(key="acc_name").input("Nouvelle personne")
    at.text_input(key="acc_password").input("court")
    at.button(key="FormSubmitter:account_form-Créer le compte").click().run()
    assert "10 caractères" in at.error[0].value


# --- respondent -------------------------------------------------------------------------------
