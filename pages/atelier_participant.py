"""A participant's phone: join with the code (no account), follow the step, post and vote."""

from __future__ import annotations

import time

import streamlit as st

from diagnostic.errors import AccessDenied
from diagnostic.vocabulary import ROLE_LABELS
from diagnostic.workshop import Live, StepKind, WorkshopError, live, screens, service
from diagnostic.workshop.codes import normalize_code
from diagnostic.workshop.throttle import Tries, wait_message
from pages import _push as push
from pages._resilience import guarded
from pages._shell import client_address, engine, hand_over, plain, taken
from pages._workshop import (
    CODE_PARAM,
    SEAT_PARAM,
    countdown,
    following,
    phone_refresh,
    programme,
    style,
    territory_wall,
)
from pages._workshop_phone import (
    ACTED,
    MOVE_OFFERED,
    STAGE_DRAWN,
    STAGE_LAG,
    Phone,
    dots_changed,
    dots_form,
    drafts,
    follow_programme,
    grid_form,
    late_field,
    mine_changed,
    post_form,
    post_message,
    results_list,
    revote_form,
    unsent_drafts,
)

style("participant")
raw_code = st.query_params.get(CODE_PARAM, "")
opening = service.open_code(
    engine(),
    normalize_code(raw_code),
    st.session_state.setdefault("ws_tries", Tries()),
    seat_token=st.query_params.get(SEAT_PARAM),
    source=client_address(),
)
if opening.wait:  # too many wrong codes lately: nothing was looked up
    st.title("Rejoindre un atelier")
    st.error(wait_message(opening.wait))
    st.stop()
if opening.info is None:  # the code is unknown: say so and let the person type it again
    st.title("Rejoindre un atelier")
    if raw_code:
        st.error(
            "Ce code ne correspond à aucun atelier. Vérifiez-le à l'écran : 6 caractères, "
            "lettres et chiffres, sans O, I ni L (ils sont faciles à confondre)."
        )
    with st.form("ws_code_form"):
        code_typed = st.text_input(
            "Code de l'atelier (affiché à l'écran)", max_chars=12, key="ws_code_input"
        )
        go = st.form_submit_button("Rejoindre", type="primary")
    if go:
        code = normalize_code(code_typed)
        if code is None:
            st.error("Ce code n'a pas la bonne forme : 6 lettres ou chiffres, sans O, I ni L.")
        else:
            st.query_params.clear()
            st.query_params[CODE_PARAM] = code
            st.rerun()
    st.stop()
info = opening.info
seat = service.seat(engine(), info.id, st.query_params.get(SEAT_PARAM))
prog = programme(info)  # the workshop's own programme when the facilitator edited it
if seat is not None:
    follow_programme(seat, prog)  # drafts follow their steps when the programme was reordered

if not info.open:
    st.title("Atelier terminé")
    if not info.places:  # every campaign it showed was erased, and its data with them
        st.info(
            f"L'atelier « {plain(info.title)} » est terminé : les campagnes qu'il présentait ont "
            "été effacées, avec les places, les contributions et les votes de l'atelier."
        )
        st.stop()
    st.info(
        f"L'atelier « {plain(info.title)} » est terminé : merci de votre participation. "
        "L'animation transmet les engagements retenus aux feuilles de route des territoires."
    )
    if seat is not None:
        mine = service.my_posts(engine(), seat)
        if mine:
            st.subheader("Ce que vous avez écrit")
            for post in mine:
                st.markdown(f"- {plain(post.text)}")
        unsent = screens.unsent(drafts(seat))
        if unsent:
            st.subheader("Ce que vous n'avez pas envoyé")
            st.caption("Gardé sur cette page seulement : copiez-le si vous voulez le conserver.")
            for _, text in unsent:
                st.markdown(plain(text))
    st.stop()

if seat is None:  # no seat yet (or a link no longer recognised): a nickname, a territory, a role
    st.title(plain(info.title))
    st.markdown("Atelier **« Et demain sur mon territoire ? »** · sans compte, en 20 secondes.")
    if st.query_params.get(SEAT_PARAM):
        st.warning(
            "Votre lien de participation n'est plus reconnu : rejoignez de nouveau l'atelier."
        )
    places = {p.territory_id: p.territory_name for p in info.places}
    with st.form("ws_join"):
        nickname = st.text_input(
            "Pseudonyme (affiché à l'écran avec vos contributions)",
            max_chars=live.MAX_NICKNAME,
            placeholder="Un prénom suffit",
            key="ws_nickname",
        )
        territory = st.selectbox(
            "Votre territoire",
            list(places),
            index=0 if len(places) == 1 else None,  # several: each person chooses, none given
            format_func=places.get,
            key="ws_territory",
            placeholder="Choisir votre territoire…",
        )
        role = st.selectbox(
            "Votre fonction",
            list(ROLE_LABELS),
            index=None,  # nobody's function is given beforehand: each person chooses theirs
            format_func=ROLE_LABELS.get,
            key="ws_role",
            placeholder="Choisir votre fonction…",
        )
        joined = st.form_submit_button("Rejoindre l'atelier", type="primary")
    if joined:  # the service refuses a missing nickname, territory or function, in French
        try:
            new_seat, token = service.join(
                engine(), info.code, nickname=nickname, territory_id=territory, role=role
            )
        except WorkshopError as exc:
            st.error(f"Impossible de rejoindre : {plain(exc)}.")
        else:
            st.query_params[CODE_PARAM] = info.code
            st.query_params[SEAT_PARAM] = token  # a reload comes back to this seat
            st.session_state["ws_joined"] = new_seat.nickname
            st.rerun()
    st.caption(
        "Votre pseudonyme, votre territoire et votre fonction servent à regrouper les "
        "contributions ; ils figurent dans le compte rendu de l'atelier. Vos notes personnelles "
        "restent privées, sauf si vous choisissez de les partager."
    )
    st.stop()

place = info.place_of(seat.territory_id)
phone = Phone(info, seat, place, prog)

st.caption(f"{plain(info.title)} · {plain(seat.nickname)} · {seat.role_label}")
welcome = st.session_state.pop("ws_joined", None)
if welcome:
    st.success(
        f"Bienvenue {plain(welcome)} ! Gardez cette page ouverte : elle suit l'écran. Si vous la "
        "fermez, rouvrez le même lien (il contient votre place)."
    )
where, change = st.columns([3, 1], vertical_alignment="center")
with where.container(key="ws_where"):
    st.markdown(f"Vous participez pour : **{plain(place.territory_name if place else '')}**")
st.session_state[MOVE_OFFERED] = (
    len(info.places) > 1
    and not service.my_posts(engine(), seat)
    and not service.my_votes(engine(), seat)
)
if st.session_state[MOVE_OFFERED]:  # nothing posted nor voted yet: a wrong territory can
    with change.popover("Changer", icon=":material/swap_horiz:", width="stretch"):  # change
        others = {p.territory_id: p.territory_name for p in info.places if p != place}

        def move() -> None:
            try:
                service.change_territory(engine(), seat, st.session_state["ws_move_to"])
            except WorkshopError as exc:
                st.session_state["ws_post_msg"] = ("error", f"Non changé : {plain(exc)}.")

        st.radio(
            "Votre territoire",
            list(others),
            index=None,
            format_func=lambda i: plain(others[i]),
            key="ws_move_to",
        )
        st.button("Participer pour ce territoire", key="ws_move", on_click=move, type="primary")


NOW = "ws_now"  # the workshop's state `room` read, handed to `tick` within the same run
DRAWN_PARAM = "etat"  # in the address: what the step was last drawn at (lagging)
STAGE_DRAWN_AT = "ws_stage_drawn_at"  # when the step was drawn at STAGE_DRAWN (monotonic)
# A request the server runs this long after a drawing was sent after the browser could have had
# it (a room of 150 phones is redrawn within about a second): its address is to be believed.
RECEIPT_SECONDS = 3.0


def drawn_at(now: Live) -> tuple[int, int]:
    """What the step was drawn at: the step and the room's counter a phone follows (with the
    push, the changes every phone shows, one's own posts being pushed apart; without it,
    every change, the checks below then telling what concerns this phone)."""
    return now.step, now.phone_changes if push.active() else now.changes


def drawn_mark(drawn: tuple[int, int]) -> str:
    """What the address says the step was drawn at (`&etat=7.3`): step and counter."""
    return f"{drawn[0]}.{drawn[1]}"


def lagging(now: Live) -> bool:
    """Whether the step must be drawn again by a run of the whole page: the room has changed
    since it was drawn, and no push redrew it; or the browser never received the last drawing.

    The second case: `room` writes what it drew in the address (`etat`), and the browser
    sends its address with each request. Streamlit drops the messages of a run whose events
    its server loop had not yet handled when another request of the same tab started a new
    runner (AppSession, « events … ignored »): while 150 phones are redrawn at once that
    loop waits its turn, and a phone's timed refresh arriving just after its pushed run could
    leave it on the old step, the server believing it drawn (bench/workshop_refresh.py caught
    it about once in five runs). An address still naming an older drawing tells.

    With the push on, a change comes just after it happens (a room of 150 phones takes a
    moment) and the browser hears of a drawing a moment later: only a lag lasting a whole
    refresh interval is a push missed, and a browser naming an older drawing is believed only
    `RECEIPT_SECONDS` after it. Without it, as before the push: only the changes that
    concern this phone (the step, one's own posts, the posts offered for points)."""
    drawn = st.session_state.get(STAGE_DRAWN)
    told = st.query_params.get(DRAWN_PARAM)
    behind = drawn is not None and told != drawn_mark(drawn)  # the browser missed a drawing
    if drawn is None or (drawn == drawn_at(now) and not behind):
        st.session_state.pop(STAGE_LAG, None)
        return False
    drawn_for = time.monotonic() - st.session_state.get(STAGE_DRAWN_AT, time.monotonic())
    if behind and drawn == drawn_at(now) and drawn_for >= RECEIPT_SECONDS:
        return True  # a request sent well after the drawing, and the browser never had it
    if push.active() or drawn == drawn_at(now):
        lag = st.session_state.get(STAGE_LAG)
        if lag is None or lag[0] != drawn:
            st.session_state[STAGE_LAG] = (drawn, time.monotonic())
            return False
        return time.monotonic() - lag[1] >= phone_refresh()
    if drawn[0] != now.step:
        return True
    current = prog.step(now.step)
    if current.posts and mine_changed(seat, now.step):
        return True
    if current.kind == StepKind.DOTS and dots_changed(phone, now.step, current):
        return True
    st.session_state[STAGE_DRAWN] = drawn_at(now)  # nothing of this phone's: noted
    return False


@st.fragment(run_every=phone_refresh())
@guarded  # a fragment's reruns do not go through the router's guard
def tick() -> None:
    """Every few seconds: the countdown, the territory's contributions (read once for the
    phones of a territory) and, should the push have missed a change, the page again."""
    now = taken(NOW) or following(info, shared=True)  # read by `room` when drawn inside it
    if now is None:
        return
    if not now.open or lagging(now):
        st.rerun(scope="app")  # the workshop ended, or the page missed a change of the room
    current = prog.step(now.step)
    countdown(now, current)
    if now.timer.paused:
        st.caption(
            "L'animation a mis le minuteur en pause : vous pouvez continuer à écrire et à envoyer."
            if current.posts
            else "L'animation a mis le minuteur en pause."
        )
    if current.kind in {StepKind.COLLECTIVE, StepKind.COMMITMENTS}:
        shown = territory_wall(info.id, now.step, seat.territory_id, now.phone_changes)
        if shown:
            with st.expander(f"Contributions de votre territoire ({len(shown)})", expanded=False):
                st.markdown(screens.wall_list(shown, plain))


@st.fragment
@guarded
def room() -> None:
    """The step: drawn with the page, again at once when the room changes (the server pushes
    it: pages/_push.py), and alone when one answers in it (its own widgets rerun only it)."""
    now = following(info, shared=True)
    if now is None:
        return
    # the room's next change, or one of one's own posts, reruns this at once
    push.follow(
        info.id,
        (now.phone_changes, push.seat_counter(seat.participant_id)),
        seat_id=seat.participant_id,
    )
    if not now.open:
        st.rerun(scope="app")
    late_field(phone, st.session_state.get("ws_seen_step"), now.step)  # its last second kept
    st.session_state["ws_seen_step"] = now.step
    if st.session_state.get(STAGE_DRAWN) != drawn_at(now):
        st.session_state[STAGE_DRAWN_AT] = time.monotonic()
    st.session_state[STAGE_DRAWN] = drawn_at(now)
    if st.query_params.get(DRAWN_PARAM) != drawn_mark(drawn_at(now)):
        st.query_params[DRAWN_PARAM] = drawn_mark(drawn_at(now))  # the browser's receipt
    hand_over(NOW, now)  # for `tick`, drawn inline just below: one read per run
    step = prog.step(now.step)
    st.subheader(f"{now.step + 1}. {step.title}")
    if step.kind != StepKind.WELCOME:  # they have joined already
        with st.container(key="ws_prompt"):
            st.markdown(plain(step.prompt))
    if step.help:
        st.caption(plain(step.help))
    if step.kind in live.REVEALED_KINDS:
        with st.container(key="ws_reveal_note"):
            st.markdown(
                "**Résultats à l'écran.**"
                if now.shows_results(step)
                else "**Résultats bientôt à l'écran** : l'animation les affiche quand la salle a "
                "voté."
            )
    tick()
    st.divider()
    try:
        unsent_drafts(phone, now.step if step.posts else None)
        if not step.posts:
            post_message()
        if step.posts:
            post_form(phone, now.step)
        elif step.kind == StepKind.REVOTE:
            revote_form(phone, step)
        elif step.kind == StepKind.DOTS:
            dots_form(phone, now.step, step)
        elif step.kind == StepKind.GRID:
            grid_form(phone, step)
        elif step.kind == StepKind.RESULTS:
            results_list(phone, step)
        else:
            st.markdown("**Regardez l'écran.** L'atelier commence dans un instant.")
    except AccessDenied:
        st.error("Cet atelier n'est plus accessible.")
    if st.session_state.pop(ACTED, False) and st.session_state.get(MOVE_OFFERED):
        st.rerun(scope="app")  # a first post or vote: the territory can no longer be changed


room()
