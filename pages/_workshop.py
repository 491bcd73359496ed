"""Streamlit-only helpers of the three workshop pages: links, refresh rates, static styles."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from diagnostic.accounts.permissions import PAGES
from diagnostic.workshop import Programme, programme_for
from diagnostic.workshop.codes import join_link, qr_svg
from diagnostic.workshop.service import Live, WorkshopInfo
from pages._shell import settings

CODE_PARAM = "atelier"  # ?atelier=CODE : the participants' page (no account)
SEAT_PARAM = "p"  # &p=TOKEN : a participant's seat, kept in the URL so that a reload resumes
SCREEN_PARAM = "ecran"  # ?ecran=TOKEN : the read-only screen for a projector
STYLES = Path(__file__).resolve().parent / "styles"


def _path(key: str) -> str:
    return next(p.path for p in PAGES if p.key == key)


def link_page() -> str | None:
    """The page a workshop link opens (app.py routes it like an invitation link), or None."""
    if st.query_params.get(SCREEN_PARAM):
        return _path("projection")
    if st.query_params.get(CODE_PARAM) is not None:
        return _path("participer")
    return None


def phone_refresh() -> float:
    """Seconds between two refreshes of a phone (WORKSHOP_REFRESH_SECONDS): 150 of them."""
    return float(settings().workshop_refresh_seconds)


def screen_refresh() -> float:
    """The screen and the console follow the room twice as closely (3 s at most)."""
    return max(1.0, min(3.0, phone_refresh() / 2))


def programme() -> Programme:
    """The workshop's steps (questions/atelier.yaml, read again only when the file changes)."""
    return programme_for(settings().questions_dir)


def participant_link(code: str) -> str:
    return join_link(settings().public_url, code)


def screen_link(token: str) -> str:
    return f"{settings().public_url}/?{SCREEN_PARAM}={token}"


@st.cache_data(max_entries=32, show_spinner=False)
def qr_image(link: str) -> str:
    """The QR code of a link as SVG text (st.image shows it inline, stable across refreshes)."""
    return qr_svg(link)


def reload_if_stale(now: Live, info: WorkshopInfo) -> None:
    """A territory's campaign was erased since this page was built: build it again without
    that territory (once per change, so that a mismatch can never loop)."""
    if now.stale(info):
        mark = (info.id, now.territories)
        if st.session_state.get("ws_reloaded") != mark:
            st.session_state["ws_reloaded"] = mark
            st.rerun(scope="app")


def style(name: str) -> None:
    """Apply one of the static style sheets of pages/styles/ (never any user text)."""
    st.html(STYLES / f"{name}.css")
