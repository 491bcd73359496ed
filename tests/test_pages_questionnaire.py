"""AppTest of the respondent's questionnaire: introduction, autosave, every widget, submit."""

from __future__ import annotations

import re
import shutil

import pytest

from diagnostic.settings import get_settings
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Participant
from tests.factories import field_data, make_world, send_text
from tests.pages_kit import app, engine, started, stored, titles


@pytest.fixture
def world(app_env):
    return make_world(engine(), n_participants=2)


def test_respondent_sees_introduction_first(world):
    at = app(world.tokens[0])
    assert not at.exception
    assert titles(at) == ["Questionnaire de test"]
    assert at.header[0].value == "Avant de commencer"
    assert any("Environ **5 minutes**" in m.value for m in at.markdown)
    assert any("Qui voit quoi" in m.value for m in at.markdown)
    # the promises of a pseudonymous campaign, word for word (docs/promesses.yaml)
    from diagnostic.privacy.service import promises

    shown = "\n".join(m.value for m in at.markdown)
    for promise in promises(get_settings(), named=False):
        assert promise.text in shown, promise.id
    assert "campagne nominative" not in shown
    assert not at.warning


def test_answer_is_stored_at_once_and_restored_on_reopening(world):
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("commune").run()
    assert not at.exception
    assert stored(pid) == {"ctx_structure": {"choice": "commune"}}
    # the conditional question appears once its condition is met
    assert any(r.key == "q_ctx_commune_taille" for r in at.radio)
    # a new browser session with the same link finds the answer where it was
    again = app(world.tokens[0])
    assert again.radio(key="q_ctx_structure").value == "commune"
    # another respondent's link sees nothing of it
    other = started(world.tokens[1])
    assert other.radio(key="q_ctx_structure").value is None
    assert stored(world.participants[1].id) == {}


def test_sections_navigation_and_every_widget_type(world):
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.button(key="next").click().run()
    assert at.header[0].value == "2. Instances de concertation"
    at.radio(key="q_ins_codir_current").set_value(2).run()
    at.radio(key="q_ins_codir_target").set_value(4).run()
    at.radio(key="q_ins_codir_importance").set_value(3).run()
    at.radio(key="q_ins_debat").set_value("nsp").run()
    at.button(key="next").click().run()
    at.multiselect(key="q_act_priorites").select("habitat").select("mobilites").run()
    at.radio(key="q_act_grille_departement_current").set_value(1).run()
    at.radio(key="q_act_grille_departement_desired").set_value(3).run()
    send_text(at, "q_act_libre_texte", "La **région**")
    assert not at.exception
    got = stored(pid)
    assert got["ins_codir"] == {"current": 2, "target": 4, "importance": 3}
    assert got["ins_debat"] == {"dont_know": True}
    assert got["act_priorites"] == {"ranking": ["habitat", "mobilites"]}
    assert got["act_grille"] == {"rows": {"departement": {"current": 1, "desired": 3}}}
    assert got["act_libre"] == {"text": "La **région**"}
    at.button(key="prev").click().run()
    assert at.header[0].value == "2. Instances de concertation"
    assert at.radio(key="q_ins_codir_target").value == 4


def test_free_text_is_saved_as_typed_and_the_field_says_so_in_french(world):
    """The autosaved field sends the text while the person types (no Ctrl+Entrée, no leaving
    the field): it is stored through the answers' autosave and the field is told it is saved."""
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.selectbox(key="section_picker").set_value(2).run()
    assert not any(t.key == "q_act_libre" for t in at.text_area)  # no Streamlit text area
    data = field_data(at, "q_act_libre_texte")
    assert (
        data["label"] == "Quel acteur manque aujourd'hui autour de la table ?"
        and data["max"] == 500
        and data["ack"] is None
    )
    send_text(at, "q_act_libre_texte", "  Un texte\u200b en cours ")
    assert not at.exception
    assert stored(pid) == {"act_libre": {"text": "Un texte en cours"}}  # cleaned as before
    data = field_data(at, "q_act_libre_texte")
    assert (data["ack"], data["state"]) == ("  Un texte\u200b en cours ", "saved")
    assert data["value"] == "Un texte en cours"
    # too long: refused with the reason in French, and the field says it is not saved
    send_text(at, "q_act_libre_texte", "x" * 501)
    assert field_data(at, "q_act_libre_texte")["state"] == "error"
    assert "dépasse 500 caractères" in at.error[0].value
    assert stored(pid) == {"act_libre": {"text": "Un texte en cours"}}
    # a new session with the same link finds the text in the field
    again = app(world.tokens[0])
    assert field_data(again, "q_act_libre_texte")["value"] == "Un texte en cours"


def test_reopening_the_link_resumes_at_the_part_last_answered(world):
    at = started(world.tokens[0])
    assert at.header[0].value == "1. Vous et votre structure"
    at.radio(key="q_ctx_structure").set_value("epci").run()
    at.button(key="next").click().run()
    at.radio(key="q_ins_debat").set_value(2).run()
    at.button(key="next").click().run()  # looked at part 3 without answering there
    assert at.header[0].value == "3. Acteurs et besoins"
    again = app(world.tokens[0])
    assert not again.exception
    assert again.header[0].value == "2. Instances de concertation"
    assert "Reprise à la partie 2, là où vous vous étiez arrêté·e" in again.info[0].value
    assert again.selectbox(key="section_picker").value == 1
    # within the session, moving between parts is not overridden
    again.button(key="prev").click().run()
    assert again.header[0].value == "1. Vous et votre structure"
    assert not again.info
    # an answer given in part 1 again: the next visit opens there, without a notice
    again.radio(key="q_ctx_structure").set_value("commune").run()
    third = app(world.tokens[0])
    assert third.header[0].value == "1. Vous et votre structure"
    assert not third.info


def test_submit_warns_of_missing_items_then_locks(world):
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.selectbox(key="section_picker").set_value(2).run()
    at.button(key="submit").click().run()
    assert "Répondez d'abord" in at.error[0].value
    assert re.search(r"\d+ questions? obligatoires? sans réponse : ", at.warning[0].value)
    at.selectbox(key="section_picker").set_value(0).run()
    at.radio(key="q_ctx_structure").set_value("epci").run()
    at.button(key="next").click().run()
    at.radio(key="q_ins_codir_current").set_value(3).run()
    at.radio(key="q_ins_codir_target").set_value(4).run()
    at.radio(key="q_ins_codir_importance").set_value(2).run()
    at.radio(key="q_ins_debat").set_value(3).run()
    at.button(key="next").click().run()
    at.multiselect(key="q_act_priorites").select("habitat").select("mobilites").select(
        "economie"
    ).run()
    for row in ("departement", "region"):
        at.radio(key=f"q_act_grille_{row}_current").set_value(1).run()
        at.radio(key=f"q_act_grille_{row}_desired").set_value(2).run()
    at.button(key="submit").click().run()
    assert not at.exception
    with session_scope(engine()) as s:
        assert s.get(Participant, pid).submitted_at is not None
    locked = app(world.tokens[0])
    assert "Vos réponses ont été envoyées" in locked.success[0].value
    assert locked.radio(key="q_ctx_structure").disabled


def test_invalid_link_page(world):
    for token in ("n'importe quoi", "A" * 43, world.tokens[0][:-2]):
        at = app(token)
        assert not at.exception
        assert titles(at) == ["Lien invalide ou expiré"]


# --- repères et outils, on the shipped questionnaire -----------------------------------------


def test_no_english_select_all_in_any_multiselect(world):
    """Streamlit 1.67 adds « Select all » (in English) to a multiselect's list: a ranking would be
    filled in the list's order in one click. The questionnaire's list never offers it, nor any
    multiselect of the pages (seen in Chromium, bench/plan_campaign_browser.py)."""
    import ast

    from tests.conftest import ROOT

    at = started(world.tokens[0])
    at.button(key="next").click().run()
    at.button(key="next").click().run()
    assert at.multiselect(key="q_act_priorites").proto.select_all == 0
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "multiselect":
                words = {k.arg: k.value for k in node.keywords}
                off = words.get("select_all")
                assert isinstance(off, ast.Constant) and off.value is False, (
                    f"{path.name}:{node.lineno}"
                )


def shown_progress(at) -> tuple[int, str]:
    """The progress bar's value (0 to 100) and its text."""
    bar = at.get("progress")[0].proto
    return bar.value, bar.text


def test_picker_names_the_part_shown_and_progress_is_full_once_required_items_are_answered(
    world,
):
    at = started(world.tokens[0])
    picker = lambda: at.selectbox(key="section_picker").value  # noqa: E731
    assert shown_progress(at) == (
        0,
        "Questions obligatoires répondues : 0 sur 5 · 0 réponse en tout",
    )
    at.radio(key="q_ctx_structure").set_value("epci").run()
    assert shown_progress(at)[1].endswith(": 1 sur 5 · 1 réponse en tout")
    at.button(key="next").click().run()
    assert (at.header[0].value, picker()) == ("2. Instances de concertation", 1)
    at.radio(key="q_ins_codir_current").set_value(3).run()
    at.radio(key="q_ins_codir_target").set_value(4).run()
    at.radio(key="q_ins_codir_importance").set_value(2).run()
    at.radio(key="q_ins_debat").set_value(3).run()
    at.button(key="prev").click().run()
    assert (at.header[0].value, picker()) == ("1. Vous et votre structure", 0)
    at.selectbox(key="section_picker").set_value(2).run()
    assert (at.header[0].value, picker()) == ("3. Acteurs et besoins", 2)
    at.multiselect(key="q_act_priorites").select("habitat").select("mobilites").select(
        "economie"
    ).run()
    for row in ("departement", "region"):
        at.radio(key=f"q_act_grille_{row}_current").set_value(1).run()
        at.radio(key=f"q_act_grille_{row}_desired").set_value(2).run()
    # every required item answered, the optional ones (a multiple choice, a free text) empty
    assert not [w for w in at.warning if "sans réponse" in w.value]
    assert shown_progress(at) == (
        100,
        "Questions obligatoires répondues : 5 sur 5 · 5 réponses en tout",
    )
    at.button(key="submit").click().run()
    assert not at.exception
    # sent: the page opens the first part again, and the picker says so
    assert (at.header[0].value, picker()) == ("1. Vous et votre structure", 0)
    assert shown_progress(at)[0] == 100


@pytest.fixture
def full_world(app_env, questions_dir):
    """The full questionnaire: a DGS of the intercommunalité and a manager of a commune."""
    from diagnostic.questionnaire import load_questionnaire
    from tests.conftest import ROOT

    source = ROOT / "questions" / "questionnaires" / "gouvernance.yaml"
    shutil.copy(source, questions_dir / "questionnaires" / "gouvernance.yaml")
    version = load_questionnaire(source).version
    world = make_world(engine(), questionnaire=("gouvernance", version), n_participants=2)
    with session_scope(engine()) as s:
        s.get(Participant, world.participants[1].id).role = "encadrant"
    return world


def notes(at) -> list[str]:
    return [c.value for c in at.caption if "préremplie d'après votre invitation" in c.value]


def test_function_and_structure_are_prefilled_from_the_invitation_and_correctable(full_world):
    dgs, manager = full_world.participants
    at = app(full_world.tokens[0])
    assert stored(dgs.id) == {}  # nothing is written before the questionnaire is started
    at.button(key="start").click().run()
    assert not at.exception
    assert stored(dgs.id) == {
        "ctx_fonction": {"choice": "dgs"},
        "ctx_structure": {"choice": "epci"},
    }
    assert at.radio(key="q_ctx_fonction").value == "dgs"
    assert at.radio(key="q_ctx_structure").value == "epci"
    assert len(notes(at)) == 2
    assert shown_progress(at)[1].endswith(" · 2 réponses en tout")
    # corrected like any answer; the note goes with the invitation's value
    at.radio(key="q_ctx_fonction").set_value("directeur").run()
    assert stored(dgs.id)["ctx_fonction"] == {"choice": "directeur"}
    assert len(notes(at)) == 1
    # a new visit keeps the correction: the invitation never writes over an answer
    again = app(full_world.tokens[0])
    assert again.radio(key="q_ctx_fonction").value == "directeur"
    assert stored(dgs.id)["ctx_fonction"] == {"choice": "directeur"}

    # « encadrant » says too little to choose a function: only the structure is given, and
    # the question that depends on it (the commune's population) is asked at once
    other = started(full_world.tokens[1])
    assert stored(manager.id) == {"ctx_structure": {"choice": "commune"}}
    assert other.radio(key="q_ctx_fonction").value is None
    assert other.radio(key="q_ctx_structure").value == "commune"
    assert any(r.key == "q_ctx_strate_commune" for r in other.radio)
    assert len(notes(other)) == 1


def test_grid_shortcuts_copy_the_row_above_and_today_into_desired(world):
    """« Même réponse que la ligne précédente » fills an empty row with the row above; the
    « souhaitée » shortcut copies today's level where no desired level is given; both stored."""
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.button(key="next").click().run()
    at.button(key="next").click().run()
    same = "q_act_grille_region_same"
    desired = "q_act_grille_desired"
    assert not [b for b in at.button if b.key in (same, desired)]  # nothing to copy yet
    at.radio(key="q_act_grille_departement_current").set_value(2).run()
    assert [b.key for b in at.button if b.key == desired]
    assert not [b for b in at.button if b.key == same]  # the row above is not complete
    at.radio(key="q_act_grille_departement_desired").set_value(4).run()
    at.button(key=same).click().run()
    assert not at.exception
    assert stored(pid)["act_grille"] == {
        "rows": {
            "departement": {"current": 2, "desired": 4},
            "region": {"current": 2, "desired": 4},
        }
    }
    assert at.radio(key="q_act_grille_region_desired").value == 4
    assert not [b for b in at.button if b.key in (same, desired)]  # the row is answered now


def test_grid_desired_shortcut_copies_today_only_where_desired_is_empty(world):
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.selectbox(key="section_picker").set_value(2).run()
    at.radio(key="q_act_grille_departement_current").set_value(2).run()
    at.radio(key="q_act_grille_region_current").set_value("nsp").run()
    shortcut = at.button(key="q_act_grille_desired")
    assert "1 ligne sans réponse" in shortcut.label
    shortcut.click().run()
    assert not at.exception
    assert stored(pid)["act_grille"] == {
        "rows": {"departement": {"current": 2, "desired": 2}, "region": {"current": "nsp"}}
    }
    assert at.radio(key="q_act_grille_departement_desired").value == 2
    assert not [b for b in at.button if b.key == "q_act_grille_desired"]


def updated(pid: int) -> dict[str, object]:
    from sqlmodel import select

    from diagnostic.store.models import Answer

    with session_scope(engine()) as s:
        rows = s.exec(select(Answer).where(Answer.participant_id == pid)).all()
        return {a.question_id: a.updated_at for a in rows}


def test_a_new_session_stores_the_answer_the_browser_sent_with_its_first_run(world):
    """The page's process restarted, or died and nginx sent the page to another one: the
    browser's first message to the new session carries its widgets' values, the one just
    clicked included, but no on_change of the new session can fire (README § Hébergement)."""
    from streamlit.testing.v1 import AppTest

    from tests.pages_kit import APP

    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("commune").run()
    at.button(key="next").click().run()
    at.radio(key="q_ins_codir_current").set_value(2).run()
    before = stored(pid)
    at.radio(key="q_ins_debat").set_value(3)  # clicked while the page reconnects
    states = at._tree.get_widget_states()
    fresh = AppTest.from_file(APP, default_timeout=60)  # a new session, as on another process
    fresh.query_params["t"] = world.tokens[0]
    fresh._run(states)
    assert not fresh.exception
    assert stored(pid) == {**before, "ins_debat": {"level": 3}}
    assert fresh.radio(key="q_ins_debat").value == 3


def test_a_new_visit_rewrites_none_of_the_answers_it_shows(world):
    """keep_unsaved compares what each widget shows with the stored answer: on an ordinary
    new visit they agree for every question type, and nothing is written again."""
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("commune").run()
    at.radio(key="q_ctx_commune_taille").set_value("petite").run()
    at.multiselect(key="q_ctx_outils").select("pacte").run()
    at.button(key="next").click().run()
    at.radio(key="q_ins_codir_current").set_value(2).run()
    at.radio(key="q_ins_codir_target").set_value(4).run()
    at.radio(key="q_ins_debat").set_value("nsp").run()
    at.button(key="next").click().run()
    at.multiselect(key="q_act_priorites").select("habitat").select("mobilites").run()
    at.radio(key="q_act_grille_departement_current").set_value(1).run()
    at.radio(key="q_act_grille_departement_desired").set_value(3).run()
    send_text(at, "q_act_libre_texte", "La région")
    before = updated(pid)
    assert {"ctx_outils", "ins_debat", "act_priorites", "act_grille", "act_libre"} <= set(before)
    again = app(world.tokens[0])  # reopens part 3, answered last
    assert again.header[0].value == "3. Acteurs et besoins"
    assert again.radio(key="q_act_grille_departement_desired").value == 3
    assert updated(pid) == before
    again.button(key="prev").click().run()
    again.button(key="prev").click().run()
    assert updated(pid) == before


def test_a_new_session_makes_the_move_the_browser_clicked_while_reconnecting(world):
    """« Partie suivante » or « Partie précédente » clicked while the page reconnects to a new
    session (another process): that session has no callback of its own, the page makes the
    move itself, once, and keeps the answer clicked with it; an ordinary session moves by the
    callback alone (one part per click, never two)."""
    from streamlit.testing.v1 import AppTest

    from tests.pages_kit import APP

    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("epci").run()
    at.button(key="next").click().run()
    assert at.header[0].value.startswith("2.") and at.query_params["partie"] == "2"
    for key, shown in (("next", "3."), ("prev", "1.")):
        browser = AppTest.from_file(APP, default_timeout=60)  # the page, as drawn before
        browser.query_params["t"] = world.tokens[0]
        browser.query_params["partie"] = "2"
        browser.run()
        assert browser.header[0].value.startswith("2.")
        browser.radio(key="q_ins_debat").set_value(3)  # clicked while reconnecting…
        browser.button(key=key).click()  # … then the move
        states = browser._tree.get_widget_states()
        fresh = AppTest.from_file(APP, default_timeout=60)  # a new session, another process
        fresh.query_params["t"] = world.tokens[0]
        fresh.query_params["partie"] = "2"
        fresh._run(states)
        assert not fresh.exception
        assert fresh.header[0].value.startswith(shown), key
        assert fresh.query_params["partie"] == shown[0]
        assert stored(pid)["ins_debat"] == {"level": 3}
    at.button(key="next").click().run()  # an ordinary session: one part, by the callback
    assert at.header[0].value.startswith("3.") and at.query_params["partie"] == "3"
    at.button(key="prev").click().run()
    assert at.header[0].value.startswith("2.")


def test_the_part_shown_is_in_the_address_and_a_new_session_keeps_it_and_the_text(world):
    """The part shown is written in the address: a page that reconnects to a new session (its
    process restarted, or another one behind the proxy) stays on it, and the text its field
    holds, typed for the session that is gone and never stored, is stored by the new one."""
    import json

    from streamlit.testing.v1 import AppTest

    from tests.pages_kit import APP

    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("epci").run()
    at.button(key="next").click().run()
    at.radio(key="q_ins_debat").set_value(2).run()
    at.button(key="next").click().run()
    assert at.query_params["partie"] == "3"
    states = at._tree.get_widget_states()
    field = next(e for e in at.get("bidi_component") if e.key == "q_act_libre_texte")
    typed = states.widgets.add()  # typed, and sent while the process was dying
    typed.id = field.proto.id
    typed.json_value = json.dumps({"value": "Une conférence des DGS"})
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.query_params["t"] = world.tokens[0]
    fresh.query_params["partie"] = "3"
    fresh._run(states)
    assert not fresh.exception
    assert fresh.header[0].value == "3. Acteurs et besoins"
    assert not fresh.info  # no « Reprise à la partie 2 »: the page stays where it was
    assert stored(pid)["act_libre"] == {"text": "Une conférence des DGS"}
    assert field_data(fresh, "q_act_libre_texte")["state"] == "saved"
    # an address naming no part of this questionnaire: the part answered last, as before
    for wrong in ("0", "12", "trois"):
        other = AppTest.from_file(APP, default_timeout=60)
        other.query_params["t"] = world.tokens[0]
        other.query_params["partie"] = wrong
        other.run()
        assert not other.exception
        assert other.header[0].value == "3. Acteurs et besoins"  # the text, answered last
        assert "Reprise à la partie 3" in other.info[0].value
        assert other.query_params["partie"] == "3"  # and the address says so again
