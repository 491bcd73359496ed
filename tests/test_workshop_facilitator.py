"""The facilitator's hand on the room (issue 20), as AppTest sees the pages: pause and one more
minute, vote results revealed when the room has voted (from the console or the projection's
small controls), the workshop's programme edited on the console, the Fonction chosen on
joining, the last second typed before a step change kept."""

from __future__ import annotations

import json

import pytest

from diagnostic.workshop import service
from tests.factories import field_data, send_text
from tests.test_workshop_pages import (
    alice_at_personal,
    app,
    engine,
    index_of,
    opened,
    room,
    signed_in,
    texts,
)

__all__ = ["room"]  # the fixture, shared with the pages' tests


def edit_table(at, key: str, edited_rows: dict[int, dict]):
    """AppTest: what st.data_editor sends once cells were edited, then the run that follows
    (AppTest draws the editor as a plain element, without a setter of its own)."""
    [editor] = [e for e in at.get("dataframe") if e.key == key]
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = editor.proto.id
    widget.string_value = json.dumps(
        {
            "edited_rows": {str(r): cells for r, cells in edited_rows.items()},
            "added_rows": [],
            "deleted_rows": [],
        }
    )
    return at._run(states)


@pytest.fixture
def console(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    at = signed_in()
    at.switch_page("pages/atelier.py").run()
    assert not at.exception
    return at, made


def test_pause_one_more_minute_and_resume_from_the_console(room, console):
    alpha, beta, actor, prog = room
    at, made = console
    at.button(key="ws_pause").click().run()
    assert not at.exception
    now = service.live_state(engine(), made.workshop_id)
    assert now.timer.paused and "En pause" in texts(at)
    left = service.seconds_left(now, prog.step(0).seconds)
    at.button(key="ws_more").click().run()
    at.button(key="ws_more").click().run()
    now = service.live_state(engine(), made.workshop_id)
    assert service.seconds_left(now, prog.step(0).seconds) == left + 120
    screen = app(ecran=made.screen_token)  # the projection shows the pause too
    assert "En pause" in texts(screen)
    at.button(key="ws_resume").click().run()
    assert not service.live_state(engine(), made.workshop_id).timer.paused
    assert "En pause" not in texts(at) and "ws_pause" in {b.key for b in at.button}


def test_pause_one_more_minute_and_reveal_from_the_projection_s_small_controls(room, console):
    """The facilitator's projection (opened from their menu) has the console's hand on the
    clock and on a vote's results; the read-only screen link has no control at all."""
    alpha, beta, actor, prog = room
    at, made = console
    revote = index_of(prog, "revote")
    step = prog.steps[revote]
    service.go_to(engine(), actor, made.workshop_id, revote, prog)
    at.switch_page("pages/atelier_projection.py").run()
    assert not at.exception
    assert at.button(key="pj_pause").label == "Pause"
    at.button(key="pj_pause").click().run()
    now = service.live_state(engine(), made.workshop_id)
    assert now.timer.paused and "En pause" in texts(at)
    left = service.seconds_left(now, step.seconds)
    at.button(key="pj_more").click().run()
    now = service.live_state(engine(), made.workshop_id)
    assert service.seconds_left(now, step.seconds) == left + 60
    at.button(key="pj_resume").click().run()
    assert not service.live_state(engine(), made.workshop_id).timer.paused
    assert "Les résultats s'afficheront quand l'animation les révélera." in texts(at)
    button = at.button(key=f"pj_reveal_{step.id}_False")
    assert button.label == "Révéler les résultats"
    button.click().run()
    assert not at.exception
    assert service.live_state(engine(), made.workshop_id).shows_results(step)
    assert "Les résultats s'afficheront quand l'animation les révélera." not in texts(at)
    service.pause_timer(engine(), actor, made.workshop_id)  # from the console, meanwhile
    at.run()
    assert at.button(key="pj_resume").label == "Reprendre"
    assert at.button(key=f"pj_reveal_{step.id}_True").label == "Masquer les résultats"
    screen = app(ecran=made.screen_token)
    assert not [b for b in screen.button if b.key and b.key.startswith("pj_")]


def test_results_revealed_from_the_console_and_announced_on_the_phones(room, console):
    alpha, beta, actor, prog = room
    at, made = console
    _, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=alpha.territory.id, role="dgs"
    )
    revote = index_of(prog, "revote")
    assert "ws_reveal_nouveau_vote_False" not in {b.key for b in at.button}  # not a vote step
    service.go_to(engine(), actor, made.workshop_id, revote, prog)
    at.run()
    phone = app(atelier=made.code, p=token)
    assert "**Résultats bientôt à l'écran**" in texts(phone)
    button = at.button(key=f"ws_reveal_{prog.steps[revote].id}_False")
    assert button.label == "Révéler les résultats"
    button.click().run()
    assert not at.exception
    step = prog.steps[revote]
    assert service.live_state(engine(), made.workshop_id).shows_results(step)
    assert at.button(key=f"ws_reveal_{step.id}_True").label == "Masquer les résultats"
    phone.run()
    assert "**Résultats à l'écran.**" in texts(phone)
    at.button(key=f"ws_reveal_{step.id}_True").click().run()
    assert not service.live_state(engine(), made.workshop_id).shows_results(step)


def test_the_programme_edited_on_the_console_and_restored(room, console):
    alpha, beta, actor, prog = room
    at, made = console
    editor = "ws_programme_editor_0"
    # the welcome moved after the results, a duration of 0: every problem, nothing stored
    at = edit_table(at, editor, {0: {"order": 3}, 1: {"minutes": 0}})
    at.button(key="ws_programme_save").click().run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("Déroulé non enregistré :")
    assert "étape « resultats » \\: « minutes » doit valoir au moins 1" in error.value  # plain()
    assert service.live_state(engine(), made.workshop_id).revision == 0
    at = edit_table(at, editor, {0: {"order": 3}, 1: {"minutes": 5}})
    at.button(key="ws_programme_save").click().run()
    [error] = at.error
    assert "étape « accueil » \\: l'accueil \\(welcome\\) est la première étape" in error.value
    # a new title and duration, the last personal step removed: stored for this workshop
    at = edit_table(
        at, editor, {1: {"title": "Nos résultats, en bref", "minutes": 6}, 4: {"removed": True}}
    )
    at.button(key="ws_programme_save").click().run()
    assert not at.exception and not at.error
    assert "Déroulé enregistré pour cet atelier." in texts(at)
    info = service.facilitated(engine(), actor, made.workshop_id)
    edited = service.programme_of(engine(), info, app_questions())
    kept = len(prog.steps) - 1  # one step removed
    assert edited.steps[1].title == "Nos résultats, en bref" and len(edited.steps) == kept
    # the console's intro counts this workshop's steps and minutes, no longer the shipped ones
    assert edited.total_minutes != prog.total_minutes
    assert f"Déroulé en {kept} étapes ({edited.total_minutes} minutes)" in texts(at)
    assert f"Déroulé en {len(prog.steps)} étapes" not in texts(at)
    assert "2. Nos résultats, en bref" in at.get("button_group")[0].proto.options[1].content
    screen = app(ecran=made.screen_token)
    service.go_to(engine(), actor, made.workshop_id, 1, edited)
    screen.run()
    assert "# Nos résultats, en bref" in texts(screen) and f"Étape 2 sur {kept}" in texts(screen)
    at.button(key="ws_programme_reset").click().run()
    assert "Déroulé d'origine rétabli." in texts(at)
    assert f"Déroulé en {len(prog.steps)} étapes ({prog.total_minutes} minutes)" in texts(at)
    assert service.programme_of(engine(), info, app_questions()) == prog


def app_questions():
    from diagnostic.settings import get_settings

    return get_settings().questions_dir


def test_the_fonction_is_chosen_by_each_person_never_given(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    at = app(atelier=made.code)
    assert at.selectbox(key="ws_role").value is None
    at.text_input(key="ws_nickname").input("Alice")
    at.selectbox(key="ws_territory").set_value(alpha.territory.id)
    at.button[0].click().run()
    assert "Impossible de rejoindre : choisissez votre fonction dans la liste." in texts(at)
    assert service.seat_counts(engine(), made.workshop_id) == {}
    at.selectbox(key="ws_role").set_value("elu")
    at.button[0].click().run()
    assert not at.exception and "Bienvenue Alice" in texts(at)


def test_the_last_second_typed_before_the_step_changes_is_kept(room):
    """The browser sends a field's text as the field goes away: the run after « next step »
    still knows the old field (hidden), and its text becomes that step's draft."""
    alpha, beta, actor, prog = room
    made, seat, token, personal = alice_at_personal(room)
    phone = app(atelier=made.code, p=token)
    send_text(phone, f"ws_text_{personal}_0", "Le début")
    service.go_to(engine(), actor, made.workshop_id, personal + 1, prog)
    phone.run()
    assert field_data(phone, f"ws_text_{personal}_0")  # the old field, hidden, one run more
    send_text(phone, f"ws_text_{personal}_0", "Le début et la fin tapée à la dernière seconde")
    assert not phone.exception
    assert "Le début et la fin tapée à la dernière seconde" in texts(phone)  # « non envoyé »
    assert field_data(phone, f"ws_text_{personal + 1}_0")["value"] == ""


def test_a_phone_may_write_and_send_during_a_pause(room):
    alpha, beta, actor, prog = room
    made, seat, token, personal = alice_at_personal(room)
    service.pause_timer(engine(), actor, made.workshop_id)
    phone = app(atelier=made.code, p=token)
    said = texts(phone)
    assert "En pause" in said and "vous pouvez continuer à écrire et à envoyer" in said
    send_text(phone, f"ws_text_{personal}_0", "Écrit pendant la pause")
    phone.button(key=f"ws_send_{personal}_0").click().run()
    assert [p.text for p in service.my_posts(engine(), seat)] == ["Écrit pendant la pause"]


def test_a_phone_s_draft_follows_its_step_when_the_programme_is_reordered(room):
    alpha, beta, actor, prog = room
    made, seat, token, personal = alice_at_personal(room)
    phone = app(atelier=made.code, p=token)
    send_text(phone, f"ws_text_{personal}_0", "Mon brouillon")
    info = service.facilitated(engine(), actor, made.workshop_id)
    rows = service.programme_rows(engine(), info, app_questions())
    rows.insert(1, rows.pop(personal))  # the step moves up, just after the welcome
    edited = service.edit_programme(engine(), actor, made.workshop_id, rows, app_questions())
    assert edited.steps[1].id == prog.steps[personal].id
    assert service.live_state(engine(), made.workshop_id).step == 1  # the room stays on it
    phone.run()
    assert not phone.exception
    assert f"2. {prog.steps[personal].title}" in texts(phone)
    assert field_data(phone, "ws_text_1_0")["value"] == "Mon brouillon"  # not lost, not moved
    assert "Texte non envoyé" not in texts(phone)
