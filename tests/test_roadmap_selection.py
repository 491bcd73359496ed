"""Selection and sequencing of the plan (diagnostic/roadmap/selection.py) and the priority
formula (proposals.item_need), on the Val de Loir demo and on small cases."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest

from diagnostic.roadmap.proposals import item_need
from tests.conftest import ROOT

DAY = date(2026, 11, 29)


# --- priority ---------------------------------------------------------------------------------


def test_a_level_only_item_at_14_never_ranks_below_a_current_target_item_at_40():
    level_only = item_need(14.3, None, None)  # d4_secretaires_generaux: no target, no importance
    tableau = item_need(40.0, 65.0, 2.3)  # d7_tableau_bord as the findings read it
    assert level_only > tableau
    # whatever the target, at equal importance, and even rated « essentielle » by everyone
    assert level_only > item_need(40.0, 100.0, 2.0)
    assert level_only > item_need(40.0, 100.0, 3.0)


def test_priority_grows_with_weakness_gap_and_importance():
    assert item_need(20, 60, 2) > item_need(40, 60, 2)
    assert item_need(20, 80, 2) > item_need(20, 40, 2)
    assert item_need(20, 60, 3) > item_need(20, 60, 1)


# --- selection and sequencing on the demo ----------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import os

    from diagnostic.cli import main
    from diagnostic.questionnaire import registry
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine

    folder = tmp_path_factory.mktemp("demo")
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "QUESTIONS_DIR")}
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'demo.db'}"
    os.environ["QUESTIONS_DIR"] = str(ROOT / "questions")
    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()
    assert main(["demo"]) == 0
    from diagnostic.cli.commands import SYSTEM, open_engine
    from diagnostic.results.service import results_for
    from diagnostic.roadmap.chantiers import load_chantiers
    from diagnostic.roadmap.references import load_library
    from diagnostic.territory.service import situation_for

    engine = open_engine()
    results = results_for(engine, SYSTEM, 1)
    situation = situation_for(engine, SYSTEM, 1, ROOT / "questions", DAY)
    library = load_library(ROOT / "questions")
    chantiers = load_chantiers(str(ROOT / "questions"))
    yield engine, results, situation, library, chantiers, folder
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()
    get_engine.cache_clear()


def _selected(demo):
    from diagnostic.roadmap.planning import selected

    _, results, situation, library, chantiers, _ = demo
    return selected(results, library.actions, situation, chantiers, DAY)


def test_the_main_plan_has_5_to_8_chantiers_at_most_12_actions_late_duties_first(demo):
    proposals = _selected(demo)
    main = [p for p in proposals if p.main]
    assert 5 <= len({p.chantier for p in main}) <= 8
    steps = {"autodiagnostic_periodique", "passation_fin_mandat"}  # the mandate's steps, on top
    assert len([p for p in main if p.action_id not in steps]) <= 12
    late = [p for p in proposals if p.legal is not None and p.legal.late]
    assert late and all(p.main for p in late)
    assert main[0].legal is not None and main[0].legal.late
    others = [p for p in proposals if not p.main]
    assert others and all(p.aside for p in others)
    assert len(main) + len(others) == len(proposals)


def test_duplicates_are_left_out_with_the_action_that_stands_for_them(demo):
    proposals = {p.action_id: p for p in _selected(demo)}
    assert proposals["instituer_codir_territoire"].main
    for twin in ("conference_dgs_reguliere", "structurer_codir_territoire"):
        assert not proposals[twin].main
        assert "double emploi avec « Instituer un CoDir de territoire »" in proposals[twin].aside


def test_an_action_steered_by_the_codir_brings_the_codir_in(demo):
    from diagnostic.roadmap.proposals import propose
    from diagnostic.roadmap.selection import select

    _, results, situation, library, chantiers, _ = demo
    proposals, _ = propose(results, library.actions, situation)
    low = [
        replace(p, priority=0.01) if p.action_id == "instituer_codir_territoire" else p
        for p in proposals
    ]
    chosen = {p.action_id: p for p in select(low, chantiers, situation, results, library.actions)}
    steered = [
        a
        for a, p in chosen.items()
        if p.main and "instituer_codir_territoire" in chantiers.requires().get(a, [])
    ]
    assert steered  # cartographie des instances, atelier d'arbitrage…
    assert chosen["instituer_codir_territoire"].main


def test_no_pilot_names_the_codir_before_the_plan_institutes_it(demo):
    main = [p for p in _selected(demo) if p.main]
    windows = {p.action_id: p.window for p in main}
    codir = windows["instituer_codir_territoire"]
    for p in main:
        before = p.window.start < codir.end.replace(day=1)
        if p.action_id != "instituer_codir_territoire" and before:
            assert "CoDir de territoire" not in p.pilot.replace("(le CoDir de territoire", "")
    pacte = next(p for p in main if p.action_id == "pacte_gouvernance_mandat")
    assert pacte.pilot == (
        "Direction générale de l'intercommunalité, avec les DGS des communes "
        "(le CoDir de territoire, une fois institué)"
    )


_ACTION = {
    "id": "x", "dimension": "d1", "items": ["q"], "triggers": [{"item": "q", "level_at_most": 2}],
    "title": "Faire", "description": "D.", "instrument": "I", "validation": "V",
    "horizon": "premiere_annee", "indicator": "I",
}  # fmt: skip


def test_pilots_keep_an_existing_body_and_drop_a_missing_one():
    from types import SimpleNamespace as Row

    from diagnostic.roadmap.library import Action
    from diagnostic.roadmap.model import Window
    from diagnostic.roadmap.selection import pilots

    spare = "Direction générale de l'intercommunalité, avec les DGS des communes"
    action = Action.model_validate(
        {**_ACTION, "pilot": "CoDir de territoire", "pilot_interim": spare}
    )
    row = Row(action_id="x", pilot="CoDir de territoire")
    w = Window(date(2027, 1, 1), date(2027, 3, 31), "debut")
    # the body's action not triggered: the CoDir exists
    assert pilots([row], [w], [action], ["x"]) == ["CoDir de territoire"]
    # triggered but not in the plan: nothing says it exists
    assert pilots([row], [w], [action], ["x", "instituer_codir_territoire"]) == [spare]
    # instituted by the plan later, or before
    codir = Row(action_id="instituer_codir_territoire", pilot="Direction générale")
    later = Window(date(2027, 2, 1), date(2027, 5, 31), "debut")
    assert pilots([codir, row], [later, w], [action], ["x"])[1].endswith("une fois institué)")
    before = Window(date(2026, 10, 1), date(2026, 12, 31), "debut")
    assert pilots([codir, row], [before, w], [action], ["x"])[1] == "CoDir de territoire"


def test_a_pilot_naming_a_body_needs_an_interim_pilot():
    from diagnostic.questionnaire import QuestionnaireError
    from diagnostic.roadmap.library import Action

    base = _ACTION
    with pytest.raises((ValueError, QuestionnaireError), match="ACTION-014|pilot_interim"):
        Action.model_validate({**base, "pilot": "Conférence des DGS"})
    with pytest.raises((ValueError, QuestionnaireError), match="ACTION-014|pilot_interim"):
        interim = "DG, avec le CoDir de territoire"
        Action.model_validate({**base, "pilot": "CoDir de territoire", "pilot_interim": interim})


def test_the_plan_spans_the_mandate_mid_term_review_and_hand_over(demo):
    main = {p.action_id: p for p in _selected(demo) if p.main}
    review, handover = main["autodiagnostic_periodique"], main["passation_fin_mandat"]
    assert review.window.start.year == 2029 and review.window.phase == "mi"
    assert handover.window.start.year == 2031 and handover.window.end < date(2032, 3, 1)
    assert any(p.window.start.year == 2029 for p in main.values())
    assert any(p.window.start.year == 2031 for p in main.values())
    # on top of the twelve chosen from the findings, never instead of them
    assert len(main) <= 12 + 2
    assert "calendrier" in " ".join(e.item.lower() for e in handover.evidence)


def test_selection_is_deterministic(demo):
    first = [(p.action_id, p.main, p.aside, p.window) for p in _selected(demo)]
    assert first == [(p.action_id, p.main, p.aside, p.window) for p in _selected(demo)]


def test_windows_start_on_or_after_the_document_respect_requires_and_span_the_mandate(demo):
    chantiers = demo[4]
    main = [p for p in _selected(demo) if p.main]
    windows = {p.action_id: p.window for p in main}
    assert all(w is not None and w.start >= DAY and w.end >= w.start for w in windows.values())
    for p in main:
        for needed in chantiers.requires().get(p.action_id, []):
            if needed in windows:
                assert windows[needed].start < windows[p.action_id].start
    assert max(w.end for w in windows.values()) >= date(2028, 3, 1)  # beyond the first years
    assert all(w.end < date(2032, 3, 1) for w in windows.values())
    late = [p for p in main if p.legal is not None and p.legal.late]
    assert all(p.window.phase == "sans_attendre" and p.window.start == DAY for p in late)
    assert all(p.window.label().startswith("Sans attendre") for p in late)


def test_documents_show_the_chantiers_the_annex_and_the_timeline(demo):
    import docx
    from pypdf import PdfReader

    from diagnostic.cli.commands import SYSTEM
    from diagnostic.roadmap import planning

    engine, results, situation, library, _, _ = demo
    if not planning.plan(engine, SYSTEM, 1):
        planning.regenerate(engine, SYSTEM, 1, results, library.actions, situation)
    built = planning.documents(
        engine, SYSTEM, 1, results, library, ("md", "docx", "pdf"),
        min_group_size=results.min_group_size, today=DAY, situation=situation,
    )  # fmt: skip
    md = built["md"].data.decode()
    assert "Installer le collectif de direction" in md
    assert "Annexe du plan : autres pistes" in md
    assert "Calendrier du plan principal sur le mandat" in md
    assert "**Effort estimé :**" in md and "**Quand :**" in md
    assert "Constat principal" in md
    word = docx.Document(io.BytesIO(built["docx"].data))
    text = "\n".join(p.text for p in word.paragraphs).replace("\xa0", " ")
    assert "Annexe du plan : autres pistes" in text
    assert "Calendrier du plan principal sur le mandat" in text
    assert len(word.inline_shapes) >= 3  # the timeline among the charts
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(built["pdf"].data)).pages)
    assert "autres pistes" in pdf and "Finances et solidarités" in pdf
    (demo[5] / "fdr.pdf").write_bytes(built["pdf"].data)


def test_a_chantier_pilot_names_the_codir_only_once_it_exists():
    from types import SimpleNamespace as Row

    from diagnostic.roadmap.chantiers import Chantier
    from diagnostic.roadmap.model import Window
    from diagnostic.roadmap.selection import chantier_pilot

    spare = "Direction générale de l'intercommunalité, avec les DGS des communes"
    chantier = Chantier.model_validate(
        {
            "id": "c", "titre": "T", "objectif": "O.", "phases": ["debut"],
            "pilote": "CoDir de territoire, avec la DG", "pilote_interim": spare,
            "validation": "V",
            "actions": [{"action": "x", "effort": {"jours": [1, 2], "budget": [0, 0]}}],
        }
    )  # fmt: skip
    row = Row(action_id="x")
    codir = Row(action_id="instituer_codir_territoire")
    first = Window(date(2027, 1, 1), date(2027, 3, 31), "debut")
    late = Window(date(2027, 6, 1), date(2027, 8, 31), "debut")
    # the body's action not triggered: the CoDir exists
    assert chantier_pilot(chantier, [row], [0], [first], []) == chantier.pilote
    # called for by the answers but outside the main plan: nothing says it exists
    assert chantier_pilot(chantier, [row], [0], [first], ["instituer_codir_territoire"]) == spare
    # instituted by the plan after the chantier starts, or before
    rows = [codir, row]
    assert chantier_pilot(chantier, rows, [1], [late, first], []).endswith("une fois institué)")
    assert chantier_pilot(chantier, rows, [1], [first, late], []) == chantier.pilote


def test_every_chantier_pilot_of_the_demo_plan_exists_when_the_chantier_starts(demo):
    from diagnostic.roadmap import planning

    chosen = [p for p in _selected(demo) if p.main]
    rows = [_row(p) for p in chosen]
    windows = [p.window for p in chosen]
    chantiers = planning.chantiers_of(ROOT / "questions")
    codir = next(i for i, p in enumerate(chosen) if p.action_id == "instituer_codir_territoire")
    from diagnostic.roadmap.selection import groups

    for group in groups(rows, chantiers, windows=windows):
        starts = min(windows[i].start for i in group.rows)
        if "CoDir de territoire" in group.pilot and starts < windows[codir].end.replace(day=1):
            assert group.pilot.endswith("(le CoDir de territoire, une fois institué)")


def _row(p):
    from types import SimpleNamespace

    return SimpleNamespace(action_id=p.action_id)


def test_priority_reads_in_words_never_as_an_index():
    from diagnostic.roadmap.model import PlanItem, priority_level, provenance

    def item(priority, legal=None):
        return PlanItem(
            id=1, action_id="x", dimension="d1", title="T", description="", horizon=None,
            owner=None, indicator=None, status="proposed", priority=priority, position=0,
            origin="generated", edited=False, change=None, details={},
        )  # fmt: skip

    plan = [item(0.9), item(0.6), item(0.3)]
    assert [priority_level(p.priority, [0.9, 0.6, 0.3]) for p in plan] == [
        "haute",
        "moyenne",
        "modérée",
    ]
    text = provenance(plan[0], plan)
    assert "priorité haute" in text and "0,9" not in text
    assert priority_level(None, [0.9]) is None and priority_level(0.5, []) is None


def test_an_action_left_aside_by_the_fiche_names_only_the_fact_that_rules_it_out():
    """Sector conferences need « the bureau does not hold every mayor » AND more than 15
    communes: with 8 communes the reason is the 8 communes, not the bureau (seen on a campaign
    made in the browser, bench/plan_campaign_browser.py)."""
    from types import SimpleNamespace

    from diagnostic.roadmap.chantiers import Condition
    from diagnostic.roadmap.selection import _fails, _unfit_reason

    condition = Condition(sauf_si={"bureau_tous_maires": True}, plus_de={"nombre_communes": 15})
    assert not _fails(condition, "bureau_tous_maires", False)
    assert _fails(condition, "nombre_communes", 8)
    assert _fails(condition, "bureau_tous_maires", True)
    assert not _fails(condition, "nombre_communes", 16)
    assert _fails(Condition(au_plus={"nombre_communes": 15}), "nombre_communes", 16)
    assert _fails(Condition(si={"regime_fiscal": "fpu"}), "regime_fiscal", "fa")

    from diagnostic.territory.facts import fiche_for

    fiche = fiche_for(ROOT / "questions")
    fields = {f.id: f for g in fiche.groups for f in g.facts}
    values = {"bureau_tous_maires": False, "nombre_communes": 8}
    situation = SimpleNamespace(fiche=SimpleNamespace(fields=fields))
    import diagnostic.roadmap.selection as selection

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(selection, "situation_values", lambda _: values)
        reason = _unfit_reason(condition, situation)
    assert "bureau" not in reason and "8" in reason, reason


def test_the_directions_have_one_body_where_the_territory_is_small():
    """Fifteen communes at most: the CoDir de territoire and the conférence des DGS gather the
    same people. A conférence is not convened beside a CoDir the answers say exists, and a
    pilot naming the conférence names the CoDir the plan keeps or institutes; above fifteen
    communes both have their place."""
    from diagnostic.roadmap.chantiers import load_chantiers
    from diagnostic.roadmap.selection import _duplicates_of_an_existing_body, directions_alias

    chantiers = load_chantiers(ROOT / "questions")
    small, large = {"nombre_communes": 8}, {"nombre_communes": 30}
    conference, codir = "conference_dgs_reguliere", "instituer_codir_territoire"
    assert _duplicates_of_an_existing_body(chantiers, [conference], small) == [(conference, codir)]
    assert _duplicates_of_an_existing_body(chantiers, [conference], large) == []
    assert _duplicates_of_an_existing_body(chantiers, [conference, codir], small) == []

    pilot = "Direction générale de l'intercommunalité, avec la conférence des DGS"
    instituted = directions_alias(chantiers, small, [codir], [codir])
    assert (
        instituted(pilot) == "Direction générale de l'intercommunalité, avec le CoDir de territoire"
    )
    assert instituted("Conférence des DGS") == "CoDir de territoire"
    exists = directions_alias(chantiers, small, [], [])
    assert exists("Conférence des DGS") == "CoDir de territoire"
    # the CoDir called for but left out of the main plan: `pilots` gives the interim pilot
    assert directions_alias(chantiers, small, [], [codir])("Conférence des DGS") == (
        "Conférence des DGS"
    )
    assert directions_alias(chantiers, large, [codir], [codir])(pilot) == pilot
    assert directions_alias(chantiers, small, [conference], [conference])(pilot) == pilot
