"""Sign-in page for coordinators, consultants, facilitators and admins."""

import streamlit as st

from diagnostic.access import sign_in_user
from diagnostic.store.accounts import SignInError
from pages._shell import engine, flash, guard, settings, sign_in

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
        user_id = sign_in_user(engine(), settings(), email=email, password=password)
    except SignInError as exc:
        st.error(f"Connexion refusée : {exc}.")
    else:
        sign_in(user_id)
        st.rerun()
