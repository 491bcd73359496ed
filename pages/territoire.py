"""Create a territory: the EPCI (or another body) and its member communes."""

import streamlit as st

from diagnostic.campaigns.coordination import create_territory
from diagnostic.campaigns.official_gaps import gaps, update_from_list
from diagnostic.campaigns.official_package import ensure_current_list, list_note
from diagnostic.campaigns.official_territories import (
    commune_labels,
    epci_choice,
    epci_labels,
    epci_of,
    epci_options,
    find_communes,
)
from diagnostic.vocabulary import KIND_LABELS
from diagnostic.vocabulary import count as n_of
from pages._forms import choose, refused
from pages._picker import TERRITORY, remember
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


ensure_current_list(engine())  # the list shipped with the app, imported once into the base
official = epci_options(engine())
if official.empty:
    st.caption(
        "La liste officielle des EPCI n'est pas installée sur ce serveur : saisissez le territoire "
        "ci-dessous (l'administration peut l'importer : commande `territories-refresh`)."
    )
else:
    st.caption(list_note(engine()))
    places = epci_labels(official)
    choose(
        "Chercher l'intercommunalité dans la liste officielle (nom, SIREN ou département)",
        places,
        key="t_official",
        index=None,
        placeholder="Tapez les premières lettres…",
        on_change=lambda: _fill(st.session_state.get("t_official")),
    )
    query = st.text_input("… ou le nom ou le code INSEE d'une commune membre", key="t_commune_q")
    found = find_communes(engine(), query) if query else official.iloc[0:0]
    if query and found.empty:
        st.caption("Aucune commune de la liste ne correspond.")
    elif not found.empty:
        choose(
            "Communes trouvées",
            commune_labels(found, places),
            key="t_commune_pick",
            index=None,
            on_change=lambda: _fill(epci_of(found, st.session_state.get("t_commune_pick"))),
        )
    if st.session_state.get("t_note"):
        st.caption(f"Population : {st.session_state['t_note']}. Tout reste modifiable.")
with st.form("territory_form"):
    name = st.text_input("Nom du territoire *", max_chars=200, key="t_name")
    kind = choose("Type", KIND_LABELS, options=kinds, key="t_kind")
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
    with refused("Le territoire n'a pas été créé"):
        territory = create_territory(
            engine(),
            actor,
            name=name,
            kind=kind,
            code=code,
            population=int(population) if population else None,
            communes=communes,
        )
        remember(TERRITORY, territory.id)  # the pages open on it from now on
        st.session_state["t_created"] = (
            f"Territoire « {plain(territory.name)} » créé avec {n_of(len(communes), 'commune')}. "
            "Vous en êtes le ou la coordinateur·rice : créez maintenant une campagne."
        )
        st.rerun()  # the menu offers « Campagnes » to a new coordinator only from the next run

found_gaps = gaps(engine(), actor)
updated = st.session_state.pop("t_updated", None)
if found_gaps or updated:
    st.divider()
    st.subheader("Vos territoires et la liste officielle")
    if updated:
        st.success(updated)
    to_update = [gap for gap in found_gaps if gap.updatable]
    if to_update:
        st.markdown(
            "Ces territoires, créés avant la liste actuelle ou saisis à la main, en diffèrent. "
            "Ils gardent leurs données tant que vous ne les mettez pas à jour ; la mise à jour "
            "garde leurs campagnes, réponses et fiche, et figure au journal."
        )
    for gap in to_update:
        with st.container(border=True):
            st.markdown(
                f"**{plain(gap.name)}**" + (f" — SIREN {plain(gap.code)}" if gap.code else "")
            )
            st.markdown("\n".join(f"- {plain(change)}" for change in gap.changes))
            for note in gap.notes:
                st.caption(plain(note))
            if st.button(
                "Mettre à jour d'après la liste officielle", key=f"t_update_{gap.territory_id}"
            ):
                with refused("Le territoire n'a pas été mis à jour"):
                    update_from_list(engine(), actor, territory_id=gap.territory_id)
                    st.session_state["t_updated"] = (
                        f"Territoire « {plain(gap.name)} » mis à jour d'après la liste officielle."
                    )
                    st.rerun()
    apart = [gap for gap in found_gaps if not gap.updatable]
    if apart:
        with st.expander(f"Écarts que la mise à jour ne peut pas corriger ({len(apart)})"):
            for gap in apart:
                st.markdown(f"- **{plain(gap.name)}** : " + plain(" ; ".join(gap.notes)))
