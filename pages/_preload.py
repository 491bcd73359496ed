"""Plotly's code loaded ahead, while a signed-in person reads their first page.

Streamlit fetches and compiles the code that draws Plotly charts (4.7 MB of JavaScript) the
first time a page of the session shows one: on the 2-core machine of `bench/`, a good part of
the first results view (bench/RESULTS.md § 11.2). A signed-in page asks the browser, once per
session and when it is idle, to import that same file (the one Streamlit's own code imports,
found next to it): when the person opens the results, it is there. The people who answer with
a link and the workshop's phones never load it (no chart, and their bandwidth)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

_JS_FOLDER = Path(st.__file__).resolve().parent / "static" / "static" / "js"
_CHUNK = next(iter(sorted(_JS_FOLDER.glob("PlotlyChart.*.js"))), None)
_DONE = "charts_preloaded"
JS = """
export default function (component) {
  const chunk = component.data && component.data.chunk;
  if (!chunk || window.diagnosticChartsPreloaded) return undefined;
  window.diagnosticChartsPreloaded = true;
  const index = document.querySelector('script[type="module"][src*="static/js/index"]');
  if (!index) return undefined;
  // diagnosticChartsLoaded: read by bench/page_budget.py, which starts its timed clicks after
  // it (the code's compilation takes the browser's main thread for a moment, once)
  const load = () => import(new URL(chunk, index.src).href)
    .catch(() => undefined)
    .finally(() => { window.diagnosticChartsLoaded = true; });
  (window.requestIdleCallback || ((f) => window.setTimeout(f, 300)))(load);
  return undefined;
}
"""
_PRELOAD = (
    component(
        "diagnostic.preload_charts",
        js=JS,
        css=".st-key-preload_charts { display: none; }",
        isolate_styles=False,
    )
    if _CHUNK is not None
    else None
)


def preload_charts() -> None:
    """Once per browser session: let the browser load the charts' code while it is idle (a
    Streamlit release that renames the file: nothing is loaded ahead, charts work as before)."""
    if _PRELOAD is None or st.session_state.get(_DONE):
        return
    st.session_state[_DONE] = True
    _PRELOAD(key="preload_charts", data={"chunk": _CHUNK.name})
