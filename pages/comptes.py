"""Admin: accounts and their roles on territories."""

import streamlit as st

from diagnostic.accounts.access import (
    accounts_overview,
    accounts_table,
    create_account,
    grant_role,
    reset_password,
    revoke_role,
    set_account_active,
    unlock_account,
)
from diagnostic.accounts.security import MIN_PASSWORD_LENGTH, WeakPasswordError
from diagnostic.campaigns.coordination import my_territories
from diagnostic.errors import StoreError
from diagnostic.vocabulary import MEMBERSHIP_LABELS as ROLE_NAMES
from pages._shell import engine, flash, guard, plain

actor = guard("comptes")
st.title("Comptes")
flash()
users = accounts_overview(engine(), actor)
st.dataframe(
    accounts_table(users),
    hide_index=True,
    column_config={
        "Dernière connexion": st.column_config.DatetimeColumn(
            "Dernière connexion", format="DD/MM/YYYY HH:mm"
        )
    },
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
        st.error(f"Compte non créé : {plain(exc)}.")
    else:
        st.success(f"Compte {plain(user.email)} créé.")


def done(message: str) -> None:
    st.session_state["flash"] = message
    st.rerun()


if users:
    st.subheader("Gérer un compte")
    by_id = {u.id: u for u in users}
    chosen = by_id[
        st.selectbox(
            "Compte",
            list(by_id),
            format_func=lambda i: f"{by_id[i].email} — {by_id[i].name}",
            key="manage_user",
            placeholder="Choisir…",
        )
    ]
    state = "actif" if chosen.is_active else "désactivé"
    st.caption(
        f"Compte {state}"
        + (
            " · verrouillé : connexion bloquée depuis une adresse après trop d'échecs"
            if chosen.locked
            else ""
        )
        + (" · administrateur·rice" if chosen.is_admin else "")
        + f" · rôles : {plain(chosen.roles_text()) or 'aucun'}"
    )
    left, right = st.columns(2)
    try:
        if chosen.is_active and left.button(
            "Désactiver le compte",
            key="user_deactivate",
            help="Le compte ne peut plus se connecter ; ses sessions ouvertes sont fermées.",
        ):
            set_account_active(engine(), actor, user_id=chosen.id, active=False)
            done(f"Compte {plain(chosen.email)} désactivé.")
        if not chosen.is_active and left.button("Réactiver le compte", key="user_reactivate"):
            set_account_active(engine(), actor, user_id=chosen.id, active=True)
            done(f"Compte {plain(chosen.email)} réactivé.")
        if chosen.locked and right.button("Déverrouiller le compte", key="user_unlock"):
            unlock_account(engine(), actor, user_id=chosen.id)
            done(f"Compte {plain(chosen.email)} déverrouillé.")
    except StoreError as exc:
        st.error(f"Action refusée : {plain(exc)}.")
    with st.form("reset_form", clear_on_submit=True):
        temporary = st.text_input(
            f"Mot de passe temporaire ({MIN_PASSWORD_LENGTH} caractères au moins) : "
            "communiquez-le à la personne par un autre canal",
            type="password",
            key="reset_password",
        )
        reset = st.form_submit_button("Réinitialiser le mot de passe")
    if reset:
        try:
            reset_password(engine(), actor, user_id=chosen.id, password=temporary)
        except (StoreError, WeakPasswordError) as exc:
            st.error(f"Mot de passe non modifié : {plain(exc)}.")
        else:
            done(
                f"Mot de passe de {plain(chosen.email)} réinitialisé ; le compte est déverrouillé."
            )

st.subheader("Donner un rôle sur un territoire")
territories = my_territories(engine(), actor)
if not users or not territories:
    st.info("Il faut au moins un compte et un territoire.")
    st.stop()
with st.form("grant_form"):
    emails = {u.id: u.email for u in users}
    user_id = st.selectbox(
        "Compte", list(emails), format_func=emails.get, key="grant_user", placeholder="Choisir…"
    )
    names = {t.id: t.name for t in territories}
    territory_id = st.selectbox(
        "Territoire",
        list(names),
        format_func=names.get,
        key="grant_territory",
        placeholder="Choisir…",
    )
    role = st.selectbox(
        "Rôle",
        list(ROLE_NAMES),
        format_func=ROLE_NAMES.get,
        key="grant_role",
        placeholder="Choisir…",
    )
    give = st.form_submit_button("Accorder")
if give:
    try:
        grant_role(engine(), actor, user_id=user_id, territory_id=territory_id, role=role)
    except StoreError as exc:
        st.error(f"Rôle non accordé : {plain(exc)}.")
    else:
        done("Rôle accordé.")

st.subheader("Retirer un rôle")
held = {
    (u.id, m.territory_id, m.role): f"{u.email} — {m.territory} ({ROLE_NAMES.get(m.role, m.role)})"
    for u in users
    for m in u.memberships
}
if not held:
    st.info("Aucun compte n'a de rôle sur un territoire.")
    st.stop()
picked = st.selectbox(
    "Rôle à retirer", list(held), format_func=held.get, key="revoke_pick", placeholder="Choisir…"
)
if st.button("Retirer ce rôle", key="revoke_role"):
    try:
        revoke_role(engine(), actor, user_id=picked[0], territory_id=picked[1], role=picked[2])
    except StoreError as exc:
        st.error(f"Rôle non retiré : {plain(exc)}.")
    else:
        done(f"Rôle retiré ({plain(held[picked])}) ; effet à la prochaine action du compte.")
