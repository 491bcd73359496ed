"""What the workshop's three screens show, sorted and worded (pure): the console's lists and
controls, the phone's labels and messages, the wall and the items on the screen.

Texts that people typed are marked up by `markup`, the page's escaping function (`plain` in
pages/_shell.py): the page then only lays out what it receives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from diagnostic.questionnaire.schema import Question, Questionnaire, Scale
from diagnostic.vocabulary import ROLE_LABELS, count
from diagnostic.workshop.live import (
    HIDDEN,
    HIGHLIGHTED,
    PENDING,
    PRIVATE,
    STATUS_LABELS,
    UNGROUPED,
    VISIBLE,
    Post,
    board,
    focus_items,
    item_reading,
)
from diagnostic.workshop.programme import POSTING_KINDS, StepKind

Markup = Callable[[str], str]

# Steps that show each territory's own results or posts: nothing to show without a territory.
PER_TERRITORY = frozenset(
    {
        StepKind.RESULTS,
        StepKind.COLLECTIVE,
        StepKind.COMMITMENTS,
        StepKind.REVOTE,
        StepKind.DOTS,
        StepKind.GRID,
    }
)
POST_LABELS = {
    StepKind.PERSONAL: "Votre note",
    StepKind.COLLECTIVE: "Votre contribution pour votre territoire",
    StepKind.COMMITMENTS: "Un engagement : quoi, qui, avec qui, d'ici quand",
}
SENT_MESSAGES = {
    PENDING: "Envoyé : votre contribution s'affichera après validation.",
    PRIVATE: "Note enregistrée (privée).",
}
ON_SCREEN = "Envoyé : votre contribution est à l'écran."


def sent_message(status: str, axis: str | None = None) -> str:
    """What the phone says once a text is posted, by where it landed (and, for a commitment,
    the roadmap axis it goes to: `axis` is its title, already marked up)."""
    said = SENT_MESSAGES.get(status, ON_SCREEN)
    return f"{said} Axe de la feuille de route : « {axis} »." if axis else said


def step_count(kind: StepKind, seats: int, posts: int, authors: int, voters: int) -> str:
    """The console's count of who took part in the current step: « 12 votes sur 15 »,
    « 7 contributions de 5 participant·es sur 15 », or the room's size elsewhere."""
    room = count(seats, "participant·e", "participant·es")
    if kind == StepKind.DOTS:
        return f"{count(voters, 'participant·e a voté', 'participant·es ont voté')} sur {seats}"
    if kind in {StepKind.REVOTE, StepKind.GRID}:
        return f"{count(voters, 'vote')} sur {seats}"
    if kind in POSTING_KINDS:
        written = count(posts, "contribution")
        return f"{written} de {count(authors, 'participant·e', 'participant·es')} sur {seats}"
    return room


def wall_list(posts: Iterable[Post], markup: Markup = str) -> str:
    """A territory's shown posts as one Markdown list (a commitment retained starred), each
    text and nickname through `markup` (the page's escaping)."""
    return "\n".join(
        f"- {'★ ' if p.retained else ''}{markup(p.text)} — *{markup(p.nickname)}*" for p in posts
    )


def own_signature(posts: Iterable[Post]) -> tuple[tuple[object, ...], ...]:
    """What the facilitator may change on one's own posts, to notice when they do."""
    return tuple((p.id, p.status, p.group_label, p.retained, p.dimension) for p in posts)


def own_status(post: Post, axes: Mapping[str, str], markup: Markup = str) -> str:
    """The state of one's own post as the facilitator left it: waiting, shown, highlighted,
    hidden or private; grouped, retained, and the axis of a commitment."""
    parts = [STATUS_LABELS.get(post.status, post.status)]
    if post.group_label and post.status not in {HIDDEN, PRIVATE}:
        parts.append(f"regroupée sous « {markup(post.group_label)} »")
    if post.retained:
        parts.append("retenue comme engagement")
    if post.dimension in axes:
        parts.append(f"axe « {axes[post.dimension]} »")
    return " · ".join(parts)


def unsent(drafts: Mapping[int, str], current: int | None = None) -> list[tuple[int, str]]:
    """Texts typed and not sent (blank ones aside), by step, but the one of the `current`
    step (its field still shows it)."""
    return sorted((i, t) for i, t in drafts.items() if i != current and t.strip())


def renumber_drafts(
    drafts: Mapping[int, str], before: Sequence[str], after: Sequence[str]
) -> dict[int, str]:
    """Drafts keyed by step index, after the programme went from the step ids `before` to
    `after` (reordered, steps removed or restored): each follows its step; one whose step
    was removed joins the next remaining step's draft (else the last one's), never dropped."""
    moved: dict[int, str] = {}
    for index, text in sorted(drafts.items()):
        if not text.strip():
            continue
        step = before[index] if 0 <= index < len(before) else None
        if step in after:
            target = after.index(step)
        else:
            later = [after.index(s) for s in before[index + 1 :] if s in after]
            target = later[0] if later else max(0, len(after) - 1)
        moved[target] = f"{moved[target]}\n\n{text}" if target in moved else text
    return moved


def choice(values: Sequence[object], previous: object) -> int | None:
    """The position of a previous vote among the choices, None when there was none."""
    return values.index(previous) if previous in values else None


# --- dot voting on the phone ------------------------------------------------------------------

OWN_POSTS_ALLOWED = "Vous pouvez aussi donner des points à vos propres contributions."


def dots_left(left: int, bound: int) -> str:
    """« Il vous reste 2 points sur 3 », « Il vous reste 1 point sur 3 », or all given."""
    if left <= 0:
        return (
            f"Vous avez donné vos {count(bound, 'point')}. Pour changer d'avis, retirez un point "
            "d'une contribution et donnez-le à une autre."
        )
    return f"Il vous reste {count(left, 'point')} sur {bound}"


def dots_shown(territories: int) -> int:
    """How many bars of the points tally fit on the screen: the most supported 8 for one
    territory, 5 each for several (the rest is counted below)."""
    return 8 if territories <= 1 else 5


def dot_pips(given: int, bound: int) -> str:
    """One's points on a post, drawn: « ●● » and how many, « aucun point » for none."""
    if given <= 0:
        return "Aucun de vos points"
    return f"{'●' * min(given, bound)} {count(given, 'point')} de votre part"


def dot_confirmation(points: int, left: int, bound: int) -> str:
    """What the phone says under a post once its points are recorded, and what is left:
    « 2 points sur cette contribution. Il vous reste 1 point sur 3. »"""
    done = (
        f"{count(points, 'point')} sur cette contribution."
        if points
        else "Aucun point sur cette contribution."
    )
    return f"{done} {dots_left(left, bound)}." if left > 0 else f"{done} {dots_left(left, bound)}"


DOTS_LABEL = "Vos points sur cette contribution"


# --- the items of the questionnaire ------------------------------------------------------------


@dataclass(frozen=True)
class FocusItem:
    """An item to discuss (live.focus_items): its question, its scale and its result in words."""

    question: Question
    scale: Scale
    reading: str

    def level(self, value: int) -> str:
        """« 3 — Intermédiaire »: a level as the phone's re-vote offers it."""
        return f"{value} — {self.scale.levels[value].label}"


def focus(items: pd.DataFrame, questionnaire: Questionnaire, n: int) -> list[FocusItem]:
    """The `n` items to discuss first (CampaignResults.items), with their question."""
    out = []
    for row in focus_items(items, n).to_dict("records"):
        question = questionnaire.question(str(row["question_id"]))
        out.append(FocusItem(question, questionnaire.scale_of(question), item_reading(row)))
    return out


def results_shown(item_count: int, territories: int) -> int:
    """How many items fit on the screen: all of them for one territory, fewer for several."""
    return min(item_count, {1: item_count, 2: 3}.get(territories, 2))


def levels_legend(levels: Sequence[int], names: Mapping[int, str]) -> str:
    """« 1 Inexistant · 2 … »: the names of the levels numbered on the re-vote charts."""
    return " · ".join(f"{level} {names[level]}" for level in levels)


# --- the console -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    """The console's lists: posts waiting for validation, the current step's posts (newest
    first), the commitments retained, and the group labels to offer."""

    pending: list[Post]
    current: list[Post]
    retained: list[Post]
    groups: list[str]


def inbox(posts: Sequence[Post], step: int, new_groups: Iterable[str] = ()) -> Inbox:
    """Sort the shared posts of a workshop for the console (`new_groups`: labels created in
    the console and not used yet)."""
    return Inbox(
        pending=[p for p in posts if p.status == PENDING],
        current=[p for p in posts if p.step == step and p.status != PENDING][::-1],
        retained=[p for p in posts if p.retained and p.shown],
        groups=sorted({p.group_label for p in posts if p.group_label} | set(new_groups)),
    )


def moderation_buttons(post: Post) -> list[tuple[str, str, str]]:
    """The buttons of a post in the console: (label, widget key, status it sets). The key
    carries the post's state, so that a change made elsewhere shows a fresh button."""
    if post.status in {PENDING, HIDDEN}:
        buttons = [("Afficher", f"ws_show_{post.id}", VISIBLE)]
    else:
        lit = post.status == HIGHLIGHTED
        label = "Retirer la mise en avant" if lit else "Mettre en avant"
        buttons = [(label, f"ws_hl_{post.id}_{lit}", VISIBLE if lit else HIGHLIGHTED)]
    if post.status != HIDDEN:
        buttons.append(("Masquer", f"ws_hide_{post.id}", HIDDEN))
    return buttons


def retainable(post: Post, kind: StepKind) -> bool:
    """A post may become a roadmap commitment: written at a commitments step, not hidden."""
    return kind == StepKind.COMMITMENTS and post.status != HIDDEN


def post_caption(post: Post, territory: str, markup: Markup = str) -> str:
    """Who wrote a post, for which territory, where it stands."""
    who = f"{post.nickname}, {ROLE_LABELS.get(post.role or '', post.role or '')}"
    return (
        f"{markup(who)} · {markup(territory)} · "
        f"{STATUS_LABELS.get(post.status, post.status)}"
        + (" · ★ engagement retenu" if post.retained else "")
        + (" · inscrit à la feuille de route" if post.roadmap_item_id else "")
    )


def sent_summary(sent: Mapping[str, int], markup: Markup = str, unassigned: int = 0) -> str:
    """The console's message once the workshop is closed (and what waits for an axis)."""
    text = ", ".join(f"{n} pour {markup(t)}" for t, n in sent.items()) or "aucun"
    done = f"Atelier clos. Engagements inscrits aux projets de feuille de route : {text}."
    if not unassigned:
        return done
    return (
        f"{done} Sans axe de feuille de route, donc non inscrits : "
        f"{count(unassigned, 'engagement retenu')}. Choisissez leur axe ci-dessus, puis "
        "« Envoyer les engagements retenus depuis la clôture »."
    )


# --- the wall on the screen --------------------------------------------------------------------


@dataclass(frozen=True)
class Wall:
    """The wall of posts as it fits the screen: (heading or None, posts shown) per group, and
    how many posts were left out."""

    groups: list[tuple[str | None, tuple[Post, ...]]]
    more: int


def wall(posts: Iterable[Post], limit: int) -> Wall:
    """The board (live.board) cut at `limit` posts; a single group without a label has no
    heading."""
    groups = board(posts)
    shown = 0
    out: list[tuple[str | None, tuple[Post, ...]]] = []
    for group in groups:
        titled = group.label != UNGROUPED or len(groups) > 1
        out.append((group.label if titled else None, group.posts[: max(0, limit - shown)]))
        shown += len(group.posts)
    return Wall(out, max(0, shown - limit))


@dataclass(frozen=True)
class Column:
    """One territory in a row of the screen: its name, its number of posts, a few of them."""

    name: str
    count: int
    posts: list[Post]


def side_by_side(
    names: Mapping[int, str], posts: Sequence[Post], *, per: int = 3, across: int = 4
) -> list[list[Column]]:
    """Rows of `across` territories, each with its highlighted then latest `per` posts, so that
    a room of several territories fits on one screen."""
    columns = []
    for territory_id, name in names.items():
        mine = [p for p in posts if p.territory_id == territory_id]
        latest = sorted(mine, key=lambda p: (p.status != HIGHLIGHTED, -p.id))
        columns.append(Column(name, len(mine), latest[:per]))
    return [columns[i : i + across] for i in range(0, len(columns), across)]
