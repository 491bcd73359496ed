"""What the workshop's screens show, sorted and worded: the console's lists and buttons, the
wall cut to the screen, the territories side by side, the phone's messages."""

from __future__ import annotations

import pandas as pd

from diagnostic.questionnaire import load_questionnaire
from diagnostic.workshop import StepKind, live, screens
from tests.conftest import FIXTURES
from tests.test_workshop_live import post


def test_the_console_sorts_the_inbox_the_step_and_the_commitments():
    posts = [
        post(1, status=live.PENDING),
        post(2, step=3, group_label="Instances"),
        post(3, retained=True),
        post(4, step=3, status=live.HIDDEN, retained=True),
        post(5, step=3, status=live.PENDING, group_label="Formation"),
    ]
    inbox = screens.inbox(posts, step=3, new_groups=["Budget", "Instances"])
    assert [p.id for p in inbox.pending] == [1, 5]
    assert [p.id for p in inbox.current] == [4, 2]  # newest first, pending ones aside
    assert [p.id for p in inbox.retained] == [3]  # a hidden post is no commitment
    assert inbox.groups == ["Budget", "Formation", "Instances"]


def test_each_state_of_a_post_has_its_buttons():
    def buttons(status: str) -> list[tuple[str, str]]:
        return [(label, to) for label, _, to in screens.moderation_buttons(post(7, status=status))]

    assert buttons(live.PENDING) == [("Afficher", live.VISIBLE), ("Masquer", live.HIDDEN)]
    assert buttons(live.HIDDEN) == [("Afficher", live.VISIBLE)]
    assert buttons(live.VISIBLE) == [
        ("Mettre en avant", live.HIGHLIGHTED),
        ("Masquer", live.HIDDEN),
    ]
    assert buttons(live.HIGHLIGHTED) == [
        ("Retirer la mise en avant", live.VISIBLE),
        ("Masquer", live.HIDDEN),
    ]
    # the key changes with the state, so that a button never outlives a change made elsewhere
    keys = {
        screens.moderation_buttons(post(7, status=s))[0][1]
        for s in (live.VISIBLE, live.HIGHLIGHTED)
    }
    assert len(keys) == 2


def test_only_a_shown_commitment_can_be_retained():
    assert screens.retainable(post(1), StepKind.COMMITMENTS)
    assert screens.retainable(post(1, status=live.PENDING), StepKind.COMMITMENTS)
    assert not screens.retainable(post(1, status=live.HIDDEN), StepKind.COMMITMENTS)
    assert not screens.retainable(post(1), StepKind.COLLECTIVE)


def test_captions_mark_up_only_what_people_typed():
    shown = post(1, nickname="*Al*", retained=True, roadmap_item_id=9)
    caption = screens.post_caption(shown, "CC [A]", lambda t: f"<{t}>")
    assert caption == (
        "<*Al*, DGS> · <CC [A]> · Affichée · ★ engagement retenu · inscrit à la feuille de route"
    )
    assert screens.post_caption(post(2), "CC") == "Alice, DGS · CC · Affichée"
    assert screens.sent_summary({"CC A": 2, "CC B": 1}, str.upper) == (
        "Atelier clos. Engagements inscrits aux projets de feuille de route : "
        "2 pour CC A, 1 pour CC B."
    )
    assert screens.sent_summary({}).endswith(": aucun.")
    assert screens.sent_summary({"CC A": 1}, unassigned=2).endswith(
        "Sans axe de feuille de route, donc non inscrits : 2 engagements retenus. Choisissez "
        "leur axe ci-dessus, puis « Envoyer les engagements retenus depuis la clôture »."
    )


def test_the_wall_is_cut_to_the_screen_and_says_how_many_are_left_out():
    grouped = [post(i, group_label="A" if i % 2 else None) for i in range(1, 8)]
    wall = screens.wall(grouped, limit=5)
    assert [(h, [p.id for p in ps]) for h, ps in wall.groups] == [
        ("A", [1, 3, 5, 7]),
        (live.UNGROUPED, [2]),
    ]
    assert wall.more == 2
    alone = screens.wall([post(1), post(2, status=live.HIDDEN)], limit=12)
    assert alone.groups == [(None, (post(1),))] and alone.more == 0  # no heading for one group
    assert screens.wall([post(1, group_label="A"), post(2, group_label="B")], limit=1).groups[
        1
    ] == ("B", ())


def test_territories_side_by_side_four_a_row_highlights_then_latest():
    names = {t: f"CC {t}" for t in range(1, 6)}
    posts = [post(i, territory_id=1) for i in range(1, 6)]
    posts += [post(i, territory_id=2, status=live.HIGHLIGHTED) for i in (8, 9)]
    rows = screens.side_by_side(names, posts)
    assert [[c.name for c in row] for row in rows] == [["CC 1", "CC 2", "CC 3", "CC 4"], ["CC 5"]]
    first, second = rows[0][0], rows[0][1]
    assert (first.count, [p.id for p in first.posts]) == (5, [5, 4, 3])
    assert (second.count, [p.id for p in second.posts]) == (2, [9, 8])
    assert rows[1][0].count == 0 and rows[1][0].posts == []


def test_the_phone_keeps_unsent_texts_and_says_where_a_post_went():
    drafts = {3: "une idée", 4: "  ", 2: "plus tôt", 5: "en cours"}
    assert screens.unsent(drafts, current=5) == [(2, "plus tôt"), (3, "une idée")]
    assert screens.unsent(drafts) == [(2, "plus tôt"), (3, "une idée"), (5, "en cours")]
    assert screens.sent_message(live.PRIVATE) == "Note enregistrée (privée)."
    assert screens.sent_message(live.PENDING).endswith("s'affichera après validation.")
    assert screens.sent_message(live.VISIBLE) == "Envoyé : votre contribution est à l'écran."
    assert screens.choice([1, 2, 3], 2) == 1 and screens.choice([1, 2, 3], None) is None


def test_the_screen_shows_fewer_items_for_more_territories():
    assert [screens.results_shown(5, n) for n in (1, 2, 3, 4)] == [5, 3, 2, 2]
    assert screens.results_shown(1, 3) == 1
    assert screens.levels_legend([1, 2], {1: "Bas", 2: "Haut", 3: "?"}) == "1 Bas · 2 Haut"


def test_focus_items_come_with_their_question_and_scale():
    q = load_questionnaire(FIXTURES / "mini.yaml")
    items = pd.DataFrame(
        {
            "question_id": ["ins_debat", "ins_codir"],
            "scored": [True, True],
            "n": [4, 4],
            "divergent": [False, True],
            "priority_index": [1.0, 2.0],
            "agreement": [0.5, 0.2],
            "position": [1, 2],
            "mean": [3.0, 2.0],
            "agreement_tag": [None, None],
            "gap": [None, 2.0],
        }
    )
    [first, second] = screens.focus(items, q, 2)
    assert first.question.id == "ins_codir" and second.question.id == "ins_debat"
    assert first.reading == "niveau moyen 2,0 / 5 · regards divergents · écart au niveau visé 2,0"
    value = first.scale.values[0]
    assert first.level(value) == f"{value} — {first.scale.levels[value].label}"


def test_the_step_count_says_who_took_part():
    from diagnostic.workshop import StepKind

    assert screens.step_count(StepKind.GRID, 15, 0, 0, 12) == "12 votes sur 15"
    assert screens.step_count(StepKind.REVOTE, 15, 0, 0, 1) == "1 vote sur 15"
    assert screens.step_count(StepKind.COLLECTIVE, 15, 1, 1, 0) == (
        "1 contribution de 1 participant·e sur 15"
    )
    assert screens.step_count(StepKind.WELCOME, 0, 0, 0, 0) == "0 participant·e"


def test_drafts_follow_their_step_when_the_programme_is_reordered():
    before = ["accueil", "a", "b", "c", "d"]
    after = ["accueil", "c", "a", "d"]  # « b » removed, « c » moved up
    drafts = {1: "sur a", 2: "sur b", 3: "sur c", 4: "  "}
    assert screens.renumber_drafts(drafts, before, after) == {2: "sur a", 1: "sur b\n\nsur c"}
    # a removed last step: its draft joins the last remaining one; nothing is ever dropped
    assert screens.renumber_drafts({4: "sur d"}, before, ["accueil", "a"]) == {1: "sur d"}
    assert screens.renumber_drafts({}, before, after) == {}
