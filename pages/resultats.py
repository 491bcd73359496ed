"""Territory results: scores, gaps, regards croisés, priorities, actors, participation, the
territory's situation (obligations from the fiche, what the respondents know of it)."""

from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st

from diagnostic.accounts.permissions import Action
from diagnostic.questionnaire import Question
from diagnostic.results import chart_specs, figures, tables
from diagnostic.results.model import TooFewRespondents, commune_names, labels
from diagnostic.vocabulary import ROLE_LABELS, STATUS_LABELS
from pages._export import export_tab
from pages._knowledge import knowledge_section
from pages._picker import campaign_picker
from pages._review import review_tab
from pages._shell import campaign_results, data_table, guard, plain, show_chart
from pages._situation import situation_tab
from pages._statements import statements_block

KINDS = {None: "Toutes", "epci": "Intercommunalité", "commune": "Communes"}
TABS = [
    "Synthèse",
    "Écarts",
    "Regards croisés",
    "Items",
    "Priorités",
    "Acteurs",
    "Participation",
    "Situation du territoire",
    "Bilan précédent",
    "Exporter",
]
GROUPINGS = {
    "structure_kind": "Intercommunalité et communes",
    "role": "Fonctions",
    "structure_id": "Chaque commune et les autres",
}

actor = guard("resultats")
st.title("Résultats du diagnostic")
campaign, full = campaign_picker(
    actor,
    Action.RESULTS_VIEW,
    key="res",
    too_few="Les résultats s'affichent dès que {n} personnes au moins ont envoyé leurs "
    "réponses : rien n'est montré en dessous, pour protéger l'anonymat.",
)
min_group = full.min_group_size
q = full.questionnaire
names = labels(q)
st.caption(
    f"{plain(campaign.title)} · campagne {STATUS_LABELS.get(campaign.status, '').lower()} · "
    f"{full.n_respondents} questionnaires envoyés pris en compte"
)

communes = commune_names(full)
with st.expander("Filtrer les réponses", icon=":material/filter_alt:"):
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        "Structure", list(KINDS), format_func=KINDS.get, key="res_kind", placeholder="Choisir…"
    )
    commune = c2.selectbox(
        "Commune",
        [None, *communes],
        format_func=lambda c: communes.get(c, "Toutes"),
        key="res_commune",
        placeholder="Choisir…",
    )
    role = c3.selectbox(
        "Fonction",
        [None, *ROLE_LABELS],
        format_func=lambda r: ROLE_LABELS.get(r, "Toutes"),
        key="res_role",
        placeholder="Choisir…",
    )
filtered = any(v is not None for v in (kind, commune, role))
results = campaign_results(actor, campaign.id, structure_kind=kind, structure_id=commune, role=role)
if isinstance(results, TooFewRespondents):
    st.warning(
        f"Moins de {min_group} réponses pour ce filtre : ce groupe n'est pas détaillé, pour "
        "protéger l'anonymat. Élargissez le filtre."
    )
    st.stop()
if filtered:
    st.info(f"Filtre actif : {results.n_respondents} questionnaires pris en compte.")


def answered(kind: str, read: Callable, what: str, nothing: str) -> Iterator[tuple[Question, Any]]:
    """The questions of a type with what `read` gives of their answers, after saying that the
    questionnaire has none (« … pas `what` ») or, for a question not yet answered, `nothing`."""
    questions = [x for x in q.questions() if x.type == kind]
    if not questions:
        st.info(f"Ce questionnaire ne comporte pas {what}.")
    for question in questions:
        data = read(question.id)
        if data is None:
            st.info(f"« {question.text} » : {nothing} pour l'instant.")
        else:
            yield question, data


# Lazy tabs: only the open tab's content is computed and drawn (the first view of a campaign
# draws the synthesis alone, not ten tabs of charts); the key keeps the open tab across reruns.
# Streamlit forgets the value of a widget a run does not draw: the choices made in a tab are
# written back each run, so they are still there when one comes back to it.
for kept in ("res_grouping", "res_dim", "res_items_dim"):
    if kept in st.session_state:
        st.session_state[kept] = st.session_state[kept]
tabs = st.tabs(TABS, key="res_tab", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        radar = figures.radar(
            results.dimensions,
            names.dimensions,
            respondents=results.respondent_scores,
            groups=None if filtered else results.dimensions_by_kind,
            group_labels={"epci": "Intercommunalité", "commune": "Communes"},
        )
        show_chart(radar, tables.radar(results, names, groups=not filtered), key="radar")
        statements_block(results, names)
        for section in results.summary:
            if section.title:
                st.subheader(section.title)
            for line in section.lines:
                st.markdown(f"- {plain(line)}" if section.title else plain(line))

with tabs[1]:
    if tabs[1].open:
        st.markdown(
            "Pour chaque dimension, le niveau actuel et le niveau visé en fin de mandat (moyennes "
            "des items, sur 100). L'écart guide les priorités de la feuille de route."
        )
        show_chart(
            figures.gaps(results.dimensions, names.dimensions),
            tables.dimensions(results, names),
            key="gaps",
        )

with tabs[2]:
    if tabs[2].open:
        grouping = st.radio(
            "Comparer",
            list(GROUPINGS),
            format_func=GROUPINGS.get,
            horizontal=True,
            key="res_grouping",
        )
        dims = [s.id for s in q.dimensions]
        dimension = st.selectbox(
            "Dimension",
            dims,
            format_func=names.dimensions.get,
            key="res_dim",
            placeholder="Choisir…",
        )
        st.caption(
            f"Score de chaque groupe sur 100 (toutes les réponses envoyées). Un groupe de moins de "
            f"{min_group} réponses n'est pas détaillé ; « aucune donnée » : personne de ce groupe "
            "n'a répondu à l'item."
        )
        gap = tables.comparison_gap(full, grouping, dimension)
        if gap:  # every group too small or absent: say why rather than draw an empty chart
            st.info(gap)
        else:
            show_chart(
                figures.heatmap(
                    full.compared(grouping, dimension),
                    names.items,
                    title=names.dimensions[dimension],
                    min_group_size=min_group,
                ),
                tables.comparison(full, names, grouping, dimension),
                key="heatmap",
            )
        st.subheader("Angles morts")
        st.caption("Items où un groupe voit les choses à plus d'un niveau d'écart des autres.")
        blind = tables.blind_spots(full, names)
        if blind.empty:
            st.write("Aucun angle mort : aucun groupe ne s'écarte nettement des autres.")
        else:
            data_table(blind, hide_index=True)

with tabs[3]:
    if tabs[3].open:
        dimension = st.selectbox(
            "Dimension",
            [None, *[s.id for s in q.dimensions]],
            format_func=lambda d: names.dimensions.get(d, "Toutes"),
            key="res_items_dim",
            placeholder="Choisir…",
        )
        listed = tables.items(results, names, dimension)
        data_table(listed.drop(columns="Dimension") if dimension else listed, hide_index=True)
        st.caption(
            "Score sur 100 : niveau moyen, ou niveau de consensus quand le collectif l'a fixé "
            "(colonne Source). Une affirmation n'a pas de score de maturité : sa part d'accord "
            "compte les réponses « plutôt » ou « tout à fait d'accord ». « Je ne sais pas » en % "
            "des réponses, jamais compté dans les scores. "
            "Accord A de van der Eijk : 1 = unanimité, 0 = avis dispersés, −1 = deux camps opposés."
        )

with tabs[4]:
    if tabs[4].open:
        rankings = answered("ranking", results.ranking, "de classement", "aucun classement")
        for question, frame in rankings:
            show_chart(
                figures.priorities(frame, names.options[question.id], title=question.text),
                tables.priorities(results, names, question.id),
                key=f"prio_{question.id}",
            )

with tabs[5]:
    if tabs[5].open:
        grids = answered("grid", results.grid, "de grille d'acteurs", "aucune réponse")
        for question, cells in grids:
            split = results.grid_split(question.id)
            rows = names.options[question.id]
            if split is None:
                chart = figures.actor_grid(
                    cells, rows, title=question.text, scale=names.levels[question.id]
                )
            else:  # two camps: each shown, never the median that falls between them
                st.caption(plain(chart_specs.actor_grid_caption(split, rows)))
                chart = figures.actor_grid_by_kind(
                    split, rows, title=question.text, scale=names.levels[question.id]
                )
            show_chart(chart, tables.grid(results, names, question.id), key=f"grid_{question.id}")

with tabs[6]:
    if tabs[6].open:
        turnout = full.turnout()
        c1, c2, c3 = st.columns(3)
        c1.metric("Invité·es", turnout["invited"])
        c2.metric("Ont commencé", turnout["started"])
        c3.metric("Ont envoyé", turnout["submitted"])
        show_chart(
            figures.participation(full.participation_by["structure"]),
            tables.participation(full, "structure"),
            key="participation",
        )
        data_table(tables.participation(full, "role"), hide_index=True)

with tabs[7]:
    if tabs[7].open:
        situation_tab(actor, campaign)
        knowledge_section(actor, campaign.id, full)

with tabs[8]:
    if tabs[8].open:
        review_tab(actor, campaign)

with tabs[9]:
    if tabs[9].open:
        export_tab(actor, campaign, full)
