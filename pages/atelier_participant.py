"""A participant's phone: join with the code (no account), follow the step, post and vote."""

from __future__ import annotations

import streamlit as st

from diagnostic.answering.responses import AnswerError
from diagnostic.errors import AccessDenied
from diagnostic.vocabulary import ROLE_LABELS
from diagnostic.workshop import Seat, StepKind, WorkshopError, live, screens, service
from diagnostic.workshop.codes import normalize_code
from diagnostic.workshop.throttle import Tries, wait_message
from pages._autosave import State, autosave_text, typed
from pages._resilience import guarded
from pages._shell import client_address, engine, plain, settings, workshop_results
from pages._workshop import (
    CODE_PARAM,
    SEAT_PARAM,
    countdown,
    phone_refresh,
    programme,
    reload_if_stale,
    style,
)

style("participant")
prog = programme()
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
DRAFTS = "ws_drafts"  # participant id -> step -> the text typed and not sent yet


def drafts(seat: Seat) -> dict[int, str]:
    """This seat's texts typed and not sent, by step (this browser session's memory: the live
    refresh and the facilitator's next step never drop them)."""
    mine: dict[int, str] = st.session_state.setdefault(DRAFTS, {}).setdefault(
        seat.participant_id, {}
    )
    return mine


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
        unsent = screens.unsent(st.session_state.get(DRAFTS, {}).get(seat.participant_id, {}))
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
            "Votre territoire", list(places), format_func=places.get, key="ws_territory"
        )
        role = st.selectbox(
            "Votre fonction", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="ws_role"
        )
        joined = st.form_submit_button("Rejoindre l'atelier", type="primary")
    if joined:
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
state = service.live_state(engine(), info.id)
assert state is not None
st.session_state["ws_seen_step"] = state.step
step = prog.step(state.step)

st.caption(
    f"{plain(info.title)} · {plain(seat.nickname)} · {seat.role_label} · "
    f"{plain(place.territory_name if place else '')}"
)
welcome = st.session_state.pop("ws_joined", None)
if welcome:
    st.success(
        f"Bienvenue {plain(welcome)} ! Gardez cette page ouverte : elle suit l'écran. Si vous la "
        "fermez, rouvrez le même lien (il contient votre place)."
    )


@st.fragment(run_every=phone_refresh())
@guarded  # a fragment's reruns do not go through the router's guard
def follow() -> None:
    """Every few seconds: the current step and its countdown (one small query)."""
    now = service.live_state(engine(), info.id)
    if now is None:
        return
    reload_if_stale(now, info)
    if now.step != st.session_state.get("ws_seen_step") or not now.open:
        st.rerun(scope="app")  # the facilitator moved on: show the new step's form
    current = prog.step(now.step)
    head, clock = st.columns([3, 1], vertical_alignment="center")
    head.subheader(f"{now.step + 1}. {current.title}")
    with clock:
        countdown(now, current)
    if current.kind != StepKind.WELCOME:  # they have joined already
        with st.container(key="ws_prompt"):
            st.markdown(plain(current.prompt))
    if current.help:
        st.caption(plain(current.help))
    if current.kind in {StepKind.COLLECTIVE, StepKind.COMMITMENTS}:
        shown = service.wall(engine(), info.id, step=now.step, territory_id=seat.territory_id)
        if shown:
            with st.expander(f"Contributions de votre territoire ({len(shown)})", expanded=False):
                for post in shown:
                    mark = "★ " if post.retained else ""
                    st.markdown(f"- {mark}{plain(post.text)} — *{plain(post.nickname)}*")


follow()


def send(seat: Seat, index: int, text: str, *, share: bool, dimension: str | None) -> bool:
    """Post a text at a step; the outcome is shown at the next run. True when posted."""
    try:
        created = service.post(
            engine(), seat, prog, step=index, text=text, share=share, dimension=dimension
        )
    except (WorkshopError, AnswerError) as exc:
        st.session_state["ws_post_msg"] = ("error", f"Non envoyé : {plain(exc)}.")
        return False
    st.session_state["ws_post_msg"] = ("success", screens.sent_message(created.status))
    drafts(seat).pop(index, None)
    return True


def post_message() -> None:
    found = st.session_state.pop("ws_post_msg", None)
    if found:
        (st.success if found[0] == "success" else st.error)(found[1])


def unsent_drafts(seat: Seat, current: int | None) -> None:
    """Texts typed at another step and not sent (the facilitator moved on meanwhile): shown
    with what to do with them, never dropped silently."""
    for index, text in screens.unsent(drafts(seat), current):
        past = prog.step(index)
        with st.container(border=True, key=f"ws_draft_{index}"):
            st.markdown(f"**Texte non envoyé — étape {index + 1} « {plain(past.title)} »**")
            st.markdown(plain(text))
            note = past.kind == StepKind.PERSONAL
            cols = st.columns(2)
            cols[0].button(
                "L'enregistrer comme note privée" if note else "L'envoyer pour cette étape",
                key=f"ws_draft_send_{index}",
                type="primary",
                on_click=send,
                args=(seat, index, text),
                kwargs={"share": False, "dimension": None},
            )
            cols[1].button(
                "L'effacer",
                key=f"ws_draft_drop_{index}",
                on_click=lambda index=index: drafts(seat).pop(index, None),
            )


def post_form(seat: Seat, index: int) -> None:
    axes = service.dimensions_of(settings().questions_dir, place) if place else {}
    round_ = st.session_state.get(f"ws_round_{index}", 0)  # a new empty field after each post
    field = f"ws_text_{index}_{round_}"

    def keep(text: str) -> State:
        # The send button's callback may run first in the same rerun: a text already posted
        # (its field's round is over) is not kept again as a draft.
        if st.session_state.get(f"ws_round_{index}", 0) == round_:
            drafts(seat)[index] = text
        return "saved"

    autosave_text(
        screens.POST_LABELS[step.kind],
        key=field,
        value=drafts(seat).get(index, ""),
        max_chars=live.MAX_POST,
        on_save=keep,
        saved_word="Brouillon gardé sur cette page (pas encore envoyé)",
    )
    share_key, axis_key = f"ws_share_{index}_{round_}", f"ws_axis_{index}_{round_}"
    if step.kind == StepKind.PERSONAL:
        st.checkbox(
            "Partager avec la salle (affichée à l'écran avec votre pseudonyme)", key=share_key
        )
    if step.kind == StepKind.COMMITMENTS and axes:
        st.pills(  # not a list: the live refresh would close it
            "Axe de la feuille de route (facultatif)",
            list(axes),
            format_func=axes.get,
            key=axis_key,
        )

    def submit() -> None:
        text = typed(field)  # what the field sent last, even in the run that brings it
        if text is None:
            text = drafts(seat).get(index, "")
        share = bool(st.session_state.get(share_key))
        if send(seat, index, text, share=share, dimension=st.session_state.get(axis_key)):
            st.session_state[f"ws_round_{index}"] = round_ + 1

    st.button("Envoyer", type="primary", key=f"ws_send_{index}_{round_}", on_click=submit)
    post_message()
    if info.controlled and step.kind != StepKind.PERSONAL:
        st.caption("L'animation valide les contributions avant de les afficher.")
    mine = service.my_posts(engine(), seat, index)
    if mine:
        st.markdown("**Ce que vous avez écrit à cette étape**")
    for post in reversed(mine):
        with st.container(key=f"mine_{post.id}"):
            st.markdown(plain(post.text))
            st.caption(live.STATUS_LABELS.get(post.status, post.status))


def vote(key: str, kind: str, target: str, campaign_id: int | None = None) -> None:
    """A radio's callback: store its value as this seat's vote (a refusal is shown)."""
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


def vote_error() -> None:
    error = st.session_state.pop("ws_vote_error", None)
    if error:
        st.error(error)


def revote_form(seat: Seat) -> None:
    results = workshop_results(place) if place else None
    if results is None or place is None:
        st.info("Pas de résultats à revoter pour votre territoire (trop peu de réponses).")
        return
    votes = service.my_votes(engine(), seat)
    for item in screens.focus(results.items, results.questionnaire, step.item_count):
        qid, values = item.question.id, item.scale.values
        st.markdown(f"**{plain(item.question.text)}**")
        st.radio(
            "Niveau aujourd'hui, selon vous",
            values,
            index=screens.choice(values, votes.get((live.LEVEL, qid))),
            format_func=item.level,
            key=f"ws_vote_{qid}",
            on_change=vote,
            args=(f"ws_vote_{qid}", live.LEVEL, qid, place.campaign_id),
        )
    vote_error()


def grid_form(seat: Seat) -> None:
    source = prog.index_of(step.source or "")
    candidates = service.wall(engine(), info.id, step=source, territory_id=seat.territory_id)
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
                args=(key, kind, str(post.id)),
            )
    vote_error()


st.divider()
try:
    unsent_drafts(seat, state.step if step.posts else None)
    if not step.posts:
        post_message()
    if step.posts:
        post_form(seat, state.step)
    elif step.kind == StepKind.REVOTE:
        revote_form(seat)
    elif step.kind == StepKind.GRID:
        grid_form(seat)
    elif step.kind == StepKind.RESULTS:
        results = workshop_results(place) if place else None
        st.markdown("**Regardez l'écran.** Les items de votre territoire :")
        if results is None:
            st.caption("Résultats non disponibles : trop peu de réponses envoyées.")
        else:
            for item in screens.focus(results.items, results.questionnaire, step.item_count):
                st.markdown(f"- {plain(item.question.text)}")
    else:
        st.markdown("**Regardez l'écran.** L'atelier commence dans un instant.")
except AccessDenied:
    st.error("Cet atelier n'est plus accessible.")
