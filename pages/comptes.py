"""Admin: accounts and their roles on territories."""

import pandas as pd
import streamlit as st

from diagnostic.access import create_account, grant_role, list_accounts
from diagnostic.coordination import my_territories
from diagnostic.security import WeakPasswordError
from diagnostic.store.territories import StoreError
from pages._shell import engine, guard, plain

ROLE_NAMES = {
    "coordinator": "Coordination",
    "consultant": "Consultant·e",
    "facilitator": "Animation d'atelier",
}

actor = guard("comptes")
st.title("Comptes")
users = list_accounts(engine(), actor)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Adresse": u.email,
                "Nom": u.name,
                "Administrateur": u.is_admin,
                "Actif": u.is_active,
                "Dernière connexion": u.last_login_at,
            }
            for u in users
        ]
    ),
    hide_index=True,
)

st.subheader("Créer un compte")
with st.form("account_form", clear_on_submit=True):
    email = st.text_input("Adresse électronique", key="acc_email")
    name = st.text_input("Nom affiché", key="acc_name")
    password = st.text_input(
        "Mot de passe initial (10 caractères au moins)", type="password", key="acc_password"
    )
    is_admin = st.checkbox("Administrateur·rice", key="acc_admin")
    create = st.form_submit_button("Créer le compte", type="primary")
if create:
    try:
        user = create_account(
            engine(), actor, email=email, name=name, password=password, is_admin=is_admin
        )
    except (StoreError, WeakPasswordError) as exc:
        st.error(f"Compte non créé : {exc}.")
    else:
        st.success(f"Compte {plain(user.email)} créé.")

st.subheader("Donner un rôle sur un territoire")
territories = my_territories(engine(), actor)
if not users or not territories:
    st.info("Il faut au moins un compte et un territoire.")
    st.stop()
with st.form("grant_form"):
    emails = {u.id: u.email for u in users}
    user_id = st.selectbox("Compte", list(emails), format_func=emails.get, key="grant_user")
    names = {t.id: t.name for t in territories}
    territory_id = st.selectbox(
        "Territoire", list(names), format_func=names.get, key="grant_territory"
    )
    role = st.selectbox("Rôle", list(ROLE_NAMES), format_func=ROLE_NAMES.get, key="grant_role")
    give = st.form_submit_button("Accorder")
if give:
    try:
        grant_role(engine(), actor, user_id=user_id, territory_id=territory_id, role=role)
    except StoreError as exc:
        st.error(f"Rôle non accordé : {exc}.")
    else:
        st.success("Rôle accordé.")
