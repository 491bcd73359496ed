"""Sign out."""

import streamlit as st

from pages._shell import guard, sign_out

guard("deconnexion")
sign_out("Vous êtes déconnecté·e.")
st.rerun()
