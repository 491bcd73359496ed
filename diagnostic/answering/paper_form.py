"""The paper questionnaire, as a layout to print: pure, no PDF, no database.

A form per respondent: the header (territory, campaign, the respondent code, which is the
`participant` column of the import file), the instructions, then every part and question in
the questionnaire's order. Each answer area carries the codes the import file expects
(answering/paper.py): the question identifier (`question` column, `id.row` for a grid row),
the option identifiers and level numbers (`value`, `current`, `target`, `importance` columns),
`nsp` for « Je ne sais pas ». `template_csv` writes the import file to fill, with one line per
respondent and per question (per grid row), in the order of the printed form.

A blank form (a respondent created for paper, whose function and structure are not known yet)
adds two lines to its header, to fill by hand: the function, boxes with the role codes
(`_fonction` in the import file), and the structure, written (`_structure`); its lines of the
import file start with these two.

The PDF is drawn by diagnostic/document/paper_pdf.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from diagnostic.answering.paper import COLUMNS, FUNCTION_KEY, ROW_SEPARATOR, STRUCTURE_KEY
from diagnostic.questionnaire import Condition, Question, Questionnaire
from diagnostic.questionnaire.codecs import IMPORTANCE_LABELS, IMPORTANCES
from diagnostic.questionnaire.schema import QuestionType
from diagnostic.vocabulary import ROLE_LABELS

TEXT_LINES = (3, 8)  # ruled lines for a free text: fewest, most


@dataclass(frozen=True)
class Box:
    """A box to tick (or, for a ranking, to write a number in) and the code it stands for."""

    code: str
    label: str
    detail: str = ""  # a level's description


@dataclass(frozen=True)
class Choices:
    """Options one under the other, a box before each: one only, or several."""

    boxes: tuple[Box, ...]
    multiple: bool = False
    most: int | None = None  # at most this many boxes ticked


@dataclass(frozen=True)
class LevelRow:
    """A line of boxes, one per level, and the import column it fills."""

    label: str
    column: str


@dataclass(frozen=True)
class Levels:
    """Levels as the columns of a small table (their words in the heading), a line of boxes
    per thing asked (the level; or the current and the target level), and for « niveau actuel
    et visé » the importance as a line of its own."""

    levels: tuple[Box, ...]
    rows: tuple[LevelRow, ...]
    importance: tuple[Box, ...] = ()


@dataclass(frozen=True)
class Grid:
    """A table: a line per row (actor, function), a box per level in each column asked
    (today; and the wished level), a « nsp » box per column where allowed."""

    legend: tuple[Box, ...]  # the levels with their words, printed above the table
    rows: tuple[Box, ...]  # code = the import file's `question` cell (`id.row`)
    columns: tuple[LevelRow, ...]  # today (current), wished (target)
    dont_know: bool = False


@dataclass(frozen=True)
class Ranking:
    """The options, a box before each to write its rank (1 = first) in, down to `places`."""

    boxes: tuple[Box, ...]
    places: int


@dataclass(frozen=True)
class FreeText:
    """Ruled lines to write on."""

    lines: int


Answer = Choices | Levels | Grid | Ranking | FreeText


@dataclass(frozen=True)
class FormQuestion:
    """A question as printed: its number on the form, its code, what to answer on."""

    number: int
    code: str
    text: str
    answer: Answer
    help: str = ""
    condition: str = ""  # « Si vous avez répondu … » for a question shown on condition
    instruction: str = ""  # « Une seule réponse. », « Plusieurs réponses possibles. »
    dont_know: bool = False  # a whole-question « Je ne sais pas » box (value `nsp`)

    @property
    def import_keys(self) -> tuple[str, ...]:
        """The `question` cells of the import file this question fills, in order."""
        if isinstance(self.answer, Grid):
            return tuple(row.code for row in self.answer.rows)
        return (self.code,)


@dataclass(frozen=True)
class FormPart:
    number: int
    title: str
    intro: str
    questions: tuple[FormQuestion, ...]


@dataclass(frozen=True)
class Respondent:
    """Whom a form is for: the code the import file names them by, and what helps hand the
    form to the right person (their name, function and structure, when known)."""

    code: str
    name: str = ""
    function: str = ""
    structure: str = ""
    blank: bool = False  # function and structure to fill by hand (`_fonction`, `_structure`)


@dataclass(frozen=True)
class PaperForm:
    """The whole form of one respondent."""

    respondent: Respondent
    territory: str
    campaign: str
    questionnaire: str  # title
    version: str  # « gouvernance 2026.2 »
    minutes: int
    instructions: tuple[str, ...]
    parts: tuple[FormPart, ...]

    @property
    def questions(self) -> list[FormQuestion]:
        return [q for part in self.parts for q in part.questions]


@dataclass(frozen=True)
class Campaign:
    """What the forms say of their campaign."""

    territory: str
    title: str
    respondents: tuple[Respondent, ...] = field(default_factory=tuple)


FUNCTION_BOXES = tuple(  # « DGS … encadrant·e, élu·e, autre » on a blank form
    Box(code, label if label.isupper() else label.lower()) for code, label in ROLE_LABELS.items()
)
FUNCTION_LABEL = "Votre fonction :"
STRUCTURE_LABEL = "Votre structure : intercommunalité, ou nom de la commune :"

INSTRUCTIONS = (
    "Répondez au stylo, en cochant une case (☒). Pour corriger : noircissez entièrement la "
    "case à annuler et cochez la bonne.",
    "« Je ne sais pas / sans objet » (nsp) : cochez cette case plutôt que de deviner.",
    "« Niveau actuel et visé » : une case sur la ligne « Niveau actuel » (ce qui existe "
    "aujourd'hui), une sur la ligne « Niveau visé » (celui à atteindre en fin de mandat), et "
    "l'importance du sujet pour votre territoire.",
    "Tableaux : une case par ligne dans chaque colonne (aujourd'hui, et souhaité).",
    "Classements : écrivez 1 dans la case de l'option la plus importante, puis 2, 3… ; "
    "laissez vides les autres.",
    "Une question précédée de « Si vous avez répondu… » ne concerne que ces réponses : "
    "sinon, passez à la suivante.",
    "Les petits codes gris servent à la saisie de vos réponses : ne vous en occupez pas.",
    "Rendez le questionnaire rempli à la coordination du diagnostic, qui saisit vos réponses.",
)


def build_forms(questionnaire: Questionnaire, campaign: Campaign) -> list[PaperForm]:
    """A form per respondent of the campaign, in the order given."""
    parts = _parts(questionnaire)
    return [
        PaperForm(
            respondent=respondent,
            territory=campaign.territory,
            campaign=campaign.title,
            questionnaire=questionnaire.title,
            version=f"{questionnaire.id} {questionnaire.version}",
            minutes=questionnaire.estimated_minutes,
            instructions=INSTRUCTIONS,
            parts=parts,
        )
        for respondent in campaign.respondents
    ]


def _parts(q: Questionnaire) -> tuple[FormPart, ...]:
    numbers = {question.id: n for n, question in enumerate(q.questions(), start=1)}
    return tuple(
        FormPart(
            number=i,
            title=section.title,
            intro=" ".join((section.intro or "").split()),
            questions=tuple(_question(q, question, numbers) for question in section.questions),
        )
        for i, section in enumerate(q.sections, start=1)
    )


def _question(q: Questionnaire, question: Question, numbers: dict[str, int]) -> FormQuestion:
    answer, instruction = _answer(q, question)
    whole_dont_know = question.allow_dont_know and question.type not in {
        QuestionType.GRID,
        QuestionType.TEXT,
    }
    return FormQuestion(
        number=numbers[question.id],
        code=question.id,
        text=" ".join(question.text.split()),
        answer=answer,
        help=" ".join((question.help or "").split()),
        condition=condition_text(q, question.show_if, numbers),
        instruction=instruction,
        dont_know=whole_dont_know,
    )


def _levels(q: Questionnaire, question: Question) -> tuple[Box, ...]:
    scale = q.scale_of(question)
    own = question.level_descriptions or {}
    return tuple(
        Box(str(value), level.label, own.get(value) or level.description or "")
        for value, level in sorted(scale.levels.items())
    )


def _answer(q: Questionnaire, question: Question) -> tuple[Answer, str]:
    t = question.type
    if t == QuestionType.MATURITY:
        return Levels(_levels(q, question), (LevelRow("Votre réponse", "value"),)), ""
    if t == QuestionType.CURRENT_TARGET:
        importance = (
            tuple(Box(str(i), IMPORTANCE_LABELS[i]) for i in IMPORTANCES)
            if question.importance
            else ()
        )
        rows = (LevelRow("Niveau actuel", "current"), LevelRow("Niveau visé", "target"))
        return Levels(_levels(q, question), rows, importance), ""
    if t == QuestionType.SINGLE_CHOICE and not question.options:  # a scale: agreement
        return Levels(_levels(q, question), (LevelRow("Votre réponse", "value"),)), ""
    if t == QuestionType.SINGLE_CHOICE:
        boxes = tuple(Box(o.id, o.label) for o in question.options or [])
        return Choices(boxes), "Une seule réponse."
    if t == QuestionType.MULTIPLE_CHOICE:
        boxes = tuple(Box(o.id, o.label) for o in question.options or [])
        most = question.max_choices
        said = f" (au plus {most})" if most else ""
        return Choices(boxes, multiple=True, most=most), f"Plusieurs réponses possibles{said}."
    if t == QuestionType.RANKING:
        boxes = tuple(Box(o.id, o.label) for o in question.options or [])
        places = min(question.max_choices or len(boxes), len(boxes))
        last = "puis 2, 3…" if places > 3 else "puis 2" if places == 2 else "puis 2, 3"
        return Ranking(boxes, places), (
            f"Écrivez 1 dans la case de l'option que vous placez en premier, {last} jusqu'à "
            f"{places} ; laissez les autres cases vides."
        )
    if t == QuestionType.GRID:
        columns = [LevelRow("Aujourd'hui", "current")]
        if question.desired:
            columns.append(LevelRow("Souhaité", "target"))
        rows = tuple(
            Box(f"{question.id}{ROW_SEPARATOR}{r.id}", r.label) for r in question.rows or []
        )
        return Grid(
            _levels(q, question), rows, tuple(columns), question.allow_dont_know
        ), "Une case par ligne dans chaque colonne."
    lines = max(TEXT_LINES[0], min(TEXT_LINES[1], question.max_length // 250))
    return FreeText(lines), ""


def condition_text(q: Questionnaire, cond: Condition | None, numbers: dict[str, int]) -> str:
    """« Si vous avez répondu « Une commune » à la question 2 » for a conditional question."""
    if cond is None:
        return ""
    try:
        asked = q.question(cond.question)
    except KeyError:
        return ""
    where = f"à la question {numbers.get(asked.id, '?')}"

    def said(value: str | int) -> str:
        for option in asked.options or []:
            if option.id == value:
                return f"« {option.label} »"
        level = q.scale_of(asked).levels.get(value) if isinstance(value, int) else None
        return f"« {value} — {level.label} »" if level else f"« {value} »"

    if cond.equals is not None:
        return f"Si vous avez répondu {said(cond.equals)} {where}"
    if cond.any_of is not None:
        told = [said(v) for v in cond.any_of]
        words = ", ".join(told[:-1]) + f" ou {told[-1]}" if len(told) > 1 else told[0]
        return f"Si vous avez répondu {words} {where}"
    if cond.includes is not None:
        return f"Si vous avez coché {said(cond.includes)} {where}"
    if cond.at_least is not None:
        return f"Si vous avez répondu un niveau de {cond.at_least} ou plus {where}"
    return f"Si vous avez répondu un niveau de {cond.at_most} ou moins {where}"


def template_rows(forms: Sequence[PaperForm]) -> list[list[str]]:
    """The import file's lines to fill, header first: per form, per question (grid row)."""
    rows = [list(COLUMNS)]
    for form in forms:
        if form.respondent.blank:
            for key in (FUNCTION_KEY, STRUCTURE_KEY):
                rows.append([form.respondent.code, key] + [""] * (len(COLUMNS) - 2))
        for question in form.questions:
            for key in question.import_keys:
                rows.append([form.respondent.code, key] + [""] * (len(COLUMNS) - 2))
    return rows


def template_csv(forms: Sequence[PaperForm]) -> bytes:
    """The import file to fill (`;`, UTF-8 with BOM so that a spreadsheet reads the accents):
    the codes are identifiers and numbers only, nothing a spreadsheet would take for a
    formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(template_rows(forms))
    return out.getvalue().encode("utf-8-sig")
