"""The link secret: from the settings (LINK_SECRET), else created once in DATA_DIR/link-secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from diagnostic.errors import DiagnosticError
from diagnostic.settings import Settings, get_settings

SECRET_FILE = "link-secret"
MIN_SECRET_LENGTH = 32


class LinkSecretError(DiagnosticError, RuntimeError):
    """The configured secret is too short to derive links from."""


def link_secret(settings: Settings | None = None) -> bytes:
    """The key every invitation token derives from (accounts.security.derived_token).

    LINK_SECRET when set (at least 32 characters); otherwise the file DATA_DIR/link-secret,
    written once with 48 random bytes and mode 0600, then reused. Changing or losing it ends
    every link issued since (the random links issued before migration 0010 do not depend on it).
    """
    settings = settings or get_settings()
    if settings.link_secret is not None:
        value = settings.link_secret.get_secret_value()
        if len(value) < MIN_SECRET_LENGTH:
            raise LinkSecretError(
                f"LINK_SECRET doit compter au moins {MIN_SECRET_LENGTH} caractères "
                '(par exemple : python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return value.encode("utf-8")
    return _secret_file(Path(settings.data_dir) / SECRET_FILE)


def _secret_file(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: two processes starting together keep the one written first
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    return _read(path)


def _read(path: Path) -> bytes:
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_SECRET_LENGTH:  # a file cut short while being written: refuse it
        raise LinkSecretError(f"{path} est trop court : supprimez-le pour en créer un nouveau")
    return value.encode("ascii")
