"""The one family of errors the domain raises: each a DiagnosticError with a French message.

A page or the command line catches DiagnosticError to show the message as it is; anything
else is a bug, shown as an incident reference (pages/_resilience.error_guard). The classes
keep their older Python bases (PermissionError, ValueError) so that nothing that caught
those before changes.
"""

from __future__ import annotations

from collections.abc import Sequence


class DiagnosticError(Exception):
    """A refusal or a problem the person can act on, with a French message for them."""


class ProblemsError(DiagnosticError):
    """A file with problems: `problems` lists every one found, the message one per line."""

    def __init__(self, problems: Sequence[object]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class AccessDenied(DiagnosticError, PermissionError):
    """The actor may not do this (French message, no detail about other people's data)."""


class StoreError(DiagnosticError, ValueError):
    """A request the store refuses, with a French message for the user."""


class SignInError(StoreError):
    """Sign-in refused (wrong credentials or locked account): one message for every case."""
