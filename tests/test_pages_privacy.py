"""AppTest of the data-protection screens: notice, « Mes données », erasures, audit log."""

from __future__ import annotations

from sqlmodel import select

from diagnostic.store import campaigns as campaign_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import AuditEvent, Participant
from tests.factories import make_user, make_world
from tests.pages_kit import app, engine, signed_in, started, stored, titles

NOTICE_LABEL = "Données personnelles : ce qui est conservé, qui le voit, vos droits"


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


# --- the notice -------------------------------------------------------------------------------


def test_anonymous_visitor_reads_the_privacy_notice(app_env, monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "90")
    from diagnostic.settings import get_settings

    get_settings.cache_clear()
    at = app()
    at.switch_page("pages/confidentialite.py").run()
    assert not at.exception
    assert titles(at) == ["Données personnelles"]
    text = markdown(at)
    assert "**90 jours après sa clôture**" in text
    assert "mission d'intérêt public" in text
    assert "http://testserver" in text


def test_the_notice_page_states_every_promise(app_env):
    from diagnostic.privacy.service import promises
    from diagnostic.settings import get_settings

    at = app()
    at.switch_page("pages/confidentialite.py").run()
    text = markdown(at)
    for promise in promises(get_settings()):
        assert promise.text in text, promise.id
    assert "*Campagnes nominatives.*" in text


def test_a_named_campaign_tells_its_respondents_before_they_start(app_env):
    from diagnostic.privacy.service import promises
    from diagnostic.settings import get_settings
    from diagnostic.store.models import Campaign

    world = make_world(engine(), n_participants=1)
    with session_scope(engine()) as s:
        campaign = s.get(Campaign, world.campaign_id)
        campaign.named_answers = True
        s.add(campaign)
    at = app(world.tokens[0])
    assert "exporter vos réponses individuelles **avec votre nom**" in at.warning[0].value
    shown = markdown(at)
    for promise in promises(get_settings(), named=True):
        assert promise.text in shown, promise.id
    assert "ne voit jamais vos réponses individuelles avec votre nom" not in shown


def test_accounts_read_the_notice_too(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/confidentialite.py").run()
    assert titles(at) == ["Données personnelles"]


# --- the respondent's « Mes données » ---------------------------------------------------------


def test_respondent_reaches_the_notice_from_the_introduction(app_env):
    world = make_world(engine(), n_participants=1)
    at = app(world.tokens[0])
    assert [e.label for e in at.expander] == [NOTICE_LABEL]
    assert "### Vos droits et comment les exercer" in markdown(at)


def test_my_data_section_offers_downloads_and_erasure_after_confirmation(app_env):
    world = make_world(engine(), n_participants=2)
    pid = world.participants[0].id
    at = started(world.tokens[0])
    at.radio(key="q_ctx_structure").set_value("epci").run()
    assert stored(pid)
    assert "Mes données" in [s.value for s in at.subheader]
    assert {e.label for e in at.expander} >= {NOTICE_LABEL, "Effacer mes réponses"}
    assert [b.label for b in at.get("download_button")] == [
        "Télécharger mes réponses (CSV)",
        "Télécharger mes réponses (JSON)",
    ]
    assert at.button(key="erase_me").disabled
    at.checkbox(key="erase_confirm").check().run()
    assert not at.button(key="erase_me").disabled
    at.button(key="erase_me").click().run()
    assert not at.exception
    assert titles(at) == ["Diagnostic de la gouvernance administrative du territoire"]
    assert "Vos réponses ont été effacées" in at.info[0].value
    assert stored(pid) == {}
    assert titles(app(world.tokens[0])) == ["Lien invalide ou expiré"]
    assert titles(app(world.tokens[1])) == ["Questionnaire de test"]  # the others unaffected
    with session_scope(engine()) as s:
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert actions == ["privacy.erase_self"]


# --- the coordinator's « Données personnelles » -----------------------------------------------


def test_coordinator_erases_a_respondent_then_the_campaign(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=2)
    with session_scope(engine()) as s:
        jeanne, _ = campaign_store.add_participant(
            s,
            campaign_id=world.campaign_id,
            role="dst",
            structure_id=world.territory.id,
            name="Jeanne Dupont",
        )
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/campagne.py").run()
    assert "Données personnelles" in [e.label for e in at.expander]
    at.selectbox(key="erase_pid").set_value(jeanne.id)
    assert at.button(key="erase_participant").disabled
    at.checkbox(key="erase_pid_ok").check().run()
    at.button(key="erase_participant").click().run()
    assert not at.exception
    assert "ainsi que le nom de la personne ; son lien est désactivé" in at.info[0].value
    table = at.dataframe[0].value
    assert not any("Jeanne" in n for n in table["Nom"])
    assert any(n.endswith("(données effacées)") for n in table["Nom"])

    at.text_input(key="erase_campaign_title").input("Autre titre").run()
    at.button(key="erase_campaign").click().run()
    assert "Campagne non effacée : confirmation incorrecte" in at.error[0].value
    at.text_input(key="erase_campaign_title").input("Campagne").run()
    at.button(key="erase_campaign").click().run()
    assert not at.exception
    assert "La campagne et toutes ses données ont été effacées." in at.info[0].value
    assert "pas encore de campagne" in at.info[1].value
    with session_scope(engine()) as s:
        assert not s.exec(select(Participant)).all()


# --- the audit log ----------------------------------------------------------------------------


def test_admin_reads_and_filters_the_audit_log(app_env):
    make_user(engine(), "admin@exemple.fr", admin=True)
    at = signed_in("admin@exemple.fr")
    at.switch_page("pages/journal.py").run()
    assert titles(at) == ["Journal des actions"]
    assert "Aucune action enregistrée" in at.info[0].value
    world = make_world(engine(), n_participants=1)
    with session_scope(engine()) as s:
        campaign_store.reissue_token(s, participant_id=world.participants[0].id, actor="x@y.fr")
        campaign_store.reopen(s, participant_id=world.participants[0].id, actor="z@y.fr")
    at.run()
    assert not at.exception
    log = at.dataframe[0].value
    assert list(log["Action"]) == ["Réouverture de réponses", "Nouveau lien d'invitation"]
    at.multiselect(key="log_actions").select("participant.reissue").run()
    log = at.dataframe[0].value
    assert list(log["Auteur"]) == ["x@y.fr"]
    assert [b.label for b in at.get("download_button")] == [
        "Télécharger (CSV)",
        "Télécharger (Excel)",
    ]


def test_coordinators_cannot_open_the_audit_log(app_env):
    make_user(engine())
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/journal.py").run()
    assert "Journal des actions" not in titles(at)
