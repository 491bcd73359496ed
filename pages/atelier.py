"""The facilitator's console: create a workshop, run its steps, moderate, close and export."""

from __future__ import annotations

import streamlit as st

from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.vocabulary import count as n_of
from diagnostic.workshop import Programme, StepKind, WorkshopError, live, output, screens, service
from diagnostic.workshop.codes import spoken
from diagnostic.workshop.output import KIND_LABELS
from pages import _push as push
from pages._resilience import guarded
from pages._shell import engine, flash, guard, plain, settings, workshop_results
from pages._workshop import (
    countdown,
    following,
    names,
    participant_link,
    programme,
    qr_image,
    refused,
    screen_link,
    screen_refresh,
    style,
)
from pages._workshop_console import (
    Console,
    choose_workshop,
    grid_placement,
    moderation_row,
    programme_editor,
    step_controls,
)

actor = guard("atelier")
style("console")
st.title("Atelier « Et demain sur mon territoire ? »")
intro = st.empty()  # the shipped programme until a workshop is chosen, then that workshop's


def introduce(prog: Programme) -> None:
    intro.markdown(
        f"{plain(prog.intro)} Déroulé en {n_of(len(prog.steps), 'étape')} "
        f"({n_of(prog.total_minutes, 'minute')}) : les participant·es rejoignent sans compte "
        "avec un code ; l'écran suit vos étapes."
    )


introduce(programme())
flash()
refused()

workshops = service.workshops(engine(), actor)
if "ws_id" not in st.session_state and workshops and workshops[0].open:
    st.session_state["ws_id"] = workshops[0].id  # straight back to the workshop under way
if st.session_state.get("ws_id") not in {w.id for w in workshops} or st.session_state.get(
    "ws_choosing"
):
    choose_workshop(actor, workshops)
info = service.facilitated(engine(), actor, st.session_state["ws_id"])
prog = programme(info)  # this workshop's own programme when it was edited below
introduce(prog)
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
console = Console(
    actor,
    info,
    prog,
    names(info.places),
    {p.territory_id: service.dimensions_of(settings().questions_dir, p) for p in info.places},
)
if info.open:
    step_controls(console, state)
    programme_editor(console, state)
auto = st.toggle(
    "Actualisation automatique",
    value=True,
    key="ws_auto",
    help="Arrêtez-la le temps de regrouper des contributions si la liste bouge trop.",
)
for place in info.places:  # computed here once, the screen's results step is then instant
    workshop_results(place)


@st.fragment(run_every=screen_refresh() if auto and info.open else None)
@guarded  # a fragment's reruns do not go through the router's guard
def moderation() -> None:
    """New posts appear without a click; the inbox first in controlled mode."""
    now = following(info)
    if now is None:
        return
    push.follow(info.id, (now.changes,))  # another console's or the screen's change: at once
    if now.step != state.step:  # moved from the projection's controls or another console
        st.rerun(scope="app")
    shown_step = prog.step(now.step)
    a, b, c = st.columns(3)
    with a:
        countdown(now, shown_step)
    counts = service.step_counts(engine(), actor, info.id, now.step, prog)
    b.metric("Participant·es", counts.seats)
    posts = screens.inbox(
        service.inbox(engine(), actor, info.id), now.step, st.session_state.get("ws_groups", [])
    )
    c.metric("En attente de validation", len(posts.pending))
    with st.container(key="ws_step_count"):
        st.markdown(
            "À cette étape : "
            + screens.step_count(
                shown_step.kind, counts.seats, counts.posts, counts.authors, counts.voters
            )
        )
    if posts.pending:
        st.markdown(f"**Boîte de réception ({len(posts.pending)})**")
        for post in posts.pending:
            moderation_row(console, post, posts.groups)
    if shown_step.posts:
        st.markdown(f"**Contributions de l'étape ({len(posts.current)})**")
        if not posts.current:
            st.caption("Aucune contribution partagée pour l'instant.")
        for post in posts.current:
            moderation_row(console, post, posts.groups)
    if posts.retained:
        st.markdown(f"**Engagements retenus ({len(posts.retained)})**")
        for post in posts.retained:
            st.markdown(
                f"- ★ {plain(post.text)} — {plain(console.names.get(post.territory_id, ''))}"
            )


moderation()
if info.open and step.kind == StepKind.GRID:
    grid_placement(console, state.step)

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
            st.session_state["flash"] = screens.sent_summary(report.sent, plain, report.unassigned)
            st.session_state.pop("ws_screen_link", None)
            st.rerun()
else:
    st.info("Atelier terminé.")
    if st.button("Envoyer les engagements retenus depuis la clôture", key="ws_send"):
        report = service.send_commitments(engine(), actor, info.id, prog, settings().questions_dir)
        st.success(f"{n_of(sum(report.sent.values()), 'engagement inscrit')}.")
        if report.unassigned:
            st.warning(
                f"Sans axe de feuille de route, donc non inscrits : "
                f"{n_of(report.unassigned, 'engagement retenu')}. Choisissez leur axe, puis "
                "envoyez de nouveau."
            )

st.caption(
    f"Compte rendu : Word avec graphiques, Markdown, contributions en CSV et image du tableau. "
    f"En ligne de commande : python -m diagnostic atelier-export --workshop {info.id} "
    "--format docx (ou md, csv, png)."
)
if st.button("Préparer les fichiers du compte rendu", icon=":material/download:", key="ws_prep"):
    results = {p.campaign_id: workshop_results(p) for p in info.places}
    record = output.build_record(
        engine(),
        actor,
        info.id,
        prog,
        results,
        min_votes=settings().min_group_size,
        questions_dir=settings().questions_dir,
    )
    st.session_state["ws_files"] = (info.id, output.files(engine(), actor, record))
prepared, files = st.session_state.get("ws_files", (None, {}))
if files and prepared == info.id:
    for col, (fmt, file) in zip(st.columns(len(files)), files.items(), strict=True):
        col.download_button(
            output.FILE_LABELS[fmt],
            file.data,
            file_name=file.filename,
            mime=file.mime,
            key=f"ws_dl_{fmt}",
        )
