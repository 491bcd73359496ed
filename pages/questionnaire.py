"""The respondent's questionnaire: introduction, one section at a time, autosave, submission."""

from __future__ import annotations

from typing import Any

import streamlit as st

from diagnostic.answering.respondent import my_answers, my_profile, resume_section, submit
from diagnostic.answering.responses import DONT_KNOW, progress, visible_questions
from diagnostic.exports import MIME, file_name
from diagnostic.privacy.service import MY_DATA_NAME, erase_my_data, export_my_data, who_sees_what
from diagnostic.questionnaire import Question, Questionnaire, QuestionType
from diagnostic.vocabulary import ROLE_LABELS
from pages._autosave import State, autosave_text
from pages._resilience import (
    follow_other_tabs,
    pending,
    pending_notice,
    resend_pending,
    save_answer,
)
from pages._shell import engine, guard, invitation, library, plain, privacy_notice, settings

DK_LABEL = "Je ne sais pas / sans objet"
IMPORTANCE = {1: "Secondaire", 2: "Importante", 3: "Prioritaire"}

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
resent = resend_pending(eng, actor, q, pid)
answers = my_answers(eng, actor, pid) if resent else dict(inv.answers)
follow_other_tabs(q, answers)  # what another tab saved meanwhile replaces this tab's older value
lib = library()
locked = inv.submitted
named = inv.campaign.named_answers
NAMED_WARNING = (
    "**Campagne nominative.** Pour cette campagne, la personne qui coordonne le diagnostic "
    "peut exporter vos réponses individuelles **avec votre nom** (s'il a été saisi à votre "
    "invitation). Ce choix a été fait avant la "
    "première réponse et ne peut plus changer."
)
NAMED_CAPTION = "Campagne nominative : la coordination peut exporter vos réponses avec votre nom."


def save(question: Question, raw: dict[str, Any]) -> bool:
    """Store one answer at once (kept and sent again if the database is unavailable); any
    refusal is shown at the top of the next run. True when stored."""
    return save_answer(engine(), actor, q, pid, question.id, raw)  # the callback's run engine


def _choice(key: str) -> Any:
    return st.session_state.get(key)


def level_options(question: Question) -> tuple[list[Any], dict[Any, str]]:
    scale = q.scale_of(question)
    options: list[Any] = list(scale.values)
    labels = {v: f"{v} — {scale.levels[v].label}" for v in scale.values}
    if question.allow_dont_know:
        options.append(DONT_KNOW)
        labels[DONT_KNOW] = DK_LABEL
    return options, labels


def descriptions(question: Question) -> dict[int, str]:
    scale = q.scale_of(question)
    if question.level_descriptions:
        return dict(question.level_descriptions)
    return {v: lvl.description or lvl.label for v, lvl in scale.levels.items()}


def render_maturity(question: Question, value: dict[str, Any]) -> None:
    options, labels = level_options(question)
    desc = descriptions(question)
    key = f"q_{question.id}"
    current = DONT_KNOW if value.get("dont_know") else value.get("level")

    def on_change() -> None:
        v = _choice(key)
        save(question, {"dont_know": True} if v == DONT_KNOW else {"level": v})

    st.radio(
        "Niveau actuel",
        options,
        index=options.index(current) if current in options else None,
        format_func=lambda v: labels[v],
        captions=[desc.get(v, "") if v != DONT_KNOW else "" for v in options],
        key=key,
        on_change=on_change,
        disabled=locked,
    )


def render_current_target(question: Question, value: dict[str, Any]) -> None:
    options, labels = level_options(question)
    desc = descriptions(question)
    st.markdown(
        "\n".join(
            f"{v}. **{q.scale_of(question).levels[v].label}** — {d}"
            for v, d in sorted(desc.items())
        )
    )
    keys = {k: f"q_{question.id}_{k}" for k in ("current", "target", "importance")}
    dont_know = bool(value.get("dont_know"))

    def on_change() -> None:
        current = _choice(keys["current"])
        if current == DONT_KNOW:
            save(question, {"dont_know": True})
            return
        save(
            question,
            {
                "current": current,
                "target": _choice(keys["target"]),
                "importance": _choice(keys["importance"]),
            },
        )

    cols = st.columns(2 if not question.importance else 3)
    with cols[0]:
        cur = DONT_KNOW if dont_know else value.get("current")
        st.radio(
            "Niveau actuel",
            options,
            index=options.index(cur) if cur in options else None,
            format_func=lambda v: str(v) if v != DONT_KNOW else DK_LABEL,
            horizontal=True,
            key=keys["current"],
            on_change=on_change,
            disabled=locked,
        )
    targets = [v for v in options if v != DONT_KNOW]
    with cols[1]:
        tgt = value.get("target")
        st.radio(
            "Niveau visé en fin de mandat",
            targets,
            index=targets.index(tgt) if tgt in targets else None,
            horizontal=True,
            key=keys["target"],
            on_change=on_change,
            disabled=locked or dont_know,
        )
    if question.importance:
        with cols[2]:
            imp = value.get("importance")
            st.radio(
                "Importance pour le territoire",
                list(IMPORTANCE),
                index=list(IMPORTANCE).index(imp) if imp in IMPORTANCE else None,
                format_func=lambda v: IMPORTANCE[v],
                horizontal=True,
                key=keys["importance"],
                on_change=on_change,
                disabled=locked or dont_know,
            )


def render_single(question: Question, value: dict[str, Any]) -> None:
    if question.options:
        options: list[Any] = [o.id for o in question.options]
        labels: dict[Any, str] = {o.id: o.label for o in question.options}
    else:
        scale = q.scale_of(question)
        options = list(scale.values)
        labels = {v: scale.levels[v].label for v in scale.values}
    if question.allow_dont_know:
        options.append(DONT_KNOW)
        labels[DONT_KNOW] = DK_LABEL
    key = f"q_{question.id}"
    current = DONT_KNOW if value.get("dont_know") else value.get("choice")

    def on_change() -> None:
        v = _choice(key)
        save(question, {"dont_know": True} if v == DONT_KNOW else {"choice": v})

    st.radio(
        "Votre réponse",
        options,
        index=options.index(current) if current in options else None,
        format_func=lambda v: labels[v],
        key=key,
        on_change=on_change,
        disabled=locked,
        label_visibility="collapsed",
        horizontal=question.options is None,  # an agreement scale reads left to right
    )


def render_multiple(question: Question, value: dict[str, Any]) -> None:
    options = question.options or []
    labels = {o.id: o.label for o in options}
    ranking = question.type == QuestionType.RANKING
    field = "ranking" if ranking else "choices"
    key = f"q_{question.id}"

    def on_change() -> None:
        save(question, {field: list(_choice(key) or [])})

    help_text = (
        f"Choisissez {question.max_choices} options dans l'ordre : la première est la plus "
        "prioritaire."
        if ranking
        else None
    )
    st.multiselect(
        "Classement (dans l'ordre de priorité)" if ranking else "Vos choix",
        [o.id for o in options],
        default=[v for v in value.get(field) or [] if v in labels],
        format_func=lambda v: labels[v],
        max_selections=question.max_choices,
        key=key,
        on_change=on_change,
        disabled=locked,
        help=help_text,
        placeholder="Choisir…",
    )
    if ranking and value.get("ranking"):
        st.caption(
            "Votre classement : "
            + " ; ".join(f"{i}. {labels[v]}" for i, v in enumerate(value["ranking"], 1))
        )


def render_grid(question: Question, value: dict[str, Any]) -> None:
    scale = q.scale_of(question)
    options: list[Any] = list(scale.values)
    if question.allow_dont_know:
        options.append(DONT_KNOW)
    legend = " · ".join(f"{v} = {scale.levels[v].label}" for v in scale.values)
    st.caption(
        f"Échelle : {legend}" + (" · NSP = je ne sais pas" if question.allow_dont_know else "")
    )
    rows = value.get("rows") or {}
    cols_wanted = ["current", "desired"] if question.desired else ["current"]
    titles = {"current": "Aujourd'hui", "desired": "Souhaitée"}

    def on_change() -> None:
        out: dict[str, dict[str, Any]] = {}
        for row in question.rows or []:
            cells = {}
            for c in cols_wanted:
                v = _choice(f"q_{question.id}_{row.id}_{c}")
                if v is not None:
                    cells[c] = v
            if cells:
                out[row.id] = cells
        save(question, {"rows": out})

    header = st.columns([2] + [3] * len(cols_wanted))
    for i, c in enumerate(cols_wanted, start=1):
        header[i].markdown(f"**{titles[c]}**")
    for row in question.rows or []:
        cols = st.columns([2] + [3] * len(cols_wanted), vertical_alignment="center")
        cols[0].markdown(row.label)
        for i, c in enumerate(cols_wanted, start=1):
            cur = rows.get(row.id, {}).get(c)
            with cols[i]:
                st.radio(
                    f"{row.label} — {titles[c]}",
                    options,
                    index=options.index(cur) if cur in options else None,
                    format_func=lambda v: "NSP" if v == DONT_KNOW else str(v),
                    horizontal=True,
                    key=f"q_{question.id}_{row.id}_{c}",
                    on_change=on_change,
                    disabled=locked,
                    label_visibility="collapsed",
                )


def render_text(question: Question, value: dict[str, Any]) -> None:
    def store(text: str) -> State:
        if save(question, {"text": text}):
            return "saved"
        return "pending" if question.id in pending() else "error"

    autosave_text(
        "Votre réponse",
        key=f"q_{question.id}_texte",
        value=value.get("text", ""),
        max_chars=question.max_length,
        on_save=store,
        disabled=locked,
        waiting=question.id in pending(),
    )


RENDERERS = {
    QuestionType.MATURITY: render_maturity,
    QuestionType.CURRENT_TARGET: render_current_target,
    QuestionType.SINGLE_CHOICE: render_single,
    QuestionType.MULTIPLE_CHOICE: render_multiple,
    QuestionType.RANKING: render_multiple,
    QuestionType.GRID: render_grid,
    QuestionType.TEXT: render_text,
}


def my_data_section() -> None:
    """« Mes données »: the privacy notice, a copy of one's answers, erasure on request."""
    st.divider()
    st.subheader("Mes données")
    with st.expander("Données personnelles : ce qui est conservé, qui le voit, vos droits"):
        st.markdown(privacy_notice(named))
    cols = st.columns(2)
    for col, fmt in zip(cols, ("csv", "json"), strict=True):
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


# --- The screen -------------------------------------------------------------------------------
st.title(q.title)
st.caption(
    f"{plain(inv.territory.name)} · {plain(inv.campaign.title)} · "
    f"{ROLE_LABELS.get(inv.participant.role, inv.participant.role)} — {plain(inv.structure.name)}"
)
if named:
    st.caption(NAMED_CAPTION)
error = st.session_state.pop("save_error", None)
if error:
    st.error(error)
pending_notice()

state = progress(q, answers)
started = bool(answers) or st.session_state.get("intro_done", False)
if not started and not locked:
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
    with st.expander("Données personnelles : ce qui est conservé, qui le voit, vos droits"):
        st.markdown(privacy_notice(named))
    st.stop()

if locked:
    st.success(
        "Vos réponses ont été envoyées. Merci ! Elles restent consultables ci-dessous mais ne "
        "sont plus modifiables (la personne qui coordonne le diagnostic peut les rouvrir)."
    )
    profile = my_profile(eng, actor, inv, settings().questions_dir, settings().min_group_size)
    with st.expander("Mon profil et celui du territoire", expanded=True):
        if profile is None:
            st.info(
                f"Votre profil sera comparé à celui du territoire dès que "
                f"{settings().min_group_size} personnes au moins auront envoyé leurs réponses."
            )
        else:
            st.dataframe(profile, hide_index=True)
            st.caption(
                "Scores sur 100 par dimension : vos réponses et la moyenne des réponses "
                "envoyées du territoire (sans les niveaux de consensus)."
            )

st.progress(state.ratio, text=f"{state.answered} questions répondues sur {state.total}")
shown = {x.id for x in visible_questions(q, answers)}
sections = [s for s in q.sections if any(x.id in shown for x in s.questions)]
if "section" not in st.session_state and answers and not locked:
    # A new visit opens the part answered last (once per browser session).
    last = resume_section(eng, actor, q, pid)
    resumed = next((i for i, s in enumerate(sections) if s.id == last), 0)
    st.session_state["section"] = resumed
    if resumed > 0:
        st.session_state["resumed"] = resumed
index = min(st.session_state.get("section", 0), len(sections) - 1)
resumed_at = st.session_state.pop("resumed", None)
if resumed_at is not None and resumed_at == index:
    st.info(f"Reprise à la partie {index + 1}, là où vous vous étiez arrêté·e.")


def go(i: int) -> None:
    st.session_state["section"] = i
    st.session_state["section_picker"] = i


st.selectbox(
    "Partie",
    range(len(sections)),
    index=index,
    format_func=lambda i: f"{i + 1}. {sections[i].title}",
    key="section_picker",
    on_change=lambda: go(st.session_state["section_picker"]),
)
section = sections[index]
st.header(f"{index + 1}. {section.title}")
if section.intro:
    st.markdown(section.intro)

for number, question in enumerate([x for x in section.questions if x.id in shown], start=1):
    with st.container(border=True):
        mark = "" if question.required else " *(facultatif)*"
        st.markdown(f"**{index + 1}.{number}** {question.text}{mark}")
        if question.help:
            st.caption(question.help)
        cited = [r for r in (lib.reference(i) for i in question.references) if r is not None]
        if cited:
            with st.expander("Repères : " + " ; ".join(r.title for r in cited)):
                for ref in cited:
                    st.markdown(f"**{ref.title}**" + (f" — {ref.article}" if ref.article else ""))
                    st.markdown(ref.summary)
        RENDERERS[question.type](question, answers.get(question.id) or {})

left, _, right = st.columns([1, 2, 1])
if index > 0:
    left.button("← Partie précédente", on_click=go, args=(index - 1,), key="prev")
if index < len(sections) - 1:
    right.button("Partie suivante →", on_click=go, args=(index + 1,), key="next", type="primary")
elif not locked:
    st.divider()
    st.subheader("Envoyer mes réponses")
    if state.missing_required:
        st.warning(
            f"{len(state.missing_required)} question(s) obligatoire(s) sans réponse : "
            + " ; ".join(
                f"{sections.index(q.section_of(x.id)) + 1}. « {x.text[:70]} »"
                for x in state.missing_required[:8]
                if q.section_of(x.id) in sections
            )
        )
    if st.button("Envoyer mes réponses", type="primary", key="submit"):
        result = submit(eng, actor, q, pid)
        if result.complete:
            st.session_state["section"] = 0
            st.rerun()
        else:
            st.error("Répondez d'abord aux questions obligatoires signalées ci-dessus.")

my_data_section()
