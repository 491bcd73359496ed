"""The facilitator's console: create a workshop, run its steps, moderate, close and export."""

from __future__ import annotations

import streamlit as st

from diagnostic.answering.responses import AnswerError
from diagnostic.errors import AccessDenied
from diagnostic.vocabulary import ROLE_LABELS
from diagnostic.workshop import StepKind, WorkshopError, live, output, service
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.output import KIND_LABELS
from pages._resilience import guarded
from pages._shell import engine, flash, guard, plain, settings, workshop_results
from pages._workshop import (
    participant_link,
    programme,
    qr_image,
    reload_if_stale,
    screen_link,
    screen_refresh,
    style,
)

actor = guard("atelier")
style("console")
prog = programme()
st.title("Atelier « Et demain sur mon territoire ? »")
st.markdown(
    f"{plain(prog.intro)} Déroulé en {len(prog.steps)} étapes ({prog.total_minutes} minutes) : "
    "les participant·es rejoignent sans compte avec un code ; l'écran suit vos étapes."
)
flash()
error = st.session_state.pop("ws_error", None)
if error:
    st.error(error)


def attempt(action, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Run a facilitator action from a widget callback; a refusal is shown, never raised."""
    try:
        action(engine(), actor, *args, **kwargs)
    except (AccessDenied, WorkshopError, AnswerError) as exc:
        st.session_state["ws_error"] = f"Action refusée : {plain(exc)}."


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


def choose(workshops: list) -> None:  # type: ignore[type-arg]
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

if info.open:
    prev, nxt, timer = st.columns(3)
    prev.button(
        "← Précédente",
        on_click=attempt,
        args=(service.go_to, info.id, state.step - 1, prog),
        disabled=state.step == 0,
        key="ws_prev",
    )
    nxt.button(
        "Suivante →",
        on_click=attempt,
        args=(service.go_to, info.id, state.step + 1, prog),
        disabled=state.step >= prog.last,
        type="primary",
        key="ws_next",
    )
    timer.button(
        "Relancer le minuteur",
        on_click=attempt,
        args=(service.restart_timer, info.id),
        key="ws_timer",
    )
    steps = list(range(len(prog.steps)))

    def jump_to(key: str) -> None:
        if st.session_state.get(key) is not None:
            attempt(service.go_to, info.id, st.session_state[key], prog)

    # Pills rather than lists: a live refresh would close an open list every few seconds.
    jump_key = f"ws_jump_{state.step}"  # a new widget at each step: never a stale choice
    st.pills(
        "Aller à l'étape",
        steps,
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
        on_change=lambda: attempt(
            service.set_controlled, info.id, st.session_state["ws_controlled"]
        ),
    )
    if len(info.places) > 1:
        names_on_screen = {p.territory_id: p.territory_name for p in info.places}
        focus_key = f"ws_focus_{state.focus}"
        st.pills(
            "Territoire à l'écran (aucun : tous)",
            list(names_on_screen),
            default=state.focus,
            format_func=lambda i: plain(names_on_screen[i]),  # pill labels are Markdown
            key=focus_key,
            on_change=lambda: attempt(service.set_focus, info.id, st.session_state[focus_key]),
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
names = {p.territory_id: p.territory_name for p in info.places}


def from_widget(action, key: str, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A widget callback: pass the widget's new value as the last argument of the action."""
    attempt(action, *args, st.session_state[key], **kwargs)


def keep(post_id: int, key: str, axis_key: str) -> None:
    attempt(
        service.retain,
        info.id,
        post_id,
        retained=st.session_state[key],
        dimension=st.session_state.get(axis_key),
    )


def set_axis(post_id: int, retained: bool, key: str) -> None:
    attempt(service.retain, info.id, post_id, retained=retained, dimension=st.session_state[key])


def moderation_row(post: live.Post, groups: list[str]) -> None:
    """One post with its controls: show, highlight, hide, group, retain as a commitment.

    Widget keys carry the stored value, so that a change made elsewhere (another control,
    another facilitator) shows at the next refresh instead of a stale widget."""
    box = f"hl_{post.id}" if post.status == live.HIGHLIGHTED else f"post_{post.id}"
    with st.container(border=True, key=box):
        who = f"{post.nickname}, {ROLE_LABELS.get(post.role or '', post.role or '')}"
        st.markdown(plain(post.text))
        st.caption(
            f"{plain(who)} · {plain(names.get(post.territory_id, ''))} · "
            f"{live.STATUS_LABELS.get(post.status, post.status)}"
            + (" · ★ engagement retenu" if post.retained else "")
            + (" · inscrit à la feuille de route" if post.roadmap_item_id else "")
        )
        a, b, c = st.columns(3)
        if post.status in {live.PENDING, live.HIDDEN}:
            a.button(
                "Afficher",
                key=f"ws_show_{post.id}",
                on_click=attempt,
                args=(service.moderate, info.id, post.id, live.VISIBLE),
            )
        else:
            lit = post.status == live.HIGHLIGHTED
            a.button(
                "Retirer la mise en avant" if lit else "Mettre en avant",
                key=f"ws_hl_{post.id}_{lit}",
                on_click=attempt,
                args=(
                    service.moderate,
                    info.id,
                    post.id,
                    live.VISIBLE if lit else live.HIGHLIGHTED,
                ),
            )
        if post.status != live.HIDDEN:
            b.button(
                "Masquer",
                key=f"ws_hide_{post.id}",
                on_click=attempt,
                args=(service.moderate, info.id, post.id, live.HIDDEN),
            )
        if groups:
            group_key = f"ws_group_{post.id}_{post.group_label or ''}"
            c.pills(
                "Regroupement",
                groups,
                default=post.group_label if post.group_label in groups else None,
                format_func=plain,  # typed labels, and pill labels are Markdown
                key=group_key,
                on_change=from_widget,
                args=(service.set_group, group_key, info.id, post.id),
            )
        if prog.step(post.step).kind != StepKind.COMMITMENTS or post.status == live.HIDDEN:
            return
        sent = post.roadmap_item_id is not None
        mine = axes.get(post.territory_id, {})
        keep_key = f"ws_keep_{post.id}_{post.retained}"
        axis_key = f"ws_axis_{post.id}_{post.dimension}"
        r, x = st.columns(2)
        r.checkbox(
            "Retenir comme engagement (feuille de route)",
            value=post.retained,
            key=keep_key,
            disabled=sent,
            on_change=keep,
            args=(post.id, keep_key, axis_key),
        )
        if mine:
            x.pills(
                "Axe de la feuille de route",
                list(mine),
                # what « Clore » sends when nobody chose: the first axis
                default=post.dimension if post.dimension in mine else next(iter(mine)),
                format_func=mine.get,
                key=axis_key,
                disabled=sent,
                on_change=set_axis,
                args=(post.id, post.retained, axis_key),
            )


def new_groups() -> list[str]:
    return list(st.session_state.get("ws_groups", []))


@st.fragment(run_every=screen_refresh() if auto and info.open else None)
@guarded  # a fragment's reruns do not go through the router's guard
def moderation() -> None:
    """New posts appear without a click; the inbox first in controlled mode."""
    now = service.live_state(engine(), info.id)
    if now is None:
        return
    reload_if_stale(now, info)
    shown_step = prog.step(now.step)
    left = live.remaining_seconds(now.step_started_at, shown_step.seconds, service.live_now())
    seats = service.seat_counts(engine(), info.id)
    a, b, c = st.columns(3)
    with a.container(key="ws_clock"):
        st.markdown(live.clock(left))
    b.metric("Participant·es", sum(seats.values()))
    everything = service.inbox(engine(), actor, info.id)
    pending = [p for p in everything if p.status == live.PENDING]
    c.metric("En attente de validation", len(pending))
    current = [p for p in everything if p.step == now.step and p.status != live.PENDING]
    groups = sorted({p.group_label for p in everything if p.group_label} | set(new_groups()))
    if pending:
        st.markdown(f"**Boîte de réception ({len(pending)})**")
        for post in pending:
            moderation_row(post, groups)
    if shown_step.posts:
        st.markdown(f"**Contributions de l'étape ({len(current)})**")
        if not current:
            st.caption("Aucune contribution partagée pour l'instant.")
        for post in reversed(current):
            moderation_row(post, groups)
    retained = [p for p in everything if p.retained and p.shown]
    if retained:
        st.markdown(f"**Engagements retenus ({len(retained)})**")
        for post in retained:
            st.markdown(f"- ★ {plain(post.text)} — {plain(names.get(post.territory_id, ''))}")


moderation()

with st.expander("Créer un regroupement", icon=":material/category:"):
    with st.form("ws_group_form", clear_on_submit=True):
        label = st.text_input("Nom du regroupement", max_chars=live.MAX_GROUP_LABEL)
        if st.form_submit_button("Créer") and label.strip():
            st.session_state["ws_groups"] = sorted({*new_groups(), label.strip()})
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
            sent = ", ".join(f"{n} pour {plain(t)}" for t, n in report.sent.items()) or "aucun"
            st.session_state["flash"] = (
                f"Atelier clos. Engagements inscrits aux projets de feuille de route : {sent}."
            )
            st.session_state.pop("ws_screen_link", None)
            st.rerun()
else:
    st.info("Atelier terminé.")
    if st.button("Envoyer les engagements retenus depuis la clôture", key="ws_send"):
        report = service.send_commitments(engine(), actor, info.id, prog, settings().questions_dir)
        st.success(f"{sum(report.sent.values())} engagement(s) inscrit(s).")

if st.button("Préparer les fichiers du compte rendu", icon=":material/download:", key="ws_prep"):
    results = {p.campaign_id: workshop_results(p) for p in info.places}
    record = output.build_record(
        engine(), actor, info.id, prog, results, min_votes=settings().min_group_size
    )
    exports = {fmt: output.export(record, fmt) for fmt in ("docx", "md", "csv")}
    st.session_state["ws_files"] = (info.id, exports)
    output.record_export(engine(), actor, info.id, "docx+md+csv")
prepared, files = st.session_state.get("ws_files", (None, {}))
if files and prepared == info.id:
    labels = {"docx": "Word", "md": "Markdown", "csv": "Contributions (CSV)"}
    cols = st.columns(3)
    for col, (fmt, file) in zip(cols, files.items(), strict=True):
        col.download_button(
            labels[fmt], file.data, file_name=file.filename, mime=file.mime, key=f"ws_dl_{fmt}"
        )
