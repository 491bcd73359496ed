"""The views of the room's screen, one per kind of step: the welcome with the join code, the
items to discuss, the walls of posts, the re-vote, the points and the impact x effort grid
(large type). The facilitator's groups show in every view: headings, or a label on the card."""

from __future__ import annotations

import streamlit as st

from diagnostic.vocabulary import count as n_of
from diagnostic.workshop import (
    Place,
    Programme,
    Step,
    WorkshopInfo,
    live,
    output,
    priorities,
    screens,
    service,
)
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.figures import (
    PLACED,
    SINGLE_VOTE,
    dots_chart,
    grid_chart,
    grid_entries,
    legend_groups,
    shift_chart,
)
from pages._french import PLOTLY_LOCALE
from pages._shell import engine, plain, settings, workshop_results
from pages._workshop import names, participant_link, qr_image

STATIC = {"displayModeBar": False, "staticPlot": True, **PLOTLY_LOCALE}


def card(post: live.Post, *, length: int = 280, group: bool = False) -> None:
    """One post on the wall: the text large (cut at `length` characters: the console and the
    report have it whole), the author small; highlighted ones stand out. With `group`, the
    facilitator's group label heads the card (where no heading gathers the group)."""
    prefix = "hl_" if post.status == live.HIGHLIGHTED else "card_"
    with st.container(border=True, key=f"{prefix}{post.id}"):
        if group and post.group_label:
            with st.container(key=f"group_{post.id}"):
                st.markdown(f"**▸ {plain(post.group_label)}**")
        mark = "★ " if post.retained else ""
        st.markdown(mark + plain(live.shorten(post.text, length)))
        st.caption(plain(post.nickname))


def wall(posts: list[live.Post], *, columns: int = 3, limit: int = 12) -> None:
    """The shown posts, by group, as many as fit."""
    shown = screens.wall(posts, limit)
    for heading, group in shown.groups:
        if heading is not None:
            st.markdown(f"### {plain(heading)}")
        cols = st.columns(columns)
        for i, post in enumerate(group):
            with cols[i % columns]:
                card(post)
    if shown.more:
        st.caption(f"… et {n_of(shown.more, 'autre contribution')}.")


def territories_side_by_side(places: tuple[Place, ...], posts: list[live.Post]) -> None:
    """One column per territory across the whole width, 4 per row (« Territoire à l'écran »
    shows more); two or three territories get more of their posts, less cut (four grouped
    cards of two lines fit 1080 lines under the prompt; five did not)."""
    across = min(len(places), 4)
    per, length = {2: (4, 200), 3: (4, 150)}.get(across, (3, 110))
    for row in screens.side_by_side(names(places), posts, per=per, across=across):
        for col, territory in zip(st.columns(across), row, strict=False):
            with col:
                st.markdown(f"### {plain(territory.name)} ({territory.count})")
                for post in territory.posts:
                    card(post, length=length, group=True)
                if territory.count > len(territory.posts):
                    st.caption(f"… et {n_of(territory.count - len(territory.posts), 'autre')}")


def welcome(info: WorkshopInfo) -> None:
    """How to join: the link, the code and its QR code; who has joined so far."""
    seats = service.seat_counts(engine(), info.id)
    link = participant_link(info.code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown("Sur votre téléphone, scannez le code QR ou ouvrez :")
        st.markdown(f"**{plain(link.split('://', 1)[-1])}**")
        st.markdown("Code de l'atelier :")
        with st.container(key="ws_code"):
            st.markdown(spoken(info.code))
        st.markdown(joined(sum(seats.values())))
        st.caption(
            " · ".join(
                f"{plain(p.territory_name)} : {seats.get(p.territory_id, 0)}" for p in info.places
            )
        )
    right.image(qr_image(link), width=560, caption="Scannez pour rejoindre")


def results_view(places: tuple[Place, ...], step: Step) -> None:
    """The items to discuss first, for each territory (fewer for several)."""
    n = screens.results_shown(step.item_count, len(places))
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


def revote_view(info: WorkshopInfo, places: tuple[Place, ...], step: Step) -> None:
    """Each item before (the questionnaire) and now (the room's vote): the two means in the
    largest type; one territory gets its charts, several are side by side."""
    results = {p.campaign_id: workshop_results(p) for p in places}
    revotes = output.screen_revotes(
        engine(), info.id, places, step, results, min_votes=settings().min_group_size
    )
    if len(revotes) > 1:
        for row_of in (revotes[i : i + 3] for i in range(0, len(revotes), 3)):
            for col, (place, rows) in zip(st.columns(len(row_of)), row_of, strict=True):
                with col:
                    st.markdown(f"## {plain(place.territory_name)}")
                    if not rows:
                        st.markdown("Pas d'items à revoter (résultats non disponibles).")
                    for row in rows:
                        st.markdown(f"**{plain(row['text'])}**")
                        shift_figures(row, f"{place.campaign_id}_{row['question_id']}")
        return
    for place, rows in revotes:
        st.markdown(f"## {plain(place.territory_name)}")
        if not rows:
            st.markdown("Pas d'items à revoter (résultats non disponibles).")
            continue
        for col, row in zip(st.columns(len(rows)), rows, strict=True):
            with col:
                st.markdown(f"**{plain(row['text'])}**")
                shift_figures(row, f"{place.campaign_id}_{row['question_id']}")
                if row["shown"]:
                    st.plotly_chart(
                        shift_chart(row, row["levels"], row["level_labels"], title="", big=True),
                        config=STATIC,
                        theme=None,
                        key=f"shift_{place.campaign_id}_{row['question_id']}",
                    )
        st.caption(screens.levels_legend(rows[0]["levels"], rows[0]["level_labels"]))


def shift_figures(row: dict[str, object], key: str) -> None:
    """The questionnaire's mean and the room's, side by side in the largest type."""
    before, after, delta = live.shift_figures(row)
    with st.container(key=f"ws_shift_{key}"):
        for col, label, value in zip(
            st.columns(3),
            ("Questionnaire", "Maintenant", "Évolution"),
            (before, after, delta),
            strict=True,
        ):
            col.metric(label, value)
    words = live.agreement_reading(row) if row["shown"] else live.shift_reading(row)
    if words:
        st.caption(words)


def grid_view(
    info: WorkshopInfo, programme: Programme, places: tuple[Place, ...], step: Step
) -> None:
    """The candidates placed by their mean impact and effort, numbered, with their texts."""
    wanted = {p.territory_id for p in places}
    table = output.screen_grid(engine(), info, programme, step, wanted)
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
    entries_of = grid_entries(table)
    many = "_many" if len(entries_of) > LEGEND_LINES else ""  # one line an entry (CSS)
    with legend, st.container(key=f"ws_grid_legend{many}"):
        marks = [
            mark
            for mark, shown in (
                (f"disque cerclé : {SINGLE_VOTE}", any(e.single for e in entries_of)),
                (f"losange : {PLACED}", any(e.placed for e in entries_of)),
            )
            if shown
        ]
        if marks:  # the chart's own legend would take the room of its axis
            st.caption(" · ".join(marks).capitalize())
        for heading, entries in legend_groups(entries_of):
            if heading is not None:
                st.markdown(f"### {plain(heading)}")
            for entry in entries:  # one line each: a 720-line screen
                notes = [entry.quadrant]
                if entry.single:
                    notes.append(SINGLE_VOTE)
                if entry.placed:
                    notes.append(PLACED)
                st.markdown(f"**{entry.number}.** {plain(entry.text)} — *{' · '.join(notes)}*")


LEGEND_LINES = 6  # grid entries beyond which each is cut to one line beside the chart


def dots_view(
    info: WorkshopInfo, programme: Programme, places: tuple[Place, ...], index: int
) -> None:
    """The points of each post, sorted, one chart per territory (two side by side at most)."""
    tallies = priorities.dot_tallies(
        engine(), info, programme, index, {p.territory_id for p in places}
    )
    cols = st.columns(min(len(places), 2))
    for i, place in enumerate(places):
        tally = tallies.get(place.territory_id)
        with cols[i % len(cols)]:
            given = 0 if tally is None else int(tally["dots"].sum())
            points = n_of(given, "point donné", "points donnés")
            name = f"{plain(place.territory_name)} · " if len(places) > 1 else ""
            st.markdown(f"## {name}{points}")
            if tally is None or tally.empty:
                st.markdown("Les contributions apparaîtront ici dès qu'elles seront affichées.")
                continue
            shown = tally.head(screens.dots_shown(len(places)))
            st.plotly_chart(
                dots_chart(shown, title="", big=True),
                config=STATIC,
                theme=None,  # keep the large type of the figure
                key=f"dots_{place.territory_id}",
            )
            if len(tally) > len(shown):
                rest = tally.iloc[len(shown) :]
                st.caption(
                    f"… et {n_of(len(rest), 'autre contribution')} "
                    f"({n_of(int(rest['dots'].sum()), 'point')})."
                )


def notes_wall(info: WorkshopInfo, index: int) -> None:
    """Personal time: how many notes were written, and those shared."""
    posts = service.wall(engine(), info.id, step=index)
    private = service.private_counts(engine(), info.id).get(index, 0)
    st.caption(f"{n_of(private + len(posts), 'note écrite')}, {n_of(len(posts), 'partagée')}")
    wall(posts)


def territory_walls(info: WorkshopInfo, index: int, places: tuple[Place, ...]) -> None:
    """Collective time: one territory's wall, or every territory side by side."""
    posts = service.wall(engine(), info.id, step=index)  # one query for the room
    if len(places) > 1:
        territories_side_by_side(places, posts)
        return
    mine = [p for p in posts if p.territory_id == places[0].territory_id]
    st.markdown(f"## {plain(places[0].territory_name)} ({len(mine)})")
    wall(mine)


def joined(n: int) -> str:
    """« **1** personne a rejoint l'atelier. », « **12** personnes ont rejoint l'atelier. »"""
    return f"**{n}** {'personne a' if n < 2 else 'personnes ont'} rejoint l'atelier."


def votes_count(info: WorkshopInfo, step: Step) -> None:
    """A vote step's count (« 12 votes sur 15 »), under the clock: the room's width and
    height stay for the results."""
    voters, seats = service.vote_progress(engine(), info.id, step.kind)
    with st.container(key="ws_votes_count"):
        st.markdown(screens.step_count(step.kind, seats, 0, 0, voters))


def votes_waiting() -> None:
    """Until the facilitator reveals the results, only the count (the room votes without
    seeing the others' votes)."""
    st.markdown("Les résultats s'afficheront quand l'animation les révélera.")
