"""The respondent's questionnaire: introduction, one section at a time, autosave, submission."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from diagnostic.answering.respondent import (
    my_answers,
    my_profile,
    prefill_from_invitation,
    resume_section,
    submit,
)
from diagnostic.answering.responses import progress, visible_questions
from diagnostic.exports import MIME, file_name
from diagnostic.privacy.service import MY_DATA_NAME, erase_my_data, export_my_data, who_sees_what
from diagnostic.questionnaire import Questionnaire
from diagnostic.results.tables import MISSING
from diagnostic.vocabulary import ROLE_LABELS
from diagnostic.vocabulary import count as n_of
from pages._part_focus import FOCUS_NEXT, anchor, focus_heading, moved
from pages._question_widgets import DK_LABEL, Form, card, keep_unsaved, page_setup
from pages._resilience import follow_other_tabs, pending_notice, resend_pending, save_answer
from pages._shell import engine, guard, invitation, library, plain, privacy_notice, settings

NAMED_WARNING = (
    "**Campagne nominative.** Pour cette campagne, la personne qui coordonne le diagnostic "
    "peut exporter vos réponses individuelles **avec votre nom** (s'il a été saisi à votre "
    "invitation). Ce choix a été fait avant la première réponse et ne peut plus changer."
)
NAMED_CAPTION = "Campagne nominative : la coordination peut exporter vos réponses avec votre nom."
PREFILLED = "Réponse préremplie d'après votre invitation : corrigez-la si elle ne convient pas."
SENT = "reponses-envoyees"  # the id of the confirmation's heading
PRIVACY = "Données personnelles : ce qui est conservé, qui le voit, vos droits"
PART_PARAM = "partie"  # the part shown, in the address (1 for the first)

actor = guard("questionnaire")
# The link, the campaign (open?), the answers and the submission, read again at every run in
# one read transaction, shared with the guard above (see pages/_shell.invitation).
inv = invitation()
if inv is None:  # the guard lets only respondents through; this is belt and braces
    st.error("Lien invalide ou expiré.")
    st.stop()
eng = engine()
q: Questionnaire = inv.questionnaire
pid: int = inv.participant.id  # type: ignore[assignment]
# Answers a database fault left waiting go first; if any was sent, read the answers again.
answers = my_answers(eng, actor, pid) if resend_pending(eng, actor, q, pid) else dict(inv.answers)
follow_other_tabs(q, answers)  # what another tab saved meanwhile replaces this tab's older value
locked = inv.submitted
named = inv.campaign.named_answers
# Each answer is stored at once (kept and sent again if the database is unavailable), through
# the engine of the run of the widget's callback.
form = Form(q, locked, lambda qid, raw: save_answer(engine(), actor, q, pid, qid, raw))


def my_data_section() -> None:
    """« Mes données »: the privacy notice, a copy of one's answers, erasure on request."""
    st.divider()
    st.subheader("Mes données")
    with st.expander(PRIVACY):
        st.markdown(privacy_notice(named))
    for col, fmt in zip(st.columns(2), ("csv", "json"), strict=True):
        col.download_button(
            f"Télécharger mes réponses ({fmt.upper()})",
            data=lambda fmt=fmt: export_my_data(eng, actor, q, pid, fmt).data,
            file_name=file_name(MY_DATA_NAME, fmt),
            mime=MIME[fmt],
            key=f"my_data_{fmt}",
            on_click="ignore",
        )
    with st.expander("Effacer mes réponses"):
        st.warning(
            "L'effacement supprime toutes vos réponses et votre nom, et désactive ce lien. "
            "Il est définitif : vos réponses ne pourront pas être récupérées."
        )
        sure = st.checkbox(
            "Je confirme vouloir effacer mes réponses et désactiver mon lien", key="erase_confirm"
        )
        if st.button("Effacer définitivement", key="erase_me", disabled=not sure):
            erase_my_data(eng, actor, pid)
            st.query_params.clear()
            st.session_state.clear()
            st.session_state["flash"] = (
                "Vos réponses ont été effacées, votre nom retiré et votre lien personnel "
                "désactivé. Merci de votre participation."
            )
            st.rerun()


def go(i: int) -> None:
    """Show part `i` (buttons and picker); its heading comes to the top, focused."""
    st.session_state["section"] = i
    moved()


# --- The screen -------------------------------------------------------------------------------
page_setup()
st.title(q.title)
role = ROLE_LABELS.get(inv.participant.role, inv.participant.role)
st.caption(
    f"{plain(inv.territory.name)} · {plain(inv.campaign.title)} · {role} — "
    f"{plain(inv.structure.name)}"
)
if named:
    st.caption(NAMED_CAPTION)
if error := st.session_state.pop("save_error", None):
    st.error(error)
pending_notice()

if not answers and not locked and not st.session_state.get("intro_done", False):
    st.header("Avant de commencer")
    if named:
        st.warning(NAMED_WARNING, icon=":material/badge:")
    if q.description:
        st.markdown(q.description)
    st.markdown(
        f"""
- **Pourquoi ?** Croiser les regards des directions de l'intercommunalité et des communes sur
  la gouvernance administrative du territoire, pour préparer ensemble la feuille de route du
  mandat.
- **Combien de temps ?** Environ **{q.estimated_minutes} minutes**, en {len(q.sections)} parties.
  Vous pouvez vous arrêter et reprendre plus tard avec le même lien, sur n'importe quel appareil.
- **Chaque réponse est enregistrée immédiatement**, les textes libres pendant que vous écrivez :
  il n'y a pas de bouton « Enregistrer ».
- **« {DK_LABEL} »** est toujours une réponse possible là où elle a du sens : ne pas savoir est
  aussi un enseignement.
"""
    )
    st.markdown("**Qui voit quoi ?**")
    st.markdown(who_sees_what(settings(), named=named))
    if st.button("Commencer le questionnaire", type="primary", key="start"):
        st.session_state["intro_done"] = True
        st.rerun()
    with st.expander(PRIVACY):
        st.markdown(privacy_notice(named))
    st.stop()

# The profile questions the invitation already answers (function, structure), filled in as
# the questionnaire starts: shown with a note, and correctable like any answer.
if not answers and not locked and prefill_from_invitation(eng, actor, inv):
    answers = my_answers(eng, actor, pid)

if locked:
    # Brought to the top and focused right after sending (the page would otherwise stay
    # scrolled where « Envoyer » was, the confirmation out of sight).
    st.subheader("Questionnaire envoyé", anchor=SENT)
    st.success(
        "Vos réponses ont été envoyées. Merci ! Elles restent consultables ci-dessous mais ne "
        "sont plus modifiables (la personne qui coordonne le diagnostic peut les rouvrir)."
    )
    profile = my_profile(eng, actor, inv)
    with st.expander("Mon profil et celui du territoire", expanded=True):
        if profile is None:
            st.info(
                f"Votre profil sera comparé à celui du territoire dès que "
                f"{settings().min_group_size} personnes au moins auront envoyé leurs réponses."
            )
        else:
            # A static table: it wraps on a phone where a data grid would cut its columns.
            figures = profile.set_index("Dimension")
            st.table(figures.map(lambda v: MISSING if pd.isna(v) else f"{v:.0f}"))
            st.caption(
                "Scores sur 100 par dimension : vos réponses et la moyenne des réponses "
                "envoyées du territoire (sans les niveaux de consensus)."
            )

state = progress(q, answers)
st.progress(
    state.required_ratio,
    text=f"Questions obligatoires répondues : {state.required_answered} sur {state.required} · "
    f"{n_of(state.answered, 'réponse')} en tout",
)
shown = {x.id for x in visible_questions(q, answers)}
sections = [s for s in q.sections if any(x.id in shown for x in s.questions)]
fresh = "section" not in st.session_state  # this browser session's first run of the page
# The part shown is written in the address (`&partie=3`): a page that reconnects to a new
# session (its server process restarted, or another one behind the proxy) stays on it, with
# what was typed there; so does a reload.
raw_part = st.query_params.get(PART_PARAM, "")
kept = int(raw_part) - 1 if raw_part.isdigit() and 0 < int(raw_part) <= len(sections) else None
if fresh and kept is not None and not locked:
    st.session_state["section"] = kept
elif fresh and answers and not locked:
    # A new visit (the link, with no part) opens the part answered last (once per session).
    last = resume_section(eng, actor, q, pid)
    resumed = next((i for i, s in enumerate(sections) if s.id == last), 0)
    st.session_state["section"] = resumed
    if resumed > 0:
        st.session_state["resumed"] = resumed
index = min(st.session_state.get("section", 0), len(sections) - 1)
if st.session_state.pop("resumed", None) == index:
    st.info(f"Reprise à la partie {index + 1}, là où vous vous étiez arrêté·e.")
st.session_state["section"] = index
if raw_part != str(index + 1):
    st.query_params[PART_PARAM] = str(index + 1)
st.session_state["section_picker"] = index  # the picker always names the part shown
st.selectbox(
    "Partie",
    range(len(sections)),
    format_func=lambda i: f"{i + 1}. {sections[i].title}",
    key="section_picker",
    placeholder="Choisir…",
    on_change=lambda: go(st.session_state["section_picker"]),
)
section = sections[index]
st.header(f"{index + 1}. {section.title}", anchor=anchor(index))
# The moved-to part's heading, or the confirmation just after sending, at the top and focused.
# (or, after a grid shortcut, the widget the person goes on with).
sent_now = locked and st.session_state.pop("just_sent", False)
focus_heading(SENT if sent_now else st.session_state.pop(FOCUS_NEXT, None) or anchor(index))
if section.intro:
    st.markdown(section.intro)

for number, question in enumerate([x for x in section.questions if x.id in shown], start=1):
    value = answers.get(question.id) or {}
    given = inv.prefilled(question)
    note = PREFILLED if given is not None and value.get("choice") == given else None
    card(form, f"{index + 1}.{number}", question, value, library(), note=note)
stored_now = fresh and keep_unsaved(form, [x for x in section.questions if x.id in shown], answers)

left, _, right = st.columns([1, 2, 1])
back = index > 0 and left.button("← Partie précédente", on_click=go, args=(index - 1,), key="prev")
last = index == len(sections) - 1
forward = not last and right.button(
    "Partie suivante →", on_click=go, args=(index + 1,), key="next", type="primary"
)
# A new session that the browser's click reached with its first run (a failover): no callback
# of this session was registered, so the move is made here; in any other run the callback
# made it before the run.
if fresh and (back or forward):
    go(index - 1 if back else index + 1)
if stored_now or (fresh and (back or forward)):
    st.rerun()  # the counts and conditions with the answer just kept, or the part moved to
if last and not locked:
    st.divider()
    st.subheader("Envoyer mes réponses")
    if state.missing_required:
        st.warning(
            f"{n_of(len(state.missing_required), 'question obligatoire')} sans réponse : "
            + " ; ".join(
                f"{sections.index(q.section_of(x.id)) + 1}. « {x.text[:70]} »"
                for x in state.missing_required[:8]
                if q.section_of(x.id) in sections
            )
        )
    if st.button("Envoyer mes réponses", type="primary", key="submit"):
        if submit(eng, actor, q, pid).complete:
            st.session_state["section"] = 0
            st.session_state["just_sent"] = True
            moved()
            st.rerun()
        else:
            st.error("Répondez d'abord aux questions obligatoires signalées ci-dessus.")

my_data_section()
