"""What the bench's floors share (bare Streamlit scripts, no logic): the page set-up and the
same sign-in form as the app's, which lets anyone in."""

import streamlit as st


def signed_in_or_stop() -> None:
    """The wide page and, until « Se connecter » is clicked, the sign-in form alone."""
    st.set_page_config(page_title="Plancher", layout="wide")
    if st.session_state.get("signed_in"):
        return
    st.subheader("Connexion des coordinateur·rices")
    with st.form("login"):
        st.text_input("Adresse électronique")
        st.text_input("Mot de passe", type="password")
        if st.form_submit_button("Se connecter", type="primary"):
            st.session_state["signed_in"] = True
            st.rerun()
    st.stop()
