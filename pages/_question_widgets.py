"""The questionnaire's questions: a card each, and one render function per question type,
drawn from the question's codec (diagnostic/questionnaire/codecs.py: the widgets' keys, what a
stored answer shows in them, the answer they make)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from diagnostic.questionnaire import Question, Questionnaire, QuestionType
from diagnostic.questionnaire.codecs import DONT_KNOW, codec_for
from diagnostic.roadmap.references import Library
from pages._autosave import State, autosave_text
from pages._resilience import pending

DK_LABEL = "Je ne sais pas / sans objet"
IMPORTANCE = {1: "Secondaire", 2: "Importante", 3: "Prioritaire"}
GRID_TITLES = {"current": "Aujourd'hui", "desired": "Souhaitée"}


@dataclass(frozen=True)
class Form:
    """What every widget needs: the questionnaire, whether the answers are locked, and how to
    store one raw answer at once (True when stored; a refusal is shown at the next run)."""

    questionnaire: Questionnaire
    locked: bool
    store: Callable[[str, dict[str, Any]], bool]

    def save(self, question: Question) -> None:
        """The widgets' on_change: the answer their values make, stored."""
        self.store(question.id, codec_for(question).answer(question, st.session_state))


def card(
    form: Form,
    number: str,
    question: Question,
    value: dict[str, Any],
    library: Library,
    *,
    note: str | None = None,
) -> None:
    """A question in its frame: its number and text, help, the references it cites, and its
    widgets showing the stored answer `value`; `note`, a word on that answer (prefilled…)."""
    with st.container(border=True):
        mark = "" if question.required else " *(facultatif)*"
        st.markdown(f"**{number}** {question.text}{mark}")
        if question.help:
            st.caption(question.help)
        cited = [r for r in map(library.reference, question.references) if r is not None]
        if cited:
            with st.expander("Repères : " + " ; ".join(r.title for r in cited)):
                for ref in cited:
                    st.markdown(f"**{ref.title}**" + (f" — {ref.article}" if ref.article else ""))
                    st.markdown(ref.summary)
        if note:
            st.caption(note)
        RENDERERS[question.type](form, question, codec_for(question).widgets(question, value))


def _radio(
    form: Form,
    question: Question,
    label: str,
    options: list[Any],
    key: str,
    shown: dict[str, Any],
    *,
    disabled: bool = False,
    **kwargs: Any,
) -> None:
    """A radio of the question, showing its stored choice, saved when changed."""
    index = options.index(shown[key]) if shown[key] in options else None
    st.radio(
        label,
        options,
        index=index,
        key=key,
        on_change=form.save,
        args=(question,),
        disabled=form.locked or disabled,
        **kwargs,
    )


def _levels(form: Form, question: Question) -> tuple[list[Any], dict[Any, str]]:
    scale = form.questionnaire.scale_of(question)
    options: list[Any] = list(scale.values)
    labels = {v: f"{v} — {scale.levels[v].label}" for v in scale.values}
    if question.allow_dont_know:
        options.append(DONT_KNOW)
        labels[DONT_KNOW] = DK_LABEL
    return options, labels


def render_maturity(form: Form, question: Question, shown: dict[str, Any]) -> None:
    options, labels = _levels(form, question)
    desc = form.questionnaire.described_levels(question)
    _radio(
        form,
        question,
        "Niveau actuel",
        options,
        codec_for(question).key(question),
        shown,
        format_func=lambda v: labels[v],
        captions=[desc.get(v, "") if v != DONT_KNOW else "" for v in options],
    )


def render_current_target(form: Form, question: Question, shown: dict[str, Any]) -> None:
    options, _ = _levels(form, question)
    levels = form.questionnaire.scale_of(question).levels
    desc = form.questionnaire.described_levels(question)
    st.markdown("\n".join(f"{v}. **{levels[v].label}** — {d}" for v, d in sorted(desc.items())))
    codec = codec_for(question)
    current = codec.key(question, "current")
    dont_know = shown[current] == DONT_KNOW
    cols = st.columns(2 if not question.importance else 3)
    with cols[0]:
        _radio(
            form,
            question,
            "Niveau actuel",
            options,
            current,
            shown,
            format_func=lambda v: str(v) if v != DONT_KNOW else DK_LABEL,
            horizontal=True,
        )
    with cols[1]:
        targets = [v for v in options if v != DONT_KNOW]
        target = codec.key(question, "target")
        _radio(
            form,
            question,
            "Niveau visé en fin de mandat",
            targets,
            target,
            shown,
            horizontal=True,
            disabled=dont_know,
        )
    if question.importance:
        with cols[2]:
            _radio(
                form,
                question,
                "Importance pour le territoire",
                list(IMPORTANCE),
                codec.key(question, "importance"),
                shown,
                format_func=lambda v: IMPORTANCE[v],
                horizontal=True,
                disabled=dont_know,
            )


def render_single(form: Form, question: Question, shown: dict[str, Any]) -> None:
    if question.options:
        options: list[Any] = [o.id for o in question.options]
        labels: dict[Any, str] = {o.id: o.label for o in question.options}
    else:
        scale = form.questionnaire.scale_of(question)
        options = list(scale.values)
        labels = {v: scale.levels[v].label for v in scale.values}
    if question.allow_dont_know:
        options.append(DONT_KNOW)
        labels[DONT_KNOW] = DK_LABEL
    _radio(
        form,
        question,
        "Votre réponse",
        options,
        codec_for(question).key(question),
        shown,
        format_func=lambda v: labels[v],
        label_visibility="collapsed",
        horizontal=question.options is None,  # an agreement scale reads left to right
    )


def render_multiple(form: Form, question: Question, shown: dict[str, Any]) -> None:
    labels = {o.id: o.label for o in question.options or []}
    ranking = question.type == QuestionType.RANKING
    key = codec_for(question).key(question)
    chosen = [v for v in shown[key] if v in labels]
    st.multiselect(
        "Classement (dans l'ordre de priorité)" if ranking else "Vos choix",
        list(labels),
        default=chosen,
        format_func=lambda v: labels[v],
        max_selections=question.max_choices,
        key=key,
        on_change=form.save,
        args=(question,),
        disabled=form.locked,
        help=f"Choisissez {question.max_choices} options dans l'ordre : la première est la plus "
        "prioritaire."
        if ranking
        else None,
        placeholder="Choisir…",
        select_all=False,  # Streamlit's « Select all » is English, and no ranking
    )
    if ranking and chosen:
        ranked = " ; ".join(f"{i}. {labels[v]}" for i, v in enumerate(chosen, 1))
        st.caption(f"Votre classement : {ranked}")


def render_grid(form: Form, question: Question, shown: dict[str, Any]) -> None:
    scale = form.questionnaire.scale_of(question)
    options: list[Any] = list(scale.values)
    if question.allow_dont_know:
        options.append(DONT_KNOW)
    legend = " · ".join(f"{v} = {scale.levels[v].label}" for v in scale.values)
    nsp = " · NSP = je ne sais pas" if question.allow_dont_know else ""
    st.caption(f"Échelle : {legend}{nsp}")
    columns = ["current", "desired"] if question.desired else ["current"]
    widths = [2] + [3] * len(columns)
    header = st.columns(widths)
    for i, c in enumerate(columns, start=1):
        header[i].markdown(f"**{GRID_TITLES[c]}**")
    codec = codec_for(question)
    for row in question.rows or []:
        cols = st.columns(widths, vertical_alignment="center")
        cols[0].markdown(row.label)
        for i, c in enumerate(columns, start=1):
            with cols[i]:
                _radio(
                    form,
                    question,
                    f"{row.label} — {GRID_TITLES[c]}",
                    options,
                    codec.key(question, row.id, c),
                    shown,
                    format_func=lambda v: "NSP" if v == DONT_KNOW else str(v),
                    horizontal=True,
                    label_visibility="collapsed",
                )


def render_text(form: Form, question: Question, shown: dict[str, Any]) -> None:
    codec = codec_for(question)
    key = codec.key(question)

    def store(text: str) -> State:
        if form.store(question.id, codec.answer(question, {key: text})):
            return "saved"
        return "pending" if question.id in pending() else "error"

    autosave_text(
        "Votre réponse",
        key=key,
        value=shown[key],
        max_chars=question.max_length,
        on_save=store,
        disabled=form.locked,
        waiting=question.id in pending(),
    )


RENDERERS: dict[QuestionType, Callable[[Form, Question, dict[str, Any]], None]] = {
    QuestionType.MATURITY: render_maturity,
    QuestionType.CURRENT_TARGET: render_current_target,
    QuestionType.SINGLE_CHOICE: render_single,
    QuestionType.MULTIPLE_CHOICE: render_multiple,
    QuestionType.RANKING: render_multiple,
    QuestionType.GRID: render_grid,
    QuestionType.TEXT: render_text,
}
