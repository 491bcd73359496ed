"""AppTest of the territory page: creation from the official list, form errors, duplicates."""

from __future__ import annotations

from sqlmodel import select

from diagnostic.store.engine import session_scope
from tests.factories import make_user
from tests.markdown_check import flat, visible
from tests.pages_kit import engine, signed_in


def test_coordinator_creates_a_territory(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC des **Étangs**")
    at.selectbox(key="t_kind").set_value("cc")
    at.text_area(key="t_communes").input("Alpha;72001\nBêta\n")
    at.button[0].click().run()
    assert not at.exception
    assert "créé avec 2 communes." in at.success[0].value
    at.switch_page("pages/accueil.py").run()
    # Markdown typed by a user is shown as typed, not interpreted
    assert at.subheader[0].value == r"CC des \*\*Étangs\*\*"


def test_territory_form_errors(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_area(key="t_communes").input("Alpha\nalpha")
    at.text_input(key="t_name").input("CC")
    at.button[0].click().run()
    assert "en double" in at.error[0].value


def test_creating_the_same_territory_twice_is_refused_in_french(app_env):
    """Clicking « Créer le territoire » twice used to create two territories with one SIREN."""
    from diagnostic.store.models import Territory

    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC du Loir")
    at.text_input(key="t_code").input("200035442")
    at.button(key="FormSubmitter:territory_form-Créer le territoire").click().run()
    assert not at.error
    at.text_input(key="t_name").input("CC du Loir")
    at.text_input(key="t_code").input("200035442")
    at.button(key="FormSubmitter:territory_form-Créer le territoire").click().run()
    assert not at.exception
    assert "200035442 existe déjà : « CC du Loir »" in flat(visible(at.error[0].value)[1])
    with session_scope(engine()) as s:
        assert len(s.exec(select(Territory).where(Territory.code == "200035442")).all()) == 1
