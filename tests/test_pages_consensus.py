"""AppTest of the consensus meeting page."""

from __future__ import annotations

from diagnostic.store.engine import session_scope
from tests.factories import make_user, make_world
from tests.pages_kit import engine, signed_in, submit_answers, titles


def test_consensus_meeting_records_a_level_and_moves_on(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=4)
    submit_answers(world, [1, 5, 1, 5])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/consensus.py").run()
    assert not at.exception
    assert titles(at) == ["Réunion de consensus"]
    # the polarised item comes first
    assert at.selectbox(key=f"cons_pick_{world.campaign_id}").value == "ins_debat"
    at.radio(key="cons_level_ins_debat").set_value(3)
    at.text_area(key="cons_rationale_ins_debat").input("Accord : <b>débat</b> prévu")
    at.button(key="FormSubmitter:consensus_form-Enregistrer le consensus").click().run()
    assert not at.exception
    assert "Consensus enregistré" in at.success[0].value
    assert at.selectbox(key=f"cons_pick_{world.campaign_id}").value != "ins_debat"
    from diagnostic.store import consensus as consensus_store

    with session_scope(engine()) as s:
        frame = consensus_store.consensus_frame(s, campaign_id=world.campaign_id)
    assert frame[["question_id", "level", "rationale"]].values.tolist() == [
        ["ins_debat", 3, "Accord : <b>débat</b> prévu"]
    ]
    # the results now use it and say so
    at.switch_page("pages/resultats.py").run()
    assert not at.exception


def test_consensus_requires_a_level(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 5, 3])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/consensus.py").run()
    at.button(key="FormSubmitter:consensus_form-Enregistrer le consensus").click().run()
    assert "Choisissez le niveau retenu" in at.error[0].value
