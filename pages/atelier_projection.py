"""The room's screen: large type, no menu; follows the facilitator's step every few seconds.

Opened from the facilitator's menu (same session as the console, with small controls), or by
the read-only screen link (?ecran=TOKEN) on the projector's computer.
"""

from __future__ import annotations

import streamlit as st

from diagnostic.errors import AccessDenied
from diagnostic.workshop import Place, StepKind, WorkshopError, WorkshopInfo, live, service
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.figures import grid_chart, grid_legend, shift_chart
from diagnostic.workshop.output import revote_table
from pages._resilience import guarded
from pages._shell import engine, guard, plain, settings, workshop_results
from pages._workshop import (
    SCREEN_PARAM,
    participant_link,
    programme,
    qr_image,
    reload_if_stale,
    screen_refresh,
    style,
)

PER_TERRITORY = {
    StepKind.RESULTS,
    StepKind.COLLECTIVE,
    StepKind.COMMITMENTS,
    StepKind.REVOTE,
    StepKind.GRID,
}
NO_TERRITORY = (
    "Aucune campagne n'est plus liée à cet atelier (elles ont été effacées) : il n'y a plus de "
    "territoire dont afficher les résultats ou les contributions à cette étape."
)

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
    mine = [w for w in service.workshops(engine(), actor) if w.open]
    wanted = st.session_state.get("ws_id")
    found = next((w for w in mine if w.id == wanted), mine[0] if mine else None)
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
    groups = live.board(posts)
    shown = 0
    for group in groups:
        if group.label != live.UNGROUPED or len(groups) > 1:
            st.markdown(f"### {plain(group.label)}")
        cols = st.columns(columns)
        for i, post in enumerate(group.posts[: max(0, limit - shown)]):
            with cols[i % columns]:
                card(post)
        shown += len(group.posts)
    if shown > limit:
        st.caption(f"… et {shown - limit} autre(s) contribution(s).")


def territories_side_by_side(
    places: tuple[Place, ...], posts: list[live.Post], per: int = 3
) -> None:
    """One column per territory (4 per row): its highlighted then latest posts, so that a
    room of several territories fits on one screen (« Territoire à l'écran » shows more)."""
    for start in range(0, len(places), 4):
        row = places[start : start + 4]
        for col, place in zip(st.columns(4), row, strict=False):
            with col:
                mine = [p for p in posts if p.territory_id == place.territory_id]
                st.markdown(f"### {plain(place.territory_name)} ({len(mine)})")
                latest = sorted(mine, key=lambda p: (p.status != live.HIGHLIGHTED, -p.id))
                for post in latest[:per]:
                    card(post, length=110)
                if len(mine) > per:
                    st.caption(f"… et {len(mine) - per} autre(s)")


def welcome(seats: dict[int | None, int]) -> None:
    link = participant_link(info.code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown("Sur votre téléphone, scannez le code QR ou ouvrez :")
        st.markdown(f"**{plain(link.split('://', 1)[-1])}**")
        st.markdown("Code de l'atelier :")
        with st.container(key="ws_code"):
            st.markdown(spoken(info.code))
        total = sum(seats.values())
        st.markdown(f"**{total}** personne(s) ont rejoint l'atelier.")
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
            q = results.questionnaire
            for rank, row in enumerate(live.focus_items(results.items, n).to_dict("records"), 1):
                st.markdown(f"**{rank}. {plain(q.question(str(row['question_id'])).text)}**")
                st.caption(live.item_reading(row))


def revote_view(places: tuple[Place, ...], step_index: int) -> None:
    step = prog.step(step_index)
    votes = service.votes_frame(engine(), info.id, {live.LEVEL})
    for place in places:
        table = revote_table(
            workshop_results(place), place, step, votes, min_votes=settings().min_group_size
        )
        st.markdown(f"## {plain(place.territory_name)}")
        if table.empty:
            st.markdown("Pas d'items à revoter (résultats non disponibles).")
            continue
        rows = table.to_dict("records")
        if len(places) == 1:
            cols = st.columns(len(rows))
            for col, row in zip(cols, rows, strict=True):
                with col:
                    st.markdown(f"**{plain(row['text'])}**")
                    st.caption(live.shift_reading(row))
                    if row["shown"]:
                        st.plotly_chart(
                            shift_chart(
                                row, row["levels"], row["level_labels"], title="", big=True
                            ),
                            config={"displayModeBar": False, "staticPlot": True},
                            theme=None,
                            key=f"shift_{place.campaign_id}_{row['question_id']}",
                        )
            names = rows[0]["level_labels"]
            st.caption(" · ".join(f"{level} {names[level]}" for level in rows[0]["levels"]))
        else:
            for row in rows:
                st.markdown(f"**{plain(row['text'])}** — {live.shift_reading(row)}")


def grid_view(places: tuple[Place, ...], step_index: int) -> None:
    from diagnostic.workshop.output import grid_table

    step = prog.step(step_index)
    posts = [p for p in service.wall(engine(), info.id, step=prog.index_of(step.source or ""))]
    wanted = {p.territory_id for p in places}
    posts = [p for p in posts if p.territory_id in wanted]
    votes = service.votes_frame(engine(), info.id, {live.IMPACT, live.EFFORT})
    table = grid_table(info, prog, step, posts, votes)
    if table.empty or not (table["n"] > 0).any():
        st.markdown("Les chantiers apparaîtront ici dès les premiers votes.")
        return
    names = {p.territory_id: p.territory_name for p in info.places}
    title = places[0].territory_name if len(places) == 1 else "Tous les territoires"
    chart, legend = st.columns([3, 2])
    chart.plotly_chart(
        grid_chart(table, names, title=title, big=True),
        config={"displayModeBar": False, "staticPlot": True},
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
    if state is not None and state.open:
        reload_if_stale(state, info)
    if state is None or not state.open:
        st.markdown("# Atelier terminé")
        st.markdown(
            "Merci à toutes et à tous ! Les engagements retenus rejoignent les feuilles de route."
        )
        return
    step = prog.step(state.step)
    focus = info.place_of(state.focus)
    places = (focus,) if focus else info.places
    with st.container(key="projection"):
        head, clock = st.columns([4, 1], vertical_alignment="center")
        head.markdown(f"# {plain(step.title)}")
        head.caption(f"Étape {state.step + 1} sur {len(prog.steps)} · {plain(info.title)}")
        left = live.remaining_seconds(state.step_started_at, step.seconds, service.live_now())
        with clock.container(key="ws_clock" if left else "ws_clock_over"):
            st.markdown(live.clock(left))
        if step.kind != StepKind.WELCOME:
            with st.container(key="ws_prompt"):
                st.markdown(plain(step.prompt))
        if not places and step.kind in PER_TERRITORY:
            st.info(NO_TERRITORY)
        elif step.kind == StepKind.WELCOME:
            welcome(service.seat_counts(engine(), info.id))
        elif step.kind == StepKind.RESULTS:
            # what fits on one screen: all items for one territory, fewer for several
            fits = {1: step.item_count, 2: 3}.get(len(places), 2)
            results_view(places, min(step.item_count, fits))
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

        def go(i: int) -> None:
            try:
                service.go_to(engine(), actor, info.id, i, prog)
            except (AccessDenied, WorkshopError) as exc:
                st.session_state["ws_error"] = plain(exc)

        a, b, c, d = st.columns(4)
        a.button("← Étape précédente", on_click=go, args=(index - 1,), key="pj_prev")
        b.button("Étape suivante →", on_click=go, args=(index + 1,), key="pj_next")
        if c.button("Relancer le minuteur", key="pj_timer"):
            service.restart_timer(engine(), actor, info.id)
        if d.button("Console de l'atelier", key="pj_console"):
            st.switch_page("pages/atelier.py")
        error = st.session_state.pop("ws_error", None)
        if error:
            st.error(error)
