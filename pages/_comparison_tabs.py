"""The comparison page's tabs: profiles, position, agreement, gaps, peer groups, evolution,
export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.comparison import figures as cf
from diagnostic.comparison import service as cmp
from diagnostic.comparison import tables as ct
from diagnostic.exports import MIME, file_name
from pages._comparison import Labels, items_of
from pages._forms import choose
from pages._shell import data_table, engine, plain, settings, show_chart


def profiles(view: cmp.Comparison, labels: Labels) -> None:
    """One radar a territory compared, two a row, with the peer median when shown."""
    chosen = view.chosen
    if chosen.empty:
        st.info("Choisissez au moins un territoire accompagné pour voir son profil.")
    table = ct.dimensions(view, labels.dimensions, labels.order)
    columns = st.columns(min(2, max(1, len(chosen))))
    for i, row in enumerate(chosen.itertuples(index=False)):
        with columns[i % len(columns)]:
            radar = cf.territory_radar(
                view.scores_of(row.territory_id),
                labels.dimensions,
                title=str(row.name),
                order=labels.order,
                peer_median=view.shown_peers,
                colour_index=i,
            )
            show_chart(radar, table, key=f"cmp_radar_{row.territory_id}")
            st.caption(f"{plain(row.title)} · {ct.profile(row)}")
    statements = ct.statements(view, labels.dimensions)
    if not statements.empty:
        st.subheader("Affirmations : part d'accord")
        st.caption(
            "Réponses « plutôt » ou « tout à fait d'accord » aux affirmations de la dimension, "
            "à côté des scores de maturité (elles n'y entrent pas) ; pas de comparaison avec "
            "les pairs."
        )
        data_table(statements, hide_index=True)


def position(view: cmp.Comparison, labels: Labels) -> None:
    """The peer group's spread by dimension, the territories on it, their percentile ranks."""
    st.markdown(
        "Pour chaque dimension, la boîte couvre la moitié centrale du groupe de pairs (du 1er au "
        "3e quartile, trait : médiane) et les moustaches vont du 10e au 90e centile. Les losanges "
        "sont les territoires comparés."
    )
    boxes = cf.peer_distribution(
        view.peers,
        view.scores,
        labels.dimensions,
        order=labels.order,
        names=list(view.chosen["name"]),
        title=f"Position dans le groupe : {view.label}",
    )
    show_chart(boxes, ct.dimensions(view, labels.dimensions, labels.order), key="cmp_boxes")
    st.subheader("Rang centile")
    st.caption(
        "Part des territoires du groupe (hors le territoire lui-même) dont le score est plus bas "
        "(les égalités comptent pour moitié) : 80 = mieux placé que 80 % des pairs."
    )
    data_table(ct.ranks(view, labels.dimensions), hide_index=True)


def agreement(view: cmp.Comparison, labels: Labels) -> None:
    """How much each territory's respondents agree, read out then as a heat map."""
    for name, reading in ct.agreement_lines(view, labels.dimensions):
        st.markdown(f"- **{plain(name)}** : {reading}")
    heat = cf.agreement_heatmap(
        view.scores,
        labels.dimensions,
        order=labels.order,
        names=list(view.chosen["name"]),
        peer_median=view.shown_peers,
    )
    show_chart(heat, ct.agreement(view, labels.dimensions), key="cmp_agreement")
    st.caption(
        "A = 1 : tout le monde donne le même niveau ; 0 : avis dispersés ; −1 : deux camps "
        "opposés. Consensus à partir de 0,5 ; polarisé en dessous de 0."
    )


def gaps(actor: Actor, view: cmp.Comparison, labels: Labels) -> None:
    """The items that set the territories apart, then their gaps to the peer median."""
    if len(view.chosen) >= 2:
        st.subheader("Items où les territoires diffèrent le plus")
        found = {
            str(r.name): items_of(actor, int(r.campaign_id))
            for r in view.chosen.itertuples(index=False)
        }
        data_table(
            ct.differences(cmp.differences(found), labels.dimensions, labels.items),
            hide_index=True,
            column_config={"Item": st.column_config.TextColumn(width=360)},
        )
    else:
        st.info("Choisissez au moins deux territoires pour voir les items qui les séparent.")
    st.subheader("Écarts à la médiane du groupe de pairs")
    data_table(ct.ranks(view, labels.dimensions), hide_index=True)


def groups(view: cmp.Comparison) -> None:
    """The consenting territories by type and size, small groups masked."""
    st.markdown(
        f"Les territoires qui ont accepté la comparaison anonyme, par type et par taille. Un "
        f"groupe de moins de {view.min_territories} territoires n'est pas détaillé ; quand un "
        "seul groupe d'un type est masqué, le plus petit groupe voisin l'est aussi (sinon le "
        "total du type, moins les groupes affichés, le révélerait)."
    )
    data_table(ct.groups(view), hide_index=True)


def evolution(actor: Actor, table: pd.DataFrame, names: dict[int, str], labels: Labels) -> None:
    """One accompanied territory (`names`: those with results), two of its campaigns: what
    moved on the common items."""
    if not names:
        st.info("Aucun territoire accompagné n'a de résultats.")
        return
    territory_id = choose("Territoire", names, key="cmp_evo_territory")
    s = settings()
    runs = cmp.campaigns_for_evolution(
        engine(), actor, table, territory_id, min_group_size=s.min_group_size
    )
    if len(runs) < 2:
        st.info(
            "Ce territoire n'a qu'une campagne avec des résultats : l'évolution se lira après "
            "un second diagnostic (les items identiques des deux questionnaires sont comparés)."
        )
        return
    titles = dict(zip(runs["campaign_id"], runs["title"], strict=True))
    c1, c2 = st.columns(2)
    before = choose("Avant", titles, key="cmp_evo_before", where=c1)
    after = choose("Après", titles, index=len(titles) - 1, key="cmp_evo_after", where=c2)
    if before == after:
        st.info("Choisissez deux campagnes différentes.")
        return
    pairs = cmp.evolution_pairs(s.questions_dir, runs, before, after)
    evo_items, evo_dims = cmp.evolution(items_of(actor, before), items_of(actor, after), pairs)
    st.caption(f"{len(pairs)} items identiques dans les deux questionnaires.")
    show_chart(
        cf.evolution(evo_dims, labels.dimensions, title="Évolution par dimension (items communs)"),
        ct.evolution_dimensions(evo_dims, labels.dimensions),
        key="cmp_evolution",
    )
    data_table(ct.evolution_items(evo_items, labels.items, labels.dimensions), hide_index=True)


def export(view: cmp.Comparison, labels: Labels) -> None:
    """What the files hold, then a CSV and a workbook (built when clicked)."""
    st.markdown(
        "Ce que montre la page : scores des territoires comparés et quartiles des pairs, rangs, "
        "accord, groupes de pairs. Les pairs ne sont jamais nommés."
    )
    sheets = ct.sheets(view, labels.dimensions, labels.order)
    base = f"comparaison-{view.label}"
    for fmt, label in (("csv", "CSV — dimensions"), ("xlsx", "Classeur Excel (tous les tableaux)")):
        st.download_button(
            label,
            data=lambda fmt=fmt: ct.comparison_export(sheets, fmt, base).data,
            file_name=file_name(base, fmt),
            mime=MIME[fmt],
            key=f"cmp_export_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )
