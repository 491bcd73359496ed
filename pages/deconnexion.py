"""Sign out."""

import streamlit as st

from pages._shell import guard, sign_out, sso_logged_in

guard("deconnexion")
used_sso = sso_logged_in()
sign_out("Vous êtes déconnecté·e.")
if used_sso:  # also end the identity provider's session, or it would sign us in again
    st.logout()
st.rerun()
