"""Hostile YAML files (alias bomb, deep nesting, bad byte) and the check every loader must pass.

Each loader (questionnaire, actions, references, workshop programme) answers them quickly with
one `fichier:ligne: message` problem, never a traceback. The time bound is generous (the issue
asks for under 2 s, on a busy machine): it catches the minute-long runs, not small slowdowns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from diagnostic.questionnaire import QuestionnaireError

HEAD = "id: essai\nversion: '1'\n"


def billion_laughs() -> tuple[bytes, range]:
    """Ten levels of aliases, each repeating the previous one ten times (10^10 leaves).

    Returns the file and the lines of the bomb (the problem is reported on one of them)."""
    lines = ['lol0: &lol0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, 10):
        repeats = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{repeats}]")
    text = HEAD + "\n".join(lines) + "\n"
    first = HEAD.count("\n") + 1
    return text.encode(), range(first, first + len(lines))


def nested_flow(depth: int = 50_000) -> bytes:
    """`[` opened `depth` times on line 3, never closed."""
    return (HEAD + "title: " + "[" * depth + "\n").encode()


def nested_block(depth: int = 50_000) -> bytes:
    """`- ` repeated `depth` times on line 3: sequences nested in block style."""
    return ("# Deux lignes de commentaire,\n# puis la ligne 3.\n" + "- " * depth + "x\n").encode()


def bad_byte_on_line_7() -> bytes:
    """Six lines of valid UTF-8 (with accents), then a Latin-1 « é » on line 7."""
    good = "".join(f"cle{i}: Élément n° {i}\n" for i in range(1, 7)).encode()
    return good + "titre: Côte-d'Or\n".encode("latin-1") + b"fin: oui\n"


def one_problem(load: Callable[[Path], Any], path: Path, data: bytes) -> tuple[str, float]:
    """Write `data` to `path`, load it and return the single problem reported, with the time."""
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(QuestionnaireError) as caught:
        load(path)
    elapsed = time.perf_counter() - start
    assert len(caught.value.problems) == 1, caught.value.problems
    return str(caught.value.problems[0]), elapsed


def check_hostile_files(load: Callable[[Path], Any], folder: Path, name: str) -> None:
    """The four hostile files, each answered under 2 s with `fichier:ligne: message`."""
    path = folder / name
    data, bomb_lines = billion_laughs()
    message, elapsed = one_problem(load, path, data)
    assert elapsed < 2, f"alias bomb took {elapsed:.1f} s"
    line = int(message.removeprefix(f"{path}:").split(":", 1)[0])
    assert line in bomb_lines, message
    assert "alias" in message

    for data in (nested_flow(), nested_block()):
        message, elapsed = one_problem(load, path, data)
        assert elapsed < 2, f"deep nesting took {elapsed:.1f} s"
        assert message.startswith(f"{path}:3: imbrication trop profonde"), message

    message, elapsed = one_problem(load, path, bad_byte_on_line_7())
    assert message.startswith(f"{path}:7: "), message
    assert "enregistrez le fichier en UTF-8" in message
