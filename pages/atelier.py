"""The facilitator's console: create a workshop, run its steps, moderate, close and export."""

from __future__ import annotations

from functools import partial

import streamlit as st

from diagnostic.answering.responses import AnswerError
from diagnostic.errors import AccessDenied
from diagnostic.workshop import WorkshopError, live, output, screens, service
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.output import KIND_LABELS
from pages._resilience import guarded
from pages._shell import engine, flash, guard, plain, settings, workshop_results
from pages._workshop import (
    attempt,
    countdown,
    names,
    participant_link,
    programme,
    qr_image,
    refused,
    reload_if_stale,
    screen_link,
    screen_refresh,
    style,
)

actor = guard("atelier")
act = partial(attempt, actor)
style("console")
prog = programme()
st.title("Atelier « Et demain sur mon territoire ? »")
st.markdown(
    f"{plain(prog.intro)} Déroulé en {len(prog.steps)} étapes ({prog.total_minutes} minutes) : "
    "les participant·es rejoignent sans compte avec un code ; l'écran suit vos étapes."
)
flash()
refused()


def creation_form() -> None:
    places = service.runnable_campaigns(engine(), actor)
    if not places:
        st.info("Aucune campagne ouverte ou close sur vos territoires : rien à mettre en atelier.")
        return
    labels = {p.campaign_id: f"{p.territory_name} — {p.campaign_title}" for p in places}
    with st.form("ws_new"):
        title = st.text_input(
            "Titre de la séance",
            value="Et demain sur mon territoire ?",
            max_chars=200,
            key="ws_new_title",
        )
        chosen = st.multiselect(
            "Campagnes dont l'atelier montre les résultats (une par territoire)",
            list(labels),
            format_func=labels.get,
            key="ws_new_campaigns",
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


def choose(workshops: list[service.WorkshopInfo]) -> None:
    """Pick or open a workshop. Nothing refreshes on its own here, so that the lists stay
    open while you choose (a live refresh closes any open list of the page)."""
    by_id = {w.id: w for w in workshops}
    if workshops:
        st.subheader("Reprendre un atelier")
        picked = st.selectbox(
            "Atelier",
            list(by_id),
            format_func=lambda i: (
                f"{by_id[i].title} — {by_id[i].day} — code {spoken(by_id[i].code)}"
                + ("" if by_id[i].open else " (terminé)")
            ),
            key="ws_pick",
        )
        if st.button("Animer cet atelier", type="primary", key="ws_open"):
            st.session_state["ws_id"] = picked
            st.session_state["ws_choosing"] = False
            st.session_state.pop("ws_screen_link", None)
            st.rerun()
    st.subheader("Ouvrir un nouvel atelier")
    creation_form()
    if st.session_state.get("ws_id") in by_id and st.button("Retour à l'atelier en cours"):
        st.session_state["ws_choosing"] = False
        st.rerun()
    st.stop()


workshops = service.workshops(engine(), actor)
if "ws_id" not in st.session_state and workshops and workshops[0].open:
    st.session_state["ws_id"] = workshops[0].id  # straight back to the workshop under way
if st.session_state.get("ws_id") not in {w.id for w in workshops} or st.session_state.get(
    "ws_choosing"
):
    choose(workshops)
info = service.facilitated(engine(), actor, st.session_state["ws_id"])
link = participant_link(info.code)
head, change = st.columns([3, 1], vertical_alignment="bottom")
head.subheader(plain(info.title) + ("" if info.open else " (terminé)"))
if change.button("Changer d'atelier", icon=":material/swap_horiz:", key="ws_change"):
    st.session_state["ws_choosing"] = True
    st.rerun()

top_left, top_right = st.columns([3, 1])
with top_left:
    st.markdown("Code à lire à voix haute :")
    with st.container(key="ws_code"):
        st.markdown(spoken(info.code))
    st.markdown("Lien des participant·es :")
    st.code(link, language=None)
    st.caption(" · ".join(plain(p.territory_name) for p in info.places))
top_right.image(qr_image(link), width=180, caption="Code QR du lien")

if info.open:
    go_screen, new_screen = st.columns(2)
    if go_screen.button("Ouvrir la projection", icon=":material/cast:", type="primary"):
        st.switch_page("pages/atelier_projection.py")
    if new_screen.button("Nouveau lien d'écran (autre ordinateur)", icon=":material/link:"):
        try:
            token = service.reissue_screen(engine(), actor, info.id)
        except (AccessDenied, WorkshopError) as exc:
            st.error(plain(exc))
        else:
            st.session_state["ws_screen_link"] = screen_link(token)
    screen = st.session_state.get("ws_screen_link")
    if screen:
        st.caption(
            "Lien de l'écran, en lecture seule, à ouvrir sur l'ordinateur du projecteur (il ne "
            "permet aucune action ; un nouveau lien remplace le précédent) :"
        )
        st.code(screen, language=None)

st.divider()
state = service.live_state(engine(), info.id)
assert state is not None
step = prog.step(state.step)
st.subheader(f"Étape {state.step + 1} sur {len(prog.steps)} : {step.title}")
st.caption(f"{KIND_LABELS[step.kind]} · {step.minutes} min · {plain(step.prompt)}")


def from_widget(action, key: str, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A widget callback: pass the widget's new value as the last argument of the action."""
    act(action, *args, st.session_state[key], **kwargs)


names_of = names(info.places)
if info.open:
    prev, nxt, timer = st.columns(3)
    for col, label, key, to, last, kind in (
        (prev, "← Précédente", "ws_prev", state.step - 1, state.step == 0, "secondary"),
        (nxt, "Suivante →", "ws_next", state.step + 1, state.step >= prog.last, "primary"),
    ):
        col.button(
            label,
            on_click=act,
            args=(service.go_to, info.id, to, prog),
            disabled=last,
            type=kind,
            key=key,
        )
    timer.button(
        "Relancer le minuteur", on_click=act, args=(service.restart_timer, info.id), key="ws_timer"
    )

    def jump_to(key: str) -> None:
        if st.session_state.get(key) is not None:
            act(service.go_to, info.id, st.session_state[key], prog)

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
        on_change=from_widget,
        args=(service.set_controlled, "ws_controlled", info.id),
    )
    if len(info.places) > 1:
        focus_key = f"ws_focus_{state.focus}"
        st.pills(
            "Territoire à l'écran (aucun : tous)",
            list(names_of),
            default=state.focus,
            format_func=lambda i: plain(names_of[i]),  # pill labels are Markdown
            key=focus_key,
            on_change=from_widget,
            args=(service.set_focus, focus_key, info.id),
        )
auto = st.toggle(
    "Actualisation automatique",
    value=True,
    key="ws_auto",
    help="Arrêtez-la le temps de regrouper des contributions si la liste bouge trop.",
)
axes = {p.territory_id: service.dimensions_of(settings().questions_dir, p) for p in info.places}
for place in info.places:  # computed here once, the screen's results step is then instant
    workshop_results(place)


def moderation_row(post: live.Post, groups: list[str]) -> None:
    """One post with its controls: show, highlight, hide, group, retain as a commitment.

    Widget keys carry the stored value, so that a change made elsewhere (another control,
    another facilitator) shows at the next refresh instead of a stale widget."""
    box = f"hl_{post.id}" if post.status == live.HIGHLIGHTED else f"post_{post.id}"
    with st.container(border=True, key=box):
        st.markdown(plain(post.text))
        st.caption(screens.post_caption(post, names_of.get(post.territory_id, ""), plain))
        cols = st.columns(3)
        for col, (label, key, status) in zip(cols, screens.moderation_buttons(post), strict=False):
            col.button(
                label, key=key, on_click=act, args=(service.moderate, info.id, post.id, status)
            )
        if groups:
            group_key = f"ws_group_{post.id}_{post.group_label or ''}"
            cols[2].pills(
                "Regroupement",
                groups,
                default=post.group_label if post.group_label in groups else None,
                format_func=plain,  # typed labels, and pill labels are Markdown
                key=group_key,
                on_change=from_widget,
                args=(service.set_group, group_key, info.id, post.id),
            )
        if not screens.retainable(post, prog.step(post.step).kind):
            return
        sent, mine = post.roadmap_item_id is not None, axes.get(post.territory_id, {})
        keep_key = f"ws_keep_{post.id}_{post.retained}"
        axis_key = f"ws_axis_{post.id}_{post.dimension}"
        retain = partial(act, service.retain, info.id, post.id)
        left, right = st.columns(2)
        left.checkbox(
            "Retenir comme engagement (feuille de route)",
            value=post.retained,
            key=keep_key,
            disabled=sent,
            on_change=lambda: retain(
                retained=st.session_state[keep_key], dimension=st.session_state.get(axis_key)
            ),
        )
        if mine:
            right.pills(
                "Axe de la feuille de route",
                list(mine),
                # what « Clore » sends when nobody chose: the first axis
                default=live.axis_of(post.dimension, mine),
                format_func=mine.get,
                key=axis_key,
                disabled=sent,
                on_change=lambda: retain(
                    retained=post.retained, dimension=st.session_state[axis_key]
                ),
            )


@st.fragment(run_every=screen_refresh() if auto and info.open else None)
@guarded  # a fragment's reruns do not go through the router's guard
def moderation() -> None:
    """New posts appear without a click; the inbox first in controlled mode."""
    now = service.live_state(engine(), info.id)
    if now is None:
        return
    reload_if_stale(now, info)
    shown_step = prog.step(now.step)
    a, b, c = st.columns(3)
    with a:
        countdown(now, shown_step)
    b.metric("Participant·es", sum(service.seat_counts(engine(), info.id).values()))
    posts = screens.inbox(
        service.inbox(engine(), actor, info.id), now.step, st.session_state.get("ws_groups", [])
    )
    c.metric("En attente de validation", len(posts.pending))
    if posts.pending:
        st.markdown(f"**Boîte de réception ({len(posts.pending)})**")
        for post in posts.pending:
            moderation_row(post, posts.groups)
    if shown_step.posts:
        st.markdown(f"**Contributions de l'étape ({len(posts.current)})**")
        if not posts.current:
            st.caption("Aucune contribution partagée pour l'instant.")
        for post in posts.current:
            moderation_row(post, posts.groups)
    if posts.retained:
        st.markdown(f"**Engagements retenus ({len(posts.retained)})**")
        for post in posts.retained:
            st.markdown(f"- ★ {plain(post.text)} — {plain(names_of.get(post.territory_id, ''))}")


moderation()

with st.expander("Créer un regroupement", icon=":material/category:"):
    with st.form("ws_group_form", clear_on_submit=True):
        label = st.text_input("Nom du regroupement", max_chars=live.MAX_GROUP_LABEL)
        if st.form_submit_button("Créer") and label.strip():
            st.session_state["ws_groups"] = sorted(
                {*st.session_state.get("ws_groups", []), label.strip()}
            )
    st.caption("Le regroupement apparaît ensuite dans la liste « Regroupement » de chaque post.")

st.divider()
st.subheader("Clore et exporter")
if info.open:
    sure = st.checkbox(
        "Je clos l'atelier : les participant·es ne peuvent plus écrire, le lien d'écran cesse de "
        "fonctionner, les engagements retenus entrent dans les feuilles de route.",
        key="ws_end_sure",
    )
    if st.button("Clore l'atelier", disabled=not sure, type="primary", key="ws_end"):
        try:
            report = service.end(engine(), actor, info.id, prog, settings().questions_dir)
        except (AccessDenied, WorkshopError, AnswerError) as exc:
            st.error(f"Atelier non clos : {plain(exc)}.")
        else:
            st.session_state["flash"] = screens.sent_summary(report.sent, plain)
            st.session_state.pop("ws_screen_link", None)
            st.rerun()
else:
    st.info("Atelier terminé.")
    if st.button("Envoyer les engagements retenus depuis la clôture", key="ws_send"):
        report = service.send_commitments(engine(), actor, info.id, prog, settings().questions_dir)
        st.success(f"{sum(report.sent.values())} engagement(s) inscrit(s).")

if st.button("Préparer les fichiers du compte rendu", icon=":material/download:", key="ws_prep"):
    results = {p.campaign_id: workshop_results(p) for p in info.places}
    files = output.files(
        engine(), actor, info.id, prog, results, min_votes=settings().min_group_size
    )
    st.session_state["ws_files"] = (info.id, files)
prepared, files = st.session_state.get("ws_files", (None, {}))
if files and prepared == info.id:
    for col, (fmt, file) in zip(st.columns(3), files.items(), strict=True):
        col.download_button(
            output.FILE_LABELS[fmt],
            file.data,
            file_name=file.filename,
            mime=file.mime,
            key=f"ws_dl_{fmt}",
        )
