"""Admin: the audit log of sensitive actions, filtered by action, exportable."""

import streamlit as st

from diagnostic.accounts.journal import action_label, audit_log, export_log, logged_actions
from diagnostic.exports import MIME, file_name
from pages._shell import engine, guard

actor = guard("journal")
st.title("Journal des actions")
st.caption(
    "Les 200 dernières actions sensibles (comptes, rôles, liens, réouvertures, exports, "
    "effacements), les plus récentes d'abord. Heures de Paris."
)
codes = logged_actions(engine(), actor)
chosen = st.multiselect(
    "Filtrer par action",
    codes,
    format_func=action_label,
    key="log_actions",
    placeholder="Toutes les actions",
    select_all=False,
)
log = audit_log(engine(), actor, actions=chosen or None)
if log.empty:
    st.info(
        "Aucune action enregistrée pour l'instant." if not chosen else "Aucune action de ce type."
    )
    st.stop()

st.dataframe(
    log,
    hide_index=True,
    column_config={"Date": st.column_config.DatetimeColumn("Date", format="DD/MM/YYYY HH:mm")},
)
eng = engine()
for fmt, label in (("csv", "Télécharger (CSV)"), ("xlsx", "Télécharger (Excel)")):
    st.download_button(
        label,
        data=lambda fmt=fmt: export_log(eng, actor, actions=chosen or None, fmt=fmt).data,
        file_name=file_name("journal-des-actions", fmt),
        mime=MIME[fmt],
        key=f"log_{fmt}",
        on_click="ignore",
    )
