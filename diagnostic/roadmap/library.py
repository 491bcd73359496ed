"""Action library and « repères et outils »: typed loading, checked against a questionnaire."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from diagnostic.questionnaire import Problem, Question, Questionnaire, QuestionnaireError
from diagnostic.questionnaire import QuestionType as T
from diagnostic.questionnaire.loader import line_of
from diagnostic.questionnaire.schema import Identifier, Text, as_plain
from diagnostic.questionnaire.source import parse_yaml, read_source

Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


class ReferenceKind(StrEnum):
    """The four shelves of the « repères et outils » exhibition."""

    CADRE_JURIDIQUE = "cadre_juridique"
    METHODE = "methode"
    CHIFFRE_CLE = "chiffre_cle"
    RESSOURCE = "ressource"


class Horizon(StrEnum):
    """When an action should be done within the 2026-2032 mandate."""

    CENT_JOURS = "cent_jours"  # within 100 days of the roadmap
    PREMIERE_ANNEE = "premiere_annee"  # within the first year (pacte: 9 months)
    MI_MANDAT = "mi_mandat"  # by the mid-term review (2029)
    FIN_DE_MANDAT = "fin_de_mandat"  # by the end of the mandate (early 2032)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a reference comes from: a citation and, when one is known, its address."""

    text: Text
    url: Url | None = None


class Reference(_Strict):
    """One entry of « repères et outils »: legal frame, method, key figure or resource."""

    id: Identifier
    kind: ReferenceKind
    title: Text
    summary: Text
    source: Source
    date: IsoDate | None = None  # of the text or figure; required for a key figure
    article: Text | None = None
    to_verify: bool = False  # to be checked against Légifrance/INSEE before shown as legal truth

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    @model_validator(mode="after")
    def _kind_fields(self) -> Reference:
        if self.kind == ReferenceKind.CADRE_JURIDIQUE and not self.article:
            raise ValueError("un repère « cadre_juridique » précise son article (champ article)")
        if self.kind == ReferenceKind.CHIFFRE_CLE and not self.date:
            raise ValueError("un repère « chiffre_cle » précise sa date (champ date)")
        return self


class Trigger(_Strict):
    """When to propose an action: every test given must hold (and); see questions/actions.yaml."""

    item: Identifier
    row: Identifier | None = None  # grid questions only; without it, any row may match
    level_at_most: int | None = None
    target_at_least: int | None = None
    gap_at_least: int | None = Field(default=None, ge=1)
    divergence: Literal[True] | None = None
    answer_in: list[Identifier] | None = Field(default=None, min_length=1)
    missing_option: Identifier | None = None
    ranked: Identifier | None = None

    @model_validator(mode="after")
    def _has_a_test(self) -> Trigger:
        if not self.tests:
            names = ", ".join(n for n in type(self).model_fields if n not in {"item", "row"})
            raise ValueError(f"un déclencheur précise au moins un test parmi {names}")
        return self

    @property
    def tests(self) -> dict[str, Any]:
        """The tests this trigger sets, by name, in the order of the fields."""
        values = self.model_dump(exclude={"item", "row"})
        return {name: value for name, value in values.items() if value is not None}


class Action(_Strict):
    """One candidate action of the roadmap, with the answers that make it relevant."""

    id: Identifier
    dimension: Identifier
    items: list[Identifier] = Field(min_length=1)
    triggers: list[Trigger] = Field(min_length=1)  # the action is proposed when any one holds
    title: Text
    description: Text
    instrument: Text
    pilot: Text
    validation: Text
    horizon: Horizon
    indicator: Text
    references: list[Identifier] = []


class _ReferenceFile(_Strict):
    references: list[Reference] = Field(min_length=1)


class _ActionFile(_Strict):
    version: str | None = None
    actions: list[Action] = Field(min_length=1)


def load_references(path: str | Path) -> list[Reference]:
    """Load questions/references.yaml; raise QuestionnaireError listing every problem."""
    return parse_references(_read(path), str(path))


def parse_references(text: str, name: str = "<texte>") -> list[Reference]:
    """Parse and validate the text of a references file."""
    data = _yaml(text, name, "references")
    refs = _validate(_ReferenceFile, data, name).references
    problems = _duplicates([r.id for r in refs], data, "references", name, "repère")
    if problems:
        raise QuestionnaireError(problems)
    return refs


def load_actions(
    path: str | Path,
    questionnaire: Questionnaire,
    references: Iterable[Reference | str] | None = None,
) -> list[Action]:
    """Load the action library and check it against a questionnaire and, if given, references."""
    return parse_actions(_read(path), questionnaire, references, str(path))


def parse_actions(
    text: str,
    questionnaire: Questionnaire,
    references: Iterable[Reference | str] | None = None,
    name: str = "<texte>",
) -> list[Action]:
    """Parse the text of an action library; every item, level, option and reference is checked."""
    data = _yaml(text, name, "actions")
    actions = _validate(_ActionFile, data, name).actions
    ref_ids = None if references is None else {getattr(r, "id", r) for r in references}
    problems = _duplicates([a.id for a in actions], data, "actions", name, "action")
    for ai, action in enumerate(actions):
        for loc, msg in _action_problems(action, questionnaire, ref_ids):
            line = line_of(data, ("actions", ai, *loc))
            problems.append(Problem(name, line, f"action « {action.id} » : {msg}"))
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: p.line))
    return actions


def missing_references(
    questionnaire: Questionnaire, references: Iterable[Reference | str]
) -> dict[str, list[str]]:
    """Reference ids cited by questions but absent from the library, by question id."""
    known = {getattr(r, "id", r) for r in references}
    missing = {q.id: [r for r in q.references if r not in known] for q in questionnaire.questions()}
    return {qid: refs for qid, refs in missing.items() if refs}


def _action_problems(
    action: Action, questionnaire: Questionnaire, ref_ids: set[str] | None
) -> list[tuple[tuple[Any, ...], str]]:
    """Cross-references of one action, each with its location inside the action."""
    known = {q.id for q in questionnaire.questions()}
    dims = [s.id for s in questionnaire.dimensions]
    out = [
        (("items", i), f"question inconnue « {x} » dans items")
        for i, x in enumerate(action.items)
        if x not in known
    ]
    if action.dimension not in dims:
        out.append(
            (("dimension",), f"dimension inconnue « {action.dimension} » ({', '.join(dims)})")
        )
    for i, trig in enumerate(action.triggers):
        where = ("triggers", i)
        if trig.item not in known:
            out.append((where, f"le déclencheur renvoie à une question inconnue « {trig.item} »"))
            continue
        if trig.item not in action.items:
            out.append((where, f"la question « {trig.item} » du déclencheur manque dans items"))
        question = questionnaire.question(trig.item)
        out += [(where, msg) for msg in _trigger_problems(trig, question, questionnaire)]
    for i, ref in enumerate(action.references):
        if ref_ids is not None and ref not in ref_ids:
            out.append(
                (("references", i), f"repère inconnu « {ref} » (voir questions/references.yaml)")
            )
    return out


def _trigger_problems(trig: Trigger, q: Question, questionnaire: Questionnaire) -> list[str]:
    """Does each test of the trigger make sense for this question's type, scale and options?"""
    out: list[str] = []
    leveled = q.scored or q.type == T.GRID or (q.type == T.SINGLE_CHOICE and q.scale is not None)
    with_target = q.type == T.CURRENT_TARGET or (q.type == T.GRID and q.desired)
    options = {o.id for o in q.options or []}
    if trig.row is not None and q.type != T.GRID:
        out.append(f"« row » ne s'applique qu'à une grille, pas à « {q.id} » ({q.type})")
    elif trig.row is not None and trig.row not in {r.id for r in q.rows or []}:
        out.append(f"ligne inconnue « {trig.row} » dans la grille « {q.id} »")
    applies = {
        "level_at_most": leveled,
        "target_at_least": with_target,
        "gap_at_least": with_target,
        "divergence": leveled or q.type == T.RANKING,
        "answer_in": q.type == T.SINGLE_CHOICE and bool(options),
        "missing_option": q.type == T.MULTIPLE_CHOICE,
        "ranked": q.type == T.RANKING,
    }
    levels = questionnaire.scale_of(q).values if leveled else []
    for test, value in trig.tests.items():
        if not applies[test]:
            out.append(f"le test « {test} » ne s'applique pas à « {q.id} » (question {q.type})")
        elif test in {"level_at_most", "target_at_least"} and value not in levels:
            scale = ", ".join(map(str, levels))
            out.append(f"niveau {value} absent de l'échelle de « {q.id} » ({scale})")
        elif test == "gap_at_least" and value > levels[-1] - levels[0]:
            out.append(f"écart {value} impossible sur l'échelle de « {q.id} »")
        elif test in {"answer_in", "missing_option", "ranked"}:
            unknown = [
                v for v in (value if isinstance(value, list) else [value]) if v not in options
            ]
            if unknown:
                out.append(f"option inconnue de « {q.id} » : {', '.join(unknown)}")
    return out


def _read(path: str | Path) -> str:
    return read_source(path)


def _yaml(text: str, name: str, key: str) -> Any:
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        msg = f"le fichier doit commencer par la clé « {key}: » suivie d'une liste"
        raise QuestionnaireError([Problem(name, 1, msg)])
    return data


def _validate(model: type[_ActionFile | _ReferenceFile], data: Any, name: str) -> Any:
    try:
        return model.model_validate(as_plain(data))
    except ValidationError as exc:
        problems = {(line_of(data, e["loc"]), _message(data, e)) for e in exc.errors()}
        raise QuestionnaireError([Problem(name, ln, m) for ln, m in sorted(problems)]) from None


def _duplicates(ids: list[str], data: Any, key: str, name: str, what: str) -> list[Problem]:
    first = {ident: i for i, ident in reversed(list(enumerate(ids)))}
    return [
        Problem(name, line_of(data, (key, i, "id")), f"{what} « {ident} » en double")
        for i, ident in enumerate(ids)
        if first[ident] != i
    ]


def _message(data: Any, err: Any) -> str:
    """A French message for one pydantic error, prefixed by the action or reference id."""
    loc = [p for p in err["loc"] if p not in {"str", "int"}]
    field = str(loc[-1]) if loc else ""
    try:
        where = f"« {data[loc[0]][loc[1]]['id']} » : "
    except (IndexError, KeyError, TypeError):
        where = ""
    expected = err.get("ctx", {}).get("expected", "")
    messages = {
        "missing": f"champ obligatoire manquant : « {field} »",
        "extra_forbidden": f"champ inconnu « {field} » (faute de frappe ?)",
        "enum": f"valeur « {err.get('input')} » non permise pour « {field} » ({expected})",
        "literal_error": f"« {field} » n'accepte que true",
        "string_pattern_mismatch": f"« {field} » a une forme invalide : « {err.get('input')} »",
        "too_short": f"« {field} » ne doit pas être vide",
        "greater_than_equal": f"« {field} » doit valoir au moins 1",
        "int_parsing": f"« {field} » doit être un nombre entier",
        "list_type": f"« {field} » doit être une liste (lignes commençant par « - »)",
    }
    if err["type"] == "value_error":
        return where + str(err["msg"]).removeprefix("Value error, ")
    return where + messages.get(
        err["type"], f"« {field} » : valeur invalide ({err.get('input')!r})"
    )
