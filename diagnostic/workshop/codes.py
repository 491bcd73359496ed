"""Join codes: short, easy to read aloud and to type on a phone, hard to guess."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from diagnostic.errors import DiagnosticError

# No 0/O, 1/I/L: the characters people confuse when a code is read aloud or projected.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31**6 ≈ 887 million codes
MAX_ATTEMPTS = 20


class CodeSpaceExhausted(DiagnosticError, RuntimeError):
    """No free code found after MAX_ATTEMPTS draws (practically impossible)."""


def new_code(length: int = CODE_LENGTH) -> str:
    """A random code drawn with `secrets` from the unambiguous alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def unique_code(taken: Callable[[str], bool], length: int = CODE_LENGTH) -> str:
    """A fresh code that `taken` does not already know (drawn again on a collision)."""
    for _ in range(MAX_ATTEMPTS):
        code = new_code(length)
        if not taken(code):
            return code
    raise CodeSpaceExhausted("impossible de tirer un code d'atelier libre")


def normalize_code(raw: str | None) -> str | None:
    """The code a person typed, as stored: upper case, spaces and dashes removed.

    Returns None when it cannot be a code (wrong length or a character outside the
    alphabet), so that the database is not asked about obvious typos.
    """
    if not raw:
        return None
    code = "".join(c for c in raw.upper() if not c.isspace() and c not in "-.")
    if not 6 <= len(code) <= 8 or any(c not in ALPHABET for c in code):
        return None
    return code


def spoken(code: str) -> str:
    """The code as projected and read aloud, in groups of three: « K7M 4QX »."""
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))


def join_link(public_url: str, code: str) -> str:
    """The address participants open (the QR code encodes it)."""
    return f"{public_url.rstrip('/')}/?atelier={code}"


def qr_svg(text: str) -> str:
    """A QR code as an SVG document, dark on white: sharp at any size, and the same text at
    every refresh of the screen (a PNG would be served again and flicker)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=10, border=2, dark="#000000")
    return buffer.getvalue().decode("utf-8")
