"""Streamlit helpers for database faults: the "database unavailable" screen, answers waiting
to be saved, and answers another tab (or device) saved meanwhile."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from diagnostic.accounts.permissions import Actor
from diagnostic.answering.respondent import SAVE_ATTEMPTS, AnswerNotSaved, record_answer
from diagnostic.errors import StoreError
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import AnswerError, codec_for
from diagnostic.store.faults import UNAVAILABLE_MESSAGE, is_unavailable
from diagnostic.vocabulary import count as n_of
from pages._shell import plain

PENDING = "pending_answers"  # question id -> the raw answer the database has not taken yet
SEEN = "seen_answers"  # the stored answers as this session last read them
OWN = "own_writes"  # questions this session saved since its last run
FAILED_NOW = "save_failed_this_run"  # the callback of this run already retried: do not wait again
_LOG = logging.getLogger(__name__)
UNEXPECTED_MESSAGE = (
    "Une erreur inattendue est survenue : la page n'a pas pu s'afficher en entier. "
    "Réessayez dans un instant ; si le problème persiste, transmettez à votre administrateur·rice "
    "la référence de l'incident. Référence de l'incident : {reference}. "
    "Vos réponses déjà enregistrées sont conservées."
)


class Navigation:
    """Whether this run of the router has already called st.navigation."""

    done = False


def report_unexpected() -> str:
    """Log the exception being handled with a new incident reference; the French message."""
    reference = secrets.token_hex(4).upper()
    _LOG.exception("unexpected error, incident %s", reference)
    return UNEXPECTED_MESSAGE.format(reference=reference)


@contextmanager
def error_guard() -> Iterator[Navigation]:
    """Turn any unexpected exception of a run into a French message with a short incident
    reference; the traceback goes to the server's log with the same reference.

    Streamlit's own control flow (st.stop, st.rerun, st.switch_page) raises subclasses of
    BaseException that `except Exception` never catches: they pass through untouched."""
    navigation = Navigation()
    try:
        yield navigation
    except Exception:
        message = report_unexpected()
        if navigation.done:  # the menu and the page's start are drawn: the message follows
            st.error(message, icon=":material/error:")
            return
        # st.navigation must be called in every run (see database_guard)
        page = st.Page(lambda: st.error(message), title="Erreur", url_path="erreur")
        st.navigation([page], position="hidden").run()


def guarded(function: Callable[[], None]) -> Callable[[], None]:
    """The same guard for a fragment, whose reruns do not go through the router."""

    @functools.wraps(function)
    def run() -> None:
        try:
            function()
        except Exception as exc:
            if is_unavailable(exc):  # the next full run shows the database screen
                _LOG.warning("database unavailable: %s", exc)
                st.error(UNAVAILABLE_MESSAGE)
                return
            st.error(report_unexpected(), icon=":material/error:")

    return run


def explain(exc: BaseException) -> None:
    """Say in French what a fault caught earlier in the run (in a widget's callback, which
    runs before the page and its guards) means: the database out of reach, or an unexpected
    error with its incident reference (the traceback goes to the log)."""
    if is_unavailable(exc):
        _LOG.warning("database unavailable: %s", exc)
        st.error(UNAVAILABLE_MESSAGE)
        return
    reference = secrets.token_hex(4).upper()
    _LOG.error("unexpected error, incident %s", reference, exc_info=exc)
    st.error(UNEXPECTED_MESSAGE.format(reference=reference), icon=":material/error:")


@contextmanager
def database_guard() -> Iterator[None]:
    """Turn "database unavailable" anywhere in a run into a French message and a retry button
    (never a traceback); the answers waiting in this session are kept for the next run."""
    try:
        yield
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        _LOG.warning("database unavailable: %s", exc)
        st.session_state.pop(FAILED_NOW, None)  # this run is over: the next one sends again
        # st.navigation must be called in every run of the router, or Streamlit falls back to
        # running pages/ files directly; a second call in a run replaces the first.
        page = st.Page(_unavailable, title="Base indisponible", url_path="indisponible")
        st.navigation([page], position="hidden").run()


def _unavailable() -> None:
    st.error(UNAVAILABLE_MESSAGE)
    waiting = len(st.session_state.get(PENDING, {}))
    if waiting:
        st.warning(
            f"{_pending(waiting)} "
            + (
                "est gardée dans cette page : elle sera envoyée"
                if waiting < 2
                else "sont gardées dans cette page : elles seront envoyées"
            )
            + " dès que la base répondra."
        )
    st.button("Réessayer", key="db_retry", type="primary")


def pending() -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(PENDING, {})


def save_answer(
    engine: Any,
    actor: Actor,
    questionnaire: Questionnaire,
    participant_id: int,
    question_id: str,
    raw: dict[str, Any],
    *,
    attempts: int = SAVE_ATTEMPTS,
) -> bool:
    """Store one answer; when the database is unavailable keep it pending (never dropped).

    Any refusal is left in st.session_state["save_error"] for the next run to show."""
    try:
        record_answer(
            engine, actor, questionnaire, participant_id, question_id, raw, attempts=attempts
        )
    except AnswerNotSaved:  # pending_notice() tells the respondent
        pending()[question_id] = raw
        st.session_state[FAILED_NOW] = True
        return False
    except (AnswerError, StoreError) as exc:  # a refusal: sending it again would not help
        pending().pop(question_id, None)
        st.session_state["save_error"] = f"Réponse non enregistrée : {plain(exc)}."
        return False
    except Exception:  # unexpected: keep the answer rather than lose it, and log the cause
        _LOG.exception("answer %s not saved", question_id)
        pending()[question_id] = raw
        st.session_state[FAILED_NOW] = True
        return False
    pending().pop(question_id, None)
    st.session_state.setdefault(OWN, set()).add(question_id)
    return True


def resend_pending(engine: Any, actor: Actor, questionnaire: Questionnaire, pid: int) -> bool:
    """Send again (one attempt each) the answers a failed save left waiting, oldest first;
    not in the run whose widget callback has just tried them all. True when at least one
    was stored (the answers read before are then out of date)."""
    if st.session_state.pop(FAILED_NOW, False):
        return False
    sent = False
    for question_id, raw in list(pending().items()):
        if not save_answer(engine, actor, questionnaire, pid, question_id, raw, attempts=1):
            break
        sent = True
    return sent


def pending_notice() -> None:
    """Tell the respondent which answers are waiting, with a button that sends them again."""
    waiting = pending()
    if waiting:
        st.warning(
            f"La base de données ne répond pas pour le moment : "
            f"{_pending(len(waiting))}. "
            + (
                "Elle reste affichée dans cette page et sera envoyée"
                if len(waiting) < 2
                else "Elles restent affichées dans cette page et seront envoyées"
            )
            + " à votre prochaine action, ou tout de suite avec « Réessayer »."
        )
        st.button("Réessayer", key="retry_pending", type="primary")  # a rerun resends them


def follow_other_tabs(questionnaire: Questionnaire, answers: dict[str, dict[str, Any]]) -> None:
    """Show what another tab or device saved since this session's last run.

    Each answer is one atomic write and the last write of a question wins; without this the
    widgets on screen would keep this session's older value. Questions this session just
    saved, or still has waiting, keep this session's value. Call before drawing the widgets."""
    seen = st.session_state.get(SEEN)
    own = st.session_state.pop(OWN, set())
    st.session_state[SEEN] = answers
    if seen is None:
        return
    waiting = pending()
    changed = {
        question_id
        for question_id in set(seen) | set(answers)
        if seen.get(question_id) != answers.get(question_id)
        and question_id not in own
        and question_id not in waiting
    }
    for question in questionnaire.questions():
        codec = codec_for(question)
        if question.id not in changed or not codec.stateful:  # a text field is given its text
            continue
        for key, value in codec.widgets(question, answers.get(question.id) or {}).items():
            if key in st.session_state:  # a widget on screen: the stored value replaces it
                st.session_state[key] = value


def _pending(n: int) -> str:
    return n_of(n, "réponse pas encore enregistrée", "réponses pas encore enregistrées")
