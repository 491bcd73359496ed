"""The panels of the facilitator's console: choose or open a workshop, the step controls, one
post with its moderation controls, the placement of items on the impact x effort grid. Every
action runs in a widget callback; a refusal is shown at the top of the console
(pages/_workshop.attempt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics import format_number
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.vocabulary import count
from diagnostic.workshop import (
    Live,
    Programme,
    StepKind,
    WorkshopError,
    WorkshopInfo,
    live,
    priorities,
    screens,
    service,
)
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.output import KIND_LABELS
from pages._forms import choose, title_input
from pages._shell import engine, plain, settings
from pages._workshop import attempt, screen_link


@dataclass(frozen=True)
class Console:
    """The workshop this console runs, and what its controls need."""

    actor: Actor
    info: WorkshopInfo
    programme: Programme
    names: dict[int, str]  # territory id -> name
    axes: dict[int, dict[str, str]]  # territory id -> its questionnaire's roadmap axes

    def act(self, action: Any, *args: Any, **kwargs: Any) -> None:
        """Run a facilitator action on this workshop (a widget callback)."""
        attempt(self.actor, action, self.info.id, *args, **kwargs)

    def act_with(self, action: Any, key: str, *args: Any) -> None:
        """The same, with the widget's new value as the last argument of the action."""
        self.act(action, *args, st.session_state[key])


def creation_form(actor: Actor) -> None:
    places = service.runnable_campaigns(engine(), actor)
    if not places:
        st.info("Aucune campagne ouverte ou close sur vos territoires : rien à mettre en atelier.")
        return
    labels = {p.campaign_id: f"{p.territory_name} — {p.campaign_title}" for p in places}
    with st.form("ws_new"):
        title = title_input(
            "Titre de la séance", "Et demain sur mon territoire ?", key="ws_new_title"
        )
        chosen = choose(
            "Campagnes dont l'atelier montre les résultats (une par territoire)",
            labels,
            key="ws_new_campaigns",
            many=True,
        )
        controlled = st.checkbox(
            "Mode contrôlé : les contributions attendent votre validation avant l'écran",
            key="ws_new_controlled",
        )
        create = st.form_submit_button("Ouvrir l'atelier", type="primary")
    if create:
        try:
            made = service.create(
                engine(), actor, title=title, campaign_ids=chosen, controlled=controlled
            )
        except (AccessDenied, WorkshopError, AnswerError) as exc:
            st.error(f"Atelier non créé : {plain(exc)}.")
        else:
            st.session_state["ws_id"] = made.workshop_id
            st.session_state["ws_choosing"] = False
            st.session_state["ws_screen_link"] = screen_link(made.screen_token)
            st.session_state["flash"] = f"Atelier ouvert : code {spoken(made.code)}."
            st.rerun()


def choose_workshop(actor: Actor, workshops: list[WorkshopInfo]) -> None:
    """Pick or open a workshop. Nothing refreshes on its own here, so that the lists stay
    open while you choose (a live refresh closes any open list of the page)."""
    labels = {
        w.id: f"{w.title} — {w.day} — code {spoken(w.code)}" + ("" if w.open else " (terminé)")
        for w in workshops
    }
    if workshops:
        st.subheader("Reprendre un atelier")
        picked = choose("Atelier", labels, key="ws_pick")
        if st.button("Animer cet atelier", type="primary", key="ws_open"):
            st.session_state["ws_id"] = picked
            st.session_state["ws_choosing"] = False
            st.session_state.pop("ws_screen_link", None)
            st.rerun()
    st.subheader("Ouvrir un nouvel atelier")
    creation_form(actor)
    if st.session_state.get("ws_id") in labels and st.button("Retour à l'atelier en cours"):
        st.session_state["ws_choosing"] = False
        st.rerun()
    st.stop()


def step_controls(console: Console, state: Live) -> None:
    """Previous, next, timer, any step, controlled mode, the territory on the screen."""
    prog, act = console.programme, console.act
    prev, nxt, timer = st.columns(3)
    for col, label, key, to, last, kind in (
        (prev, "← Précédente", "ws_prev", state.step - 1, state.step == 0, "secondary"),
        (nxt, "Suivante →", "ws_next", state.step + 1, state.step >= prog.last, "primary"),
    ):
        col.button(
            label, on_click=act, args=(service.go_to, to, prog), disabled=last, type=kind, key=key
        )
    timer.button(
        "Relancer le minuteur", on_click=act, args=(service.restart_timer,), key="ws_timer"
    )
    timer_controls(console, state)

    def jump_to(key: str) -> None:
        if st.session_state.get(key) is not None:
            act(service.go_to, st.session_state[key], prog)

    # Pills rather than lists: a live refresh would close an open list every few seconds.
    jump_key = f"ws_jump_{state.step}"  # a new widget at each step: never a stale choice
    st.pills(
        "Aller à l'étape",
        list(range(len(prog.steps))),
        default=state.step,
        format_func=lambda i: f"{i + 1}. {prog.steps[i].title}",
        key=jump_key,
        on_change=jump_to,
        args=(jump_key,),
    )
    st.toggle(
        "Mode contrôlé (validation avant affichage)",
        value=state.controlled,
        key="ws_controlled",
        on_change=console.act_with,
        args=(service.set_controlled, "ws_controlled"),
    )
    if len(console.info.places) > 1:
        focus_key = f"ws_focus_{state.focus}"
        st.pills(
            "Territoire à l'écran (aucun : tous)",
            list(console.names),
            default=state.focus,
            format_func=lambda i: plain(console.names[i]),  # pill labels are Markdown
            key=focus_key,
            on_change=console.act_with,
            args=(service.set_focus, focus_key),
        )


def timer_controls(console: Console, state: Live) -> None:
    """Pause (or resume) the countdown, one more minute, and on a vote step the results."""
    act, step = console.act, console.programme.step(state.step)
    hold, more, show = st.columns(3)
    if state.timer.paused:
        hold.button(
            "Reprendre",
            icon=":material/play_arrow:",
            on_click=act,
            args=(service.resume_timer,),
            key="ws_resume",
            help="Le minuteur repart là où il s'était arrêté.",
        )
    else:
        hold.button(
            "Pause",
            icon=":material/pause:",
            on_click=act,
            args=(service.pause_timer,),
            key="ws_pause",
            help="Le minuteur s'arrête sur la console, l'écran et les téléphones ; les "
            "participant·es peuvent continuer à écrire et à envoyer.",
        )
    more.button(
        "+ 1 minute",
        on_click=act,
        args=(service.add_minute, console.programme),
        key="ws_more",
        help="Une minute de plus au minuteur de l'étape (autant de fois que nécessaire).",
    )
    if step.kind in live.REVEALED_KINDS:
        shown = state.shows_results(step)
        show.button(
            "Masquer les résultats" if shown else "Révéler les résultats",
            icon=":material/visibility_off:" if shown else ":material/visibility:",
            type="secondary" if shown else "primary",
            on_click=act,
            args=(service.reveal, step.id, not shown),
            key=f"ws_reveal_{step.id}_{shown}",
        )
        st.caption(
            "Résultats affichés à l'écran."
            if shown
            else "L'écran montre le nombre de votes ; les résultats attendent votre « Révéler »."
        )


EDITOR = "ws_programme_editor"


def programme_editor(console: Console, state: Live) -> None:
    """« Modifier le déroulé de cet atelier »: titles, prompts, durations, order, steps removed
    or restored; validated like questions/atelier.yaml, every problem listed in French."""
    problems = st.session_state.pop("ws_programme_problems", None)
    with st.expander(
        "Modifier le déroulé de cet atelier", icon=":material/edit_note:", expanded=bool(problems)
    ):
        rows = service.programme_rows(engine(), console.info, settings().questions_dir)
        frame = pd.DataFrame(
            [
                {**r, "order": i + 1, "kind": KIND_LABELS[StepKind(r["kind"])]}
                for i, r in enumerate(rows)
            ]
        )
        st.caption(
            "Changez les titres, les consignes et les durées ; l'ordre se règle par la colonne "
            "« Ordre » (1 en premier). Une étape retirée ne s'affiche plus ; décochez pour la "
            "rétablir. Les contributions déjà écrites restent attachées à leur étape."
        )
        edited = st.data_editor(
            frame[["order", "id", "kind", "title", "prompt", "minutes", "removed"]],
            column_config={
                "order": st.column_config.NumberColumn("Ordre", min_value=1, step=1, width=60),
                "id": None,
                "kind": st.column_config.TextColumn("Type", disabled=True),
                "title": st.column_config.TextColumn("Titre", required=True, max_chars=120),
                "prompt": st.column_config.TextColumn("Consigne", required=True, width="large"),
                "minutes": st.column_config.NumberColumn(
                    "Minutes", min_value=1, max_value=60, step=1, required=True
                ),
                "removed": st.column_config.CheckboxColumn("Retirée"),
            },
            hide_index=True,
            num_rows="fixed",
            key=f"{EDITOR}_{state.revision}",  # a new editor once the programme changed
            width="stretch",
        )
        save, reset = st.columns(2)
        if save.button("Enregistrer le déroulé", type="primary", key="ws_programme_save"):
            ordered = edited.sort_values("order", kind="stable", na_position="last")
            submit(console, ordered.drop(columns=["order", "kind"]).to_dict("records"))
        if reset.button("Rétablir le déroulé d'origine", key="ws_programme_reset"):
            submit(console, None)
        if problems:
            st.error("Déroulé non enregistré :\n" + "\n".join(f"- {plain(p)}" for p in problems))


def submit(console: Console, rows: list[dict[str, Any]] | None) -> None:
    """Store the edited programme (or the shipped one again); every problem listed if refused."""
    try:
        service.edit_programme(
            engine(), console.actor, console.info.id, rows, settings().questions_dir
        )
    except service.ProgrammeRefused as exc:
        st.session_state["ws_programme_problems"] = exc.problems
    except (AccessDenied, WorkshopError) as exc:
        st.session_state["ws_programme_problems"] = [str(exc)]
    else:
        st.session_state["flash"] = (
            "Déroulé enregistré pour cet atelier."
            if rows is not None
            else "Déroulé d'origine rétabli."
        )
    st.rerun()


def moderation_row(console: Console, post: live.Post, groups: list[str]) -> None:
    """One post with its controls: show, highlight, hide, group, retain as a commitment.

    Widget keys carry the stored value, so that a change made elsewhere (another control,
    another facilitator) shows at the next refresh instead of a stale widget."""
    box = f"hl_{post.id}" if post.status == live.HIGHLIGHTED else f"post_{post.id}"
    with st.container(border=True, key=box):
        st.markdown(plain(post.text))
        st.caption(screens.post_caption(post, console.names.get(post.territory_id, ""), plain))
        cols = st.columns(3)
        for col, (label, key, status) in zip(cols, screens.moderation_buttons(post), strict=False):
            col.button(
                label, key=key, on_click=console.act, args=(service.moderate, post.id, status)
            )
        if groups:
            group_key = f"ws_group_{post.id}_{post.group_label or ''}"
            cols[2].pills(
                "Regroupement",
                groups,
                default=post.group_label if post.group_label in groups else None,
                format_func=plain,  # typed labels, and pill labels are Markdown
                key=group_key,
                on_change=console.act_with,
                args=(service.set_group, group_key, post.id),
            )
        if not screens.retainable(post, console.programme.step(post.step).kind):
            return
        sent, mine = post.roadmap_item_id is not None, console.axes.get(post.territory_id, {})
        keep_key = f"ws_keep_{post.id}_{post.retained}"
        axis_key = f"ws_axis_{post.id}_{post.dimension}"

        def retain(retained: bool, dimension: str | None) -> None:
            console.act(service.retain, post.id, retained=retained, dimension=dimension)

        st.checkbox(
            "Retenir comme engagement (feuille de route)",
            value=post.retained,
            key=keep_key,
            disabled=sent,
            on_change=lambda: retain(st.session_state[keep_key], st.session_state.get(axis_key)),
        )
        if mine:
            st.pills(  # the whole width: every axis shows, none clipped
                "Axe de la feuille de route"
                + ("" if live.axis_of(post.dimension, mine) else " (à choisir : aucun choisi)"),
                list(mine),
                # no default: « Clore » sends a commitment only to the axis someone chose
                default=live.axis_of(post.dimension, mine),
                format_func=mine.get,
                key=axis_key,
                disabled=sent,
                on_change=lambda: retain(post.retained, st.session_state[axis_key]),
            )


GRID_STEPS = [round(1 + i / 10, 1) for i in range(21)]  # 1,0 … 3,0: a tenth at a time


def grid_placement(console: Console, index: int) -> None:
    """Each candidate of the grid step with two sliders (impact, effort) that place it where
    the facilitator says, and « Revenir à la moyenne des votes »."""
    points = priorities.grid_candidates(
        engine(), console.actor, console.info.id, console.programme, index
    )
    with st.expander("Placer les chantiers sur la grille", icon=":material/open_with:"):
        if points.empty:
            st.caption("Aucun chantier affiché à placer pour l'instant.")
            return
        st.caption(
            "Déplacez un chantier à l'écran : impact et effort de 1 (faible) à 3 (fort). La "
            "moyenne des votes reste notée ; « Revenir à la moyenne des votes » la rétablit."
        )
        for row in points.to_dict("records"):
            placement_row(console, row)


def placement_row(console: Console, row: dict[str, Any]) -> None:
    """One candidate's sliders; their keys carry the stored position, so that a change made
    elsewhere shows fresh sliders."""
    post_id = int(row["post_id"])
    impact, effort = row["impact"], row["effort"]
    here = (
        (round(float(impact), 1), round(float(effort), 1))
        if impact == impact and effort == effort and impact is not None and effort is not None
        else (2.0, 2.0)
    )
    where = " · ".join(
        part
        for part in (
            plain(console.names.get(row["territory_id"], "")),
            f"regroupement « {plain(row['group'])} »" if isinstance(row["group"], str) else "",
            count(int(row["n"]), "vote"),
            _mean(row),
            "placé par l'animation" if row["placed"] else "",
        )
        if part
    )
    with st.container(border=True, key=f"ws_place_{post_id}"):
        st.markdown(plain(row["text"]))
        st.caption(where)
        cols = st.columns(2)
        keys = [f"ws_place_{axis}_{post_id}_{here[0]}_{here[1]}" for axis in ("i", "e")]

        def moved() -> None:
            position = (st.session_state[keys[0]], st.session_state[keys[1]])
            console.act(priorities.place, post_id, position)

        for col, key, label, value in zip(cols, keys, ("Impact", "Effort"), here, strict=True):
            col.select_slider(
                label,
                GRID_STEPS,
                value=value,
                format_func=lambda v: format_number(v, 1),
                key=key,
                on_change=moved,
            )
        st.button(
            "Revenir à la moyenne des votes",
            key=f"ws_unplace_{post_id}",
            disabled=not row["placed"],
            on_click=console.act,
            args=(priorities.place, post_id, None),
        )


def _mean(row: dict[str, Any]) -> str:
    """« moyenne des votes : impact 2,5, effort 1,5 », or nothing before a vote."""
    impact, effort = row.get("vote_impact"), row.get("vote_effort")
    if impact is None or effort is None or impact != impact or effort != effort:
        return ""
    return (
        f"moyenne des votes : impact {format_number(float(impact), 1)}, "
        f"effort {format_number(float(effort), 1)}"
    )
