"""AppTest of the territory page: creation from the official list, form errors, duplicates,
existing territories updated from the list."""

from __future__ import annotations

import pytest
from sqlmodel import select

from diagnostic.campaigns import official_package as package
from diagnostic.store import territories
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Territory
from tests.factories import make_user
from tests.markdown_check import flat, visible
from tests.official_kit import extract
from tests.pages_kit import engine, signed_in


@pytest.fixture
def fictional_list(app_env, tmp_path, monkeypatch):
    """The page's shipped list replaced by the tests' fictional package (imported in 0.1 s)."""
    monkeypatch.setattr(package, "DATA_DIR", extract(tmp_path))
    return app_env


def test_coordinator_creates_a_territory(fictional_list):
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


def test_territory_form_errors(fictional_list):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_area(key="t_communes").input("Alpha\nalpha")
    at.text_input(key="t_name").input("CC")
    at.button[0].click().run()
    assert "en double" in at.error[0].value


def test_creating_the_same_territory_twice_is_refused_in_french(fictional_list):
    """Clicking « Créer le territoire » twice used to create two territories with one SIREN."""
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


def test_territory_page_fills_the_form_from_the_shipped_list(fictional_list):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    assert not at.exception
    assert at.caption[0].value.startswith(
        "Liste officielle : 3 EPCI et 6 communes, paquet @etalab/decoupage-administratif 9.1.0"
    )
    at.selectbox(key="t_official").set_value("200000001").run()
    assert at.text_input(key="t_name").value == "CC du Val Fictif"
    assert at.text_input(key="t_code").value == "200000001"
    assert at.number_input(key="t_population").value == 2000
    assert "Saint-Étienne-du-Val;99001" in at.text_area(key="t_communes").value
    assert any("population municipale 2028" in c.value for c in at.caption)
    # or through a member commune
    at.text_input(key="t_commune_q").input("testville").run()
    at.selectbox(key="t_commune_pick").set_value("99101").run()
    assert at.text_input(key="t_name").value == "CA de Testville"
    assert at.selectbox(key="t_kind").value == "ca"
    at.button(key="FormSubmitter:territory_form-Créer le territoire").click().run()
    assert "créé avec 2 communes." in at.success[0].value


def test_territory_page_without_a_shipped_list_keeps_manual_entry(app_env, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "DATA_DIR", tmp_path / "absent")
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    assert "liste officielle des EPCI n'est pas installée" in at.caption[0].value
    assert not any(s.key == "t_official" for s in at.selectbox)


def test_the_coordinator_updates_her_territory_from_the_list(fictional_list):
    user = make_user(engine())
    other = make_user(engine(), "autre@exemple.fr")
    with session_scope(engine()) as s:
        for name, code, coordinator in (
            ("CC du **Val**", "200000001", user),
            ("CC d'une autre équipe", "200000003", other),
        ):
            territories.create_territory(
                s,
                name=name,
                kind="cc",
                code=code,
                population=10,
                communes=[("Saint-Étienne-du-Val", "99001")],
                coordinator_id=coordinator.id,
            )
    package.ensure_current_list(engine())
    at = signed_in("coord@exemple.fr")  # « Mes territoires » says it
    assert [link.proto.label for link in at.get("page_link")][-1] == (
        "1 territoire diffère de la liste officielle"
    )
    at.switch_page("pages/territoire.py").run()
    assert at.subheader[0].value == "Vos territoires et la liste officielle"
    shown = flat(" ".join(visible(m.value)[1] for m in at.markdown))
    assert "CC du **Val**" in shown and "autre équipe" not in shown
    assert "population municipale 2028 : 2 000 (ici : 10)" in shown  # flat: spaces folded
    [update] = [b for b in at.button if b.key and b.key.startswith("t_update_")]
    update.click().run()
    assert not at.exception
    assert at.success[0].value == (
        r"Territoire « CC du \*\*Val\*\* » mis à jour d'après la liste officielle."
    )
    assert not [b for b in at.button if b.key and b.key.startswith("t_update_")]
    at.run()
    assert not at.subheader  # nothing differs any more: the section is gone
    with session_scope(engine()) as s:
        [val] = s.exec(select(Territory).where(Territory.code == "200000001")).all()
        assert val.population == 2000
