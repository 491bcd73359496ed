"""The forms of a participant's phone, one per kind of step: write (drafts kept in the session),
re-vote, give points, place on the grid; the results step's list."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.workshop import (
    Place,
    Programme,
    Seat,
    Step,
    StepKind,
    WorkshopError,
    WorkshopInfo,
    live,
    priorities,
    screens,
    service,
)
from pages import _push as push
from pages._autosave import State, autosave_text, typed
from pages._shell import engine, plain, settings, workshop_results
from pages._workshop import REVISIONS

DRAFTS = "ws_drafts"  # participant id -> step -> the text typed and not sent yet
MINE_SEEN = "ws_mine_seen"  # (step, state of one's posts there) at the last look
STAGE_DRAWN = "ws_stage_drawn"  # (step, room's change counter) the form was drawn at
STAGE_LAG = "ws_stage_lag"  # the form's (step, counter) when a refresh found it behind
MOVE_OFFERED = "ws_move_offered"  # the territory may still be changed (nothing sent yet)
ACTED = "ws_acted"  # a post or a vote has just been recorded (the page may change above)
SENT = "ws_sent"  # how many posts this page has sent


@dataclass(frozen=True)
class Phone:
    """This phone's seat in a workshop, and the programme the room follows."""

    info: WorkshopInfo
    seat: Seat
    place: Place | None
    programme: Programme


def drafts(seat: Seat) -> dict[int, str]:
    """This seat's texts typed and not sent, by step (this browser session's memory: the live
    refresh and the facilitator's next step never drop them)."""
    mine: dict[int, str] = st.session_state.setdefault(DRAFTS, {}).setdefault(
        seat.participant_id, {}
    )
    return mine


STEP_IDS = "ws_step_ids"  # participant id -> the step ids of the programme last shown


def follow_programme(seat: Seat, programme: Programme) -> None:
    """Drafts are kept by step index: when the facilitator reorders the programme, move each
    to its step's new index (screens.renumber_drafts) before anything shows them."""
    ids = [s.id for s in programme.steps]
    before = st.session_state.setdefault(STEP_IDS, {}).get(seat.participant_id)
    if before is not None and before != ids:
        mine = drafts(seat)
        moved = screens.renumber_drafts(mine, before, ids)
        mine.clear()
        mine.update(moved)
        seen = st.session_state.get("ws_seen_step")  # the step shown: by its new index
        if isinstance(seen, int) and 0 <= seen < len(before):
            st.session_state["ws_seen_step"] = (
                ids.index(before[seen]) if before[seen] in ids else None
            )
        st.session_state.pop(LEFT, None)
    st.session_state[STEP_IDS][seat.participant_id] = ids


def axes_of(phone: Phone) -> dict[str, str]:
    """The roadmap axes a commitment of this phone's territory may go to, id -> title."""
    place = phone.place
    return service.dimensions_of(settings().questions_dir, place) if place else {}


def send(phone: Phone, index: int, text: str, *, share: bool, dimension: str | None) -> bool:
    """Post a text at a step; the outcome is shown at the next run. True when posted."""
    try:
        created = service.post(
            engine(),
            phone.seat,
            phone.programme,
            step=index,
            text=text,
            share=share,
            dimension=dimension,
            questions_dir=settings().questions_dir,
            revision=st.session_state.get(REVISIONS, {}).get(phone.info.id),
        )
    except (WorkshopError, AnswerError) as exc:
        st.session_state["ws_post_msg"] = ("error", f"Non envoyé : {plain(exc)}.")
        return False
    axis = axes_of(phone).get(created.dimension or "")
    st.session_state["ws_post_msg"] = ("success", screens.sent_message(created.status, axis))
    drafts(phone.seat).pop(index, None)
    st.session_state.pop(MINE_SEEN, None)  # one's own new post is no news to redraw for
    st.session_state[ACTED] = True
    st.session_state[SENT] = st.session_state.get(SENT, 0) + 1
    return True


def axis_choice(label: str, axes: dict[str, str], key: str) -> None:
    """Every roadmap axis, one under the other (nothing clipped on a phone), none chosen
    beforehand: a radio rather than a list, which the live refresh would close."""
    with st.container(key=f"ws_axes_{key}"):
        st.radio(label, list(axes), index=None, format_func=axes.get, key=key)


def post_message() -> None:
    found = st.session_state.pop("ws_post_msg", None)
    if found:
        (st.success if found[0] == "success" else st.error)(found[1])


def unsent_drafts(phone: Phone, current: int | None) -> None:
    """Texts typed at another step and not sent (the facilitator moved on meanwhile): shown
    with what to do with them, never dropped silently."""
    for index, text in screens.unsent(drafts(phone.seat), current):
        past = phone.programme.step(index)
        with st.container(border=True, key=f"ws_draft_{index}"):
            st.markdown(f"**Texte non envoyé — étape {index + 1} « {plain(past.title)} »**")
            st.markdown(plain(text))
            note = past.kind == StepKind.PERSONAL
            axis_key = f"ws_draft_axis_{index}"
            axes = axes_of(phone) if past.kind == StepKind.COMMITMENTS else {}
            if axes:
                axis_choice("Axe de la feuille de route de cet engagement", axes, axis_key)
            cols = st.columns(2)
            cols[0].button(
                "L'enregistrer comme note privée" if note else "L'envoyer pour cette étape",
                key=f"ws_draft_send_{index}",
                type="primary",
                on_click=lambda index=index, text=text, axis_key=axis_key: send(
                    phone, index, text, share=False, dimension=st.session_state.get(axis_key)
                ),
            )
            cols[1].button(
                "L'effacer",
                key=f"ws_draft_drop_{index}",
                on_click=lambda index=index: drafts(phone.seat).pop(index, None),
            )


def text_field(phone: Phone, index: int) -> tuple[int, str]:
    """The autosaved field of a step's text (a new empty one after each post: its round);
    what it sends is kept as the step's draft. Returns the round and the field's key."""
    seat = phone.seat
    round_ = st.session_state.get(f"ws_round_{index}", 0)
    field = f"ws_text_{index}_{round_}"

    def keep(text: str) -> State:
        # The send button's callback may run first in the same rerun: a text already posted
        # (its field's round is over) is not kept again as a draft.
        if st.session_state.get(f"ws_round_{index}", 0) == round_:
            drafts(seat)[index] = text
        return "saved"

    autosave_text(
        screens.POST_LABELS[phone.programme.step(index).kind],
        key=field,
        value=drafts(seat).get(index, ""),
        max_chars=live.MAX_POST,
        on_save=keep,
        saved_word="Brouillon gardé sur cette page (pas encore envoyé)",
    )
    return round_, field


LEFT = "ws_left_step"  # (the step the phone left, when)
LATE_SECONDS = 5.0


def late_field(phone: Phone, left: int | None, current: int) -> None:
    """The field of the step the phone just left, drawn once more, hidden, in the run that
    follows the facilitator's « next step ». The browser sends a field's text as the field
    goes away (pages/components/autosave_text.js, its cleanup): the words typed in the last
    second then reach that step's draft (shown under « Texte non envoyé ») instead of a field
    the server no longer knows. Drawn at the top of the page, before the old field is
    replaced."""
    if left is not None and left != current:
        st.session_state[LEFT] = (left, time.monotonic())
    left, at = st.session_state.get(LEFT, (None, 0.0))
    if left is None or left == current or time.monotonic() - at > LATE_SECONDS:
        return  # a few seconds: the field's last sending (a second at most) is in by then
    if not 0 <= left <= phone.programme.last or not phone.programme.step(left).posts:
        return
    with st.container(key="ws_late_field"):  # display: none (participant.css)
        text_field(phone, left)


def post_form(phone: Phone, index: int) -> None:
    """A text for the step (a note, a contribution, a commitment), what was written before."""
    kind, seat = phone.programme.step(index).kind, phone.seat
    axes = axes_of(phone) if kind == StepKind.COMMITMENTS else {}
    round_, field = text_field(phone, index)
    share_key, axis_key = f"ws_share_{index}_{round_}", f"ws_axis_{index}_{round_}"
    if kind == StepKind.PERSONAL:
        st.checkbox(
            "Partager avec la salle (affichée à l'écran avec votre pseudonyme)", key=share_key
        )
    if axes:
        axis_choice("Axe de la feuille de route de votre engagement (à choisir)", axes, axis_key)

    def submit() -> None:
        text = typed(field)  # what the field sent last, even in the run that brings it
        if text is None:
            text = drafts(seat).get(index, "")
        share = bool(st.session_state.get(share_key))
        if send(phone, index, text, share=share, dimension=st.session_state.get(axis_key)):
            st.session_state[f"ws_round_{index}"] = round_ + 1

    st.button("Envoyer", type="primary", key=f"ws_send_{index}_{round_}", on_click=submit)
    post_message()
    if phone.info.controlled and kind != StepKind.PERSONAL:
        st.caption("L'animation valide les contributions avant de les afficher.")
    own_posts(phone, index, axes)


OWN_POSTS = "ws_own_posts"  # (step, seat's counter, posts sent here) -> one's posts there


def my_posts(seat: Seat, index: int) -> list[live.Post]:
    """One's own posts at a step. With the push, read again only when they may have changed:
    another step, the facilitator changed one (the seat's counter), one sent a post from this
    page; the same list otherwise (a pause, the next minute: 150 phones redrawn at once)."""
    if not push.active():
        return service.my_posts(engine(), seat, index)
    key = (index, push.seat_counter(seat.participant_id), st.session_state.get(SENT, 0))
    found = st.session_state.get(OWN_POSTS)
    if found is None or found[0] != key:
        found = (key, service.my_posts(engine(), seat, index))
        st.session_state[OWN_POSTS] = found
    return found[1]


def own_posts(phone: Phone, index: int, axes: dict[str, str]) -> None:
    """One's own posts at this step with their current state (waiting, shown, highlighted,
    grouped, hidden); the live refresh redraws the page when the facilitator changes one
    (`mine_changed`)."""
    mine = my_posts(phone.seat, index)
    st.session_state[MINE_SEEN] = (index, screens.own_signature(mine))  # as drawn here
    if mine:
        st.markdown("**Ce que vous avez écrit à cette étape**")
    for post in reversed(mine):
        with st.container(key=f"mine_{post.id}"):
            st.markdown(plain(post.text))
            st.caption(screens.own_status(post, axes, plain))


def mine_changed(seat: Seat, step: int) -> bool:
    """Whether the facilitator changed one of this seat's posts at the step since the last
    look (one small query, in the phone's live refresh): the page is then drawn again, and
    each post shows its new state. The first look, or one after a post, only takes note."""
    seen = (step, screens.own_signature(service.my_posts(engine(), seat, step)))
    before = st.session_state.get(MINE_SEEN)
    st.session_state[MINE_SEEN] = seen
    return before is not None and before[0] == step and before != seen


VOTED = "Votre vote est enregistré."


def vote(seat: Seat, key: str, kind: str, target: str, campaign_id: int | None = None) -> None:
    """A radio's callback: its value becomes this seat's vote, confirmed under the item voted
    on (a refusal is shown after the form)."""
    st.session_state.pop("ws_voted", None)
    try:
        service.vote(
            engine(),
            seat,
            kind=kind,
            target=target,
            value=int(st.session_state[key]),
            campaign_id=campaign_id,
        )
    except (WorkshopError, AnswerError) as exc:
        st.session_state["ws_vote_error"] = f"Vote non enregistré : {plain(exc)}."
    else:
        st.session_state["ws_voted"] = key
        st.session_state[ACTED] = True


def voted(*keys: str) -> None:
    """The confirmation of the vote just cast, under the item it was cast on."""
    if st.session_state.get("ws_voted") in keys:
        st.success(VOTED, icon=":material/check_circle:")


def vote_error() -> None:
    error = st.session_state.pop("ws_vote_error", None)
    if error:
        st.error(error)


def revote_form(phone: Phone, step: Step) -> None:
    """A level today for each item the screen discusses."""
    place = phone.place
    results = workshop_results(place) if place else None
    if results is None or place is None:
        st.info("Pas de résultats à revoter pour votre territoire (trop peu de réponses).")
        return
    votes = service.my_votes(engine(), phone.seat)
    for item in screens.focus(results.items, results.questionnaire, step.item_count):
        qid, values, key = item.question.id, item.scale.values, f"ws_vote_{item.question.id}"
        st.markdown(f"**{plain(item.question.text)}**")
        st.radio(
            "Niveau aujourd'hui, selon vous",
            values,
            index=screens.choice(values, votes.get((live.LEVEL, qid))),
            format_func=item.level,
            key=key,
            on_change=vote,
            args=(phone.seat, key, live.LEVEL, qid, place.campaign_id),
        )
        voted(key)
    vote_error()


def grid_form(phone: Phone, step: Step) -> None:
    """The impact and the effort of each of the territory's shown candidates."""
    source = phone.programme.index_of(step.source or "")
    seat = phone.seat
    candidates = service.wall(engine(), phone.info.id, step=source, territory_id=seat.territory_id)
    if not candidates:
        st.info("Votre territoire n'a pas encore de chantier affiché à placer.")
        return
    votes = service.my_votes(engine(), seat)
    scale = list(live.GRID_SCALE)
    for post in candidates:
        st.markdown(f"**{plain(post.text)}**")
        for col, kind, title in zip(
            st.columns(2), (live.IMPACT, live.EFFORT), ("Impact", "Effort"), strict=True
        ):
            key = f"ws_{kind}_{post.id}"
            col.radio(
                title,
                scale,
                index=screens.choice(scale, votes.get((kind, str(post.id)))),
                format_func=live.GRID_SCALE.get,
                horizontal=True,
                key=key,
                on_change=vote,
                args=(seat, key, kind, str(post.id)),
            )
        voted(f"ws_{live.IMPACT}_{post.id}", f"ws_{live.EFFORT}_{post.id}")
    vote_error()


DOT_SAID = "ws_dot_said"  # (post id, message, kind) of the last change of points
DOTS_SEEN = "ws_dots_seen"  # (step, the posts one may give points to) at the last look


def dot_candidates(phone: Phone, step: Step) -> list[live.Post]:
    """The shown posts of the source step for this phone's territory."""
    source = phone.programme.index_of(step.source or "")
    return service.wall(engine(), phone.info.id, step=source, territory_id=phone.seat.territory_id)


def dots_changed(phone: Phone, index: int, step: Step) -> bool:
    """Whether the posts on offer changed since the last look (the facilitator showed, hid or
    edited one): the live refresh then draws the list again. The first look only takes note."""
    seen = (index, tuple((p.id, p.text) for p in dot_candidates(phone, step)))
    before = st.session_state.get(DOTS_SEEN)
    st.session_state[DOTS_SEEN] = seen
    return before is not None and before[0] == index and before != seen


def set_points(phone: Phone, index: int, post_id: int, key: str | None) -> None:
    """A post's points radio (or, with no key, « Reprendre mes points »): its value becomes
    this seat's points on the post, confirmed under it. The service refuses going beyond the
    bound, from this tab or another; the radio then shows the points recorded again."""
    points = int(st.session_state[key]) if key else 0
    try:
        dots = priorities.set_dots(
            engine(), phone.seat, phone.programme, step=index, post_id=post_id, points=points
        )
    except (WorkshopError, AccessDenied) as exc:
        st.session_state[DOT_SAID] = (post_id, f"Non enregistré : {plain(exc)}.", "error")
    else:
        said = screens.dot_confirmation(points, dots.left, dots.bound)
        st.session_state[DOT_SAID] = (post_id, said, "success")
        st.session_state[ACTED] = True


def dots_form(phone: Phone, index: int, step: Step) -> None:
    """The territory's shown posts of the source step, each with a choice of how many of
    one's points it carries (a value, so that a choice received twice counts once); how many
    points are left; a post hidden since one gave it points, to take them back."""
    candidates = dot_candidates(phone, step)
    st.session_state[DOTS_SEEN] = (index, tuple((p.id, p.text) for p in candidates))
    dots = priorities.my_dots(engine(), phone.seat, phone.programme, index)
    if not candidates and not dots.given:
        st.info("Votre territoire n'a pas encore de contribution affichée à départager.")
        return
    with st.container(key="ws_dots_left"):
        st.markdown(f"**{screens.dots_left(dots.left, dots.bound)}**")
    st.caption(screens.OWN_POSTS_ALLOWED)
    said = st.session_state.get(DOT_SAID)
    shown = {p.id for p in candidates}
    gone = [pid for pid in dots.given if pid not in shown]
    if said and said[0] not in shown and said[0] not in gone:  # a hidden post's points, taken
        (st.success if said[2] == "success" else st.error)(said[1])
    for post in candidates:
        mine = dots.given.get(post.id, 0)
        key = f"ws_points_{post.id}"
        st.session_state[key] = mine  # what is recorded, whatever the radio last sent
        with st.container(border=True, key=f"ws_dot_{post.id}"):
            st.markdown(plain(post.text))
            own = post.participant_id == phone.seat.participant_id
            suffix = " · votre contribution" if own else ""
            st.caption(screens.dot_pips(mine, dots.bound) + suffix)
            st.radio(
                screens.DOTS_LABEL,
                range(mine + dots.left + 1),  # up to what one may still give it
                horizontal=True,
                key=key,
                disabled=mine + dots.left == 0,
                on_change=set_points,
                args=(phone, index, post.id, key),
            )
            if said and said[0] == post.id:
                (st.success if said[2] == "success" else st.error)(said[1])
    for post_id in gone:  # hidden by the facilitator after one gave it points
        with st.container(border=True, key=f"ws_dot_{post_id}"):
            st.markdown("*Contribution masquée par l'animation*")
            st.caption(screens.dot_pips(dots.given[post_id], dots.bound))
            st.button(
                "Reprendre mes points",
                key=f"ws_dot_back_{post_id}",
                on_click=set_points,
                args=(phone, index, post_id, None),
            )
            if said and said[0] == post_id:
                (st.success if said[2] == "success" else st.error)(said[1])


def results_list(phone: Phone, step: Step) -> None:
    """The items the screen shows for this phone's territory."""
    results = workshop_results(phone.place) if phone.place else None
    st.markdown("**Regardez l'écran.** Les items de votre territoire :")
    if results is None:
        st.caption("Résultats non disponibles : trop peu de réponses envoyées.")
        return
    for item in screens.focus(results.items, results.questionnaire, step.item_count):
        st.markdown(f"- {plain(item.question.text)}")
