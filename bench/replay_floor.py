"""The floor of bench/page_budget.py: each page of the app replayed, with no logic at all.

The bench records, with Streamlit's AppTest on the same base, what the app sends for each
page and after each click it times (the delta messages of that run: every element, widget,
chart and table, with its place on the page); this script sends the same messages back for
the same menu entry, one recording per run of the page, in order. So the browser draws the
same widgets, with the same texts and figures, and nothing is read, computed or checked:
what is left is Streamlit's own cost (the run, the messages, the browser's drawing), the floor
the issue's click budget measures the app against.

What it cannot replay is left out: images and download buttons point at files of the app's
process (not fetched before a click), and fragments are sent as plain elements (a fragment's
timer would ask this process for a fragment it does not have).
"""

import base64
import json
import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from bench.floor_kit import signed_in_or_stop  # noqa: E402

RECORDED = json.loads(Path(os.environ["FLOOR_RECORDINGS"]).read_text(encoding="utf-8"))
signed_in_or_stop()


def replay(title: str) -> None:
    """The next recording of this page: the first when the menu brought us here, then one
    more per run (each click the bench makes on the page)."""
    state = st.session_state
    if state.get("replayed_page") != title:
        state["replayed_page"], state["replayed_run"] = title, 0
    else:
        state["replayed_run"] += 1
    runs = RECORDED["pages"].get(title) or [[]]  # a page the bench does not visit: empty
    ctx = get_script_run_ctx()
    for raw in runs[min(state["replayed_run"], len(runs) - 1)]:
        message = ForwardMsg()
        message.ParseFromString(base64.b64decode(raw))
        ctx.enqueue(message)  # type: ignore[union-attr]


def page_of(title: str):  # type: ignore[no-untyped-def]
    def page() -> None:
        replay(title)

    page.__name__ = f"page_{abs(hash(title))}"
    return page


st.navigation(  # the app's menu, icons and titles as recorded
    [
        st.Page(page_of(title), title=title, icon=f":material/{icon}:", url_path=f"p{i}")
        for i, (icon, title) in enumerate(RECORDED["menu"])
    ],
    expanded=True,
).run()
