"""Bounded, safe reading of the YAML data files (questionnaires, actions, references, atelier…).

Every YAML file of `questions/` goes through `read_source` then `parse_yaml` (or `load_yaml`,
both at once), so a hostile or broken file costs at most a fraction of a second and gets one
`fichier:ligne: message` problem, never a traceback:

- size: at most `MAX_YAML_BYTES`, checked before the file is read whole;
- encoding: UTF-8, the line of the first bad byte is reported;
- nesting: at most `MAX_DEPTH` levels of `[`/`{` (counted by a quick scan before parsing, since
  the YAML scanner slows down quadratically on thousands of open brackets) and of collections
  (counted while composing), so that the recursion limit is never reached;
- aliases: the document, once every alias (`*nom`) is expanded, has at most `MAX_NODES` nodes
  (an alias bomb is stopped at the alias that crosses the bound), and an alias cannot sit
  inside its own anchor (a structure that never ends).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import CollectionNode, MappingNode, Node
from ruamel.yaml.reader import ReaderError

from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.messages import Problem, QuestionnaireError

__all__ = ["Problem", "QuestionnaireError", "decode", "load_yaml", "parse_yaml", "read_source"]

MAX_YAML_BYTES = 1024 * 1024  # the largest shipped file is about 75 kB
MAX_DEPTH = 50  # the shipped files nest at most 8 levels
MAX_NODES = 50_000  # the largest shipped file has about 2,600 nodes, aliases expanded


def _number(value: int) -> str:
    """50000 -> « 50 000 », as written in French."""
    return f"{value:,}".replace(",", " ")


def _too_big(name: str, size: str) -> QuestionnaireError:
    return m.FILE_TOO_BIG.fail(name, 1, size=size, limit=MAX_YAML_BYTES // 1024)


def read_source(path: str | Path) -> str:
    """The UTF-8 text of a data file, or a QuestionnaireError saying why it cannot be read."""
    name = str(path)
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise m.FILE_NOT_FOUND.fail(name, 0) from None
    except IsADirectoryError:
        raise m.FILE_IS_FOLDER.fail(name, 0) from None
    except OSError as exc:
        raise m.FILE_UNREADABLE.fail(name, 0, reason=exc.strerror) from None
    if len(data) > MAX_YAML_BYTES:
        raise _too_big(name, f"plus de {MAX_YAML_BYTES // 1024} Kio")
    return decode(data, name)


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); a bad byte is reported on its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise m.BAD_ENCODING.fail(name, line, byte=f"{data[exc.start]:02X}") from None


# A flow collection opens with `[` or `{`; the scan ignores quotes and comments, so a bracket in
# a text counts too: harmless, real files stay far below the bound.
_BRACKETS = re.compile(r"[\[\]{}\n]")


def _check_flow_depth(text: str, name: str) -> None:
    depth = 0
    line = 1
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(name, line, "de « [ » ou « { » ouverts")
        else:
            depth = max(0, depth - 1)


def _too_deep(name: str, line: int, what: str) -> QuestionnaireError:
    return m.TOO_DEEP.fail(name, line, limit=MAX_DEPTH, what=what)


class _Bounded(Exception):
    """A bound of the composer was crossed; carries the line and the coded message."""

    def __init__(self, line: int, message: m.Message, **values: Any):
        self.line = line
        self.message = message
        self.values = values
        super().__init__(message.code)


class _BoundedComposer(Composer):
    """ruamel's composer, counting depth and nodes (aliases expanded) as it goes."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._level = 0
        self._nodes = 0
        self._sizes: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            node = super().compose_node(parent, index)
            line = event.start_mark.line + 1
            if isinstance(node, CollectionNode) and node.end_mark is None:
                raise _Bounded(line, m.ALIAS_IN_ITS_ANCHOR, alias=event.anchor)
            size, height = self._measure(node)
            if self._level + height > MAX_DEPTH:
                raise _Bounded(
                    line, m.TOO_DEEP, limit=MAX_DEPTH, what="de listes ou de tables, alias dépliés"
                )
            self._count(size, line, event.anchor)
            return node
        event = self.parser.peek_event()
        line = event.start_mark.line + 1
        self._level += 1
        if self._level > MAX_DEPTH:
            raise _Bounded(line, m.TOO_DEEP, limit=MAX_DEPTH, what="de listes ou de tables")
        self._count(1, line, None)
        try:
            return super().compose_node(parent, index)
        finally:
            self._level -= 1

    def _count(self, nodes: int, line: int, alias: str | None) -> None:
        self._nodes += nodes
        if self._nodes <= MAX_NODES:
            return
        if alias is None:
            raise _Bounded(line, m.TOO_MANY_NODES, limit=_number(MAX_NODES))
        raise _Bounded(line, m.ALIAS_BOMB, alias=alias, limit=_number(MAX_NODES))

    def _measure(self, node: Node) -> tuple[int, int]:
        """Nodes under `node` and its height, aliases expanded; each node is measured once."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, CollectionNode):
            children = list(node.value)
        else:
            children = []
        measures = [self._measure(child) for child in children]
        size = 1 + sum(m[0] for m in measures)
        height = 1 + max((m[1] for m in measures), default=0)
        self._sizes[id(node)] = (size, height)
        return size, height


def parse_yaml(text: str, name: str) -> Any:
    """Round-trip YAML (keeps line numbers), bounded; problems become `file:line` problems."""
    if len(text) > MAX_YAML_BYTES:
        raise _too_big(name, f"{len(text)} caractères")
    _check_flow_depth(text, name)
    yaml = YAML(typ="rt")
    yaml.Composer = _BoundedComposer
    try:
        data = yaml.load(text)
    except _Bounded as exc:
        raise exc.message.fail(name, exc.line, **exc.values) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or "syntaxe YAML invalide"
        raise m.BAD_SYNTAX.fail(name, line, problem=what) from None
    except ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else 0
        raise m.FORBIDDEN_CHARACTER.fail(name, line, char=f"{code:04X}") from None
    except YAMLError as exc:
        raise m.BAD_SYNTAX.fail(name, 0, problem=exc) from None
    except RecursionError:  # the bounds above should make this unreachable
        raise _too_deep(name, 1, "de listes ou de tables") from None
    if data is None:
        raise m.EMPTY_FILE.fail(name, 1)
    return data


def load_yaml(path: str | Path) -> tuple[str, Any]:
    """Read and parse one data file, bounded: its text and its round-trip data."""
    text = read_source(path)
    return text, parse_yaml(text, str(path))
