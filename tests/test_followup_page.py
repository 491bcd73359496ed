"""AppTest of the « Suivi de la feuille de route » page: empty states, late actions first, a
status recorded and kept in the history, links edited, the chantier roll-up, read-only for a
consultant, nothing for another territory."""

from __future__ import annotations

from datetime import date, timedelta

from diagnostic.store import accounts, roadmap
from diagnostic.store.engine import session_scope
from tests.factories import make_user, make_world
from tests.pages_kit import engine, signed_in

TODAY = date.today()
EVIDENCE = [
    {"question_id": "ins_codir", "item": "CoDir", "trigger": "t", "summary": "", "source": "x"}
]


def window(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat(), "phase": "debut"}


def seed_plan(campaign_id: int) -> dict[str, int]:
    """Two kept actions (one whose window is over, one to come), one still proposed."""
    rows = [
        ("Action à venir", "accepted", window(TODAY, TODAY + timedelta(days=200))),
        ("Action en retard", "accepted", window(TODAY - timedelta(days=300), TODAY - timedelta(1))),
        ("Action proposée", "proposed", None),
    ]
    with session_scope(engine()) as s:
        roadmap.apply_changes(
            s,
            campaign_id=campaign_id,
            insert=[
                {
                    "action_id": f"ACT-{i}",
                    "dimension": "instances",
                    "title": title,
                    "position": i,
                    "status": status,
                    "details": {
                        "evidence": EVIDENCE,
                        "chantier": "instances",
                        **({"window": w} if w else {}),
                    },
                }
                for i, (title, status, w) in enumerate(rows)
            ],
            update={},
            delete=[],
            actor="test",
        )
        return {i.title: i.id for i in roadmap.plan_items(s, campaign_id=campaign_id)}


def open_page(email: str = "coord@exemple.fr"):
    at = signed_in(email)
    at.switch_page("pages/suivi.py").run()
    assert not at.exception
    return at


def test_without_roadmap_the_page_says_where_to_prepare_it(app_env):
    user = make_user(engine())
    make_world(engine(), coordinator=user)
    at = open_page()
    assert "pas encore de feuille de route" in at.info[0].value
    assert not at.expander


def test_late_actions_first_a_status_kept_in_history_and_links_edited(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user)
    ids = seed_plan(world.campaign_id)
    at = open_page()
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("A1. En retard — Action en retard")
    assert labels[1].startswith("A2. À lancer — Action à venir")
    assert not any("Action proposée" in label for label in labels)
    assert "1 action en retard" in at.warning[0].value
    assert [m.label for m in at.metric][:2] == ["Actions suivies", "En retard"]
    assert [m.value for m in at.metric][:2] == ["2", "1"]
    late = ids["Action en retard"]
    assert at.multiselect(key=f"suivi_l_{late}").value == ["ins_codir"]  # from the triggers

    at.selectbox(key=f"suivi_s_{late}").set_value("en_cours")
    at.number_input(key=f"suivi_p_{late}").set_value(40)
    at.text_area(key=f"suivi_c_{late}").input("Première réunion fixée")
    at.button(key=f"FormSubmitter:suivi_form_{late}-Enregistrer le statut").click().run()
    assert not at.exception
    assert "statut « En cours » enregistré" in at.success[0].value
    at.selectbox(key=f"suivi_s_{late}").set_value("fait")
    at.button(key=f"FormSubmitter:suivi_form_{late}-Enregistrer le statut").click().run()
    labels = [e.label for e in at.expander]
    assert labels[0].startswith("A1. À lancer — Action à venir")  # no longer late: done
    assert labels[1].startswith("A2. Faite — Action en retard")
    table = at.dataframe[0].value  # the only action with a history
    assert list(table["Statut"]) == ["Faite", "En cours"]  # newest first, both kept
    assert list(table["Commentaire"]) == ["", "Première réunion fixée"]
    assert list(table["Par"]) == ["coord@exemple.fr", "coord@exemple.fr"]
    rolled = at.get("progress")[0]
    assert "2 actions : 1 faite, 1 à lancer" in rolled.proto.text  # no « 0 en cours »
    assert "50 %" in rolled.proto.text

    at.multiselect(key=f"suivi_l_{late}").set_value(["ins_debat", "act_grille"])
    at.button(key=f"FormSubmitter:suivi_links_{late}-Enregistrer les items reliés").click().run()
    assert "Items reliés enregistrés (2 items)" in at.success[0].value
    assert at.multiselect(key=f"suivi_l_{late}").value == ["ins_debat", "act_grille"]
    reset = f"FormSubmitter:suivi_links_{late}-Revenir aux items des déclencheurs"
    at.button(key=reset).click().run()
    assert "revenus à ceux des déclencheurs (1 item)" in at.success[0].value
    assert at.multiselect(key=f"suivi_l_{late}").value == ["ins_codir"]


def test_a_share_typed_with_a_status_that_fixes_it_is_not_kept(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user)
    ids = seed_plan(world.campaign_id)
    at = open_page()
    item = ids["Action à venir"]
    at.number_input(key=f"suivi_p_{item}").set_value(40)  # « À lancer » is 0 %
    at.selectbox(key=f"suivi_s_{item}").set_value("a_lancer")
    at.button(key=f"FormSubmitter:suivi_form_{item}-Enregistrer le statut").click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Avancement"].tolist() == ["0 %"]


def test_a_consultant_reads_without_forms_and_another_territory_sees_nothing(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user)
    seed_plan(world.campaign_id)
    consultant = make_user(engine(), "consultant@exemple.fr")
    with session_scope(engine()) as s:
        accounts.grant(
            s, user_id=consultant.id, territory_id=world.territory.id, role="consultant", actor="t"
        )
    at = open_page("consultant@exemple.fr")
    assert "Lecture seule" in at.caption[0].value
    assert len(at.expander) == 2
    assert not [b for b in at.button if (b.key or "").startswith("FormSubmitter:suivi_form")]
    assert not at.multiselect

    other = make_user(engine(), "autre@exemple.fr")
    make_world(engine(), name="CC Autre", coordinator=other)
    at = open_page("autre@exemple.fr")
    assert at.selectbox(key="suivi_territory").options == ["CC Autre"]
    assert "pas encore de feuille de route" in at.info[0].value
