"""The floor of bench/coordinator_bench.py: the coordinator's widgets with literals, no logic.

A sign-in form, then the app's menu (its titles, read from the app) where three pages have
content: « Mes territoires » (a title and a table), « Résultats » (the pickers, the filter
expander, ten tabs, the same radar figure and summary as the app's first campaign), « Feuille
de route » (pages/feuille_de_route.py's widgets in its order: the pickers, a button, the
counters, the points to investigate, a timeline of one bar per action and one expander per
action with its text, form and buttons, the quotes to review with a button each, « Préparer
les documents » giving three download buttons of the documents' sizes, the form of a new
action, which adds an expander and a bar — kept in the process, as the app keeps its plan).
What it draws comes from the JSON file named by FLOOR_DATA, written by the bench from the app
itself; nothing is computed.
"""

import json
import os
import sys
from pathlib import Path

import pandas as pd
import plotly.io as pio
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.floor_kit import signed_in_or_stop  # noqa: E402

DATA = json.loads(Path(os.environ["FLOOR_DATA"]).read_text(encoding="utf-8"))
signed_in_or_stop()


def home() -> None:
    st.title("Mes territoires")
    st.dataframe(pd.DataFrame({"Territoire": ["A", "B", "C", "D"], "Campagnes": [1, 2, 1, 1]}))


def results() -> None:
    st.title("Résultats du diagnostic")
    st.selectbox("Territoire", ["Territoire"])
    st.selectbox("Campagne", ["Campagne"])
    st.caption("Campagne · questionnaires envoyés")
    with st.expander("Filtrer les réponses"):
        for label in ("Structure", "Commune", "Fonction"):
            st.selectbox(label, ["Toutes"])
    tabs = st.tabs([f"Onglet {i}" for i in range(10)])
    with tabs[0]:
        if DATA.get("radar"):
            st.plotly_chart(pio.from_json(DATA["radar"]), key="radar")
        with st.expander("Données du graphique (tableau)"):
            st.dataframe(pd.DataFrame({"Dimension": range(DATA.get("table_rows", 10))}))
        for line in DATA.get("summary", []):
            st.markdown(f"- {line}")


# The actions of the plan, in the process's memory as the app keeps them in its base: each
# round adds one, and every later session sees it (the floor draws what the app draws).
@st.cache_resource
def _plan(start: int) -> list[str]:
    return [f"Action {i}" for i in range(start)]


ACTIONS = _plan(DATA.get("actions", 0))
LONG = "Une phrase de la longueur de celles de la page, écrite une fois pour le plancher. " * 3


def _added() -> None:
    ACTIONS.append(st.session_state.get("new_title") or "Action")
    st.session_state["flash"] = True


def action_expander(i: int, title: str) -> None:
    """One action as pages/_plan.py draws it: its text, form and buttons."""
    with st.expander(f"Proposée — {title}"):
        st.caption("Proposée à partir des résultats")
        st.markdown("**Pourquoi cette action ?**")
        st.markdown("- « Un item » : un déclencheur (source : le questionnaire)")
        with st.form(f"form_{i}"):
            st.text_input("Intitulé", title, key=f"t_{i}")
            st.text_area("Description", "Une description.", key=f"d_{i}")
            a, b = st.columns(2)
            a.text_input("Pilote / porteur", key=f"o_{i}")
            b.selectbox("Échéance", ["Dans les 100 jours", "D'ici un an"], key=f"h_{i}")
            a.text_input("Indicateur de suivi", key=f"i_{i}")
            b.selectbox("Statut", ["Proposée", "Retenue"], key=f"s_{i}")
            st.form_submit_button("Enregistrer")
        up, down, drop = st.columns(3)
        up.button("Monter", key=f"up_{i}")
        down.button("Descendre", key=f"down_{i}")
        drop.button("Supprimer", key=f"del_{i}")


def roadmap() -> None:
    """pages/feuille_de_route.py's widgets in its order, with literals."""
    st.title("Feuille de route")
    st.markdown(LONG)
    st.selectbox("Territoire", ["Territoire"], key="fdr_t")
    st.selectbox("Campagne", ["Campagne"], key="fdr_c")
    if st.session_state.pop("flash", None):
        st.success("Action ajoutée à la feuille de route.")
    n = len(ACTIONS)
    st.button("Mettre à jour les propositions" if n else "Proposer des actions", type="primary")
    if not n:
        st.info("Aucune action pour l'instant : lancez la proposition à partir des résultats.")
    else:
        for column, label in zip(
            st.columns(4), ("Plan", "Autres", "Retenues", "À examiner"), strict=True
        ):
            column.metric(label, n)
    points = DATA.get("points", [])
    if points:
        with st.expander(f"Points à instruire collectivement ({len(points)})"):
            st.caption(LONG)
            for line in points:
                st.markdown(f"- {line}")
    if n:  # the plan's timeline: one horizontal bar per action
        st.plotly_chart(
            {
                "data": [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "y": ACTIONS,
                        "x": [86_400_000 * 365] * n,
                        "base": ["2027-01-01"] * n,
                    }
                ],
                "layout": {"xaxis": {"type": "date"}, "height": 140 + 28 * n},
            },
            key="timeline",
        )
    for i, title in enumerate(ACTIONS):
        action_expander(i, title)
    st.divider()
    st.subheader("Paroles de directeurs")
    st.markdown(LONG)
    st.warning(LONG)
    quotes = DATA.get("quotes", [])
    if quotes:
        with st.expander(f"Réponses libres à relire ({len(quotes)})"):
            st.caption(f"{len(quotes)} citées dans le document sur {len(quotes)}.")
            for i, text in enumerate(quotes):
                words, choice = st.columns([5, 1], vertical_alignment="center")
                words.markdown(f"> « {text} »")
                choice.button("Ne pas citer", key=f"q_{i}")
    st.divider()
    st.subheader("Document")
    st.markdown(LONG)
    if st.button("Préparer les documents"):
        with st.spinner("Rédaction du document et des graphiques…"):
            st.session_state["ready"] = True
    if st.session_state.get("ready"):
        cols = st.columns(3)
        sizes = DATA.get("sizes", {"docx": 1, "pdf": 1, "md": 1})
        for col, (fmt, label) in zip(
            cols, (("docx", "Word (.docx)"), ("pdf", "PDF"), ("md", "Markdown")), strict=True
        ):
            col.download_button(
                label, data=b"0" * sizes[fmt], file_name=f"f.{fmt}", on_click="ignore"
            )
    st.divider()
    st.subheader("Ajouter une action")
    with st.form("add", clear_on_submit=True):
        st.text_input("Intitulé *", key="new_title")
        st.selectbox("Axe", ["Axe"])
        st.text_area("Description")
        x, y = st.columns(2)
        x.text_input("Pilote / porteur")
        y.selectbox("Échéance", ["Dans les 100 jours"])
        x.text_input("Indicateur de suivi")
        st.form_submit_button("Ajouter l'action", on_click=_added)  # one run, as the app


def elsewhere() -> None:
    st.title("Autre page")


PAGES = {"Mes territoires": home, "Résultats": results, "Feuille de route": roadmap}
PATHS = {
    "Mes territoires": "accueil",
    "Résultats": "resultats",
    "Feuille de route": "feuille_de_route",
}
# (icon, title) of each entry of the app's menu
MENU = [(words[0], " ".join(words[1:])) for words in DATA.get("menu", [])] or [
    ("home", title) for title in PAGES
]
st.sidebar.caption("Connecté·e : Claire Martin (coordination, démonstration)")


st.navigation(  # the app's menu, in its order (titles read from the app)
    [
        st.Page(
            PAGES.get(title, elsewhere),
            title=title,
            icon=f":material/{icon}:",
            url_path=PATHS.get(title, f"page_{i}"),
            default=title == "Mes territoires",
        )
        for i, (icon, title) in enumerate(MENU)
    ],
    expanded=True,
).run()
