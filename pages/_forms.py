"""Small Streamlit fragments of the pages' forms: a title field, a choice among labelled values,
a store refusal said in French, a message for the next run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import streamlit as st

from diagnostic.errors import StoreError
from pages._shell import plain


def title_input(label: str, default: str, *, key: str) -> str:
    """The title of what a form creates (a campaign, a workshop): proposed, 200 characters at
    most (what the store keeps)."""
    return st.text_input(label, value=default, max_chars=200, key=key)


def choose(
    label: str,
    labels: Mapping[Any, str],
    *,
    key: str,
    options: Iterable[Any] | None = None,
    where: Any = st,
    many: bool = False,
    **more: Any,
) -> Any:
    """A selectbox (a multiselect when `many`), in `where` (a column, a form…), of the keys of
    `labels`, or of `options`, each shown by its label; `more`: the widget's other arguments
    (index, help…)."""
    values = list(labels if options is None else options)
    if many:  # Streamlit's « Select all » entry is in English: never shown
        more = {"select_all": False, **more}
    widget = where.multiselect if many else where.selectbox
    return widget(label, values, format_func=labels.get, key=key, **more)


@contextmanager
def refused(what: str, *also: type[Exception]) -> Iterator[None]:
    """Says why the store (or a check named in `also`) refused the action (what did not happen:
    the reason)."""
    try:
        yield
    except (StoreError, *also) as exc:
        st.error(f"{what} : {plain(exc)}.")


def rerun_with(message: str) -> NoReturn:
    """Run the page again, showing `message` once at its top (see `flash`)."""
    st.session_state["flash"] = message
    st.rerun()
