"""The room's screen: large type, no menu; follows the facilitator's step every few seconds.

Opened from the facilitator's menu (same session as the console, with small controls), or by
the read-only screen link (?ecran=TOKEN) on the projector's computer.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.document.blocks import typography
from diagnostic.workshop import Live, StepKind, WorkshopInfo, live, screens, service
from pages import _push as push
from pages._resilience import guarded
from pages._shell import engine, guard, plain
from pages._workshop import (
    SCREEN_PARAM,
    attempt,
    countdown,
    following,
    programme,
    refused,
    screen_refresh,
    style,
)
from pages._workshop_screen import (
    dots_view,
    grid_view,
    notes_wall,
    results_view,
    revote_view,
    territory_walls,
    votes_count,
    votes_waiting,
    welcome,
)

NO_TERRITORY = (
    "Aucune campagne n'est plus liée à cet atelier (elles ont été effacées) : il n'y a plus de "
    "territoire dont afficher les résultats ou les contributions à cette étape."
)

token = st.query_params.get(SCREEN_PARAM)
actor = None
if token:
    found = service.screen(engine(), token)
    if found is None:
        st.title("Lien d'écran invalide")
        st.error(
            "Ce lien d'écran ne correspond à aucun atelier en cours : l'atelier est terminé, ou "
            "l'animation a créé un nouveau lien d'écran. Demandez le nouveau lien à l'animation."
        )
        st.stop()
else:
    actor = guard("projection")
    found = service.projected(engine(), actor, st.session_state.get("ws_id"))
    if found is None:
        st.title("Projection")
        st.info("Aucun atelier en cours : créez-en un dans la page « Atelier ».")
        st.stop()
info: WorkshopInfo = found  # type: ignore[assignment]
prog = programme(info)
style("projection")


def controls(actor: Actor, state: Live | None) -> None:
    """The facilitator's small controls under the screen (opened from their menu): steps,
    pause, one more minute, the vote's results, the timer, back to the console."""
    if state is None or not state.open:
        return
    step = prog.step(state.step)
    with st.container(key="ws_controls"):
        cols = iter(st.columns(7 if step.kind in live.REVEALED_KINDS else 6))
        for label, key, to in (
            ("← Étape précédente", "pj_prev", state.step - 1),
            ("Étape suivante →", "pj_next", state.step + 1),
        ):
            next(cols).button(
                label,
                on_click=attempt,
                args=(actor, service.go_to, info.id, to, prog),
                kwargs={"refusal": "{}"},
                key=key,
            )
        paused = state.timer.paused
        next(cols).button(
            "Reprendre" if paused else "Pause",
            on_click=attempt,
            args=(actor, service.resume_timer if paused else service.pause_timer, info.id),
            key="pj_resume" if paused else "pj_pause",
        )
        next(cols).button(
            "+ 1 minute",
            on_click=attempt,
            args=(actor, service.add_minute, info.id, prog),
            key="pj_more",
        )
        if step.kind in live.REVEALED_KINDS:
            shown = state.shows_results(step)
            next(cols).button(
                "Masquer les résultats" if shown else "Révéler les résultats",
                on_click=attempt,
                args=(actor, service.reveal, info.id, step.id, not shown),
                key=f"pj_reveal_{step.id}_{shown}",
            )
        next(cols).button(
            "Relancer le minuteur",
            on_click=attempt,
            args=(actor, service.restart_timer, info.id),
            key="pj_timer",
        )
        if next(cols).button("Console de l'atelier", key="pj_console"):
            st.switch_page("pages/atelier.py")
        refused()


@st.fragment(run_every=screen_refresh())
@guarded  # a fragment's reruns do not go through the router's guard
def screen() -> None:
    """The whole screen, refreshed every few seconds (one small query, cached results)."""
    # the facilitator's own controls below the screen read it afresh; a screen alone shares
    # the state the push watcher has just read
    state = following(info, shared=actor is None)
    if state is None or not state.open:
        st.markdown("# Atelier terminé")
        st.markdown(
            "Merci à toutes et à tous ! Les engagements retenus rejoignent les feuilles de route."
        )
        return
    push.follow(info.id, (state.changes,))  # the facilitator's next change reruns this at once
    if actor is not None and drawn(state) != st.session_state.get(CONTROLS):
        st.rerun(scope="app")  # changed from the console: the controls below follow it
    step = prog.step(state.step)
    focus = info.place_of(state.focus)
    places = (focus,) if focus else info.places
    with st.container(key="projection"):
        head, clock = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"# {plain(typography(step.title))}")
        head.caption(f"Étape {state.step + 1} sur {len(prog.steps)} · {plain(info.title)}")
        with clock:
            countdown(state, step, over="ws_clock_over")
            if step.kind in live.REVEALED_KINDS and places:
                votes_count(info, step)
        if step.kind != StepKind.WELCOME:
            with st.container(key="ws_prompt"):
                st.markdown(plain(typography(step.prompt)))  # « ? » never alone on a line
        if not places and step.kind in screens.PER_TERRITORY:
            st.info(NO_TERRITORY)
        elif step.kind == StepKind.WELCOME:
            welcome(info)
        elif step.kind == StepKind.RESULTS:
            results_view(places, step)
        elif step.kind == StepKind.PERSONAL:
            notes_wall(info, state.step)
        elif step.kind in {StepKind.COLLECTIVE, StepKind.COMMITMENTS}:
            territory_walls(info, state.step, places)
        elif step.kind in live.REVEALED_KINDS and not state.shows_results(step):
            votes_waiting()
        elif step.kind == StepKind.REVOTE:
            revote_view(info, places, step)
        elif step.kind == StepKind.DOTS:
            dots_view(info, prog, places, state.step)
        elif step.kind == StepKind.GRID:
            grid_view(info, prog, places, step)


def drawn(now: Live | None) -> tuple[int, bool, bool] | None:
    """What the facilitator's small controls were drawn for: step, pause, results shown."""
    if now is None:
        return None
    return now.step, now.timer.paused, now.shows_results(prog.step(now.step))


CONTROLS = "pj_drawn"
if actor is not None:  # read before the screen: its own refreshes compare with it
    now = service.live_state(engine(), info.id)
    st.session_state[CONTROLS] = drawn(now)
    screen()
    controls(actor, now)
else:
    screen()
