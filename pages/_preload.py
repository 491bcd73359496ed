"""The charts' and tables' code loaded ahead, while a signed-in person reads their first page.

Streamlit fetches and compiles the code that draws Plotly charts (4.7 MB of JavaScript) the
first time a page of the session shows one, and the code of its data tables (0.5 MB, with 0.7
MB of Arrow formatting) the first time it shows a table: on the 2-core machine of `bench/`, a
good part of the first results view and of the first « Campagnes » (bench/RESULTS.md § 11.2,
§ 11.4). A signed-in page asks the browser, once per session and when it is idle, to import
those same files (the ones Streamlit's own code imports, found next to it), one after the
other: when the person opens the results or the campaigns, they are there. The people who answer
with a link and the workshop's phones never load them (no chart nor table, and their
bandwidth)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

_JS_FOLDER = Path(st.__file__).resolve().parent / "static" / "static" / "js"
# Plotly first (the results' first view), then the data tables
_CHUNKS = [
    found.name
    for pattern in ("PlotlyChart.*.js", "DataFrame.*.js")
    for found in sorted(_JS_FOLDER.glob(pattern))[:1]
]
_DONE = "charts_preloaded"
JS = """
export default function (component) {
  const chunks = (component.data && component.data.chunks) || [];
  if (!chunks.length || window.diagnosticChartsPreloaded) return undefined;
  window.diagnosticChartsPreloaded = true;
  const index = document.querySelector('script[type="module"][src*="static/js/index"]');
  if (!index) return undefined;
  // diagnosticChartsLoaded: read by bench/page_budget.py, which starts its timed clicks after
  // it (the code's compilation takes the browser's main thread for a moment, once)
  const load = async () => {
    for (const chunk of chunks) {
      await import(new URL(chunk, index.src).href).catch(() => undefined);
    }
    window.diagnosticChartsLoaded = true;
  };
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
    if _CHUNKS
    else None
)


def preload_charts() -> None:
    """Once per browser session: let the browser load the charts' and tables' code while it is
    idle (a Streamlit release that renames the files: nothing is loaded ahead, charts and tables
    work as before)."""
    if _PRELOAD is None or st.session_state.get(_DONE):
        return
    st.session_state[_DONE] = True
    _PRELOAD(key="preload_charts", data={"chunks": _CHUNKS})
