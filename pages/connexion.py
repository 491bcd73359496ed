"""Sign-in page for coordinators, consultants, facilitators and admins."""

import streamlit as st
from streamlit.errors import StreamlitAuthError

from diagnostic.accounts.access import sign_in_user
from diagnostic.errors import SignInError
from pages._shell import (
    client_address,
    engine,
    flash,
    guard,
    plain,
    settings,
    sign_in,
    sso_configured,
    sso_logged_in,
)

guard("connexion")
st.title("Diagnostic de la gouvernance administrative du territoire")
flash()
st.markdown(
    "Cet outil accompagne les équipes de direction d'une intercommunalité et de ses communes "
    "dans l'autodiagnostic de leur gouvernance administrative et la préparation de la feuille "
    "de route du mandat."
)
st.info(
    "Vous avez reçu un **lien personnel** pour répondre au questionnaire ? Ouvrez simplement ce "
    "lien : aucun compte n'est nécessaire."
)
st.subheader("Connexion des coordinateur·rices")
with st.form("login_form"):
    email = st.text_input("Adresse électronique", key="login_email")
    password = st.text_input("Mot de passe", type="password", key="login_password")
    submitted = st.form_submit_button("Se connecter", type="primary")
if submitted:
    try:
        user_id = sign_in_user(
            engine(), settings(), email=email, password=password, source=client_address()
        )
    except SignInError as exc:
        st.error(f"Connexion refusée : {plain(exc)}.")
    else:
        if sign_in(engine(), user_id):  # the browser goes to get its session cookie
            st.stop()
        st.rerun()

if sso_configured():
    st.divider()
    refused = st.session_state.get("sso_refused")
    if refused and sso_logged_in():
        who = f" ({plain(refused[0])})" if refused[0] else ""
        st.error(f"Connexion refusée{who} : {plain(refused[1])}.")
        if st.button("Changer de compte de la collectivité", key="sso_logout"):
            st.session_state.pop("sso_refused", None)
            st.logout()
    elif st.button(
        "Se connecter avec le compte de ma collectivité", key="sso_login", icon=":material/badge:"
    ):
        try:
            st.login()
        except StreamlitAuthError:
            st.error(
                "La connexion par le compte de la collectivité n'est pas configurée : il manque "
                "la section [auth] de .streamlit/secrets.toml (voir le README)."
            )
