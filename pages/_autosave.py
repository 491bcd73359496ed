"""A free-text field saved while the person types (a Streamlit custom component, v2).

The browser sends the text about a second after the last keystroke, when the field is left and
when the page is hidden or closed; the line under the field says in French whether it is saved.
The HTML, CSS and JavaScript are files of this folder, given inline: nothing is built, nothing
is fetched from another host. The label is tied to the text area (<label for>), the field is
reached with Tab like any other, and the status line is announced (role="status")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import streamlit as st
from streamlit.components.v2 import component

HERE = Path(__file__).resolve().parent / "components"
DELAY_MS = 1000  # after the last keystroke
HTML = (
    '<div class="as-field"><label></label><textarea rows="4" spellcheck="true"></textarea>'
    '<div class="as-foot"><span class="as-status" role="status" aria-live="polite"></span>'
    '<span class="as-count"></span></div></div>'
)
_COMPONENT = component(
    "diagnostic.autosave_text",
    html=HTML,
    css=(HERE / "autosave_text.css").read_text(encoding="utf-8"),
    js=(HERE / "autosave_text.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # in the page's DOM: the label, the focus order and the tests see it
)
State = Literal["saved", "pending", "error"]
Save = Callable[[str], State]


def _ack_key(key: str) -> str:
    return f"{key}__ack"


def autosave_text(
    label: str,
    *,
    key: str,
    value: str,
    max_chars: int,
    on_save: Save,
    disabled: bool = False,
    hide_label: bool = False,
    saved_word: str = "Enregistré",
    waiting: bool = False,
) -> None:
    """Draw the field; `on_save(text)` is called in the run that follows each sending, and says
    whether the text was stored ("saved"), kept to be sent again ("pending") or refused
    ("error": the caller shows why). `value` is the stored text: the field shows it unless the
    person is typing. `saved_word` is what the field says once the text is stored; `waiting`
    says whether a text kept "pending" is still to be sent (once sent again, it is saved)."""

    def changed() -> None:
        state = st.session_state.get(key) or {}
        text = str(state.get("value") or "")
        st.session_state[_ack_key(key)] = (text, on_save(text))

    ack = st.session_state.get(_ack_key(key))
    if ack and ack[1] == "pending" and not waiting:  # sent again since (resend_pending)
        ack = st.session_state[_ack_key(key)] = (ack[0], "saved")
    _COMPONENT(
        key=key,
        data={
            "label": label,
            "hidden_label": hide_label,
            "value": value,
            "max": max_chars,
            "disabled": disabled,
            "ack": ack[0] if ack else None,
            "state": ack[1] if ack else None,
            "delay": DELAY_MS,
            "saved_word": saved_word,
        },
        on_value_change=changed,
    )


def typed(key: str) -> str | None:
    """The text the field last sent in this session (None before any)."""
    state = st.session_state.get(key)
    return None if not state else state.get("value")


def keep_typed(key: str, stored: str, save: Save) -> bool:
    """In the first run of a new session whose page was already drawn (a failover): the text
    the browser's field holds, typed for the session that is gone and perhaps never stored
    there, is stored now and the field told so; True when it was. Call after drawing the
    field (its key then names the browser's value)."""
    text = typed(key)
    if text is None or text == stored or _ack_key(key) in st.session_state:
        return False
    st.session_state[_ack_key(key)] = (text, save(text))
    return True
