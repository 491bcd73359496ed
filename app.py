"""Router and gate: builds the menu from the pages the current actor may open."""

import streamlit as st

from diagnostic.accounts.permissions import pages_for
from pages._french import speak_french
from pages._preload import preload_charts
from pages._resilience import database_guard, error_guard
from pages._shell import FOCUS_CSS, ICON, current_actor, link_was_given, plain
from pages._workshop import link_page

APP_TITLE = "Diagnostic de gouvernance territoriale"
st.set_page_config(
    page_title=APP_TITLE,
    # A file of the app, served by the app: a :material: icon here would make every browser
    # fetch the tab's icon from a Google host (fonts.gstatic.com).
    page_icon=ICON,
    layout="wide",
)

# A database out of reach gives a French message and a retry button; any other fault a French
# message with an incident reference (the traceback goes to the log). Never a traceback.
with error_guard() as navigation, database_guard():
    actor = current_actor()
    workshop_page = link_page()  # ?atelier= (participants), ?ecran= (screen): no account
    if workshop_page is not None:
        pages = [
            st.Page(workshop_page, title="Atelier", icon=":material/co_present:", default=True)
        ]
    elif link_was_given() and not actor.is_respondent:
        pages = [
            st.Page(
                "pages/lien_invalide.py",
                title="Lien invalide",
                icon=":material/link_off:",
                default=True,
            )
        ]
    else:
        specs = pages_for(actor)
        pages = [
            st.Page(spec.path, title=spec.title, icon=spec.icon, default=(i == 0))
            for i, spec in enumerate(specs)
        ]
    if actor.is_user and workshop_page is None:
        st.sidebar.caption(f"Connecté·e : {plain(actor.name or actor.email)}")
    position = "hidden" if actor.is_respondent or len(pages) == 1 else "sidebar"
    # Always fully expanded: a collapsed menu hides its last pages (« Se déconnecter ») behind
    # Streamlit's English « View N more ».
    menu = st.navigation(pages, position=position, expanded=True)
    navigation.done = True
    # A distinct title per page (what a tab, a bookmark and a screen reader announce first).
    st.set_page_config(page_title=f"{menu.title} – {APP_TITLE}")
    speak_french()
    if actor.is_user and workshop_page is None:
        preload_charts()  # the results' charts, ready before the first click on them
    st.html(FOCUS_CSS)
    menu.run()
