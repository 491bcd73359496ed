"""Comparison: accompanied territories side by side, their position in an anonymous peer group."""

import streamlit as st

from diagnostic.comparison import benchmark
from diagnostic.comparison import service as cmp
from pages import _comparison_tabs as tab
from pages._comparison import Labels, benchmark_table, group_choices, groups_of
from pages._forms import choose
from pages._shell import engine, guard, settings

actor = guard("comparaison")
st.title("Comparaison entre territoires")
st.caption(
    "Des auto-évaluations : les scores disent comment les directions voient leur propre "
    "territoire, pas une mesure externe. Comparez des tendances, pas des décimales."
)
s = settings()

version = benchmark.version(engine())
table = benchmark_table(version)
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
    titles = {q: latest[q].title for q in latest}
    qid = choose("Questionnaire comparé", titles, key="cmp_questionnaire")
labels = Labels.of(latest[qid])
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
    placeholder="Choisir…",
    select_all=False,
)
chosen = cmp.in_order(mine, chosen_ids)
groups = groups_of(version, qid, known, s.min_peer_territories, s.min_group_size)
view = cmp.compare(
    table,
    chosen,
    questionnaire_id=qid,
    known=known,
    min_territories=s.min_peer_territories,
    min_respondents=s.min_group_size,
    groups=groups,
    dimensions=labels.order,
    choice=group_choices(groups, chosen),
)
tab.peer_groups_said(view)

tabs = st.tabs(
    ["Profils", "Position", "Accord", "Écarts", "Groupes de pairs", "Évolution", "Exporter"]
)
with tabs[0]:
    tab.profiles(view, labels)
with tabs[1]:
    tab.position(view, labels)
with tabs[2]:
    tab.agreement(view, labels)
with tabs[3]:
    tab.gaps(actor, view, labels)
with tabs[4]:
    tab.groups(view, labels)
with tabs[5]:
    tab.evolution(actor, table, names, labels)
with tabs[6]:
    tab.export(actor, table, view, labels, latest[qid].title)
