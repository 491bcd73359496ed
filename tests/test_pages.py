"""AppTest of every page: navigation per actor, the coordinator screens, the respondent flow."""

from __future__ import annotations

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store.engine import get_engine, session_scope
from diagnostic.store.models import Participant
from tests.conftest import ROOT
from tests.factories import PASSWORD, field_data, make_user, make_world, send_text, store_answers
from tests.markdown_check import flat, visible

APP = str(ROOT / "app.py")


def app(token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if token:
        at.query_params["t"] = token
    return at.run()


def engine():
    from diagnostic.store.engine import migrate

    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def signed_in(email: str) -> AppTest:
    at = app()
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def stored(pid: int) -> dict:
    with session_scope(engine()) as s:
        return answer_store.answers_of(s, participant_id=pid)


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
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.session_state["last_seen"] = 0
    at.run()
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]
    assert "expiré" in at.info[0].value


def test_sign_out(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/deconnexion.py").run()
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]


# --- coordinator ------------------------------------------------------------------------------


def test_coordinator_creates_a_territory(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("CC des **Étangs**")
    at.selectbox(key="t_kind").set_value("cc")
    at.text_area(key="t_communes").input("Alpha;72001\nBêta\n")
    at.button[0].click().run()
    assert not at.exception
    assert "créé avec 2 commune(s)" in at.success[0].value
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


@pytest.fixture
def world(app_env):
    return make_world(engine(), n_participants=2)


def started(token: str) -> AppTest:
    at = app(token)
    if at.button(key="start") is not None and any(b.key == "start" for b in at.button):
        at.button(key="start").click().run()
    return at


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
    assert data["label"] == "Votre réponse" and data["max"] == 500 and data["ack"] is None
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
    assert "obligatoire(s) sans réponse" in at.warning[0].value
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


@pytest.fixture
def real_questions(app_env, monkeypatch):
    monkeypatch.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
    get_settings.cache_clear()
    from diagnostic.questionnaire import registry

    registry.clear_cache()


def test_references_page_searches_without_accents(real_questions):
    at = app()
    at.switch_page("pages/reperes.py").run()
    assert titles(at) == ["Repères et outils"]
    total = at.caption[0].value
    at.text_input(key="ref_query").input("conference des maires").run()
    assert not at.exception
    assert at.caption[0].value != total
    assert any("La conférence des maires" in m.value for m in at.markdown)
    at.text_input(key="ref_query").input("introuvable-xyz").run()
    assert "Aucun repère ne correspond" in at.info[0].value


def test_questions_show_the_references_they_cite(real_questions):
    from diagnostic.questionnaire.registry import default_questionnaire

    q = default_questionnaire(ROOT / "questions")
    world = make_world(engine(), questionnaire=(q.id, q.version), n_participants=1)
    at = started(world.tokens[0])
    index = next(i for i, s in enumerate(q.sections) if any(x.references for x in s.questions))
    at.selectbox(key="section_picker").set_value(index).run()
    assert not at.exception
    assert any(e.label.startswith("Repères : ") for e in at.expander)


# --- results ----------------------------------------------------------------------------------


def submit_answers(world, levels):
    from diagnostic.questionnaire import load_questionnaire
    from diagnostic.store import campaigns
    from tests.conftest import FIXTURES

    q = load_questionnaire(FIXTURES / "mini.yaml")
    with session_scope(engine()) as s:
        for p, level in zip(world.participants, levels, strict=False):
            raw = {
                "ins_debat": {"level": level},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
            }
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)


def test_results_page_waits_for_three_submissions(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [2, 3])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert not at.exception
    assert "dès que 3 personnes au moins" in at.info[0].value


def test_results_page_tabs_and_filters(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=6)
    submit_answers(world, [4, 2, 1, 4, 2, 1])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert not at.exception
    assert titles(at) == ["Résultats du diagnostic"]
    assert "6 questionnaires envoyés pris en compte" in at.caption[0].value
    assert any(s.value == "Les angles morts" for s in at.subheader)
    # filter on the EPCI (2 respondents): too small to be shown
    at.selectbox(key="res_kind").set_value("epci").run()
    assert "Moins de 3 réponses pour ce filtre" in at.warning[0].value
    at.selectbox(key="res_kind").set_value("commune").run()
    assert "Filtre actif : 4 questionnaires" in at.info[0].value
    at.radio(key="res_grouping").set_value("role").run()
    assert not at.exception


def test_results_page_is_not_offered_to_facilitators_or_strangers(app_env):
    make_user(engine(), "x@exemple.fr")
    owner = make_user(engine(), "owner@exemple.fr")
    world = make_world(engine(), coordinator=owner, n_participants=3)
    submit_answers(world, [1, 2, 3])
    at = signed_in("x@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert "Résultats du diagnostic" not in titles(at)
    assert "CC Test" not in str(at)


def test_consensus_meeting_records_a_level_and_moves_on(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=4)
    submit_answers(world, [1, 5, 1, 5])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/consensus.py").run()
    assert not at.exception
    assert titles(at) == ["Réunion de consensus"]
    # the polarised item comes first
    assert at.selectbox(key="cons_pick").value == "ins_debat"
    at.radio(key="cons_level_ins_debat").set_value(3)
    at.text_area(key="cons_rationale_ins_debat").input("Accord : <b>débat</b> prévu")
    at.button(key="FormSubmitter:consensus_form-Enregistrer le consensus").click().run()
    assert not at.exception
    assert "Consensus enregistré" in at.success[0].value
    assert at.selectbox(key="cons_pick").value != "ins_debat"
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


def test_submitted_respondent_sees_own_profile_beside_the_territory(app_env):
    world = make_world(engine(), n_participants=3)
    submit_answers(world, [1, 3])
    at = app(world.tokens[0])
    assert "dès que 3 personnes au moins" in at.info[0].value
    submit_answers(
        world.__class__(
            world.territory,
            world.communes,
            world.campaign_id,
            world.participants[2:],
            world.tokens[2:],
        ),
        [5],
    )
    at = app(world.tokens[0])
    table = at.dataframe[0].value
    row = table.set_index("Dimension").loc["Instances de concertation"]
    # own level 1 -> 0/100; territory mean of 1, 3, 5 = 3 -> 50/100
    assert (row["Mon score"], row["Territoire"], row["Écart (points)"]) == (0, 50, -50)


def test_results_page_offers_exports(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 3])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    buttons = at.get("download_button")
    assert len(buttons) == 4
    # a pseudonymous campaign: no way to ask for names
    assert not [c for c in at.checkbox if c.key == "res_export_names"]
    assert any("code tiré au hasard" in m.value for m in at.markdown)


def test_results_page_offers_names_for_a_named_campaign_only_to_its_coordination(app_env):
    from diagnostic.store.models import Campaign, Membership

    user = make_user(engine())
    consultant = make_user(engine(), "conseil@exemple.fr")
    world = make_world(engine(), coordinator=user, n_participants=3)
    with session_scope(engine()) as s:
        campaign = s.get(Campaign, world.campaign_id)
        campaign.named_answers = True
        s.add(campaign)
        s.add(Membership(user_id=consultant.id, territory_id=world.territory.id, role="consultant"))
    submit_answers(world, [1, 2, 3])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert at.checkbox(key="res_export_names").value is False
    at.checkbox(key="res_export_names").check().run()
    assert not at.exception
    assert any("avec le nom saisi à l'invitation" in m.value for m in at.markdown)
    other = signed_in("conseil@exemple.fr")
    other.switch_page("pages/resultats.py").run()
    assert not other.exception
    assert not [c for c in other.checkbox if c.key == "res_export_names"]


# --- roadmap ----------------------------------------------------------------------------------


def test_roadmap_page_generates_edits_and_adds(app_env, questions_dir):
    import shutil

    from tests.conftest import FIXTURES

    shutil.copy(FIXTURES / "mini_actions.yaml", questions_dir / "actions.yaml")
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    assert not at.exception
    assert "Aucune action pour l'instant" in at.info[0].value
    at.button(key="fdr_generate").click().run()
    assert not at.exception
    assert "action(s) ajoutée(s)" in at.success[0].value
    assert any("Ouvrir le débat en instance" in e.label for e in at.expander)
    debate = next(e for e in at.expander if "Ouvrir le débat" in e.label)
    assert "**Pourquoi cette action ?**" in [m.value for m in debate.markdown]
    item_id = next(b.key for b in at.button if b.key and b.key.startswith("fdr_up_")).split("_")[-1]
    at.text_input(key=f"fdr_o_{item_id}").input("DGS de la communauté")
    at.selectbox(key=f"fdr_s_{item_id}").set_value("accepted")
    at.button(key=f"FormSubmitter:fdr_form_{item_id}-Enregistrer").click().run()
    assert not at.exception
    assert "enregistrée" in at.success[0].value
    at.text_input(key="fdr_new_title").input("Séminaire annuel du collectif")
    at.button(key="FormSubmitter:fdr_add-Ajouter l'action").click().run()
    assert "Action ajoutée" in at.success[0].value
    assert any("Séminaire annuel du collectif" in e.label for e in at.expander)
    # regenerate: the edit survives
    at.button(key="fdr_generate").click().run()
    assert any(e.label.startswith("Retenue — ") for e in at.expander)


def test_roadmap_page_refuses_an_empty_title(app_env, questions_dir):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    at.button(key="fdr_generate").click().run()  # no action library here: nothing proposed
    assert "0 action(s) ajoutée(s)" in at.success[0].value
    at.text_input(key="fdr_new_title").input("   ")
    at.button(key="FormSubmitter:fdr_add-Ajouter l'action").click().run()
    assert "l'intitulé de l'action est obligatoire" in at.error[0].value


def test_roadmap_page_prepares_the_documents(app_env, questions_dir):
    import shutil

    from tests.conftest import FIXTURES

    shutil.copy(FIXTURES / "mini_actions.yaml", questions_dir / "actions.yaml")
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    at.button(key="fdr_generate").click().run()
    at.button(key="fdr_docs").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 3


@pytest.mark.parametrize(
    ("page", "waiting"),
    [
        ("pages/consensus.py", "La réunion de consensus s'ouvre quand au moins 4 personnes"),
        ("pages/feuille_de_route.py", "La feuille de route se prépare dès que 4 personnes"),
    ],
)
def test_pages_state_the_minimum_group_size_of_the_settings(app_env, monkeypatch, page, waiting):
    monkeypatch.setenv("MIN_GROUP_SIZE", "4")
    get_settings.cache_clear()
    user = make_user(engine())
    make_world(engine(), coordinator=user, n_participants=3)  # nobody has sent yet
    at = signed_in("coord@exemple.fr")
    at.switch_page(page).run()
    assert not at.exception
    assert any(waiting in flat(visible(i.value)[1]) for i in at.info), [i.value for i in at.info]
