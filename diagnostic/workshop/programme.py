"""The workshop's sequence of steps (questions/atelier.yaml), validated with `file:line` errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field

from diagnostic.questionnaire import Problem, QuestionnaireError
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import line_of, load_once, validated
from diagnostic.questionnaire.schema import Identifier, Strict, Text
from diagnostic.questionnaire.source import parse_yaml, read_source

PROGRAMME_FILE = "atelier.yaml"


class StepKind(StrEnum):
    """What happens during a step, on the screen and on the phones."""

    WELCOME = "welcome"  # join code and QR code
    RESULTS = "results"  # the linked campaigns' most divergent and highest-priority items
    PERSONAL = "personal"  # private notes, shared with the room only when their author chooses
    COLLECTIVE = "collective"  # contributions per territory
    REVOTE = "revote"  # a quick new vote on the most divergent items
    DOTS = "dots"  # each participant shares a few points among an earlier collective step's posts
    GRID = "grid"  # impact x effort of the contributions of an earlier collective step
    COMMITMENTS = "commitments"  # those retained go into the territory's roadmap draft


POSTING_KINDS = frozenset({StepKind.PERSONAL, StepKind.COLLECTIVE, StepKind.COMMITMENTS})
ITEM_KINDS = frozenset({StepKind.RESULTS, StepKind.REVOTE})
SOURCE_KINDS = frozenset({StepKind.DOTS, StepKind.GRID})  # steps that take up earlier posts
DEFAULT_DOTS = 3


class Step(Strict):
    """One step of the workshop: a title, a prompt in French, a duration for the countdown."""

    id: Identifier
    kind: StepKind
    title: Text
    prompt: Text
    minutes: int = Field(ge=1, le=60)
    help: Text | None = None
    items: int | None = Field(default=None, ge=1, le=10)  # results and revote steps
    source: Identifier | None = None  # grid and dots steps: the collective step they take up
    dots: int | None = Field(default=None, ge=1, le=10)  # dots steps: points per participant

    @property
    def posts(self) -> bool:
        """Participants write contributions during this step."""
        return self.kind in POSTING_KINDS

    @property
    def seconds(self) -> int:
        return self.minutes * 60

    @property
    def item_count(self) -> int:
        return self.items or (5 if self.kind == StepKind.RESULTS else 3)

    @property
    def dot_count(self) -> int:
        """How many points each participant shares out at a dots step."""
        return self.dots or DEFAULT_DOTS


class Programme(Strict):
    """The whole sequence; steps are addressed by their index (the workshop stores it)."""

    id: Identifier
    version: Text
    title: Text
    intro: Text
    steps: list[Step] = Field(min_length=1)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.steps)

    def step(self, index: int) -> Step:
        """The step at `index`, clamped to the programme (a stored index never breaks a page)."""
        return self.steps[max(0, min(index, len(self.steps) - 1))]

    def index_of(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)

    @property
    def last(self) -> int:
        return len(self.steps) - 1


def parse_programme(text: str, name: str = "<texte>") -> Programme:
    """Parse and validate the text of a workshop programme; every problem at once."""
    return programme_from_data(parse_yaml(text, name), name)


def programme_from_data(data: Any, name: str) -> Programme:
    """Validate programme data (a YAML file's, or a workshop's edited programme): the pydantic
    schema, then the cross-checks; a QuestionnaireError listing every problem."""

    def where(loc: tuple[Any, ...]) -> str:  # the step, named by its id
        try:
            return f"étape « {data['steps'][loc[1]]['id']} »" if loc[0] == "steps" else ""
        except (IndexError, KeyError, TypeError):
            return ""

    programme = validated(
        Programme,
        data,
        name,
        expected="un atelier (clés id, title, steps…)",
        where=where,
        kinds={"kind": "type d'étape"},
    )
    problems = _check_steps(programme, data, name)
    if problems:
        raise QuestionnaireError(problems)
    return programme


def load_programme(path: str | Path) -> Programme:
    """Load and validate one programme file; raise QuestionnaireError listing its problems."""
    return parse_programme(read_source(path), str(path))


def programme_for(questions_dir: Path) -> Programme:
    """The programme of a questions folder, read once per change of the file."""
    return load_once(Path(questions_dir) / PROGRAMME_FILE, load_programme)


# --- a workshop's own programme (edited on the console, kept in Workshop.state) -------------------

EDITED_NAME = "déroulé de l'atelier"
EDITABLE = ("title", "prompt", "minutes")


def step_rows(
    shipped: Programme, stored: Sequence[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """The editor's rows, in the workshop's order: id, kind, title, prompt, minutes, removed.

    `stored`: the rows kept for the workshop (None: the shipped programme). A stored id the
    shipped file no longer has is dropped; a step the file gained since comes last."""
    base = {s.id: s for s in shipped.steps}
    rows: list[dict[str, Any]] = []
    for row in stored or []:
        step = base.get(str(row.get("id")))
        if step is None or any(r["id"] == step.id for r in rows):
            continue
        rows.append(
            {
                "id": step.id,
                "kind": step.kind.value,
                **{k: row.get(k, getattr(step, k)) for k in EDITABLE},
                "removed": bool(row.get("removed")),
            }
        )
    for step in shipped.steps:
        if not any(r["id"] == step.id for r in rows):
            rows.append(
                {"id": step.id, "kind": step.kind.value, **{k: getattr(step, k) for k in EDITABLE}}
                | {"removed": False}
            )
    return rows


def edited_programme(shipped: Programme, rows: Sequence[Mapping[str, Any]]) -> Programme:
    """The shipped programme with the workshop's order, titles, prompts and durations, its
    removed steps left out; validated exactly like the file (QuestionnaireError otherwise:
    a grid placed before its source, a welcome no longer first, an empty title…)."""
    base = {s.id: s.model_dump(mode="json", exclude_none=True) for s in shipped.steps}
    steps = []
    for row in rows:
        if row.get("removed"):
            continue
        step = dict(base.get(str(row.get("id")), {"id": row.get("id")}))
        for key in EDITABLE:
            if key in row:
                step[key] = row[key]
        if isinstance(step.get("title"), str):
            step["title"] = step["title"].strip()
        if isinstance(step.get("prompt"), str):
            step["prompt"] = step["prompt"].strip()
        steps.append(step)
    data = shipped.model_dump(mode="json", exclude_none=True) | {"steps": steps}
    return programme_from_data(data, EDITED_NAME)


def _check_steps(programme: Programme, data: Any, name: str) -> list[Problem]:
    """Cross-checks after the schema: unique ids, fields that fit the kind, grid and dots
    sources."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, step in enumerate(programme.steps):

        def at(key: str | None = None, i: int = i) -> int:
            return line_of(data, ("steps", i) + ((key,) if key else ()))

        where = f"étape « {step.id} »"
        if step.id in seen:
            earlier = f" (déjà utilisée ligne {seen[step.id]})"
            problems.append(
                m.DUPLICATE.at(name, at("id"), noun="étape", id=step.id, earlier=earlier)
            )
        seen.setdefault(step.id, at())
        if step.items is not None and step.kind not in ITEM_KINDS:
            problems.append(m.STEP_ITEMS.at(name, at("items"), where))
        if step.kind == StepKind.WELCOME and i != 0:
            problems.append(m.STEP_WELCOME_FIRST.at(name, at("kind"), where))
        if step.dots is not None and step.kind != StepKind.DOTS:
            problems.append(m.STEP_DOTS.at(name, at("dots"), where))
        if step.kind not in SOURCE_KINDS:
            if step.source is not None:
                problems.append(m.STEP_SOURCE_OUTSIDE_GRID.at(name, at("source"), where))
            continue
        earlier_steps = {s.id: s for s in programme.steps[:i]}
        collective = [s.id for s in earlier_steps.values() if s.kind == StepKind.COLLECTIVE]
        steps = ", ".join(collective) or "il n'y en a aucune, ajoutez-en une avant cette étape"
        source = earlier_steps.get(step.source) if step.source else None
        if step.source is None:
            problems.append(m.GRID_WITHOUT_SOURCE.at(name, at(), where, steps=steps))
        elif source is None:
            problems.append(
                m.GRID_SOURCE_NOT_BEFORE.at(
                    name, at("source"), where, source=step.source, steps=steps
                )
            )
        elif source.kind != StepKind.COLLECTIVE:
            problems.append(
                m.GRID_SOURCE_NOT_COLLECTIVE.at(
                    name, at("source"), where, source=source.id, kind=source.kind.value, steps=steps
                )
            )
        elif step.kind == StepKind.DOTS:
            # the points are stored per post: two dots steps on the same posts would share them
            dots_steps = (s for s in programme.steps[:i] if s.kind == StepKind.DOTS)
            twice = next((s for s in dots_steps if s.source == source.id), None)
            if twice is not None:
                problems.append(
                    m.DOTS_SOURCE_TWICE.at(
                        name, at("source"), where, source=source.id, other=twice.id
                    )
                )
    return sorted(problems, key=lambda p: p.line)
