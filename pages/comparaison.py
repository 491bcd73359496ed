"""Comparison: accompanied territories side by side, their position in an anonymous peer group."""

import streamlit as st

from diagnostic.analytics.bulk_scores import BAND_LABELS
from diagnostic.analytics.peers import peer_groups
from diagnostic.comparison import benchmark
from diagnostic.comparison import figures as cf
from diagnostic.comparison import service as cmp
from diagnostic.comparison import tables as ct
from diagnostic.exports import MIME, file_name
from diagnostic.results.service import data_version, read_campaign_data, require_results_access
from diagnostic.vocabulary import KIND_LABELS
from pages._shell import engine, guard, plain, settings, show_chart

actor = guard("comparaison")
st.title("Comparaison entre territoires")
st.caption(
    "Des auto-évaluations : les scores disent comment les directions voient leur propre "
    "territoire, pas une mesure externe. Comparez des tendances, pas des décimales."
)
s = settings()


@st.cache_data(max_entries=4, show_spinner="Lecture de la table de comparaison…")
def _table(version: tuple[object, ...]):  # noqa: ANN202 - a DataFrame
    return benchmark.table(engine())


@st.cache_data(max_entries=32, show_spinner=False)
def _groups(version, questionnaire_id, known, min_peer, min_group):  # noqa: ANN001, ANN202
    return peer_groups(
        _table(version),
        questionnaire_id=questionnaire_id,
        min_territories=min_peer,
        min_respondents=min_group,
        known=known,
    )


@st.cache_data(max_entries=64, show_spinner="Calcul des items…")
def _items(campaign_id: int, version: tuple[object, ...], min_group: int):  # noqa: ANN202
    data = read_campaign_data(engine(), campaign_id, s.questions_dir)
    return cmp.item_scores(data, min_group_size=min_group)


def items_of(campaign_id: int):  # noqa: ANN201
    """Item scores of an accompanied campaign, access checked on every call."""
    require_results_access(engine(), actor, campaign_id)
    return _items(campaign_id, data_version(engine(), campaign_id), s.min_group_size)


version = benchmark.version(engine())
table = _table(version)
mine = cmp.accompanied(engine(), actor, table, min_group_size=s.min_group_size)
known = tuple(sorted(cmp.known_territories(actor)))
latest = cmp.questionnaires_compared(s.questions_dir, mine, table)
if not latest:
    st.info(
        "Aucune campagne n'a encore de résultats à comparer : la comparaison s'ouvre dès qu'un "
        f"territoire a reçu {s.min_group_size} questionnaires envoyés."
    )
    st.stop()
qid = next(iter(latest))
if len(latest) > 1:
    qid = st.selectbox(
        "Questionnaire comparé",
        list(latest),
        format_func=lambda q: latest[q].title,
        key="cmp_questionnaire",
    )
questionnaire = latest[qid]
labels = {d.id: d.title for d in questionnaire.dimensions}
order = [d.id for d in questionnaire.dimensions]
item_labels = {x.id: x.text for x in questionnaire.questions()}
mine = cmp.of_questionnaire(mine, qid)
names = dict(zip(mine["territory_id"], mine["name"], strict=True))
if mine.empty:
    st.info(
        "Aucun territoire que vous accompagnez n'a encore de résultats sur ce questionnaire "
        f"(au moins {s.min_group_size} questionnaires envoyés) : seuls les groupes de pairs "
        "anonymes sont montrés."
    )
chosen_ids = st.multiselect(
    "Territoires comparés (ceux que vous accompagnez)",
    list(names),
    default=list(names)[:3],
    format_func=names.get,
    max_selections=6,
    key="cmp_territories",
)
chosen = cmp.in_order(mine, chosen_ids)

at_kind, at_band = cmp.default_group_positions(chosen)
c1, c2 = st.columns(2)
kind = c1.selectbox(
    "Groupe de pairs : type de territoire",
    cmp.PEER_KINDS,
    index=at_kind,
    format_func=KIND_LABELS.get,
    key="cmp_kind",
)
band = c2.selectbox(
    "Taille (population)",
    cmp.PEER_BANDS,
    index=at_band,
    format_func=BAND_LABELS.get,
    key="cmp_band",
)
view = cmp.compare(
    table,
    chosen,
    questionnaire_id=qid,
    kind=kind,
    band=band,
    known=known,
    min_territories=s.min_peer_territories,
    min_respondents=s.min_group_size,
    groups=_groups(version, qid, known, s.min_peer_territories, s.min_group_size),
    dimensions=order,
)
if view.peers_shown:
    st.success(
        f"Groupe de pairs : {view.label} — {view.n_peers} territoires ayant accepté la comparaison "
        "anonyme. Aucun n'est nommé ; les valeurs extrêmes ne sont jamais montrées."
    )
else:
    st.warning(
        f"Groupe de pairs : {view.label} — chiffres masqués. Ils ne sont montrés qu'à partir de "
        f"{s.min_peer_territories} territoires ayant accepté la comparaison anonyme, sans compter "
        "ceux que vous accompagnez (vous connaissez leurs chiffres : les retrancher révélerait "
        "les autres). Choisissez un groupe plus large (« toutes tailles ») ou attendez que "
        "d'autres territoires participent."
    )

names_shown = list(chosen["name"])
dimensions_table = ct.dimensions(view, labels, order)
tabs = st.tabs(
    ["Profils", "Position", "Accord", "Écarts", "Groupes de pairs", "Évolution", "Exporter"]
)
with tabs[0]:
    if chosen.empty:
        st.info("Choisissez au moins un territoire accompagné pour voir son profil.")
    columns = st.columns(min(2, max(1, len(chosen))))
    for i, row in enumerate(chosen.itertuples(index=False)):
        with columns[i % len(columns)]:
            radar = cf.territory_radar(
                view.scores_of(row.territory_id),
                labels,
                title=str(row.name),
                order=order,
                peer_median=view.shown_peers,
                colour_index=i,
            )
            show_chart(radar, dimensions_table, key=f"cmp_radar_{row.territory_id}")
            st.caption(f"{plain(row.title)} · {ct.profile(row)}")

with tabs[1]:
    st.markdown(
        "Pour chaque dimension, la boîte couvre la moitié centrale du groupe de pairs (du 1er au "
        "3e quartile, trait : médiane) et les moustaches vont du 10e au 90e centile. Les losanges "
        "sont les territoires comparés."
    )
    title = f"Position dans le groupe : {view.label}"
    boxes = cf.peer_distribution(
        view.peers, view.scores, labels, order=order, names=names_shown, title=title
    )
    show_chart(boxes, dimensions_table, key="cmp_boxes")
    st.subheader("Rang centile")
    st.caption(
        "Part des territoires du groupe (hors le territoire lui-même) dont le score est plus bas "
        "(les égalités comptent pour moitié) : 80 = mieux placé que 80 % des pairs."
    )
    st.dataframe(ct.ranks(view, labels), hide_index=True)

with tabs[2]:
    for name, reading in ct.agreement_lines(view, labels):
        st.markdown(f"- **{plain(name)}** : {reading}")
    heat = cf.agreement_heatmap(
        view.scores, labels, order=order, names=names_shown, peer_median=view.shown_peers
    )
    show_chart(heat, ct.agreement(view, labels), key="cmp_agreement")
    st.caption(
        "A = 1 : tout le monde donne le même niveau ; 0 : avis dispersés ; −1 : deux camps "
        "opposés. Consensus à partir de 0,5 ; polarisé en dessous de 0."
    )

with tabs[3]:
    if len(chosen) >= 2:
        st.subheader("Items où les territoires diffèrent le plus")
        found = {str(r.name): items_of(int(r.campaign_id)) for r in chosen.itertuples(index=False)}
        st.dataframe(
            ct.differences(cmp.differences(found), labels, item_labels),
            hide_index=True,
            column_config={"Item": st.column_config.TextColumn(width=360)},
        )
    else:
        st.info("Choisissez au moins deux territoires pour voir les items qui les séparent.")
    st.subheader("Écarts à la médiane du groupe de pairs")
    st.dataframe(ct.ranks(view, labels), hide_index=True)

with tabs[4]:
    st.markdown(
        f"Les territoires qui ont accepté la comparaison anonyme, par type et par taille. Un "
        f"groupe de moins de {s.min_peer_territories} territoires n'est pas détaillé ; quand un "
        "seul groupe d'un type est masqué, le plus petit groupe voisin l'est aussi (sinon le "
        "total du type, moins les groupes affichés, le révélerait)."
    )
    st.dataframe(ct.groups(view), hide_index=True)


def evolution() -> None:
    """One accompanied territory, two of its campaigns: what moved on the common items."""
    if mine.empty:
        st.info("Aucun territoire accompagné n'a de résultats.")
        return
    territory_id = st.selectbox(
        "Territoire", list(names), format_func=names.get, key="cmp_evo_territory"
    )
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
    before = c1.selectbox("Avant", list(titles), format_func=titles.get, key="cmp_evo_before")
    after = c2.selectbox(
        "Après", list(titles), index=len(titles) - 1, format_func=titles.get, key="cmp_evo_after"
    )
    if before == after:
        st.info("Choisissez deux campagnes différentes.")
        return
    pairs = cmp.evolution_pairs(s.questions_dir, runs, before, after)
    evo_items, evo_dims = cmp.evolution(items_of(before), items_of(after), pairs)
    st.caption(f"{len(pairs)} items identiques dans les deux questionnaires.")
    show_chart(
        cf.evolution(evo_dims, labels, title="Évolution par dimension (items communs)"),
        ct.evolution_dimensions(evo_dims, labels),
        key="cmp_evolution",
    )
    st.dataframe(ct.evolution_items(evo_items, item_labels, labels), hide_index=True)


with tabs[5]:
    evolution()

with tabs[6]:
    st.markdown(
        "Ce que montre la page : scores des territoires comparés et quartiles des pairs, rangs, "
        "accord, groupes de pairs. Les pairs ne sont jamais nommés."
    )
    sheets = ct.sheets(view, labels, order)
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
