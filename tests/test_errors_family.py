"""One family of domain errors (issue 14): every exception class that diagnostic/ defines is a
DiagnosticError, so a page or the command line can show any of them as French product text."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import diagnostic
from diagnostic.errors import AccessDenied, DiagnosticError, StoreError


def _domain_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(diagnostic.__path__, "diagnostic."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            public = not obj.__name__.startswith("_")  # private: control flow inside a module
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__ and public:
                found.append(obj)
    return found


def test_every_domain_exception_is_a_diagnostic_error() -> None:
    found = _domain_exceptions()
    assert AccessDenied in found and StoreError in found
    outside = [
        f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, DiagnosticError)
    ]
    assert outside == []


def test_older_bases_are_kept() -> None:
    assert issubclass(AccessDenied, PermissionError) and issubclass(StoreError, ValueError)
