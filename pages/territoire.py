"""Create a territory: the EPCI (or another body) and its member communes."""

import streamlit as st

from diagnostic.campaigns.coordination import create_territory
from diagnostic.campaigns.official_territories import epci_choice, epci_options, find_communes
from diagnostic.errors import StoreError
from diagnostic.vocabulary import KIND_LABELS
from pages._shell import engine, guard, plain

actor = guard("territoire")
st.title("Nouveau territoire")
created = st.session_state.pop("t_created", None)
if created:
    st.success(created)
    st.page_link("pages/campagne.py", label="Créer une campagne", icon=":material/assignment:")
st.markdown(
    "Décrivez l'intercommunalité (ou la structure) qui conduit le diagnostic, puis ses communes "
    "membres : les répondant·es seront rattaché·es à l'une d'elles ou à l'EPCI."
)
kinds = [k for k in KIND_LABELS if k != "commune"]


def _fill(code: str | None) -> None:
    """Fill the form with an EPCI of the official list and its member communes."""
    choice = epci_choice(engine(), code) if code else None
    if choice is not None:
        st.session_state.update(
            t_name=choice.name,
            t_kind=choice.kind if choice.kind in kinds else "autre",
            t_code=choice.code,
            t_population=choice.population,
            t_communes="\n".join(f"{n};{c}" for n, c in choice.communes),
            t_note=choice.population_note,
        )


official = epci_options(engine())
if official.empty:
    st.caption(
        "La liste officielle des EPCI n'est pas installée sur ce serveur : saisissez le territoire "
        "ci-dessous (l'administration peut l'importer : commande `territories-refresh`)."
    )
else:
    places = {
        row.code: row.name
        + ("" if KIND_LABELS.get(row.kind, "?") in row.name else f" ({KIND_LABELS.get(row.kind)})")
        + f" — SIREN {row.code}"
        + (f" — dép. {row.departement}" if row.departement else "")
        for row in official.itertuples(index=False)
    }
    st.selectbox(
        "Chercher l'intercommunalité dans la liste officielle (nom, SIREN ou département)",
        list(places),
        index=None,
        format_func=places.get,
        placeholder="Tapez les premières lettres…",
        key="t_official",
        on_change=lambda: _fill(st.session_state.get("t_official")),
    )
    query = st.text_input("… ou le nom ou le code INSEE d'une commune membre", key="t_commune_q")
    found = find_communes(engine(), query) if query else official.iloc[0:0]
    if query and found.empty:
        st.caption("Aucune commune de la liste ne correspond.")
    elif not found.empty:
        towns = {
            row.code: f"{row.name} ({row.code}) → {places.get(row.epci_code, 'sans EPCI')}"
            for row in found.itertuples(index=False)
        }
        st.selectbox(
            "Communes trouvées",
            list(towns),
            index=None,
            format_func=towns.get,
            key="t_commune_pick",
            on_change=lambda: _fill(
                found.set_index("code")["epci_code"].get(st.session_state.get("t_commune_pick"))
            ),
        )
    if st.session_state.get("t_note"):
        st.caption(f"Population : {st.session_state['t_note']}. Tout reste modifiable.")
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
        st.error(f"Le territoire n'a pas été créé : {plain(exc)}.")
    else:
        st.session_state["t_created"] = (
            f"Territoire « {plain(territory.name)} » créé avec {len(communes)} commune(s). "
            "Vous en êtes le ou la coordinateur·rice : créez maintenant une campagne."
        )
        st.rerun()  # the menu offers « Campagnes » to a new coordinator only from the next run
