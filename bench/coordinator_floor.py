"""The floor of bench/coordinator_bench.py: the coordinator's widgets with literals, no logic.

A sign-in form, then three pages in Streamlit's menu: « Mes territoires » (a title and a
table), « Résultats » (the pickers, the filter expander, ten tabs, the same radar figure and
summary as the app's first campaign), « Feuille de route » (a button, four counters, a
timeline of one bar per action, as many expanders as the app's page, each with an action's
text, form and buttons, « Préparer les documents » giving three download buttons of the
documents' sizes, the form of a new action). What it draws comes from the JSON file named
by FLOOR_DATA, written by the bench from the app itself; nothing is computed.
"""

import json
import os
from pathlib import Path

import pandas as pd
import plotly.io as pio
import streamlit as st

DATA = json.loads(Path(os.environ["FLOOR_DATA"]).read_text(encoding="utf-8"))
st.set_page_config(page_title="Plancher", layout="wide")

if not st.session_state.get("signed_in"):
    st.subheader("Connexion des coordinateur·rices")
    with st.form("login"):
        st.text_input("Adresse électronique")
        st.text_input("Mot de passe", type="password")
        if st.form_submit_button("Se connecter", type="primary"):
            st.session_state["signed_in"] = True
            st.rerun()
    st.stop()


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


def roadmap() -> None:
    st.title("Feuille de route")
    st.button("Mettre à jour les propositions", type="primary")
    for column, label in zip(
        st.columns(4), ("Plan", "Autres", "Retenues", "À examiner"), strict=True
    ):
        column.metric(label, 5)
    n = DATA.get("expanders", 20)
    # the plan's timeline: one horizontal bar per action
    st.plotly_chart(
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": [f"Action {i}" for i in range(n)],
                    "x": [86_400_000 * 365] * n,
                    "base": ["2027-01-01"] * n,
                }
            ],
            "layout": {"xaxis": {"type": "date"}, "height": 140 + 28 * n},
        },
        key="timeline",
    )
    for i in range(n):  # each action as pages/_plan.py draws it: its text, form and buttons
        with st.expander(f"Action {i}"):
            st.caption("Proposée à partir des résultats")
            st.markdown("**Pourquoi cette action ?**")
            st.markdown("- « Un item » : un déclencheur (source : le questionnaire)")
            with st.form(f"form_{i}"):
                st.text_input("Intitulé", f"Action {i}", key=f"t_{i}")
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
    if st.session_state.pop("flash", None):
        st.success("Action ajoutée à la feuille de route.")
    st.subheader("Ajouter une action")
    with st.form("add", clear_on_submit=True):
        st.text_input("Intitulé *")
        st.selectbox("Axe", ["Axe"])
        st.text_area("Description")
        x, y = st.columns(2)
        x.text_input("Pilote / porteur")
        y.selectbox("Échéance", ["Dans les 100 jours"])
        x.text_input("Indicateur de suivi")
        if st.form_submit_button("Ajouter l'action"):
            st.session_state["flash"] = True
            st.rerun()


st.navigation(
    [
        st.Page(home, title="Mes territoires", url_path="accueil", default=True),
        st.Page(results, title="Résultats", url_path="resultats"),
        st.Page(roadmap, title="Feuille de route", url_path="feuille_de_route"),
    ],
    expanded=True,
).run()
