"""The room's screen: large type, no menu; follows the facilitator's step every few seconds.

Opened from the facilitator's menu (same session as the console, with small controls), or by
the read-only screen link (?ecran=TOKEN) on the projector's computer.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.workshop import Place, StepKind, WorkshopInfo, live, output, screens, service
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.figures import grid_chart, grid_legend, shift_chart
from pages._resilience import guarded
from pages._shell import engine, guard, plain, settings, workshop_results
from pages._workshop import (
    SCREEN_PARAM,
    attempt,
    countdown,
    names,
    participant_link,
    programme,
    qr_image,
    refused,
    reload_if_stale,
    screen_refresh,
    style,
)

NO_TERRITORY = (
    "Aucune campagne n'est plus liée à cet atelier (elles ont été effacées) : il n'y a plus de "
    "territoire dont afficher les résultats ou les contributions à cette étape."
)
STATIC = {"displayModeBar": False, "staticPlot": True}

prog = programme()
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
style("projection")


def card(post: live.Post, *, length: int = 280) -> None:
    """One post on the wall: the text large (cut at `length` characters: the console and the
    report have it whole), the author small; highlighted ones stand out."""
    prefix = "hl_" if post.status == live.HIGHLIGHTED else "card_"
    with st.container(border=True, key=f"{prefix}{post.id}"):
        mark = "★ " if post.retained else ""
        st.markdown(mark + plain(live.shorten(post.text, length)))
        st.caption(plain(post.nickname))


def wall(posts: list[live.Post], *, columns: int = 3, limit: int = 24) -> None:
    shown = screens.wall(posts, limit)
    for heading, group in shown.groups:
        if heading is not None:
            st.markdown(f"### {plain(heading)}")
        cols = st.columns(columns)
        for i, post in enumerate(group):
            with cols[i % columns]:
                card(post)
    if shown.more:
        st.caption(f"… et {shown.more} autre(s) contribution(s).")


def territories_side_by_side(places: tuple[Place, ...], posts: list[live.Post]) -> None:
    """One column per territory, 4 per row (« Territoire à l'écran » shows more)."""
    for row in screens.side_by_side(names(places), posts):
        for col, territory in zip(st.columns(4), row, strict=False):
            with col:
                st.markdown(f"### {plain(territory.name)} ({territory.count})")
                for post in territory.posts:
                    card(post, length=110)
                if territory.count > len(territory.posts):
                    st.caption(f"… et {territory.count - len(territory.posts)} autre(s)")


def welcome(seats: dict[int | None, int]) -> None:
    link = participant_link(info.code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown("Sur votre téléphone, scannez le code QR ou ouvrez :")
        st.markdown(f"**{plain(link.split('://', 1)[-1])}**")
        st.markdown("Code de l'atelier :")
        with st.container(key="ws_code"):
            st.markdown(spoken(info.code))
        st.markdown(f"**{sum(seats.values())}** personne(s) ont rejoint l'atelier.")
        st.caption(
            " · ".join(
                f"{plain(p.territory_name)} : {seats.get(p.territory_id, 0)}" for p in info.places
            )
        )
    right.image(qr_image(link), width=560, caption="Scannez pour rejoindre")


def results_view(places: tuple[Place, ...], n: int) -> None:
    cols = st.columns(min(len(places), 2))
    for i, place in enumerate(places):
        with cols[i % len(cols)]:
            st.markdown(f"## {plain(place.territory_name)}")
            results = workshop_results(place)
            if results is None:
                st.markdown(
                    f"Résultats non affichés : moins de {settings().min_group_size} réponses "
                    "envoyées."
                )
                continue
            for rank, item in enumerate(screens.focus(results.items, results.questionnaire, n), 1):
                st.markdown(f"**{rank}. {plain(item.question.text)}**")
                st.caption(item.reading)


def revote_view(places: tuple[Place, ...], step_index: int) -> None:
    results = {p.campaign_id: workshop_results(p) for p in places}
    revotes = output.screen_revotes(
        engine(),
        info.id,
        places,
        prog.step(step_index),
        results,
        min_votes=settings().min_group_size,
    )
    for place, rows in revotes:
        st.markdown(f"## {plain(place.territory_name)}")
        if not rows:
            st.markdown("Pas d'items à revoter (résultats non disponibles).")
        elif len(places) > 1:
            for row in rows:
                st.markdown(f"**{plain(row['text'])}** — {live.shift_reading(row)}")
        else:
            for col, row in zip(st.columns(len(rows)), rows, strict=True):
                with col:
                    st.markdown(f"**{plain(row['text'])}**")
                    st.caption(live.shift_reading(row))
                    if row["shown"]:
                        st.plotly_chart(
                            shift_chart(
                                row, row["levels"], row["level_labels"], title="", big=True
                            ),  # type: ignore[arg-type]
                            config=STATIC,
                            theme=None,
                            key=f"shift_{place.campaign_id}_{row['question_id']}",
                        )
            st.caption(screens.levels_legend(rows[0]))


def grid_view(places: tuple[Place, ...], step_index: int) -> None:
    wanted = {p.territory_id for p in places}
    table = output.screen_grid(engine(), info, prog, prog.step(step_index), wanted)
    if table.empty:
        st.markdown("Les chantiers apparaîtront ici dès les premiers votes.")
        return
    title = places[0].territory_name if len(places) == 1 else "Tous les territoires"
    chart, legend = st.columns([3, 2])
    chart.plotly_chart(
        grid_chart(table, names(info.places), title=title, big=True),
        config=STATIC,
        theme=None,  # keep the large type of the figure
        key="grid",
    )
    with legend:
        for number, text, quadrant in grid_legend(table):
            st.markdown(f"**{number}.** {plain(text)}")
            st.caption(quadrant)


@st.fragment(run_every=screen_refresh())
@guarded  # a fragment's reruns do not go through the router's guard
def screen() -> None:
    """The whole screen, refreshed every few seconds (one small query, cached results)."""
    state = service.live_state(engine(), info.id)
    if state is None or not state.open:
        st.markdown("# Atelier terminé")
        st.markdown(
            "Merci à toutes et à tous ! Les engagements retenus rejoignent les feuilles de route."
        )
        return
    reload_if_stale(state, info)
    step = prog.step(state.step)
    focus = info.place_of(state.focus)
    places = (focus,) if focus else info.places
    with st.container(key="projection"):
        head, clock = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"# {plain(step.title)}")
        head.caption(f"Étape {state.step + 1} sur {len(prog.steps)} · {plain(info.title)}")
        with clock:
            countdown(state, step, over="ws_clock_over")
        if step.kind != StepKind.WELCOME:
            with st.container(key="ws_prompt"):
                st.markdown(plain(step.prompt))
        if not places and step.kind in screens.PER_TERRITORY:
            st.info(NO_TERRITORY)
        elif step.kind == StepKind.WELCOME:
            welcome(service.seat_counts(engine(), info.id))
        elif step.kind == StepKind.RESULTS:
            results_view(places, screens.results_shown(step.item_count, len(places)))
        elif step.kind == StepKind.PERSONAL:
            posts = service.wall(engine(), info.id, step=state.step)
            private = service.private_counts(engine(), info.id).get(state.step, 0)
            st.caption(f"{private + len(posts)} note(s) écrite(s), {len(posts)} partagée(s)")
            wall(posts, limit=12)
        elif step.kind in {StepKind.COLLECTIVE, StepKind.COMMITMENTS}:
            posts = service.wall(engine(), info.id, step=state.step)  # one query for the room
            if len(places) == 1:
                mine = [p for p in posts if p.territory_id == places[0].territory_id]
                st.markdown(f"## {plain(places[0].territory_name)} ({len(mine)})")
                wall(mine, limit=12)
            else:
                territories_side_by_side(places, posts)
        elif step.kind == StepKind.REVOTE:
            revote_view(places, state.step)
        elif step.kind == StepKind.GRID:
            grid_view(places, state.step)


screen()

if actor is not None:
    with st.container(key="ws_controls"):
        state = service.live_state(engine(), info.id)
        index = state.step if state else 0
        a, b, c, d = st.columns(4)
        for col, label, key, to in (
            (a, "← Étape précédente", "pj_prev", index - 1),
            (b, "Étape suivante →", "pj_next", index + 1),
        ):
            col.button(
                label,
                on_click=attempt,
                args=(actor, service.go_to, info.id, to, prog),
                kwargs={"refusal": "{}"},
                key=key,
            )
        if c.button("Relancer le minuteur", key="pj_timer"):
            service.restart_timer(engine(), actor, info.id)
        if d.button("Console de l'atelier", key="pj_console"):
            st.switch_page("pages/atelier.py")
        refused()
