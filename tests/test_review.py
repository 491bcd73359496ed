"""The review of the previous roadmap, pure: item linking across renamed ids, the short
variant, the privacy rule on both campaigns, and each plain-French reading."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from diagnostic.comparison.service import common_items
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import CampaignData, TooFewRespondents, compute_results
from diagnostic.roadmap import review as rv
from diagnostic.roadmap.followup import ActionFollowUp, StatusChange
from diagnostic.roadmap.model import PlanItem
from tests.conftest import FIXTURES

MINI = load_questionnaire(FIXTURES / "mini.yaml")
TEXT = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")


def version(tmp_path: Path, text: str, name: str = "v2") -> object:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace('version: "1"', 'version: "2"'), encoding="utf-8")
    return load_questionnaire(path)


def renamed_v2(tmp_path):
    """ins_debat renamed ins_debat_public, same meaning."""
    return version(tmp_path, TEXT.replace("id: ins_debat", "id: ins_debat_public"))


def short_v2(tmp_path):
    """A short variant: ins_debat is not asked."""
    start = TEXT.index("      - id: ins_debat\n")
    end = TEXT.index("  - id: acteurs")
    return version(tmp_path, TEXT[:start] + TEXT[end:], "court")


def results(q, codir, debat, kinds=None):
    """Results of one campaign: `codir`, `debat`: each respondent's level (None: no answer);
    `kinds`: each respondent's structure kind (three EPCI then communes by default)."""
    n = len(codir)
    kinds = kinds or ["epci"] * 3 + ["commune"] * (n - 3)
    people = pd.DataFrame(
        [
            {
                "participant_id": i,
                "role": "dgs",
                "structure_id": 1 if k == "epci" else 10 + i,
                "structure_name": "CC" if k == "epci" else f"Commune {i}",
                "structure_kind": k,
                "started": True,
                "submitted": True,
            }
            for i, k in enumerate(kinds)
        ]
    )
    debat_id = (
        "ins_debat_public" if "ins_debat_public" in {x.id for x in q.questions()} else "ins_debat"
    )
    rows = []
    for i, (c, d) in enumerate(zip(codir, debat, strict=True)):
        if c is not None:
            value = {"current": c, "target": 5, "importance": 2}
            rows.append((i, "ins_codir", q.version, value, False))
        if d is not None and debat_id in {x.id for x in q.questions()}:
            rows.append((i, debat_id, q.version, {"level": d}, False))
    columns = ["participant_id", "question_id", "questionnaire_version", "value", "dont_know"]
    data = CampaignData(
        SimpleNamespace(),
        SimpleNamespace(name="CC Test"),
        q,
        pd.DataFrame(rows, columns=columns),
        people,
        pd.DataFrame(),
    )
    return compute_results(data, min_group_size=3)


def action(title, status, links, position=0):
    item = PlanItem(
        id=position + 1,
        action_id=None,
        dimension="instances",
        title=title,
        description="",
        horizon=None,
        owner=None,
        indicator=None,
        status="accepted",
        priority=None,
        position=position,
        origin="manual",
        edited=False,
        change=None,
    )
    history = ()
    if status is not None:
        change = StatusChange(
            item.id, status, date(2024, 5, 1), None, None, "", None, datetime(2024, 5, 1, 9)
        )
        history = (change,)
    return ActionFollowUp(item=item, history=history, links=tuple(links))


def side(q, res, title="Campagne"):
    return rv.Side(1, title, q, res)


# before: codir at 2 everywhere (A = 1), debat split 1/5 (polarised); six people
BEFORE_CODIR = [2, 2, 2, 2, 2, 2]
BEFORE_DEBAT = [1, 1, 1, 5, 5, 5]


def test_items_are_linked_across_renamed_ids(tmp_path):
    after_q = renamed_v2(tmp_path)
    renamed = {"ins_debat": "ins_debat_public"}
    pairs = common_items(MINI, after_q, renamed)
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(after_q, [3, 3, 3, 3, 3, 3], [3, 3, 3, 3, 3, 3])
    found = rv.review(
        [action("Débattre", "fait", ["ins_debat"])],
        side(MINI, before),
        side(after_q, after),
        pairs,
        renamed,
    )
    (move,) = found.actions[0].moves
    assert (move.key, move.after_id, move.state) == ("ins_debat", "ins_debat_public", rv.COMPARED)
    assert (move.before.level, move.after.level, move.change) == (3.0, 3.0, 0.0)
    assert move.label == "Les instances laissent de la place au débat contradictoire."
    # without the rename, the item is not found in the new version: « non posé »
    unrenamed = rv.review(
        [action("Débattre", "fait", ["ins_debat"])],
        side(MINI, before),
        side(after_q, after),
        common_items(MINI, after_q, {}),
    )
    assert unrenamed.actions[0].moves[0].state == rv.NOT_ASKED


def test_a_question_whose_scale_changed_is_not_compared(tmp_path):
    after_q = version(tmp_path, TEXT.replace("type: current_target", "type: maturity"))
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(after_q, [None] * 6, [3] * 6)
    found = rv.review(
        [action("Instituer le CoDir", "fait", ["ins_codir"])],
        side(MINI, before),
        side(after_q, after),
        common_items(MINI, after_q, {}),
    )
    assert found.actions[0].moves[0].state == rv.CHANGED
    assert found.actions[0].reading == (
        "Action faite ; pas mesurable : question modifiée depuis, les réponses ne se comparent pas"
    )


def test_short_variant_compares_shared_items_and_names_those_not_asked(tmp_path):
    after_q = short_v2(tmp_path)
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(after_q, [3] * 6, [None] * 6)
    found = rv.review(
        [
            action("Débattre", "fait", ["ins_debat"]),
            action("CoDir et débat", "fait", ["ins_codir", "ins_debat"], 1),
        ],
        side(MINI, before),
        side(after_q, after, "Mi-mandat"),
        common_items(MINI, after_q, {}),
    )
    assert found.short_after
    assert found.not_asked == ("Les instances laissent de la place au débat contradictoire.",)
    first, second = found.actions
    assert first.reading == (
        "Action faite ; pas encore mesurable : item non posé dans le questionnaire court"
    )
    assert [m.state for m in second.moves] == [rv.COMPARED, rv.NOT_ASKED]
    assert second.reading == (
        "Action faite, perception en hausse d'un niveau (1 item mesuré sur 2)"
    )
    assert second.moves[1].reading(found.not_asked_in) == "non posé dans le questionnaire court"


def test_too_few_respondents_in_either_campaign_shows_nothing():
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    for b, a in ((TooFewRespondents(3), before), (before, TooFewRespondents(3))):
        found = rv.review(
            [action("CoDir", "fait", ["ins_codir"])],
            side(MINI, b),
            side(MINI, a),
            common_items(MINI, MINI, {}),
        )
        (move,) = found.actions[0].moves
        assert move.state == rv.HIDDEN and move.before is None and move.after is None
        assert found.actions[0].reading == (
            "Action faite ; pas de lecture : trop peu de réponses pour comparer sans risque "
            "pour l'anonymat"
        )
        table = rv.review_table(found)
        assert table[["Valeur avant", "Valeur après", "Score avant"]].isna().all(axis=None)


@pytest.mark.parametrize("masked", ["before", "after"])
def test_a_masked_group_on_either_side_hides_the_epci_communes_comparison(masked):
    six = ["epci"] * 3 + ["commune"] * 3
    two_communes = ["epci"] * 4 + ["commune"] * 2  # communes: fewer than 3
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT, six if masked == "after" else two_communes)
    after = results(MINI, [4, 4, 4, 2, 2, 2], [3] * 6, six if masked == "before" else two_communes)
    found = rv.review(
        [action("CoDir", "fait", ["ins_codir"])],
        side(MINI, before),
        side(MINI, after),
        common_items(MINI, MINI, {}),
    )
    (move,) = found.actions[0].moves
    assert move.state == rv.COMPARED  # the whole campaigns are shown…
    assert not move.groups_shown  # …not their groups
    for value in (move.before, move.after):
        assert value.epci is None and value.communes is None
    row = rv.review_table(found).iloc[0]
    groups = [
        "Intercommunalité avant",
        "Communes avant",
        "Intercommunalité après",
        "Communes après",
    ]
    assert row[groups].isna().all()


def test_groups_shown_on_both_sides_give_the_four_figures_and_the_gap():
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(MINI, [4, 4, 4, 2, 2, 2], [3] * 6)
    found = rv.review(
        [action("CoDir", "en_cours", ["ins_codir"])],
        side(MINI, before),
        side(MINI, after),
        common_items(MINI, MINI, {}),
    )
    (move,) = found.actions[0].moves
    assert move.groups_shown
    assert (move.before.epci, move.before.communes) == (25.0, 25.0)
    assert (move.after.epci, move.after.communes) == (75.0, 25.0)
    assert move.reading() == (
        "perception en hausse d'un niveau (2 → 3), moins partagée qu'avant, "
        "écart intercommunalité–communes apparu"
    )


CASES = [
    # status, after codir levels, reading
    ("fait", [3] * 6, "Action faite, perception en hausse d'un niveau"),
    ("fait", [2] * 6, "Action faite, perception inchangée : à interroger"),
    ("fait", [1] * 6, "Action faite, perception en baisse d'un niveau : à interroger"),
    ("en_cours", [4] * 6, "Action en cours, perception déjà en hausse de 2 niveaux"),
    ("en_cours", [2] * 6, "Action en cours, perception inchangée : à suivre"),
    ("en_cours", [1] * 6, "Action en cours, perception en baisse d'un niveau : à suivre de près"),
    (None, [2] * 6, "Action pas encore lancée, perception inchangée"),
    (
        "a_lancer",
        [3] * 6,
        "Action pas encore lancée, perception en hausse d'un niveau : d'autres causes à chercher",
    ),
    ("a_lancer", [1] * 6, "Action pas encore lancée, perception en baisse d'un niveau : à lancer"),
    ("abandonne", [2] * 6, "Action abandonnée, perception inchangée : le besoin demeure"),
    ("abandonne", [3] * 6, "Action abandonnée, perception pourtant en hausse d'un niveau"),
    (
        "abandonne",
        [1] * 6,
        "Action abandonnée, perception en baisse d'un niveau : le besoin s'accroît",
    ),
    (
        "fait",
        [2, 2, 2, 3, 3, 3],
        "Action faite, perception en hausse d'un demi-niveau, "
        "écart intercommunalité–communes apparu",
    ),
]


@pytest.mark.parametrize(("status", "codir", "reading"), CASES)
def test_plain_french_reading_of_each_status_and_movement(status, codir, reading):
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(MINI, codir, [3] * 6)
    found = rv.review(
        [action("CoDir", status, ["ins_codir"])],
        side(MINI, before),
        side(MINI, after),
        common_items(MINI, MINI, {}),
    )
    assert found.actions[0].reading == reading


def test_perception_now_shared_and_gap_closed():
    # before: debat split between EPCI (1) and communes (5): polarised, blind spot
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(MINI, [2] * 6, [4] * 6)
    found = rv.review(
        [action("Débattre", "fait", ["ins_debat"])],
        side(MINI, before),
        side(MINI, after),
        common_items(MINI, MINI, {}),
    )
    assert found.actions[0].reading == (
        "Action faite, perception en hausse d'un niveau, désormais partagée, "
        "écart intercommunalité–communes atténué"
    )


def test_an_action_without_links_and_one_on_a_choice_question():
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    found = rv.review(
        [action("Sans item", "fait", []), action("Outils", "fait", ["ctx_outils"], 1)],
        side(MINI, before),
        side(MINI, before),
        common_items(MINI, MINI, {}),
    )
    assert [a.reading for a in found.actions] == [
        "Action faite ; pas de mesure : aucun item lié à cette action",
        "Action faite ; pas mesurable : item sans niveau à comparer (choix, classement, grille)",
    ]
    assert found.actions[1].moves[0].state == rv.NOT_MEASURED


def test_amounts_in_words():
    assert [rv.amount(x) for x in (0.5, 1, 1.5, 2, 2.5, -1)] == [
        "d'un demi-niveau",
        "d'un niveau",
        "d'un niveau et demi",
        "de 2 niveaux",
        "de 2,5 niveaux",
        "d'un niveau",
    ]
    assert rv.movement(0.4) == "perception inchangée"
    assert rv.movement(-0.5) == "perception en baisse d'un demi-niveau"


def test_tables_and_summary_line(tmp_path):
    before = results(MINI, BEFORE_CODIR, BEFORE_DEBAT)
    after = results(MINI, [3] * 6, [3] * 6)
    follow = [
        action("CoDir", "fait", ["ins_codir"]),
        action("Débattre", "abandonne", ["ins_debat"], 1),
        action("Rien", None, [], 2),
    ]
    found = rv.review(
        follow,
        side(MINI, before, "Diagnostic 2023"),
        side(MINI, after),
        common_items(MINI, MINI, {}),
    )
    table = rv.review_table(found)
    assert list(table.columns) == list(rv.REVIEW_COLUMNS)
    assert list(table["Statut"]) == ["Faite", "Abandonnée", "À lancer"]
    assert table.loc[0, "Valeur avant"] == 2.0 and table.loc[0, "Valeur après"] == 3.0
    assert table.loc[0, "Lecture de l'item"] == "perception en hausse d'un niveau (2 → 3)"
    assert rv.summary_line(found) == (
        "3 actions retenues dans « Diagnostic 2023 » : 1 faite, 1 abandonnée, 1 à lancer."
    )
    follow_table = rv.follow_up_table(follow, date(2026, 1, 1), items={"ins_codir": "Le CoDir"})
    assert list(follow_table["Items liés"]) == ["Le CoDir", "ins_debat", ""]
    assert list(follow_table["Statut"]) == ["Faite", "Abandonnée", "À lancer"]
