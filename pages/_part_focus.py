"""Moving between the questionnaire's parts: the new part's heading at the top, focused.

A Streamlit rerun keeps the scroll position and the focus on the button that was pressed, so
after « Partie suivante » the person would be left at the bottom of the new part. A tiny
custom component (v2, in the page's DOM, nothing fetched) scrolls the heading into view and
focuses it (tabindex="-1": reached by script, not an extra Tab stop), once per move."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

HERE = Path(__file__).resolve().parent / "components"
MOVES = "part_moves"  # session key: how many times the person moved to another part
FOCUS_NEXT = "focus_next"  # session key: a widget to focus after a shortcut (".st-key-<key>")
_COMPONENT = component(
    "diagnostic.part_focus",
    css=".st-key-part_focus { display: none; }",
    js=(HERE / "part_focus.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def anchor(index: int) -> str:
    """The id of the heading of part `index` (0-based)."""
    return f"partie-{index + 1}"


def moved() -> None:
    """Note a move to another part (called by the buttons' and the picker's callbacks)."""
    st.session_state[MOVES] = st.session_state.get(MOVES, 0) + 1


def focus_heading(target: str) -> None:
    """After a move, bring the heading whose id is `target` to the top and focus it (nothing
    otherwise: a page opened or reloaded keeps the browser's own focus). Once per run."""
    move = st.session_state.get(MOVES, 0)
    _COMPONENT(key="part_focus", data={"target": target, "move": move})
