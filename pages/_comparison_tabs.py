"""The comparison page's tabs: profiles, position, agreement, gaps, peer groups, evolution,
export."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.comparison import figures as cf
from diagnostic.comparison import files
from diagnostic.comparison import report as rp
from diagnostic.comparison import service as cmp
from diagnostic.comparison import tables as ct
from diagnostic.exports import MIME, file_name
from diagnostic.vocabulary import count
from pages._comparison import Labels, items_of
from pages._forms import choose
from pages._shell import data_table, engine, plain, settings, show_chart


def peer_groups_said(view: cmp.Comparison) -> None:
    """Which peer group each territory is compared with, and why a group is hidden."""
    if view.chosen.empty:
        return
    lines = [
        f"- **{plain(row.name)}** : {view.group_of(int(row.territory_id)).caption}"
        for row in view.chosen.itertuples(index=False)
    ]
    said = "\n".join(lines)
    intro = "Chaque territoire est comparé à son propre groupe de pairs anonyme (aucun pair "
    intro += "n'est nommé ; les valeurs extrêmes ne sont jamais montrées) :"
    if all(g.shown for g in view.peer_of.values()):
        st.success(f"{intro}\n{said}")
    else:
        st.warning(
            f"{intro}\n{said}\n\nLes chiffres d'un groupe ne sont montrés qu'à partir de "
            f"{view.min_territories} territoires ayant accepté la comparaison anonyme, sans "
            "compter ceux que vous accompagnez (vous connaissez leurs chiffres : les retrancher "
            "révélerait les autres). Choisissez tout le type du territoire ci-dessus ou "
            "attendez que d'autres territoires participent."
        )


def profiles(view: cmp.Comparison, labels: Labels) -> None:
    """One radar a territory compared, two a row, with the peer median when shown."""
    chosen = view.chosen
    if chosen.empty:
        st.info("Choisissez au moins un territoire accompagné pour voir son profil.")
    table = ct.dimensions(view, labels.dimensions, labels.order)
    columns = st.columns(min(2, max(1, len(chosen))))
    for i, row in enumerate(chosen.itertuples(index=False)):
        group = view.group_of(int(row.territory_id))
        with columns[i % len(columns)]:
            radar = cf.territory_radar(
                view.scores_of(row.territory_id),
                labels.dimensions,
                title=str(row.name),
                order=labels.order,
                peer_median=group.peers if group.shown else None,
                colour_index=i,
            )
            show_chart(radar, table, key=f"cmp_radar_{row.territory_id}")
            st.caption(
                f"{plain(row.title)} · {ct.profile(row)} · groupe de pairs : {group.caption}"
            )
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
    names = list(view.chosen["name"])
    table = ct.dimensions(view, labels.dimensions, labels.order)
    for n, (group, members) in enumerate(view.by_group()):
        boxes = cf.peer_distribution(
            group.peers,
            view.scores.loc[view.scores["name"].isin(members)],
            labels.dimensions,
            order=labels.order,
            names=members,
            title=f"Position dans le groupe : {group.caption}",
            colours=[names.index(m) for m in members],
        )
        show_chart(boxes, table, key=f"cmp_boxes_{n}")
    st.subheader("Rang centile")
    st.caption(
        "Part des territoires du groupe (hors le territoire lui-même) dont le score est plus bas "
        "(les égalités comptent pour moitié) : 80 = mieux placé que 80 % des pairs. Chaque "
        "territoire n'est classé que dans son propre groupe."
    )
    data_table(ct.ranks(view, labels.dimensions), hide_index=True, column_config=_WIDE)


def agreement(view: cmp.Comparison, labels: Labels) -> None:
    """How much each territory's respondents agree, read out then as a heat map."""
    for name, reading in ct.agreement_lines(view, labels.dimensions):
        st.markdown(f"- **{plain(name)}** : {reading}")
    heat = cf.agreement_heatmap(
        view.scores,
        labels.dimensions,
        order=labels.order,
        names=list(view.chosen["name"]),
        peer_median=_single_group_peers(view),
    )
    show_chart(heat, ct.agreement(view, labels.dimensions), key="cmp_agreement")
    st.caption(
        "A = 1 : tout le monde donne le même niveau ; 0 : avis dispersés ; −1 : deux camps "
        "opposés. Consensus à partir de 0,5 ; polarisé en dessous de 0."
    )
    single = _single_group_peers(view)
    if single is not None:
        st.caption(f"Médiane des pairs : {view.by_group()[0][0].caption}.")
    elif not view.chosen.empty:
        st.caption(
            "Les territoires comparés n'ont pas le même groupe de pairs : la médiane de chacun "
            "est dans le tableau des données du graphique (colonne « Groupe de pairs »)."
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
    st.subheader("Écarts à la médiane du groupe de pairs de chaque territoire")
    data_table(ct.ranks(view, labels.dimensions), hide_index=True, column_config=_WIDE)


def groups(view: cmp.Comparison, labels: Labels) -> None:
    """The consenting territories by type and size, small groups masked."""
    st.markdown(
        f"Les territoires qui ont accepté la comparaison anonyme, par type et par taille. Un "
        f"groupe de moins de {view.min_territories} territoires n'est pas détaillé ; quand un "
        "seul groupe d'un type est masqué, le plus petit groupe voisin l'est aussi (sinon le "
        "total du type, moins les groupes affichés, le révélerait)."
    )
    st.subheader("Les groupes des territoires comparés")
    data_table(
        ct.peer_figures(view, labels.dimensions, labels.order),
        hide_index=True,
        column_config=_WIDE,
    )
    st.subheader("Tous les groupes")
    data_table(ct.groups(view), hide_index=True, column_config=_WIDE)


_WIDE = {"Remarque": st.column_config.TextColumn(width="large")}


def _single_group_peers(view: cmp.Comparison) -> pd.DataFrame | None:
    """The peer rows when every territory compared shares one shown group (else the heat map
    leaves the peers out: the table under it gives each territory's own group's median)."""
    found = view.by_group()
    if len(found) == 1 and found[0][0].shown:
        return found[0][0].peers
    return None


def evolution(actor: Actor, table: pd.DataFrame, names: dict[int, str], labels: Labels) -> None:
    """One accompanied territory (`names`: those with results): its trend over all its
    campaigns, then what moved item by item between two of them."""
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
    trend = rp.Trend(
        str(names[territory_id]),
        runs,
        cmp.trend(table, runs, labels.order),
        titles=rp.questionnaire_titles(s.questions_dir, runs),
    )
    st.subheader(f"Tendance sur {count(len(runs), 'campagne')}")
    note = rp.caution(trend)
    if note:
        st.warning(note)
    show_chart(
        cf.trend(trend.scores, runs, labels.dimensions, order=labels.order),
        rp.trend_table(trend, labels),
        key="cmp_trend",
    )
    st.subheader("Item par item entre deux campagnes")
    titles = dict(zip(runs["campaign_id"], runs["title"], strict=True))
    c1, c2 = st.columns(2)
    before = choose("Avant", titles, index=len(titles) - 2, key="cmp_evo_before", where=c1)
    after = choose("Après", titles, index=len(titles) - 1, key="cmp_evo_after", where=c2)
    if before == after:
        st.info("Choisissez deux campagnes différentes.")
        return
    pairs = cmp.evolution_pairs(s.questions_dir, runs, before, after)
    evo_items, evo_dims = cmp.evolution(items_of(actor, before), items_of(actor, after), pairs)
    n = runs.set_index("campaign_id")["n_respondents"]
    st.caption(
        f"{count(len(pairs), 'item identique', 'items identiques')} dans les deux "
        f"questionnaires ; {count(int(n[before]), 'questionnaire envoyé')} avant, "
        f"{count(int(n[after]), 'questionnaire envoyé')} après."
    )
    show_chart(
        cf.evolution(evo_dims, labels.dimensions, title="Évolution par dimension (items communs)"),
        ct.evolution_dimensions(evo_dims, labels.dimensions),
        key="cmp_evolution",
    )
    data_table(ct.evolution_items(evo_items, labels.items, labels.dimensions), hide_index=True)


def export(
    actor: Actor, table: pd.DataFrame, view: cmp.Comparison, labels: Labels, title: str
) -> None:
    """What the files hold, then the CSV, the workbook and the slides (built when clicked)."""
    if view.chosen.empty:
        st.info("Choisissez au moins un territoire accompagné pour exporter sa comparaison.")
        return
    st.markdown(
        "Les fichiers se lisent seuls : date, groupe de pairs de chaque territoire, notes de "
        "méthode, scores et quartiles des pairs, rangs, accord, items aux plus grands écarts, "
        "tendance de chaque territoire sur ses campagnes et évolution item par item. Le "
        "diaporama (PowerPoint) donne une diapositive par graphique, ses sources dessous et "
        "la méthode dans les notes : modifiable pour un client. Les pairs ne sont jamais nommés."
    )
    s = settings()

    def build() -> rp.Report:
        return rp.build(
            engine(),
            actor,
            table,
            view,
            labels,
            questionnaire_title=title,
            questions_dir=s.questions_dir,
            min_group_size=s.min_group_size,
            day=date.today(),
            items_of=lambda campaign_id: items_of(actor, campaign_id),
        )

    base = rp.base_name(rp.Report(view, labels, title, date.today(), pd.DataFrame()))
    formats = (
        ("csv", "CSV (tous les tableaux, une ligne par valeur)"),
        ("xlsx", "Classeur Excel (une feuille par tableau)"),
        ("pptx", "Diaporama PowerPoint (une diapositive par graphique)"),
    )
    for fmt, label in formats:
        st.download_button(
            label,
            data=lambda fmt=fmt: files.to_file(build(), fmt, s.min_group_size).data,
            file_name=file_name(base, fmt),
            mime=MIME.get(fmt, slides_mime()),
            key=f"cmp_export_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


def slides_mime() -> str:
    from diagnostic.comparison.slides import MIME as PPTX

    return PPTX
