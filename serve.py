"""The web server: the Streamlit app of app.py plus the route that sets the session cookie.

Run with `streamlit run serve.py` (same options and .streamlit/config.toml as app.py, which
stays the Streamlit script: tests run it directly). Streamlit finds `app` below and serves
app.py through it, with one more route, `/_session`, under the server's base path:

- `/_session?ticket=…` with a ticket of a sign-in sets the cookie that keeps the account
  signed in across reloads and tabs: HttpOnly (no script of the page can read it),
  SameSite=Lax, Path of the app, Secure when the request came over HTTPS (directly, or through
  a trusted reverse proxy's X-Forwarded-Proto: uvicorn's FORWARDED_ALLOW_IPS) or PUBLIC_URL
  starts with https. No Max-Age: the browser forgets it when it closes; the server forgets the
  session after the inactivity timeout, at sign-out, password change and deactivation.
- with a ticket of a sign-out it clears the cookie.

Either way the browser is sent back home (303), and the answer is neither cached nor given as
a referrer. A ticket is good once, for one minute, and only from a page of the app itself
(Sec-Fetch-Site): a link from another site cannot sign a browser in to someone else's account.

At start, before the server accepts anyone, the domain's modules are imported and the shipped
files loaded (`diagnostic.bootstrap.warm_up`, 2 to 3 s): the first sign-in and the first
results view of a fresh server do not pay them (bench/RESULTS.md § 11).
"""

from __future__ import annotations

import logging
import time

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from diagnostic.accounts.sessions import (
    COOKIE_NAME,
    ROUTE_NAME,
    cookie_answer,
    mount_cookie_route,
)
from diagnostic.bootstrap import settle_memory, warm_up
from diagnostic.settings import get_settings

BASE = "/" + str(config.get_option("server.baseUrlPath") or "").strip("/")
HOME = BASE.rstrip("/") + "/"
ROUTE = f"{HOME}{ROUTE_NAME}"


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return (
        request.url.scheme == "https"
        or forwarded == "https"
        or get_settings().public_url.lower().startswith("https://")
    )


def session_cookie(request: Request) -> Response:
    answer = cookie_answer(
        request.query_params.get("ticket"),
        home=HOME,
        https=_https(request),
        fetch_site=request.headers.get("sec-fetch-site"),
    )
    response = RedirectResponse(answer.target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    cookie = {"path": HOME, "httponly": True, "samesite": "lax", "secure": answer.secure}
    if answer.value:
        response.set_cookie(COOKIE_NAME, answer.value, **cookie)  # type: ignore[arg-type]
    elif answer.clear:
        response.delete_cookie(COOKIE_NAME, **cookie)  # type: ignore[arg-type]
    return response


def _warm() -> None:
    """Import the domain and load the shipped files now, before the server accepts anyone: a
    page run importing the same modules in another thread at the same time could meet a
    module half imported."""
    started = time.monotonic()
    try:
        count = warm_up(get_settings().questions_dir)
    except Exception:  # noqa: BLE001 - warming is an optimisation: the pages import on demand
        logging.getLogger(__name__).exception("préchargement interrompu")
        return
    logging.getLogger(__name__).info(
        "préchargement : %d modules en %.1f s", count, time.monotonic() - started
    )


# Every page runs through app.py's router from the very first visit: without this, a fresh
# server starts in Streamlit's "pages folder" mode until app.py first calls st.navigation, and
# pages/_router.py leaves it by a rerun raised while its module is being imported — which, with
# many first visits at once, let other sessions import half-initialised page modules (« cannot
# import name … », 4 to 18 of 150 phones joining a fresh server in bench/workshop_refresh.py).
PagesManager.uses_pages_directory = False
_warm()
# What start-up loaded stays for the process's life (see settle_memory).
settle_memory()
mount_cookie_route(ROUTE)
app = st.App("app.py", routes=[Route(ROUTE, session_cookie, methods=["GET"])])
