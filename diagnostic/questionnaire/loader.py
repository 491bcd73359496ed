"""Load questionnaire YAML files and report every problem as `file:line: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from diagnostic.questionnaire.schema import Questionnaire, QuestionType, as_plain
from diagnostic.questionnaire.source import (
    Problem,
    QuestionnaireError,
    load_yaml,
    parse_yaml,
    read_source,
)

__all__ = [
    "Problem",
    "QuestionnaireError",
    "line_of",
    "load_questionnaire",
    "load_yaml",
    "parse_questionnaire",
    "parse_yaml",
    "read_source",
]


_FIELD_NAMES = {
    "id": "identifiant",
    "type": "type",
    "text": "texte",
    "levels": "niveaux",
    "options": "options",
    "scale": "échelle",
}


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate one file; raise QuestionnaireError listing all its problems."""
    return parse_questionnaire(read_source(path), str(path))


def parse_questionnaire(text: str, name: str = "<texte>") -> Questionnaire:
    """Parse and validate questionnaire YAML text."""
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise QuestionnaireError(
            [Problem(name, 1, "le fichier doit décrire un questionnaire (des clés id, version…)")]
        )
    try:
        questionnaire = Questionnaire.model_validate(as_plain(data))
    except ValidationError as exc:
        problems = [_problem_from_pydantic(name, data, err) for err in exc.errors()]
        raise QuestionnaireError(_dedupe(problems)) from None
    problems = check_references(questionnaire, data, name)
    if problems:
        raise QuestionnaireError(problems)
    return questionnaire


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, str]] = set()
    out = []
    for p in sorted(problems, key=lambda p: p.line):
        if (p.line, p.message) not in seen:
            seen.add((p.line, p.message))
            out.append(p)
    return out


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


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A readable French path such as « question d1_vision, champ text »."""
    node = data
    parts: list[str] = []
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if isinstance(node, dict) and "id" in node:
                parts.append(f"« {node['id']} »")
            continue
        if isinstance(node, dict) and key in node:
            node = node[key]
        if isinstance(key, str) and key not in {"sections", "questions"}:
            parts.append(key)
    return " › ".join(parts)


def _problem_from_pydantic(name: str, data: Any, err: Any) -> Problem:
    loc = tuple(err["loc"])
    # Pydantic appends the tag of a failed union member: drop those parts.
    loc = tuple(p for p in loc if p not in {"str", "int", "list[union[str,int]]"})
    kind = err["type"]
    field = loc[-1] if loc else ""
    where = _where(loc[:-1] if kind == "missing" else loc, data)
    if kind == "missing":
        msg = f"champ obligatoire manquant : « {field} »"
        loc = loc[:-1]
    elif kind == "extra_forbidden":
        msg = f"champ inconnu « {field} » (faute de frappe ? voir questions/README.md)"
    elif kind == "enum" and field == "type":
        allowed = ", ".join(t.value for t in QuestionType)
        msg = f"type de question inconnu « {err.get('input')} » (types possibles : {allowed})"
    elif kind == "string_pattern_mismatch" and field == "id":
        msg = (
            f"identifiant invalide « {err.get('input')} » : lettres minuscules, chiffres et _ "
            "seulement, en commençant par une lettre"
        )
    elif kind in {"string_type", "int_type", "int_parsing", "bool_type", "bool_parsing"}:
        expected = {
            "string_type": "un texte",
            "int_type": "un nombre entier",
            "int_parsing": "un nombre entier",
            "bool_type": "true ou false",
            "bool_parsing": "true ou false",
        }[kind]
        msg = f"« {field} » doit être {expected} (valeur lue : {err.get('input')!r})"
    elif kind in {"dict_type", "model_type"}:
        msg = f"« {field} » doit être une liste de clés: valeurs"
    elif kind == "list_type":
        msg = f"« {field} » doit être une liste (lignes commençant par « - »)"
    elif kind == "too_short":
        msg = f"« {field} » ne doit pas être vide"
    elif kind == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
    else:
        msg = f"« {field} » : {err['msg']}"
    if where:
        msg = f"{where} : {msg}"
    return Problem(name, line_of(data, loc), msg)


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

    seen_sections: set[str] = set()
    seen_questions: dict[str, int] = {}
    if q.default_scale not in q.scales:
        problems.append(
            Problem(
                name, line_of(data, ("default_scale",)), f"échelle inconnue « {q.default_scale} »"
            )
        )
    for si, section in enumerate(q.sections):
        if section.id in seen_sections:
            problems.append(
                Problem(name, at(si, None, "id"), f"section « {section.id} » en double")
            )
        seen_sections.add(section.id)
        for qi, question in enumerate(section.questions):
            line = at(si, qi)
            if question.id in seen_questions or question.id in seen_sections:
                problems.append(
                    Problem(
                        name,
                        at(si, qi, "id"),
                        f"identifiant « {question.id} » en double "
                        f"(déjà utilisé ligne {seen_questions.get(question.id, '?')})",
                    )
                )
            seen_questions.setdefault(question.id, line)
            problems += _check_scale(q, question, name, lambda k, si=si, qi=qi: at(si, qi, k))
    # show_if is checked once every id is known; it must point at an earlier question.
    order = [x.id for x in q.questions()]
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            cond = question.show_if
            if cond is None:
                continue
            line = at(si, qi, "show_if")
            if cond.question not in seen_questions:
                problems.append(
                    Problem(
                        name,
                        line,
                        f"« {question.id} » : show_if renvoie à une question inconnue "
                        f"« {cond.question} »",
                    )
                )
            elif order.index(cond.question) >= order.index(question.id):
                problems.append(
                    Problem(
                        name,
                        line,
                        f"« {question.id} » : show_if doit renvoyer à une question placée avant "
                        f"elle (« {cond.question} » vient après)",
                    )
                )
            else:
                problems += _check_condition_values(q, question.id, cond, name, line)
    return sorted(problems, key=lambda p: p.line)


def _check_scale(q: Questionnaire, question: Any, name: str, at: Any) -> list[Problem]:
    problems: list[Problem] = []
    needs_scale = question.scored or question.type == QuestionType.GRID or question.scale
    if not needs_scale:
        return problems
    scale_id = question.scale or q.default_scale
    if scale_id not in q.scales:
        problems.append(
            Problem(
                name,
                at("scale"),
                f"« {question.id} » : échelle inconnue « {scale_id} » "
                f"(échelles définies : {', '.join(q.scales)})",
            )
        )
        return problems
    scale = q.scales[scale_id]
    if question.level_descriptions is not None:
        if sorted(question.level_descriptions) != scale.values:
            problems.append(
                Problem(
                    name,
                    at("levels"),
                    f"« {question.id} » : les niveaux décrits "
                    f"({', '.join(map(str, sorted(question.level_descriptions)))}) "
                    f"ne correspondent pas à l'échelle « {scale_id} » "
                    f"({', '.join(map(str, scale.values))})",
                )
            )
        texts = list(question.level_descriptions.values())
        if len(set(texts)) != len(texts):
            problems.append(
                Problem(
                    name, at("levels"), f"« {question.id} » : deux niveaux ont la même description"
                )
            )
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
    option_ids = {o.id for o in target.options or []}
    if target.type in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE} and option_ids:
        unknown = [v for v in values if str(v) not in option_ids]
        if unknown:
            return [
                Problem(
                    name,
                    line,
                    f"« {qid} » : show_if teste une option inconnue de « {target.id} » : "
                    f"{', '.join(map(str, unknown))}",
                )
            ]
    return []
