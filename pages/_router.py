"""Every page runs through app.py's router, the very first visit of a fresh server included.

Because a `pages/` folder sits beside app.py, Streamlit starts each server process in its old
"pages folder" mode and keeps it until app.py first calls st.navigation: on a fresh server, a
first visit to /campagne ran pages/campagne.py alone, without the router's menu and error
guard, and the sidebar listed every file of pages/ (helpers included). Imported by every page
(through pages._shell), this module leaves that mode the first time it is loaded and starts
the run again, which now goes through app.py.

The web server (serve.py) leaves that mode before anyone connects, so there this module finds
nothing to do; it still matters for `streamlit run app.py` and for AppTest.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()
