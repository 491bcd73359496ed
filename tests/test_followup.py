"""The follow-up of roadmap actions, pure part: current status, progress, deadline and lateness,
links taken from the trigger evidence, urgency order, the chantier roll-up, input checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.roadmap.followup import (
    FOLLOW_UP_LABELS,
    ActionFollowUp,
    StatusChange,
    by_urgency,
    chantier_progress,
    clean_change,
    clean_links,
    default_links,
    follow_up,
    links_of,
)
from diagnostic.roadmap.model import PlanItem, Window
from diagnostic.roadmap.proposals import FICHE

TODAY = date(2027, 6, 1)


def item(
    item_id: int = 1,
    *,
    end: date | None = date(2027, 3, 31),
    chantier: str | None = "instances",
    evidence: list[dict[str, str]] | None = None,
    links: tuple[str, ...] | None = None,
    position: int = 0,
) -> PlanItem:
    details: dict = {"evidence": evidence or []}
    if chantier:
        details["chantier"] = chantier
    if end is not None:
        details["window"] = Window(date(2027, 1, 1), end, "debut").as_dict()
    return PlanItem(
        id=item_id,
        action_id=f"ACT-{item_id}",
        dimension="instances",
        title=f"Action {item_id}",
        description="",
        horizon="cent_jours",
        owner=None,
        indicator=None,
        status="accepted",
        priority=0.5,
        position=position,
        origin="generated",
        edited=True,
        change=None,
        details=details,
        links=links,
    )


def change(
    status: str,
    on: date,
    *,
    item_id: int = 1,
    progress: int | None = None,
    value: float | None = None,
    minute: int = 0,
) -> StatusChange:
    return StatusChange(
        item_id=item_id,
        status=status,
        on=on,
        progress=progress,
        indicator_value=value,
        comment="",
        by="Coordination",
        recorded_at=datetime(2027, 5, 1, 12, minute, tzinfo=UTC),
    )


def test_labels_are_the_four_french_statuses():
    assert FOLLOW_UP_LABELS == {
        "a_lancer": "À lancer",
        "en_cours": "En cours",
        "fait": "Faite",
        "abandonne": "Abandonnée",
    }


def test_an_action_without_history_is_to_start_at_zero():
    f = follow_up(item(), [])
    assert f.current is None and f.status == "a_lancer" and f.label == "À lancer"
    assert f.progress == 0 and f.indicator_value is None


def test_the_current_status_is_the_latest_by_day_then_by_recording():
    a = change("en_cours", date(2027, 2, 1), progress=40, value=3.0)
    b = change("fait", date(2027, 1, 15), minute=5)  # recorded later, holds from earlier
    c = change("en_cours", date(2027, 2, 1), progress=60, minute=9)  # same day, recorded later
    f = follow_up(item(), [a, b, c])
    assert [x.on for x in f.history] == [date(2027, 1, 15), date(2027, 2, 1), date(2027, 2, 1)]
    assert f.current is c and f.status == "en_cours" and f.progress == 60
    assert f.indicator_value == 3.0  # the latest value entered, even with an older status


def test_progress_follows_the_status():
    assert follow_up(item(), [change("fait", TODAY, progress=30)]).progress == 100
    assert follow_up(item(), [change("a_lancer", TODAY, progress=30)]).progress == 0
    assert follow_up(item(), [change("en_cours", TODAY)]).progress is None
    assert follow_up(item(), [change("abandonne", TODAY, progress=20)]).progress == 20


def test_due_is_the_end_of_the_window_and_only_open_actions_are_late():
    assert follow_up(item(end=None), []).due is None
    assert not follow_up(item(end=None), []).late(TODAY)
    late = follow_up(item(end=date(2027, 3, 31)), [change("en_cours", date(2027, 2, 1))])
    assert late.due == date(2027, 3, 31) and late.late(TODAY)
    assert not late.late(date(2027, 3, 31))  # the last day of the window is not late
    assert follow_up(item(), []).late(TODAY)  # never started, window over
    assert not follow_up(item(), [change("fait", date(2027, 4, 2))]).late(TODAY)
    assert not follow_up(item(), [change("abandonne", date(2027, 4, 2))]).late(TODAY)


def test_default_links_are_the_answered_items_of_the_evidence_once_each():
    evidence = [
        {"question_id": "ins_codir", "item": "Le CoDir…", "source": "réponses individuelles"},
        {"question_id": "pacte_debat_tenu", "item": FICHE, "source": "Fiche"},
        {"question_id": "ins_debat", "item": "Le débat…", "source": "consensus"},
        {"question_id": "ins_codir", "item": "Le CoDir…", "source": "consensus"},
    ]
    plan_item = item(evidence=evidence)
    assert default_links(plan_item) == ("ins_codir", "ins_debat")
    assert links_of(plan_item) == ("ins_codir", "ins_debat")
    assert follow_up(plan_item, []).links == ("ins_codir", "ins_debat")
    chosen = item(evidence=evidence, links=("act_grille",))
    assert follow_up(chosen, []).links == ("act_grille",)
    assert follow_up(item(evidence=evidence, links=()), []).links == ()  # emptied on purpose


def test_late_actions_come_first_then_open_ones_by_deadline_then_closed_ones():
    done = follow_up(item(1, end=date(2027, 1, 31), position=0), [change("fait", TODAY)])
    open_later = follow_up(item(2, end=date(2027, 12, 31), position=1), [])
    late_recent = follow_up(item(3, end=date(2027, 5, 1), position=2), [])
    late_old = follow_up(item(4, end=date(2027, 2, 1), position=3), [])
    no_date = follow_up(item(5, end=None, position=4), [])
    ordered = by_urgency([done, open_later, late_recent, late_old, no_date], TODAY)
    assert [f.item.id for f in ordered] == [4, 3, 2, 5, 1]


def test_a_chantier_rolls_up_from_its_actions():
    follow_ups = [
        follow_up(item(1, chantier="instances"), [change("fait", TODAY)]),
        follow_up(item(2, chantier="instances"), [change("en_cours", TODAY, progress=40)]),
        follow_up(item(3, chantier="instances"), [change("en_cours", TODAY)]),  # no share
        follow_up(item(4, chantier="instances"), [change("abandonne", TODAY, progress=10)]),
        follow_up(item(5, chantier="pacte", end=date(2028, 1, 1)), []),
        follow_up(item(6, chantier=None), [change("fait", TODAY)]),
    ]
    rolled = chantier_progress(follow_ups, {"instances": "Faire vivre les instances"}, TODAY)
    assert [r.chantier for r in rolled] == ["instances", "pacte", ""]
    first = rolled[0]
    assert first.title == "Faire vivre les instances"
    assert (first.actions, first.done, first.in_progress, first.abandoned, first.to_start) == (
        4,
        1,
        2,
        1,
        0,
    )
    assert first.progress == 70 and first.unknown == 1  # (100 + 40) / 2, abandoned left out
    assert first.late == 2  # the two under way, window over on 31 March
    assert rolled[1].progress == 0 and rolled[1].late == 0 and rolled[1].title == "pacte"
    assert rolled[2].title == "Actions hors chantier" and rolled[2].progress == 100
    assert chantier_progress(follow_ups)[0].late == 0  # no day given: nothing counted late


def test_an_abandoned_only_chantier_has_no_progress():
    only = [follow_up(item(1), [change("abandonne", TODAY)])]
    assert chantier_progress(only)[0].progress is None


def test_clean_change_accepts_a_plain_change_and_cleans_the_comment():
    clean = clean_change(
        status="en_cours", on=TODAY, today=TODAY, progress=40.0, comment="  Lancé\x00 "
    )
    assert (clean.status, clean.on, clean.progress, clean.comment) == (
        "en_cours",
        TODAY,
        40,
        "Lancé",
    )
    assert clean_change(status="fait", on=TODAY, today=TODAY, comment="  ").comment is None
    assert clean_change(status="fait", on=TODAY, today=TODAY, progress=30).progress == 100
    assert clean_change(status="a_lancer", on=TODAY, today=TODAY, progress=30).progress == 0
    assert clean_change(status="abandonne", on=TODAY, today=TODAY, progress=30).progress == 30
    assert (
        clean_change(status="fait", on=TODAY, today=TODAY, indicator_value=3).indicator_value == 3.0
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "termine"}, "statut de suivi inconnu"),
        ({"on": date(2027, 6, 2)}, "postérieure à aujourd'hui"),
        ({"on": None}, "date du statut est obligatoire"),
        ({"progress": 101}, "entre 0 et 100"),
        ({"progress": -1}, "entre 0 et 100"),
        ({"progress": 12.5}, "entier"),
        ({"progress": True}, "pourcentage"),
        ({"indicator_value": float("nan")}, "nombre"),
        ({"indicator_value": "douze"}, "nombre"),
        ({"comment": "x" * 1001}, "1000 caractères"),
    ],
)
def test_clean_change_refusals(fields, message):
    given = {"status": "en_cours", "on": TODAY, **fields}
    with pytest.raises(AnswerError, match=message):
        clean_change(today=TODAY, **given)


def test_clean_links():
    assert clean_links(None) is None
    assert clean_links([" ins_codir", "ins_debat", "ins_codir", ""]) == ["ins_codir", "ins_debat"]
    assert clean_links([], {"ins_codir"}) == []
    with pytest.raises(AnswerError, match="item inconnu : ins_autre"):
        clean_links(["ins_autre"], {"ins_codir"})
    with pytest.raises(AnswerError, match="item inconnu"):
        clean_links(["=HYPERLINK()"])
    with pytest.raises(AnswerError, match="30 items au plus"):
        clean_links([f"q{i}" for i in range(31)])


def test_a_follow_up_is_frozen():
    f = ActionFollowUp(item=item(), history=(), links=())
    with pytest.raises(AttributeError):
        f.links = ("x",)  # type: ignore[misc]


def test_what_the_page_says_of_an_action():
    from diagnostic.roadmap.followup import history_rows, state_of, status_line

    late = follow_up(item(), [change("en_cours", date(2027, 2, 1), progress=40, value=2.5)])
    assert state_of(late, TODAY) == "En retard"
    assert status_line(late, TODAY) == (
        "En cours depuis le 1er février 2027 (avancement 40 %) · indicateur : 2,50 · "
        "échéance dépassée le 31 mars 2027"
    )
    fresh = follow_up(item(end=date(2027, 12, 31)), [])
    assert status_line(fresh, TODAY) == "À lancer · échéance le 31 décembre 2027"
    done = follow_up(item(), [change("en_cours", date(2027, 1, 5)), change("fait", TODAY)])
    assert status_line(done, TODAY) == "Faite depuis le 1er juin 2027"
    rows = history_rows(done)
    assert [r["Statut"] for r in rows] == ["Faite", "En cours"]  # newest first
    assert rows[0]["Depuis le"] == "1er juin 2027" and rows[0]["Par"] == "Coordination"


def test_the_timeline_numbers_the_actions_as_listed_and_colours_their_state():
    from diagnostic.roadmap.followup import LATE_COLOUR, STATUS_COLOURS, timeline_of

    ordered = by_urgency(
        [
            follow_up(item(1, end=date(2027, 12, 31)), [change("fait", TODAY)]),
            follow_up(item(2, end=date(2027, 3, 31)), []),
            follow_up(item(3, end=None), []),
        ],
        TODAY,
    )
    spec = timeline_of(ordered, TODAY, {"instances": "Faire vivre les instances"})
    assert spec is not None
    assert [b.row for b in spec.bars] == ["A1 · En retard", "A3 · Faite"]  # A2 has no window
    assert [b.colour for b in spec.bars] == [LATE_COLOUR, STATUS_COLOURS["fait"]]
    assert spec.bars[0].chantier == "Faire vivre les instances"
    assert spec.bars[0].when.startswith("Action 2 · ")
    assert spec.start == date(2027, 1, 1) and spec.today == TODAY
    assert timeline_of([follow_up(item(end=None), [])], TODAY) is None
