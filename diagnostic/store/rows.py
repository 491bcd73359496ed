"""What every store module does with a row: insert it, change the fields a caller may change."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any, TypeVar

from sqlmodel import Session

from diagnostic.errors import StoreError

Row = TypeVar("Row")


def inserted(session: Session, row: Row) -> Row:
    """The row added to the transaction and flushed, so that its id is known at once."""
    session.add(row)
    session.flush()
    return row


def set_fields(session: Session, row: Row, fields: Mapping[str, Any], allowed: Set[str]) -> Row:
    """The row with `fields` changed; any field outside `allowed` refuses the whole change."""
    unknown = set(fields) - allowed
    if unknown:
        raise StoreError(f"champ non modifiable : {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)
    return row
