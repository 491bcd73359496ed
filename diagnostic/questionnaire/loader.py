"""Load questionnaire YAML files and report every problem as `file:line: message [CODE]`.

`schema_problems` turns pydantic's errors into coded problems of the catalogue
(questionnaire/messages.py); every YAML loader uses it, with its own way of naming where.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.messages import Form, Problem, QuestionnaireError
from diagnostic.questionnaire.schema import (
    IDENTIFIER_PATTERN,
    Questionnaire,
    QuestionType,
    as_plain,
)
from diagnostic.questionnaire.source import load_yaml, parse_yaml, read_source

__all__ = [
    "Problem",
    "QuestionnaireError",
    "key_path",
    "line_of",
    "load_questionnaire",
    "load_yaml",
    "parse_questionnaire",
    "parse_yaml",
    "read_source",
    "schema_problems",
    "validated",
]


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate one file; raise QuestionnaireError listing all its problems."""
    return parse_questionnaire(read_source(path), str(path))


def parse_questionnaire(text: str, name: str = "<texte>") -> Questionnaire:
    """Parse and validate questionnaire YAML text."""
    data = parse_yaml(text, name)
    questionnaire = validated(
        Questionnaire,
        data,
        name,
        expected="un questionnaire (des clés id, version…)",
        where=key_path(data, skip={"sections", "questions"}),
        kinds={"type": "type de question"},
    )
    problems = check_references(questionnaire, data, name)
    if problems:
        raise QuestionnaireError(problems)
    return questionnaire


def line_of(data: Any, loc: tuple[Any, ...]) -> int:
    """Best line (1-based) for a pydantic error location inside ruamel data."""
    node = data
    line = 1
    for key in loc:
        try:
            if isinstance(node, dict):
                if key not in node and isinstance(key, str) and key.isdigit():
                    key = int(key)
                if key in node:
                    line = node.lc.key(key)[0] + 1
                    node = node[key]
                    continue
                break
            if isinstance(node, list) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
                continue
        except (AttributeError, KeyError, TypeError):
            pass
        break
    return line


Where = Callable[[tuple[Any, ...]], str]


def key_path(data: Any, skip: set[str] | frozenset[str] = frozenset()) -> Where:
    """Where, as a readable French path such as « d4_instances » › « d4_codir » › levels: an
    item of a list is named by its id (or name), and the keys in `skip` are left out."""

    def where(loc: tuple[Any, ...]) -> str:
        node = data
        parts: list[str] = []
        for key in loc:
            if isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
                label = node.get("id", node.get("name")) if isinstance(node, dict) else None
                if label is not None:
                    parts.append(f"« {label} »")
                continue
            if isinstance(node, dict) and key in node:
                node = node[key]
            if isinstance(key, str) and key not in skip:
                parts.append(key)
        return " › ".join(parts)

    return where


Model = TypeVar("Model", bound=BaseModel)


def validated(
    model: type[Model],
    data: Any,
    name: str,
    *,
    expected: str,
    where: Where | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Model:
    """The parsed YAML `data` of file `name` as a `model`; a QuestionnaireError listing every
    problem otherwise (`expected` says what the file should hold when it is not a table;
    `where` names a place, by default its key path; `kinds` as in `schema_problems`)."""
    if not isinstance(data, dict):
        raise m.NOT_A_MAPPING.fail(name, 1, expected=expected)
    try:
        return model.model_validate(as_plain(data))
    except ValidationError as exc:
        problems = schema_problems(exc, model, data, name, where or key_path(data), kinds)
        raise QuestionnaireError(problems) from None


def duplicates(
    ids: Sequence[str], data: Any, key: str, name: str, noun: str, *, used: str = "utilisé"
) -> list[Problem]:
    """An id given twice in the list under `key`, on the line of its second use."""
    first = {ident: i for i, ident in reversed(list(enumerate(ids)))}
    return [
        m.DUPLICATE.at(
            name,
            line_of(data, (key, i, "id")),
            noun=noun,
            id=ident,
            earlier=f" (déjà {used} ligne {line_of(data, (key, first[ident]))})",
        )
        for i, ident in enumerate(ids)
        if first[ident] != i
    ]


@lru_cache(maxsize=32)
def _loaded(load: Callable[[str], Any], path: str, mtime: float) -> Any:
    return load(path)


def load_once(path: Path, load: Callable[[str], Model]) -> Model:
    """`load(path)`, read again only when the file changes (a data file of a questions
    folder, read at every rerun of a page); FILE_NOT_FOUND (file:0) when it is missing."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise m.FILE_NOT_FOUND.fail(str(path), 0) from None
    return _loaded(load, str(path), mtime)


# Pydantic adds the member of a union that failed to the location: not a key of the file.
_UNION_TAGS = {"str", "int", "list[union[str,int]]"}


def schema_problems(
    exc: ValidationError,
    model: type[BaseModel],
    data: Any,
    name: str,
    where: Where,
    kinds: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every error of a pydantic validation as a coded problem, sorted by line.

    `where(loc)` names the place of an error; `kinds` names the enum fields that hold a type
    (« type de question »), reported as an unknown type rather than a value not allowed."""
    problems: set[Problem] = set()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in _UNION_TAGS)
        message, values = _schema_message(err, loc, model, kinds or {})
        # A rule of a model is placed at the model; an error of a field, at the model holding it
        # (the message names the field), and on the field's line unless it is missing.
        place = loc if message.code == err["type"] else loc[:-1]
        line = line_of(data, place if err["type"] == "missing" else loc)
        problems.add(message.at(name, line, where(place), **values))
    return sorted(problems, key=lambda p: (p.line, str(p)))


def _schema_message(
    err: Any, loc: tuple[Any, ...], model: type[BaseModel], kinds: Mapping[str, str]
) -> tuple[m.Message, dict[str, Any]]:
    """The catalogue entry of one pydantic error, and the values of its templates."""
    kind = err["type"]
    ctx = err.get("ctx", {})
    field = next((str(p) for p in reversed(loc) if p != "[key]"), "")
    value = err.get("input")
    shown = value if isinstance(value, str) else repr(value)
    annotation, metadata = _expected(model, loc)
    if kind in m.CATALOGUE:  # a rule of a model validator, raised with its code
        return m.CATALOGUE[kind], ctx
    if kind == "missing":
        return m.MISSING_FIELD, {"field": field}
    if kind == "extra_forbidden":
        parent, _ = _expected(model, loc[:-1])
        allowed = _fields(parent) or f"voir {m.GUIDE}"
        return m.UNKNOWN_FIELD, {"field": field, "allowed": allowed}
    if kind in {"enum", "literal_error"}:
        allowed = _choices(annotation) or str(ctx.get("expected", "")).replace("'", "")
        if field in kinds:
            return m.UNKNOWN_TYPE, {"noun": kinds[field], "value": value, "allowed": allowed}
        return m.NOT_ALLOWED, {"value": value, "field": field, "allowed": allowed}
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == IDENTIFIER_PATTERN:
            return m.BAD_IDENTIFIER, {"value": value}
        form = next((x.text for x in metadata if isinstance(x, Form)), ctx.get("pattern"))
        return m.BAD_FORM, {"field": field, "value": value, "form": form}
    if kind == "string_type":
        return m.NOT_TEXT, {"field": field, "value": shown}
    if kind in _NUMBERS:
        return m.NOT_NUMBER, {"field": field, "value": shown, "number": _NUMBERS[kind]}
    if kind in {"bool_type", "bool_parsing"}:
        return m.NOT_BOOLEAN, {"field": field, "value": shown}
    if kind == "list_type":
        return m.NOT_LIST, {"field": field}
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return m.NOT_TABLE, {"field": field}
    if kind in {"too_short", "string_too_short"}:
        return m.EMPTY_FIELD, {"field": field}
    if kind == "string_too_long":
        return m.TOO_LONG, {"field": field, "limit": ctx.get("max_length")}
    if kind in _BOUNDS:
        bound = _BOUNDS[kind].format(*ctx.values())
        bounds = _range(metadata) or bound
        return m.OUT_OF_BOUNDS, {"field": field, "bound": bound, "value": shown, "bounds": bounds}
    return m.INVALID_VALUE, {"field": field, "value": shown}


_NUMBERS = {
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "int_from_float": "un nombre entier",
    "float_type": "un nombre",
    "float_parsing": "un nombre",
}
_BOUNDS = {
    "greater_than_equal": "au moins {}",
    "less_than_equal": "au plus {}",
    "greater_than": "plus de {}",
    "less_than": "moins de {}",
}


def _expected(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, list[Any]]:
    """The type the schema expects at `loc` and its constraints (bounds, pattern, form)."""
    kind: Any = model
    metadata: list[Any] = []
    for key in loc:
        kind, _ = _bare(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            info = next((f for n, f in kind.model_fields.items() if key in (n, f.alias)), None)
            if info is None:
                return None, []
            kind, metadata = info.annotation, list(info.metadata)
        elif get_origin(kind) in {list, dict} and key != "[key]":
            kind, metadata = get_args(kind)[-1], []
        else:
            return None, []
    kind, inner = _bare(kind)
    return kind, metadata + inner


def _bare(kind: Any) -> tuple[Any, list[Any]]:
    """`Annotated[str, …] | None` -> str and the constraints of Annotated."""
    metadata: list[Any] = []
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            kind, *more = get_args(kind)
            metadata += more
        elif origin in {Union, types.UnionType}:
            members = [a for a in get_args(kind) if a is not type(None)]
            if len(members) != 1:
                return kind, metadata
            kind = members[0]
        else:
            return kind, metadata


def _fields(kind: Any) -> str:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return ", ".join(f.alias or n for n, f in kind.model_fields.items())
    return ""


def _choices(kind: Any) -> str:
    if isinstance(kind, type) and issubclass(kind, Enum):
        return ", ".join(str(e.value) for e in kind)
    if get_origin(kind) is Literal:
        return ", ".join(str(a).lower() if isinstance(a, bool) else str(a) for a in get_args(kind))
    return ""


def _range(metadata: list[Any]) -> str:
    low = next((x.ge for x in metadata if hasattr(x, "ge")), None)  # annotated_types.Ge
    high = next((x.le for x in metadata if hasattr(x, "le")), None)
    if low is not None and high is not None:
        return f"de {low} à {high}"
    if low is not None:
        return f"d'au moins {low}"
    return f"d'au plus {high}" if high is not None else ""


def check_references(q: Questionnaire, data: Any, name: str) -> list[Problem]:
    """Cross-reference checks done after the schema: ids, scales, show_if targets."""
    problems: list[Problem] = []

    def at(section_i: int, question_i: int | None = None, key: str | None = None) -> int:
        loc: list[Any] = ["sections", section_i]
        if question_i is not None:
            loc += ["questions", question_i]
        if key is not None:
            loc.append(key)
        return line_of(data, tuple(loc))

    scales = ", ".join(q.scales)
    seen_sections: dict[str, int] = {}
    seen_questions: dict[str, int] = {}
    if q.default_scale not in q.scales:
        line = line_of(data, ("default_scale",))
        problems.append(m.UNKNOWN_SCALE.at(name, line, scale=q.default_scale, scales=scales))
    if "agreement_scale" in q.model_fields_set and q.agreement_scale not in (None, *q.scales):
        line = line_of(data, ("agreement_scale",))
        problems.append(m.UNKNOWN_SCALE.at(name, line, scale=q.agreement_scale, scales=scales))
    for si, section in enumerate(q.sections):
        if section.id in seen_sections:
            earlier = f" (déjà utilisée ligne {seen_sections[section.id]})"
            problems.append(
                m.DUPLICATE.at(
                    name, at(si, None, "id"), noun="section", id=section.id, earlier=earlier
                )
            )
        seen_sections.setdefault(section.id, at(si))
        for qi, question in enumerate(section.questions):
            first = seen_questions.get(question.id, seen_sections.get(question.id))
            if first is not None:
                problems.append(
                    m.DUPLICATE.at(
                        name,
                        at(si, qi, "id"),
                        noun="identifiant",
                        id=question.id,
                        earlier=f" (déjà utilisé ligne {first})",
                    )
                )
            seen_questions.setdefault(question.id, at(si, qi))
            problems += _check_scale(q, question, name, lambda k, si=si, qi=qi: at(si, qi, k))
    # show_if is checked once every id is known; it must point at an earlier question.
    order = [x.id for x in q.questions()]
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            cond = question.show_if
            if cond is None:
                continue
            line = at(si, qi, "show_if")
            where = f"« {question.id} »"
            if cond.question not in seen_questions:
                problems.append(m.SHOW_IF_UNKNOWN.at(name, line, where, target=cond.question))
            elif order.index(cond.question) >= order.index(question.id):
                problems.append(m.SHOW_IF_LATER.at(name, line, where, target=cond.question))
            else:
                problems += _check_condition_values(q, question.id, cond, name, line)
    return sorted(problems, key=lambda p: p.line)


def _check_scale(q: Questionnaire, question: Any, name: str, at: Any) -> list[Problem]:
    problems: list[Problem] = []
    needs_scale = question.scored or question.type == QuestionType.GRID or question.scale
    if not needs_scale:
        return problems
    where = f"« {question.id} »"
    scale_id = question.scale or q.default_scale
    if scale_id not in q.scales:
        scales = ", ".join(q.scales)
        return [m.UNKNOWN_SCALE.at(name, at("scale"), where, scale=scale_id, scales=scales)]
    scale = q.scales[scale_id]
    if question.level_descriptions is not None:
        if sorted(question.level_descriptions) != scale.values:
            problems.append(
                m.LEVELS_MISMATCH.at(
                    name,
                    at("levels"),
                    where,
                    levels=", ".join(map(str, sorted(question.level_descriptions))),
                    scale=scale_id,
                    values=", ".join(map(str, scale.values)),
                )
            )
        texts = list(question.level_descriptions.values())
        if len(set(texts)) != len(texts):
            problems.append(m.SAME_LEVEL_TEXT.at(name, at("levels"), where))
    return problems


def _check_condition_values(
    q: Questionnaire, qid: str, cond: Any, name: str, line: int
) -> list[Problem]:
    target = q.question(cond.question)
    values: list[Any] = []
    if cond.equals is not None:
        values = [cond.equals]
    elif cond.any_of is not None:
        values = list(cond.any_of)
    elif cond.includes is not None:
        values = [cond.includes]
    option_ids = [o.id for o in target.options or []]
    if target.type in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE} and option_ids:
        unknown = [v for v in values if str(v) not in option_ids]
        if unknown:
            return [
                m.SHOW_IF_OPTION.at(
                    name,
                    line,
                    f"« {qid} »",
                    target=target.id,
                    unknown=", ".join(map(str, unknown)),
                    options=", ".join(option_ids),
                )
            ]
    return []
