"""« Données personnelles »: the privacy notice, open to everyone."""

import streamlit as st

from diagnostic.privacy.service import notice
from pages._shell import guard, settings

guard("confidentialite")
st.title("Données personnelles")
st.markdown(notice(settings()))
