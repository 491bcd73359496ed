"""Shown for an unknown, revoked or expired invitation link."""

import streamlit as st

from pages import _router  # noqa: F401  (first visit of a fresh server: through app.py)

st.title("Lien invalide ou expiré")
st.error(
    "Ce lien d'invitation n'est pas (ou plus) valide : il a pu être remplacé par un nouveau lien, "
    "ou la campagne de diagnostic est close."
)
st.markdown(
    "Demandez à la personne qui coordonne le diagnostic de votre territoire de vous renvoyer "
    "votre lien personnel. Vos réponses déjà enregistrées ne sont pas perdues."
)
