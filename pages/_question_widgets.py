"""The questionnaire's questions: a card each, and one render function per question type,
drawn from the question's codec (diagnostic/questionnaire/codecs.py: the widgets' keys, what a
stored answer shows in them, the answer they make)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import streamlit as st
from streamlit.components.v2 import component

from diagnostic.questionnaire import Question, Questionnaire, QuestionType
from diagnostic.questionnaire.codecs import DONT_KNOW, Grid, codec_for
from diagnostic.roadmap.references import Library
from diagnostic.vocabulary import count
from pages._autosave import State, autosave_text, keep_typed
from pages._part_focus import FOCUS_NEXT, moved
from pages._resilience import pending

HERE = Path(__file__).resolve().parent
DK_LABEL = "Je ne sais pas / sans objet"
IMPORTANCE = {1: "Secondaire", 2: "Importante", 3: "Prioritaire"}
GRID_TITLES = {"current": "Aujourd'hui", "desired": "Souhaitée"}


_CARDS = component(
    "diagnostic.question_cards",
    css=".st-key-question_cards { display: none; }",
    js=(HERE / "components" / "question_cards.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def page_setup() -> None:
    """Once per run of the questionnaire: its style sheet (touch targets, segments, grids on a
    phone) and the script that names each question card's group and ties its help text."""
    st.html(HERE / "styles" / "questionnaire.css")
    _CARDS(key="question_cards")


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


def keep_unsaved(
    form: Form, questions: Iterable[Question], answers: Mapping[str, dict[str, Any]]
) -> bool:
    """Store what the browser shows but a new session never saved; True when it did.

    The first run of a session whose page was already drawn: the process that served the page
    was restarted, or died and nginx sent the page to another process (README § Hébergement).
    The browser sends its widgets' values with the click that starts this run, but a new
    session has no on_change to call: the answer clicked would be shown and never stored.
    Call after drawing the cards of `questions`: a widget whose value differs from what the
    stored answer shows makes an answer, stored; so does a text field's text (the one it sent
    to the session that is gone, or was about to send)."""
    stored = False
    for question in questions:
        codec = codec_for(question)
        if form.locked:
            continue
        if not codec.stateful:  # the autosaved text field
            key = codec.key(question)
            shown = codec.widgets(question, answers.get(question.id) or {})[key]
            stored = keep_typed(key, shown, text_store(form, question)) or stored
            continue
        expected = codec.widgets(question, answers.get(question.id) or {})
        if all(st.session_state.get(key) == value for key, value in expected.items()):
            continue
        raw = codec.answer(question, st.session_state)
        if codec.is_answered(question, raw):
            stored = form.store(question.id, raw) or stored
    return stored


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
    # The card is a group named by its question and described by its help (the page's
    # question_cards script ties them: pages/components/question_cards.js).
    with st.container(border=True, key=f"card_{question.id}"):
        mark = "" if question.required else " *(facultatif)*"
        st.markdown(f"**{number}** {question.text}{mark}")
        if question.help:
            with st.container(key=f"help_{question.id}"):
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


def _title(text: str) -> None:
    """The visible title of a control whose accessible name (its collapsed label) is longer."""
    st.markdown(f":small[{text}]")


def render_maturity(form: Form, question: Question, shown: dict[str, Any]) -> None:
    options, labels = _levels(form, question)
    desc = form.questionnaire.described_levels(question)
    _title("Niveau actuel")
    _radio(
        form,
        question,
        f"Niveau actuel — {question.text}",
        options,
        codec_for(question).key(question),
        shown,
        format_func=lambda v: labels[v],
        captions=[desc.get(v, "") if v != DONT_KNOW else "" for v in options],
        label_visibility="collapsed",
    )


def render_current_target(form: Form, question: Question, shown: dict[str, Any]) -> None:
    """Three answers in a row (two on a phone): each control is named by its part and the
    question, and shows its short title above it."""
    options, _ = _levels(form, question)
    levels = form.questionnaire.scale_of(question).levels
    desc = form.questionnaire.described_levels(question)
    st.markdown("\n".join(f"{v}. **{levels[v].label}** — {d}" for v, d in sorted(desc.items())))
    codec = codec_for(question)
    current = codec.key(question, "current")
    dont_know = shown[current] == DONT_KNOW
    parts: list[tuple[str, str, list[Any], Callable[[Any], str], bool]] = [
        (
            "Niveau actuel",
            current,
            options,
            lambda v: str(v) if v != DONT_KNOW else DK_LABEL,
            False,
        ),
        (
            "Niveau visé en fin de mandat",
            codec.key(question, "target"),
            [v for v in options if v != DONT_KNOW],
            str,
            dont_know,
        ),
    ]
    if question.importance:
        parts.append(
            (
                "Importance pour le territoire",
                codec.key(question, "importance"),
                list(IMPORTANCE),
                lambda v: IMPORTANCE[v],
                dont_know,
            )
        )
    for col, (title, key, values, say, disabled) in zip(st.columns(len(parts)), parts, strict=True):
        with col:
            _title(title)
            _radio(
                form,
                question,
                f"{title} — {question.text}",
                values,
                key,
                shown,
                format_func=say,
                horizontal=True,
                disabled=disabled,
                label_visibility="collapsed",
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
        question.text,
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
        question.text,
        list(labels),
        default=chosen,
        format_func=lambda v: labels[v],
        max_selections=question.max_choices,
        key=key,
        on_change=form.save,
        args=(question,),
        disabled=form.locked,
        label_visibility="collapsed",
        placeholder=("Choisir par ordre de priorité…" if ranking else "Choisir…"),
        select_all=False,  # Streamlit's « Select all » is English, and no ranking
    )
    if ranking and chosen:
        # The whole ranking in full, one line each: the list's chips are cut on a phone.
        lines = "\n".join(f"{i}. {labels[v]}" for i, v in enumerate(chosen, 1))
        st.markdown(f"Votre classement :\n\n{lines}")


def render_grid(form: Form, question: Question, shown: dict[str, Any]) -> None:
    """One line per row: its label, then one compact choice per column. On a wide screen the
    column titles head the grid; on a phone (columns stacked) each choice shows its own title
    (pages/styles/questionnaire.css). A row still empty can take the answer of the row above
    in one click, and « souhaitée » can take today's level on every row left without one."""
    scale = form.questionnaire.scale_of(question)
    options: list[Any] = list(scale.values)
    if question.allow_dont_know:
        options.append(DONT_KNOW)
    legend = " · ".join(f"{v} = {scale.levels[v].label}" for v in scale.values)
    nsp = " · NSP = je ne sais pas" if question.allow_dont_know else ""
    with st.container(key=f"gridscale_{question.id}"):  # stays in view down the grid's rows
        st.caption(f"Échelle : {legend}{nsp}")
    codec = cast(Grid, codec_for(question))
    columns = codec.columns(question)
    widths = [2] + [3] * len(columns)
    with st.container(key=f"gridhead_{question.id}"):
        for col, c in zip(st.columns(widths)[1:], columns, strict=True):
            col.markdown(f"**{GRID_TITLES[c]}**")
    rows = list(question.rows or [])
    for at, row in enumerate(rows):
        below = rows[at + 1].id if at + 1 < len(rows) else None
        with st.container(key=f"gridrow_{question.id}_{row.id}"):
            cols = st.columns(widths, vertical_alignment="center")
            with cols[0]:
                st.markdown(row.label)
                above = codec.same_as_previous(question, shown, row.id)
                empty = all(shown[codec.key(question, row.id, c)] is None for c in columns)
                if above and empty and not form.locked:
                    st.button(
                        "↳ Même réponse que la ligne précédente",
                        key=f"{codec.key(question, row.id)}_same",
                        type="tertiary",
                        on_click=_fill,
                        # then the next row's own shortcut, or this row's first choice
                        args=(form, question, above, _next(codec, question, shown, row.id, below)),
                    )
            for i, c in enumerate(columns, start=1):
                with cols[i]:
                    _title(GRID_TITLES[c])
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
    copy = codec.desired_as_current(question, shown)
    if copy and not form.locked:
        st.button(
            f"Reporter le niveau d'aujourd'hui dans « {GRID_TITLES['desired']} » "
            f"({count(len(copy), 'ligne')} sans réponse)",
            key=f"{codec.key(question)}_desired",
            on_click=_fill,
            # then the grid's last choice: the next Tab leaves the grid for the next question
            args=(form, question, copy, codec.key(question, rows[-1].id, "desired")),
            help="Pour les lignes où vous ne souhaitez pas de changement ; "
            "chaque ligne reste modifiable ensuite.",
        )


def _next(
    codec: Grid, question: Question, shown: dict[str, Any], row: str, below: str | None
) -> str:
    """Where the focus goes once row `row` took the row above's answer: the shortcut of the
    row below when that row is still empty, else the row's own first choice."""
    columns = codec.columns(question)
    if below is not None and all(shown[codec.key(question, below, c)] is None for c in columns):
        return f"{codec.key(question, below)}_same"
    return codec.key(question, row, columns[0])


def _fill(form: Form, question: Question, values: dict[str, Any], then: str) -> None:
    """A shortcut's on_click: put `values` in the widgets, store the answer they make, and
    give the keyboard focus to the widget keyed `then` (the button pressed is gone)."""
    for key, value in values.items():
        st.session_state[key] = value
    form.save(question)
    st.session_state[FOCUS_NEXT] = f".st-key-{then}"
    moved()


def text_store(form: Form, question: Question) -> Callable[[str], State]:
    """What a text question's field calls with the text typed: stored, kept to be sent
    again, or refused."""
    codec = codec_for(question)
    key = codec.key(question)

    def store(text: str) -> State:
        if form.store(question.id, codec.answer(question, {key: text})):
            return "saved"
        return "pending" if question.id in pending() else "error"

    return store


def render_text(form: Form, question: Question, shown: dict[str, Any]) -> None:
    key = codec_for(question).key(question)
    autosave_text(
        question.text,
        hide_label=True,
        key=key,
        value=shown[key],
        max_chars=question.max_length,
        on_save=text_store(form, question),
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
