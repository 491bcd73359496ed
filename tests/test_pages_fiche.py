"""AppTest of the « Fiche du territoire » page: the coordination edits it group by group, a
refused form keeps what was typed, the other roles read it."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from diagnostic.accounts.permissions import Actor
from diagnostic.settings import get_settings
from diagnostic.store import accounts
from diagnostic.store.engine import session_scope
from diagnostic.territory import service
from tests.factories import make_user, make_world
from tests.markdown_check import flat, visible
from tests.pages_kit import engine, signed_in

SAVE = "FormSubmitter:fiche_form_{group}-Enregistrer « {title} »"


def on_the_fiche(email: str) -> AppTest:
    at = signed_in(email)
    at.switch_page("pages/fiche.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Fiche du territoire"]
    return at


def shown(at: AppTest) -> str:
    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "warning", "error")
        for e in at.get(kind)
    ]
    return "\n".join(flat(visible(t)[1]) for t in texts)


def facts_of(tid: int):
    admin = Actor(kind="user", user_id=0, is_admin=True)
    return service.territory_facts(engine(), admin, tid, get_settings().questions_dir)


def key(tid: int, fact_id: str, part: str = "value") -> str:
    return f"fiche_{tid}_{fact_id}_{part}"


def test_the_coordination_fills_a_group_and_sees_it_saved(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=0)
    tid = world.territory.id
    at = on_the_fiche("coord@exemple.fr")
    assert "La fiche de ce territoire est encore vide" in at.info[0].value
    at.selectbox(key=key(tid, "regime_fiscal")).set_value("fpu")
    at.number_input(key=key(tid, "nombre_communes")).set_value(5)
    at.radio(key=key(tid, "bureau_tous_maires")).set_value(True)
    at.date_input(key=key(tid, "installation_conseil")).set_value(date(2026, 4, 9))
    at.text_input(key=key(tid, "installation_conseil", "source")).input(
        "Procès-verbal du 9 avril 2026"
    )
    at.button(key=SAVE.format(group="institution", title="L'intercommunalité")).click().run()
    assert not at.exception, at.exception
    assert "« L'intercommunalité » : 4 informations enregistrées." in shown(at)
    fiche = facts_of(tid)
    assert fiche.values["regime_fiscal"] == "fpu"
    assert fiche.values["installation_conseil"] == date(2026, 4, 9)
    assert fiche.facts["installation_conseil"].source == "Procès-verbal du 9 avril 2026"
    assert fiche.facts["bureau_tous_maires"].updated_by == "coord@exemple.fr"
    # the form shows the stored values again, with their date and author
    assert at.radio(key=key(tid, "bureau_tous_maires")).value is True
    assert "par coord@exemple.fr" in shown(at)
    assert "informations restent à renseigner" in at.warning[0].value


def test_a_refused_form_says_why_records_nothing_and_keeps_what_was_typed(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=0)
    tid = world.territory.id
    at = on_the_fiche("coord@exemple.fr")
    at.radio(key=key(tid, "pacte_gouvernance_debat")).set_value(False)
    at.date_input(key=key(tid, "pacte_gouvernance_debat_date")).set_value(date(2026, 4, 9))
    at.text_input(key=key(tid, "pacte_gouvernance_debat", "source")).input("Ordre du jour")
    at.button(key=SAVE.format(group="gouvernance", title="Gouvernance du mandat")).click().run()
    assert not at.exception, at.exception
    error = flat(visible(at.error[0].value)[1])
    assert error.startswith("Rien n'a été enregistré.")
    assert "« Date du débat sur le pacte de gouvernance » : renseignée alors que" in error
    assert facts_of(tid).entered == 0
    # nothing typed is lost: fix the date and save again
    assert at.text_input(key=key(tid, "pacte_gouvernance_debat", "source")).value == (
        "Ordre du jour"
    )
    at.date_input(key=key(tid, "pacte_gouvernance_debat_date")).set_value(None)
    at.button(key=SAVE.format(group="gouvernance", title="Gouvernance du mandat")).click().run()
    assert not at.error
    fiche = facts_of(tid)
    assert fiche.values["pacte_gouvernance_debat"] is False
    assert fiche.facts["pacte_gouvernance_debat"].source == "Ordre du jour"


def test_a_consultant_reads_the_fiche_without_a_form(app_env):
    owner = make_user(engine(), "owner@exemple.fr")
    world = make_world(engine(), coordinator=owner, n_participants=0)
    tid = world.territory.id
    with session_scope(engine()) as s:
        owner_actor = accounts.actor_for(s, user_id=owner.id)
    service.save_facts(
        engine(),
        owner_actor,
        tid,
        get_settings().questions_dir,
        values={
            "pcaet": True,
            "conference_maires": False,
            "competences": [{"nom": "Voirie", "interet_communautaire_defini": False}],
        },
        sources={"pcaet": "PCAET adopté le 12 mars 2020"},
    )
    consultant = make_user(engine(), "conseil@exemple.fr")
    with session_scope(engine()) as s:
        accounts.grant(s, user_id=consultant.id, territory_id=tid, role="consultant", actor="t")
    at = on_the_fiche("conseil@exemple.fr")
    text = shown(at)
    assert "Lecture seule" in text
    assert "Plan climat-air-énergie territorial (PCAET) adopté : oui" in text
    assert "PCAET adopté le 12 mars 2020 · mis à jour le" in text
    assert "Réunions de la conférence des maires par an : sans objet" in text
    assert "Voirie — Intérêt communautaire défini : non" in text
    assert not at.get("form") and not at.radio and not at.date_input


def test_a_territory_without_any_role_shows_nothing(app_env):
    make_user(engine(), "x@exemple.fr")
    make_world(engine(), name="CC Secrète", n_participants=0)
    at = signed_in("x@exemple.fr")
    at.switch_page("pages/fiche.py").run()
    assert "Fiche du territoire" not in [t.value for t in at.title]
    assert "CC Secrète" not in str(at)
