"""The respondent's link is read once per run (one read transaction shared by the router, the
guard and the page) and again at every run: an open questionnaire session is refused, or
locked, at its next rerun after the link is revoked, the respondent erased, the campaign
closed or the questionnaire submitted elsewhere."""

from __future__ import annotations

import pytest

from diagnostic.answering import respondent
from diagnostic.store import campaigns
from diagnostic.store.engine import session_scope
from diagnostic.store.privacy import erase_participant
from tests.factories import make_world
from tests.pages_kit import engine, started, titles

REFUSED = "Cette page ne vous est pas accessible."


@pytest.fixture
def world(app_env):
    return make_world(engine(), n_participants=2)


def refused(at) -> bool:
    return not at.exception and REFUSED in [e.value for e in at.error] and not at.radio


def test_invitation_by_token_applies_the_link_rules(world):
    eng = engine()
    with session_scope(eng) as s:
        participant, campaign, territory, structure = campaigns.invitation_by_token(
            s, token=world.tokens[1]
        )
        assert participant.id == world.participants[1].id
        assert campaign.id == world.campaign_id
        assert territory.id == world.territory.id
        assert structure.id == world.participants[1].structure_id != territory.id
        for bad in (None, "", "n'importe quoi", world.tokens[0][:-2] + "xx"):
            assert campaigns.invitation_by_token(s, token=bad) is None
        new = campaigns.reissue_token(s, participant_id=world.participants[0].id, actor="t")
    with session_scope(eng) as s:
        assert campaigns.invitation_by_token(s, token=world.tokens[0]) is None  # revoked
        assert campaigns.invitation_by_token(s, token=new) is not None
        campaigns.set_status(s, campaign_id=world.campaign_id, status="closed", actor="t")
    with session_scope(eng) as s:
        assert campaigns.invitation_by_token(s, token=new) is None  # campaign closed


def test_open_invitation_reads_answers_and_submission_in_the_same_read(world, questions_dir):
    eng = engine()
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("commune").run()
    inv = respondent.open_invitation(eng, questions_dir, world.tokens[0])
    assert inv is not None and not inv.submitted
    assert dict(inv.answers) == {"ctx_structure": {"choice": "commune"}}
    with session_scope(eng) as s:
        campaigns.mark_submitted(s, participant_id=world.participants[0].id)
    assert respondent.open_invitation(eng, questions_dir, world.tokens[0]).submitted


def test_an_open_session_is_refused_at_its_next_rerun_once_the_link_is_revoked(world):
    at = started(world.tokens[0])
    assert at.radio(key="q_ctx_structure") is not None
    with session_scope(engine()) as s:
        campaigns.reissue_token(s, participant_id=world.participants[0].id, actor="t")
    at.run()
    assert refused(at)


def test_an_open_session_is_refused_at_its_next_rerun_once_the_campaign_is_closed(world):
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("epci").run()
    with session_scope(engine()) as s:
        campaigns.set_status(s, campaign_id=world.campaign_id, status="closed", actor="t")
    at.radio(key="q_ctx_structure").set_value("commune").run()  # a change, then the rerun
    assert refused(at)


def test_an_open_session_is_refused_at_its_next_rerun_once_the_respondent_is_erased(world):
    at = started(world.tokens[1])
    with session_scope(engine()) as s:
        erase_participant(
            s, participant_id=world.participants[1].id, actor="t", action="privacy.erase"
        )
    at.run()
    assert refused(at)


def test_an_open_session_is_locked_at_its_next_rerun_once_submitted_elsewhere(world):
    at = started(world.tokens[0])
    assert not at.radio(key="q_ctx_structure").disabled
    with session_scope(engine()) as s:
        campaigns.mark_submitted(s, participant_id=world.participants[0].id)
    at.run()
    assert not at.exception
    assert titles(at) == ["Questionnaire de test"]
    assert "Vos réponses ont été envoyées" in at.success[0].value
    assert at.radio(key="q_ctx_structure").disabled
