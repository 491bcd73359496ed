"""Sign out: the server-side session ends and the browser forgets its cookie."""

import streamlit as st

from pages._shell import end_this_session, engine, guard, sso_logged_in

guard("deconnexion")
used_sso = sso_logged_in()
leaving = end_this_session(engine())
if used_sso:  # also end the identity provider's session, or it would sign us in again
    st.logout()
elif leaving:  # the browser goes to have its cookie cleared, and comes back home
    st.stop()
st.rerun()
