"""What the respondents know of their territory's situation: the answers to the knowledge items
(questions with `fact:`, questions/questionnaires/) compared with the « Fiche du territoire ».
Pure: no database, no access check (territory/service.py::knowledge_for does both).

Where the fiche settles the answer of a knowledge item, the finding counts the respondents who
know it, those who answer « Je ne sais pas » and those who say otherwise. For an inventory
(multiple choice), each option linked to a fact is read apart: ticking it says « exists ».
The privacy rule of the results holds: no finding on fewer respondents than the minimum group
size, and no breakdown intercommunalité / communes unless each group reaches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from diagnostic.questionnaire import Problem, Question, Questionnaire, QuestionType
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import line_of
from diagnostic.territory.facts import Fiche, Value, effective, expected, value_problem
from diagnostic.territory.presentation import statement

GROUP_LABELS = {"epci": "intercommunalité", "commune": "communes"}
_RANK = {k: i for i, k in enumerate(GROUP_LABELS)}


@dataclass(frozen=True)
class GroupCount:
    """One group's share of knowledge: « côté communes, 1 sur 4 »."""

    label: str
    know: int
    answered: int


@dataclass(frozen=True)
class Finding:
    """What the respondents know of one fact of the fiche (one knowledge item, or one option of
    an inventory): counts of respondents who answered, and the sentence that says it."""

    question_id: str
    option_id: str | None  # the inventory's option; None for a single choice
    subject: str  # « Le pacte de gouvernance », « Plan climat-air-énergie territorial »
    fiche_says: str  # what the fiche says, in words
    origin: str  # where the fiche's facts come from (source, date)
    answered: int
    know: int
    dont_know: int
    other: tuple[tuple[str, int], ...]  # what the others say instead, and how many, most first
    groups: tuple[GroupCount, ...] = ()  # shown only when every group reaches the threshold
    inventory: bool = False

    @property
    def otherwise(self) -> int:
        return sum(n for _, n in self.other)

    @property
    def gap(self) -> bool:
        """Somebody does not know what the fiche says."""
        return self.know < self.answered

    @property
    def sentence(self) -> str:
        """The finding in plain French, figures included."""
        where = f" ({self.origin})" if self.origin else ""
        head = f"{self.subject} : selon la fiche du territoire, {self.fiche_says}{where}."
        parts = [_count(self.know, "le sait", "le savent")]
        if self.dont_know:
            parts.append(
                f"{self.dont_know} répond{'ent' * (self.dont_know > 1)} « Je ne sais pas »"
            )
        if self.inventory and self.otherwise:
            parts.append(
                _count(self.otherwise, "ne le cite pas", "ne le citent pas")
                if self.other[0][0] == ABSENT
                else _count(self.otherwise, "le cite pourtant", "le citent pourtant")
            )
        elif len(self.other) == 1:
            said = f"« {self.other[0][0]} »"
            parts.append(f"{_count(self.otherwise, 'pense', 'pensent')} autrement : {said}")
        elif self.otherwise:
            said = " ; ".join(f"« {label} » ({n})" for label, n in self.other)
            parts.append(f"{_count(self.otherwise, 'pense', 'pensent')} autrement : {said}")
        text = f"{head} Sur {self.answered} répondants, " + _join(parts) + "."
        if self.groups:
            text += (
                " Savent : "
                + " ; ".join(
                    (f"{g.know} sur" if g.know else "aucun des") + f" {g.answered} côté {g.label}"
                    for g in self.groups
                )
                + "."
            )
        return text


ABSENT = "absent"  # an inventory's option not ticked while the fiche says it exists


def _count(n: int, one: str, many: str) -> str:
    """« 3 le savent », « 1 le sait », « aucun ne le sait »."""
    if n == 0:
        return f"aucun {one if one.startswith('ne ') else 'ne ' + one}"
    return f"{n} {one if n <= 1 else many}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _same(value: Value, wanted: Any) -> bool | None:
    """Does a known fact have the stated value? None when the fact is unknown. A list fact
    states an entry it contains (case aside), or true (at least one entry) or false (none)."""
    if value is None:
        return None
    if isinstance(value, list):
        if isinstance(wanted, bool):
            return bool(value) is wanted
        return isinstance(wanted, str) and wanted.casefold() in {str(v).casefold() for v in value}
    if isinstance(value, bool) or isinstance(wanted, bool):
        return isinstance(value, bool) and isinstance(wanted, bool) and value is wanted
    return bool(value == wanted)


def holds(states: Mapping[str, Any], facts: Mapping[str, Value]) -> bool | None:
    """Do the facts have every stated value? False as soon as one known fact differs, None
    when the fiche does not say (a stated fact unknown), True otherwise."""
    if not states:
        return None
    seen = [_same(facts.get(k), v) for k, v in states.items()]
    if False in seen:
        return False
    return None if None in seen else True


def fiche_options(question: Question, facts: Mapping[str, Value]) -> list[str]:
    """The options of a single-choice knowledge item that agree with the fiche ([] when it does
    not say; several when the fiche is less precise than the options: « propre » and
    « partagé » both say that a conseil de développement is in place)."""
    assert question.fact is not None
    return [o.id for o in question.options or [] if holds(question.fact.states(o.id), facts)]


def _says(states: Mapping[str, Any], facts: Mapping[str, Value], fiche: Fiche | None) -> str | None:
    """What the fiche says of the stated facts, in its own words; None without the fiche."""
    fields = fiche.fields if fiche is not None else {}
    if not states or any(k not in fields for k in states):
        return None
    return " ; ".join(statement(fields[k], facts.get(k)) for k in states)


def knowledge_items(questionnaire: Questionnaire) -> list[Question]:
    """The questions linked to the fiche (`fact:`), in questionnaire order."""
    return [q for q in questionnaire.questions() if q.fact is not None]


def findings(
    questionnaire: Questionnaire,
    choices: pd.DataFrame,
    facts: Mapping[str, Value],
    *,
    min_group_size: int,
    origins: Mapping[str, str] | None = None,
    fiche: Fiche | None = None,
) -> list[Finding]:
    """Every finding where the fiche settles the answer and enough respondents answered.

    `choices`: the tidy choices of the counted respondents (analytics Responses.choices: one
    row per option ticked, one row with dont_know for « Je ne sais pas », with structure_kind);
    `facts`: the fiche's values (None: unknown); `origins`: fact id -> source and date;
    `fiche`: the fiche's definition, for its wording and its rules (facts.effective)."""
    facts = effective(fiche, facts) if fiche is not None else dict(facts)
    out: list[Finding] = []
    for question in knowledge_items(questionnaire):
        rows = choices.loc[choices["question_id"] == question.id]
        if rows["participant_id"].nunique() < min_group_size:
            continue  # too few answers: nothing about this item, for anonymity
        if question.type == QuestionType.SINGLE_CHOICE:
            found = _single(question, rows, facts, min_group_size, origins or {}, fiche)
            out += [found] if found else []
        else:
            out += _inventory(question, rows, facts, min_group_size, origins or {}, fiche)
    return out


def _origin(states: Mapping[str, Any], origins: Mapping[str, str]) -> str:
    return " ; ".join(dict.fromkeys(origins[k] for k in states if origins.get(k)))


def _groups(people: pd.DataFrame, knows: pd.Series, min_group_size: int) -> tuple[GroupCount, ...]:
    """Intercommunalité and communes apart, only when every group reaches the threshold (one
    group below it would be read by difference from the total)."""
    kinds = people["structure_kind"].fillna("autre")
    counts = kinds.value_counts()
    if len(counts) < 2 or counts.min() < min_group_size:
        return ()
    order = sorted(counts.index, key=lambda k: (_RANK.get(k, len(_RANK)), str(k)))
    return tuple(
        GroupCount(
            GROUP_LABELS.get(k, "autres structures"),
            int(knows[kinds == k].sum()),
            int(counts[k]),
        )
        for k in order
    )


def _people(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent of the item: dont_know, and the options ticked."""
    grouped = rows.groupby("participant_id", sort=True)
    return pd.DataFrame(
        {
            "dont_know": grouped["dont_know"].any(),
            "options": grouped["option_id"].agg(lambda s: {x for x in s if isinstance(x, str)}),
            "structure_kind": grouped["structure_kind"].first(),
        }
    )


def _single(
    question: Question,
    rows: pd.DataFrame,
    facts: Mapping[str, Value],
    min_group_size: int,
    origins: Mapping[str, str],
    fiche: Fiche | None,
) -> Finding | None:
    truth = fiche_options(question, facts)
    if not truth:
        return None
    assert question.fact is not None
    labels = {o.id: o.label for o in question.options or []}
    people = _people(rows)
    chosen = people["options"].map(lambda s: next(iter(s), None))
    knows = chosen.isin(truth) & ~people["dont_know"]
    others = chosen[~people["dont_know"] & ~chosen.isin(truth) & chosen.notna()]
    other = tuple(
        (labels.get(o, o), int(n))
        for o, n in sorted(others.value_counts().items(), key=lambda x: (-x[1], str(x[0])))
    )
    first = question.fact.states(truth[0])
    common = {
        k: v for k, v in first.items() if all(question.fact.states(o).get(k) == v for o in truth)
    }
    says = _says(common, facts, fiche) or " ou ".join(f"« {labels[o]} »" for o in truth)
    return Finding(
        question_id=question.id,
        option_id=None,
        subject=question.fact.about or question.text,
        fiche_says=says,
        origin=_origin(common, origins),
        answered=len(people),
        know=int(knows.sum()),
        dont_know=int(people["dont_know"].sum()),
        other=other,
        groups=_groups(people, knows, min_group_size),
    )


def _inventory(
    question: Question,
    rows: pd.DataFrame,
    facts: Mapping[str, Value],
    min_group_size: int,
    origins: Mapping[str, str],
    fiche: Fiche | None,
) -> list[Finding]:
    assert question.fact is not None
    people = _people(rows)
    out = []
    for option in question.options or []:
        states = question.fact.states(option.id)
        truth = holds(states, facts)
        if truth is None:
            continue
        ticked = people["options"].map(lambda s, o=option.id: o in s) & ~people["dont_know"]
        answered = ~people["dont_know"]
        knows = (ticked if truth else ~ticked) & answered
        wrong = int(((~ticked if truth else ticked) & answered).sum())
        out.append(
            Finding(
                question_id=question.id,
                option_id=option.id,
                subject=option.label,
                fiche_says=_says(states, facts, fiche) or ("présent" if truth else "absent"),
                origin=_origin(states, origins),
                answered=len(people),
                know=int(knows.sum()),
                dont_know=int(people["dont_know"].sum()),
                other=((ABSENT if truth else "présent", wrong),) if wrong else (),
                groups=_groups(people, knows, min_group_size),
                inventory=True,
            )
        )
    return out


# --- the knowledge items checked against fiche.yaml (python -m diagnostic validate) ----------


def mirror_problems(
    questionnaire: Questionnaire, fiche: Fiche, data: Any, name: str
) -> list[Problem]:
    """Each `fact:` of the questionnaire checked against the fiche: its facts exist and every
    value an option states can be one of theirs; each problem on its line."""
    fields = fiche.fields
    problems: list[Problem] = []
    for si, section in enumerate(questionnaire.sections):
        for qi, question in enumerate(section.questions):
            if question.fact is None:
                continue
            at = ("sections", si, "questions", qi, "fact")
            where = f"« {question.id} » › fact"
            known = ", ".join(fields)
            if question.fact.id is not None and question.fact.id not in fields:
                line = line_of(data, (*at, "id"))
                problems.append(
                    m.UNKNOWN_FACT.at(name, line, where, fact=question.fact.id, facts=known)
                )
            for option_id in question.fact.options:
                line = line_of(data, (*at, "options", option_id))
                for fact_id, value in question.fact.states(option_id).items():
                    if fact_id not in fields:
                        if fact_id != question.fact.id:
                            problems.append(
                                m.UNKNOWN_FACT.at(name, line, where, fact=fact_id, facts=known)
                            )
                        continue
                    reason = value_problem(fields[fact_id], value)
                    if reason:
                        wanted = expected(fields[fact_id])
                        problems.append(
                            m.BAD_FACT_VALUE.at(
                                name, line, where, fact=fact_id, reason=reason, expected=wanted
                            )
                        )
    return problems
