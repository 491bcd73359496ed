"""AppTest of the results page: threshold, tabs and filters, exports, a respondent's profile."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from diagnostic.settings import get_settings
from diagnostic.store.engine import session_scope
from tests.factories import make_user, make_world
from tests.markdown_check import flat, visible
from tests.pages_kit import app, engine, open_tab, signed_in, submit_answers, titles


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
    # lazy tabs: the synthesis alone is drawn (one chart) until another tab is opened
    assert len(at.get("plotly_chart")) == 1
    open_tab(at, "Regards croisés")
    assert at.tabs[2].get("radio") and not at.tabs[0].get("plotly_chart")
    at.radio(key="res_grouping").set_value("role").run()
    assert not at.exception
    # a choice made in a tab is still there after another tab was opened
    open_tab(at, "Items")
    open_tab(at, "Regards croisés")
    assert at.radio(key="res_grouping").value == "role"


def test_results_page_is_not_offered_to_facilitators_or_strangers(app_env):
    make_user(engine(), "x@exemple.fr")
    owner = make_user(engine(), "owner@exemple.fr")
    world = make_world(engine(), coordinator=owner, n_participants=3)
    submit_answers(world, [1, 2, 3])
    at = signed_in("x@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert "Résultats du diagnostic" not in titles(at)
    assert "CC Test" not in str(at)


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
    table = at.table[0].value.reset_index()
    row = table.set_index("Dimension").loc["Instances de concertation"]
    # own level 1 -> 0/100; territory mean of 1, 3, 5 = 3 -> 50/100
    assert (row["Mon score"], row["Territoire"], row["Écart (points)"]) == ("0", "50", "-50")


def test_results_page_offers_exports(app_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    submit_answers(world, [1, 2, 3])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert not at.get("download_button")  # lazy tabs: the export is drawn when opened
    open_tab(at, "Exporter")
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
    open_tab(at.switch_page("pages/resultats.py").run(), "Exporter")
    assert at.checkbox(key="res_export_names").value is False
    at.checkbox(key="res_export_names").check().run()
    assert not at.exception
    assert any("avec le nom saisi à l'invitation" in m.value for m in at.markdown)
    other = signed_in("conseil@exemple.fr")
    open_tab(other.switch_page("pages/resultats.py").run(), "Exporter")
    assert not other.exception
    assert not [c for c in other.checkbox if c.key == "res_export_names"]


# --- roadmap ----------------------------------------------------------------------------------


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


# --- « Situation du territoire » --------------------------------------------------------------

SITUATION_TAB = 7


@pytest.fixture
def rules_env(app_env, monkeypatch):
    """The app's questions folder with the shipped calendar, obligations and references, on
    4 December 2026 (the day the obligations are checked)."""
    import shutil

    from diagnostic.territory import service
    from tests.conftest import ROOT

    folder = get_settings().questions_dir
    for name in ("calendrier.yaml", "obligations.yaml", "references.yaml"):
        shutil.copy(ROOT / "questions" / name, folder / name)
    monkeypatch.setattr(service, "paris_today", lambda: date(2026, 12, 4))
    return folder


def _opened_in_november(world):
    from diagnostic.store.models import Campaign

    with session_scope(engine()) as s:
        campaign = s.get(Campaign, world.campaign_id)
        campaign.created_at = campaign.opened_at = datetime(2026, 11, 2, 9, tzinfo=UTC)
        s.add(campaign)


def _tab_text(at) -> str:
    tab = at.tabs[SITUATION_TAB]
    texts = [e.value for kind in ("markdown", "caption", "info") for e in tab.get(kind)]
    return "\n".join(flat(visible(t)[1]) for t in texts)


def test_the_situation_tab_asks_for_the_fiche_while_it_is_empty(rules_env):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    _opened_in_november(world)
    submit_answers(world, [1, 2, 3])
    at = signed_in("coord@exemple.fr")
    open_tab(at.switch_page("pages/resultats.py").run(), "Situation du territoire")
    assert not at.exception
    assert at.tabs[SITUATION_TAB].label == "Situation du territoire"
    shown = _tab_text(at)
    assert (
        "Campagne de début de mandat 2026-2032 — prochain renouvellement attendu en mars 2032"
        in shown
    )
    assert "Complétez la fiche du territoire pour vérifier les obligations" in shown
    links = at.tabs[SITUATION_TAB].get("page_link")
    assert [link.proto.page for link in links] == ["fiche"]
    assert not at.tabs[SITUATION_TAB].table


def test_the_situation_tab_lists_the_obligations_worst_first_from_the_fiche(rules_env):
    from diagnostic.accounts.permissions import Actor
    from diagnostic.territory import service

    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=3)
    _opened_in_november(world)
    submit_answers(world, [1, 2, 3])
    tid = world.territory.id
    coordinator = Actor(kind="user", user_id=user.id, memberships=frozenset({(tid, "coordinator")}))
    service.save_facts(
        engine(),
        coordinator,
        tid,
        rules_env,
        values={
            "regime_fiscal": "fpu",
            "population": 21_800,
            "bureau_tous_maires": True,
            "installation_conseil": date(2026, 4, 9),
            "pacte_gouvernance_debat": False,
        },
        # a source typed with markup: the tab shows the obligations' own texts, never this
        sources={"pacte_gouvernance_debat": "**Ordres du jour** <b>avril</b>"},
        today=date(2026, 11, 20),
    )
    at = signed_in("coord@exemple.fr")
    open_tab(at.switch_page("pages/resultats.py").run(), "Situation du territoire")
    assert not at.exception
    tab = at.tabs[SITUATION_TAB]
    table = tab.table[0].value.map(lambda cell: flat(visible(cell)[1]))  # Markdown cells, read
    assert list(table.columns) == [
        "Obligation",
        "Statut",
        "Échéance",
        "Base légale",
        "Ce que dit la fiche",
    ]
    first = table.iloc[0]
    assert (first["Obligation"], first["Statut"], first["Échéance"]) == (
        "Débat sur l'élaboration d'un pacte de gouvernance",
        "en retard",
        "22 octobre 2026",
    )
    assert first["Base légale"] == "CGCT, art. L5211-11-2, I, 1°"
    states = list(table["Statut"])
    assert states.index("en retard") < states.index("à vérifier") < states.index("sans objet")
    assert "fenêtre passée" in states  # the CDCI
    metrics = {m.label: m.value for m in tab.metric}
    assert metrics["En retard"] == "1"
    shown = _tab_text(at)
    assert "« À vérifier » : la fiche ne dit pas encore ce qu'il faut pour conclure" in shown
    assert "Situation au 4 décembre 2026" in shown
    assert "Ordres du jour" not in str(at)


def test_results_page_says_what_respondents_know_of_the_fiche(app_env, questions_dir):
    from diagnostic.settings import get_settings as settings
    from tests.knowledge_kit import answer, conseil, fill_fiche, with_knowledge

    with_knowledge(questions_dir)
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=4)
    answer(engine(), world, questions_dir, [conseil("oui"), conseil("non"), conseil(None)])
    at = signed_in("coord@exemple.fr")
    at.switch_page("pages/resultats.py").run()
    assert not at.exception
    title = "Ce que savent les répondants de la situation du territoire"
    # in the « Situation du territoire » tab, below the obligations; not in the summary
    assert at.tabs[0].subheader and title not in [s.value for s in at.tabs[0].subheader]
    open_tab(at, "Situation du territoire")
    tab = at.tabs[SITUATION_TAB]
    assert [s.value for s in tab.subheader] == ["Obligations légales du territoire", title]
    assert any("Rien à comparer pour l'instant" in i.value for i in tab.info)
    fill_fiche(engine(), world.territory.id, settings().questions_dir, conseil_developpement=True)
    at.run()
    text = _tab_text(at)
    assert (
        "Le conseil de développement : selon la fiche du territoire, un conseil de développement "
        "est en place (Délibération du 2 juin 2026, 03/06/2026). Sur 3 répondants, 1 le sait, "
        "1 répond « Je ne sais pas » et 1 pense autrement : « Non »."
    ) in text
    # a filter does not change the section (every submitted questionnaire), nor hide it
    at.selectbox(key="res_kind").set_value("commune").run()
    assert not at.exception


def submit_grids(world, region):
    """Each respondent's (current, desired) on the mini grid's « Région » row."""
    from diagnostic.questionnaire import load_questionnaire
    from diagnostic.store import campaigns
    from tests.conftest import FIXTURES
    from tests.factories import store_answers

    q = load_questionnaire(FIXTURES / "mini.yaml")
    with session_scope(engine()) as s:
        for p, (now, wish) in zip(world.participants, region, strict=True):
            rows = {"region": {"current": now, "desired": wish}}
            rows["departement"] = {"current": 2, "desired": 3}
            store_answers(s, q, p.id, {"ins_debat": {"level": 3}, "act_grille": {"rows": rows}})
            campaigns.mark_submitted(s, participant_id=p.id)


def grid_tab(at):
    """The « Acteurs » tab's captions, chart traces and data table."""
    import json

    tab = next(t for t in at.tabs if t.label == "Acteurs")
    charts = [json.loads(c.proto.spec) for c in tab.get("plotly_chart")]
    captions = [c.value for c in tab.caption]
    return captions, charts, tab.dataframe[0].value


@pytest.mark.parametrize("split", [True, False])
def test_the_actors_tab_shows_a_split_grid_by_structure(app_env, split):
    user = make_user(engine())
    world = make_world(engine(), coordinator=user, n_participants=9)  # EPCI: 0, 3 and 6
    communes = (0, 2) if split else (3, 4)  # 4 against 0 today, or 1 level apart
    submit_grids(world, [(4, 4) if i % 3 == 0 else communes for i in range(9)])
    at = signed_in("coord@exemple.fr")
    open_tab(at.switch_page("pages/resultats.py").run(), "Acteurs")
    assert not at.exception
    captions, [chart], table = grid_tab(at)
    names = [t.get("name") for t in chart["data"] if t.get("mode") == "markers"]
    said = " ".join(captions)
    if split:
        assert "ne voient pas cette grille de la même façon" in said
        assert "« Région »" in said and "n'est pas affichée" in said
        assert set(names) == {
            "Intercommunalité, aujourd'hui",
            "Intercommunalité, souhaitée",
            "Communes, aujourd'hui",
            "Communes, souhaitée",
        }
        assert table["Structure"].tolist() == ["Intercommunalité", "Communes"] * 2
        region = table.loc[table["Ligne"] == "Région"]
        assert region["Aujourd'hui (médiane)"].tolist() == [4, 0]
        assert region["Avis opposés"].tolist() == ["oui", "oui"]
        assert "Médiane" not in table.columns
    else:
        assert "de la même façon" not in said
        assert set(names) == {"Aujourd'hui (médiane)", "Souhaitée (médiane)"}
        assert "Médiane" in table.columns and "Structure" not in table.columns
