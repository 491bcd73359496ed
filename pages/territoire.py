"""Create a territory: the EPCI (or another body) and its member communes."""

import streamlit as st

from diagnostic.coordination import create_territory
from diagnostic.store.territories import StoreError
from diagnostic.vocabulary import KIND_LABELS
from pages._shell import engine, guard, plain

actor = guard("territoire")
st.title("Nouveau territoire")
st.markdown(
    "Décrivez l'intercommunalité (ou la structure) qui conduit le diagnostic, puis ses communes "
    "membres : les répondant·es seront rattaché·es à l'une d'elles ou à l'EPCI."
)
kinds = [k for k in KIND_LABELS if k != "commune"]
with st.form("territory_form"):
    name = st.text_input("Nom du territoire *", max_chars=200, key="t_name")
    kind = st.selectbox("Type", kinds, format_func=lambda k: KIND_LABELS[k], key="t_kind")
    code = st.text_input("Code officiel (SIREN de l'EPCI, facultatif)", max_chars=20, key="t_code")
    population = st.number_input(
        "Population (facultatif)", min_value=0, step=100, value=None, key="t_population"
    )
    communes_text = st.text_area(
        "Communes membres — une par ligne, éventuellement suivie d'un point-virgule et du code "
        "INSEE (ex. « Montval-sur-Loir;72071 »)",
        height=180,
        key="t_communes",
    )
    submitted = st.form_submit_button("Créer le territoire", type="primary")

if submitted:
    communes = []
    for line in communes_text.splitlines():
        if line.strip():
            commune_name, _, commune_code = line.partition(";")
            communes.append((commune_name.strip(), commune_code.strip() or None))
    try:
        territory = create_territory(
            engine(),
            actor,
            name=name,
            kind=kind,
            code=code,
            population=int(population) if population else None,
            communes=communes,
        )
    except StoreError as exc:
        st.error(f"Le territoire n'a pas été créé : {exc}.")
    else:
        st.success(
            f"Territoire « {plain(territory.name)} » créé avec {len(communes)} commune(s). "
            "Vous en êtes le ou la coordinateur·rice : créez maintenant une campagne."
        )
        st.page_link("pages/campagne.py", label="Créer une campagne", icon=":material/assignment:")
