"""AppTest of the campaign page: creation, invitations, participation, reissue and close."""

from __future__ import annotations

from sqlmodel import select

from diagnostic.store.engine import session_scope
from tests.factories import make_user, make_world
from tests.pages_kit import app, engine, signed_in, titles


def test_campaign_page_invites_and_follows_participation(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=2)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "0", "0"]
    at.text_input(key="inv_name").input("Jeanne <b>Dupont</b>")
    at.selectbox(key="inv_role").set_value("dst")
    at.selectbox(key="inv_structure").set_value(world.communes[0].id)
    at.button(key="FormSubmitter:invite_form-Ajouter et obtenir le lien").click().run()
    assert not at.exception
    link = at.code[0].value
    assert link.startswith("http://testserver/?t=")
    assert [m.value for m in at.metric] == ["3", "0", "0"]
    table = at.dataframe[0].value
    assert "Jeanne <b>Dupont</b>" in list(table["Nom"])  # shown as data, never as HTML
    # the new link opens the questionnaire of that participant
    respondent = app(link.split("t=")[1])
    assert titles(respondent) == ["Questionnaire de test"]
    assert "DST — CC Test commune A" in respondent.caption[0].value


def test_campaign_reissue_and_close(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=1)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    at.button(key="reissue").click().run()
    new_link = at.code[0].value
    assert titles(app(world.tokens[0])) == ["Lien invalide ou expiré"]
    assert titles(app(new_link.split("t=")[1])) == ["Questionnaire de test"]
    at.button(key="close").click().run()
    assert titles(app(new_link.split("t=")[1])) == ["Lien invalide ou expiré"]


def test_campaign_page_creates_a_campaign(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC Nouvelle")
    at.button[0].click().run()
    at.switch_page("pages/campagne.py").run()
    assert "pas encore de campagne" in at.info[0].value
    at.button(key="FormSubmitter:campaign_form-Créer et ouvrir la campagne").click().run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["0", "0", "0"]
    assert any("**Réponses pseudonymes**" in m.value for m in at.markdown)


def test_named_answers_are_chosen_at_creation_and_fixed_by_the_first_answer(app_env):
    from diagnostic.store.models import Campaign

    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC Nouvelle")
    at.button[0].click().run()
    at.switch_page("pages/campagne.py").run()
    at.checkbox(key="camp_named").check()
    at.button(key="FormSubmitter:campaign_form-Créer et ouvrir la campagne").click().run()
    assert not at.exception
    assert any("**Campagne nominative**" in m.value for m in at.markdown)
    with session_scope(engine()) as s:
        campaign = s.exec(select(Campaign)).one()
        assert campaign.named_answers
    toggle = at.toggle(key=f"named_{campaign.id}")
    toggle.set_value(False).run()  # nobody has answered yet: still possible
    assert any("**Réponses pseudonymes**" in m.value for m in at.markdown)
    at.toggle(key=f"named_{campaign.id}").set_value(True).run()
    at.text_input(key="inv_name").input("Jeanne Dupont")
    at.button(key="FormSubmitter:invite_form-Ajouter et obtenir le lien").click().run()
    token = at.code[0].value.split("t=")[1]
    respondent = app(token)
    assert "**Campagne nominative.**" in respondent.warning[0].value
    respondent.button(key="start").click().run()
    respondent.radio(key="q_ctx_structure").set_value("epci").run()
    at.switch_page("pages/campagne.py").run()
    assert not [t for t in at.toggle if t.key == f"named_{campaign.id}"]
    assert any("ce choix ne peut plus changer" in c.value for c in at.caption)
    assert "Campagne nominative" in respondent.caption[1].value  # reminded on every page


def test_the_territory_worked_on_stays_selected_across_pages_and_in_the_address(app_env):
    user = make_user(engine())
    first = make_world(engine(), coordinator=user, name="CC Amont", n_participants=3)
    second = make_world(engine(), coordinator=user, name="CC Aval", n_participants=3)
    stranger = make_world(engine(), name="CC Ailleurs", n_participants=0)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert at.selectbox(key="camp_territory").value == first.territory.id
    at.selectbox(key="camp_territory").set_value(second.territory.id).run()
    assert at.query_params["territoire"] == str(second.territory.id)  # in the address
    # Another page opens on the same territory and campaign, without choosing again.
    for page, key in (("pages/resultats.py", "res"), ("pages/fiche.py", "fiche")):
        at.switch_page(page).run()
        assert not at.exception
        assert at.selectbox(key=f"{key}_territory").value == second.territory.id, page
    at.switch_page("pages/consensus.py").run()
    assert at.selectbox(key="cons_campaign").value == second.campaign_id
    # An address shared with a colleague opens on its territory ...
    other = signed_in("coord@exemple.fr")
    other.query_params["territoire"] = str(second.territory.id)
    other.switch_page("pages/campagne.py").run()
    assert other.selectbox(key="camp_territory").value == second.territory.id
    # ... and one naming a territory the person may not open says so, showing one of theirs.
    wary = signed_in("coord@exemple.fr")
    wary.query_params["territoire"] = str(stranger.territory.id)
    wary.switch_page("pages/campagne.py").run()
    assert wary.selectbox(key="camp_territory").value == first.territory.id
    assert any("ne pouvez pas ouvrir avec ce compte" in i.value for i in wary.info)
