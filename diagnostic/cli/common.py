"""What every command shares: the registry, the user-error type, the engine opened on demand."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from diagnostic.errors import DiagnosticError
from diagnostic.settings import get_settings

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


class CliError(DiagnosticError):
    """A user mistake: printed on one line, exit status 1, no traceback."""


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[..., int]]:
    def wrap(fn: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
        COMMANDS[name] = fn
        return fn

    return wrap


def open_engine():  # type: ignore[no-untyped-def]
    """The database of the settings, migrated: opened by the commands that need it only."""
    from diagnostic.bootstrap import upgrade
    from diagnostic.store.engine import configure_pool, get_engine

    settings = get_settings()
    configure_pool(settings.db_pool_size, settings.db_pool_overflow)
    engine = get_engine(settings.effective_database_url)
    upgrade(engine, settings.questions_dir)
    return engine


def identifier(text: str) -> int:
    """An id typed on the command line: a positive whole number that a database can hold."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un numéro valide")
    return value
