"""AppTest of the roadmap page: generate, edit, add, prepare the documents."""

from __future__ import annotations

import re

from diagnostic.roadmap import planning
from tests.factories import make_user, make_world
from tests.markdown_check import flat, visible
from tests.pages_kit import engine, signed_in, submit_answers


def _roadmap_page(questions_dir):
    """The roadmap page of a coordinator whose campaign has three submitted answers, on the
    mini questionnaire and its mini library of actions."""
    import shutil

    from tests.conftest import FIXTURES

    shutil.copy(FIXTURES / "mini_actions.yaml", questions_dir / "actions.yaml")
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    return at


def test_roadmap_page_generates_edits_and_adds(app_env, questions_dir):
    at = _roadmap_page(questions_dir)
    assert not at.exception
    assert "Aucune action pour l'instant" in at.info[0].value
    at.button(key="fdr_generate").click().run()
    assert not at.exception
    assert re.search(r"\d+ actions? ajoutées?", at.success[0].value)
    assert any("Ouvrir le débat en instance" in e.label for e in at.expander)
    debate = next(e for e in at.expander if "Ouvrir le débat" in e.label)
    why = [m.value for m in debate.markdown if m.value.startswith("**Pourquoi cette action ?**")]
    assert len(why) == 1 and "\n- « " in why[0]  # the reasons, one line each, in one block
    item_id = next(b.key for b in at.button if b.key and b.key.startswith("fdr_up_")).split("_")[-1]

    def forms() -> list[str]:  # the actions' open forms (the new action's is always there)
        return [f.key for f in at.text_input if f.key and f.key.startswith("fdr_t_")]

    assert forms() == []  # no action's form until one asks to change it (a light page)
    at.button(key=f"fdr_edit_{item_id}").click().run()
    assert forms() == [f"fdr_t_{item_id}"]  # that one only
    at.text_input(key=f"fdr_o_{item_id}").input("DGS de la communauté")
    at.selectbox(key=f"fdr_s_{item_id}").set_value("accepted")
    at.button(key=f"FormSubmitter:fdr_form_{item_id}-Enregistrer").click().run()
    assert not at.exception
    assert "enregistrée" in at.success[0].value
    assert forms() == []  # saved: closed
    assert any("**Pilote** : DGS de la communauté" in m.value for m in at.markdown)
    # an empty title is refused under the action's form, which stays open, the plan unchanged
    at.button(key=f"fdr_edit_{item_id}").click().run()
    assert at.selectbox(key=f"fdr_s_{item_id}").value == "accepted"  # saved, drawn as saved
    at.text_input(key=f"fdr_t_{item_id}").input("  ")
    at.button(key=f"FormSubmitter:fdr_form_{item_id}-Enregistrer").click().run()
    assert not at.exception and not at.success
    assert at.error[0].value.startswith("Modification non enregistrée : ")
    assert "l'intitulé de l'action est obligatoire" in at.error[0].value
    assert any("Ouvrir le débat en instance" in e.label for e in at.expander)
    at.button(key=f"fdr_close_{item_id}").click().run()  # closed without saving
    assert forms() == []
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
    assert "0 action ajoutée" in at.success[0].value
    at.text_input(key="fdr_new_title").input("   ")
    at.button(key="FormSubmitter:fdr_add-Ajouter l'action").click().run()
    assert at.error[0].value.startswith("Action non ajoutée : ")
    assert "l'intitulé de l'action est obligatoire" in at.error[0].value
    assert not any("Action ajoutée" in s.value for s in at.success)


def test_roadmap_page_prepares_the_documents(app_env, questions_dir):
    at = _roadmap_page(questions_dir)
    at.button(key="fdr_generate").click().run()
    at.button(key="fdr_docs").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 3


def test_roadmap_page_leaves_a_quote_out_and_quotes_it_again(app_env, questions_dir):
    from diagnostic.questionnaire import load_questionnaire
    from diagnostic.store import campaigns
    from diagnostic.store.engine import session_scope
    from tests.conftest import FIXTURES
    from tests.factories import store_answers

    q = load_questionnaire(FIXTURES / "mini.yaml")
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    texts = ["Le **centre** de gestion", "<b>Le Département</b>", "Les bailleurs sociaux"]
    with session_scope(engine()) as s:
        for p, words in zip(world.participants, texts, strict=True):
            store_answers(s, q, p.id, {"ins_debat": {"level": 2}, "act_libre": {"text": words}})
            campaigns.mark_submitted(s, participant_id=p.id)
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    assert not at.exception
    assert "Paroles de directeurs" in [h.value for h in at.subheader]
    assert any("ne peut pas être repéré automatiquement" in w.value for w in at.warning)
    box = next(e for e in at.expander if e.label.startswith("Réponses libres"))
    assert box.label == "Réponses libres à relire (3)"
    assert box.caption[0].value == "3 citées dans le document sur 3."
    shown = [m.value for m in box.markdown]
    assert "> « Le \\*\\*centre\\*\\* de gestion »" in shown  # typed text, never markup
    assert "> « <b>Le Département</b> »" not in shown
    key = next(b.key for b in at.button if b.key and b.key.startswith("fdr_quote_"))
    at.button(key=key).click().run()
    assert not at.exception
    assert "Réponse écartée du document." in at.success[0].value
    box = next(e for e in at.expander if e.label.startswith("Réponses libres"))
    assert box.caption[0].value == "2 citées dans le document sur 3."
    assert at.button(key=key).label == "Citer"
    at.button(key=key).click().run()
    assert "Réponse de nouveau citée." in at.success[0].value
    assert at.button(key=key).label == "Ne pas citer"


LINKED = """\
obligations:
  - id: pacte_gouvernance_debat
    titre: "Débat sur l'élaboration d'un pacte de gouvernance"
    exige: "Un débat et une délibération après chaque renouvellement."
    base_legale: "CGCT, art. L5211-11-2, I, 1°"
    fait: pacte_gouvernance_debat
    date: pacte_gouvernance_debat_date
    echeance: pacte_gouvernance_debat
    actions: [debat]
"""


def test_a_late_obligation_heads_the_page_as_a_duty_to_settle(app_env, questions_dir, monkeypatch):
    import shutil
    from datetime import date

    from diagnostic.accounts.permissions import Actor
    from diagnostic.territory import service
    from tests.conftest import FIXTURES, ROOT

    shutil.copy(FIXTURES / "mini_actions.yaml", questions_dir / "actions.yaml")
    for name in ("calendrier.yaml", "references.yaml"):
        shutil.copy(ROOT / "questions" / name, questions_dir / name)
    (questions_dir / "obligations.yaml").write_text(LINKED, encoding="utf-8")
    monkeypatch.setattr(service, "paris_today", lambda: date(2026, 12, 4))
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    tid = world.territory.id
    coordinator = Actor(kind="user", user_id=user.id, memberships=frozenset({(tid, "coordinator")}))
    service.save_facts(
        engine(),
        coordinator,
        tid,
        questions_dir,
        values={"pacte_gouvernance_debat": False},
        sources={},
        today=date(2026, 11, 20),
    )
    submit_answers(world, [5, 5, 5])  # nobody asks for the « debat » action
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    at.button(key="fdr_generate").click().run()
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert headings[0] == "Obligations légales à remplir"
    duty = next(e for e in at.expander if "Ouvrir le débat en instance" in e.label)
    [said] = [flat(visible(e.value)[1]) for e in duty.error]
    assert said.startswith(
        "À régulariser sans attendre : Débat sur l'élaboration d'un pacte de gouvernance — "
        "échéance dépassée le 22 octobre 2026"
    )


MINI_CHANTIERS = """\
appuis: {cnfpt: CNFPT}
regle_indicateur:
  {base: score_actuel, cible: niveau_vise, paliers_sans_niveau_vise: 1, mesure: Au prochain}
chantiers:
  - id: collectif
    titre: Installer le collectif de direction
    objectif: Réunir les directions.
    phases: [debut]
    pilote: DGS
    validation: Conférence des maires
    actions:
      - {action: instituer_codir, effort: {jours: [2, 4], budget: [0, 0]}}
      - {action: grand_ecart, requiert: [instituer_codir], effort: {jours: [2, 4], budget: [0, 0]}}
      - {action: debat, effort: {jours: [2, 4], budget: [0, 0]}}
  - id: territoire
    titre: Partager les priorités
    objectif: Des priorités communes.
    phases: [debut, mi]
    pilote: DGS
    validation: Bureau
    actions:
      - {action: priorite_habitat, effort: {jours: [2, 4], budget: [0, 1000]}}
      - {action: region, effort: {jours: [2, 4], budget: [0, 0]}}
"""


def test_roadmap_page_shows_the_main_plan_by_chantier_its_timeline_and_other_leads(
    app_env, questions_dir
):
    import shutil

    from tests.conftest import FIXTURES

    shutil.copy(FIXTURES / "mini_actions.yaml", questions_dir / "actions.yaml")
    (questions_dir / "chantiers.yaml").write_text(MINI_CHANTIERS, encoding="utf-8")
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()
    at.button(key="fdr_generate").click().run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert "Calendrier du plan principal" in headers
    assert "Installer le collectif de direction" in headers
    assert at.get("plotly_chart")  # the timeline
    labels = [e.label for e in at.expander]
    assert any(label.startswith("A1. ") for label in labels)
    assert all(" · " in label for label in labels if label.startswith("A"))  # a window each


def test_an_unexpected_fault_while_adding_an_action_reaches_the_page_guard(
    app_env, questions_dir, monkeypatch
):
    """The action is added by a callback, before the page runs and its guards: a fault there is
    said in French by the run that follows, with an incident reference (never Streamlit's own
    error box, never the fault's text)."""
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 2])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/feuille_de_route.py").run()

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret: boom")

    monkeypatch.setattr(planning, "add", broken)
    at.text_input(key="fdr_new_title").input("Séminaire annuel")
    at.button(key="FormSubmitter:fdr_add-Ajouter l'action").click().run()
    assert not at.exception
    assert any(e.value.startswith("Une erreur inattendue est survenue") for e in at.error)
    assert "boom" not in str([e.value for e in at.error])
