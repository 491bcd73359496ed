"""Paper answers typed into a CSV file: reading and validation of the whole file, no storage.

The format (long: one line per participant and question) is documented in README.md,
« Importer des réponses papier ». Every problem of a file is reported at once, as
`fichier.csv:LIGNE: colonne « … » : message`, and nothing is stored unless every line is valid.

Two « questions » that are not in the questionnaire say who answered a blank form:
`_fonction` (a role code) and `_structure` (`epci`, or a member commune's INSEE code or exact
name). They are accepted for a participant who has not started answering (or who would keep
the same value), and change the participant's function and structure.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from diagnostic.errors import ProblemsError
from diagnostic.questionnaire import Question, Questionnaire
from diagnostic.questionnaire.codecs import (
    DONT_KNOW,
    IMPORTANCES,
    AnswerError,
    NormalizedAnswer,
    codec_for,
    normalize,
    whole_number,
)
from diagnostic.vocabulary import ROLE_LABELS

REQUIRED_COLUMNS = ("participant", "question", "value")
OPTIONAL_COLUMNS = ("current", "target", "importance")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
LEVEL_COLUMNS = OPTIONAL_COLUMNS
ANSWER_COLUMNS = ("value", *LEVEL_COLUMNS)
ROW_SEPARATOR = "."  # a grid line names its row: act_grille.departement
FUNCTION_KEY = "_fonction"  # the respondent's function, ticked on a blank form
STRUCTURE_KEY = "_structure"  # and their structure, written on it
IDENTITY_KEYS = (FUNCTION_KEY, STRUCTURE_KEY)
EPCI = "epci"  # the `_structure` value for the campaign's territory itself


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import file, located by line and, when known, column."""

    source: str
    line: int
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"colonne « {self.column} » : " if self.column else ""
        return f"{self.source}:{self.line}: {where}{self.message}"


class AnswerImportError(ProblemsError, ValueError):
    """The file cannot be imported; `problems` lists every problem found."""

    problems: list[ImportProblem]


@dataclass(frozen=True)
class ParticipantState:
    """What validation needs to know of a participant named in the file."""

    campaign_id: int
    submitted: bool = False
    erased: bool = False
    started: bool = False
    role: str = ""
    structure_id: int | None = None


@dataclass(frozen=True)
class Place:
    """A structure a respondent can belong to: the campaign's territory or a member commune."""

    id: int
    name: str
    code: str | None = None


@dataclass(frozen=True)
class Structures:
    """Where the campaign's respondents can work: `_structure` is checked against these."""

    territory: Place
    communes: tuple[Place, ...] = ()

    def find(self, text: str) -> Place | None:
        """`epci`, or a commune by INSEE code or exact name (case and spaces aside)."""
        wanted = " ".join(text.split()).casefold()
        if wanted == EPCI:
            return self.territory
        for place in self.communes:
            if wanted in {(place.code or "").casefold(), " ".join(place.name.split()).casefold()}:
                return place
        return None


@dataclass(frozen=True)
class Line:
    """One data line of the file, its cells stripped, by column name."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class ImportedAnswer:
    """One answer ready to store."""

    participant_id: int
    question_id: str
    answer: NormalizedAnswer
    line: int


@dataclass(frozen=True)
class ImportedIdentity:
    """A function or a structure to give a participant (from `_fonction`, `_structure`)."""

    participant_id: int
    role: str | None  # a role code, or None for a `_structure` line
    structure_id: int | None  # None for a `_fonction` line
    line: int


@dataclass
class ImportPlan:
    """The outcome of a valid file: the answers and identities to store, the blank lines
    skipped."""

    answers: list[ImportedAnswer] = field(default_factory=list)
    identities: list[ImportedIdentity] = field(default_factory=list)
    skipped: int = 0

    @property
    def participants(self) -> set[int]:
        return {a.participant_id for a in self.answers} | {
            i.participant_id for i in self.identities
        }


def decode(data: bytes, source: str) -> str:
    """The text of the file (UTF-8, with or without BOM), or an error naming the bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AnswerImportError(
            [
                ImportProblem(
                    source,
                    line,
                    "le fichier n'est pas encodé en UTF-8 (caractère illisible) : dans le tableur, "
                    "enregistrez-le au format « CSV UTF-8 »",
                )
            ]
        ) from None


def read_lines(data: bytes, source: str) -> list[Line]:
    """Decode, find the separator (`;` or `,`), check the header and return the data lines."""
    text = decode(data, source)
    if not text.strip():
        raise AnswerImportError([ImportProblem(source, 1, "le fichier est vide")])
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    records = _records(text, delimiter, source)
    _, _, first = next(records)
    header = [h.strip().lower() for h in first]
    problems = [
        ImportProblem(
            source,
            1,
            f"colonne inconnue « {name} » : les colonnes possibles sont {', '.join(COLUMNS)}",
        )
        for name in header
        if name and name not in COLUMNS
    ]
    problems += [
        ImportProblem(
            source,
            1,
            f"colonne « {name} » manquante : la première ligne doit nommer au moins les "
            f"colonnes {', '.join(REQUIRED_COLUMNS)} (séparées par « ; » ou « , »)",
        )
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    problems += [
        ImportProblem(source, 1, f"colonne « {name} » en double")
        for name in sorted({h for h in header if h and header.count(h) > 1})
    ]
    if problems:
        raise AnswerImportError(problems)
    lines: list[Line] = []
    for number, _, row in records:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            problems.append(
                ImportProblem(
                    source,
                    number,
                    f"{len(row)} cellules pour {len(header)} colonnes : vérifiez le séparateur "
                    "et les guillemets autour des textes qui contiennent « ; » ou « , »",
                )
            )
            continue
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        lines.append(Line(number, cells))
    if problems:
        raise AnswerImportError(problems)
    return lines


_QUOTE_HINT = 'doublez les guillemets qui font partie du texte (« "" »)'


def _records(text: str, delimiter: str, source: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each record with its first and last physical line; a malformed quote is an error.

    The reader is strict (a closing quote must be followed by the separator or the end of the
    line), and a record spread over several lines is accepted only when none of the lines its
    quoted text swallowed looks like a line of answers (`12;question;…`): a quote left open
    must not silently turn the next participant's lines into free text.
    """
    physical = io.StringIO(text, newline="").readlines()
    answer_line = re.compile(rf"\s*\"?\s*\d+\s*\"?\s*{re.escape(delimiter)}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise AnswerImportError(
                [_csv_problem(source, start, reader.line_num, str(exc))]
            ) from None
        end = reader.line_num
        for number in range(start + 1, end + 1):
            if answer_line.match(physical[number - 1]):
                preview = physical[number - 1].strip()
                preview = preview if len(preview) <= 60 else preview[:59] + "…"
                raise AnswerImportError(
                    [
                        ImportProblem(
                            source,
                            start,
                            f"le guillemet ouvert sur cette ligne ne se referme que ligne {end} : "
                            f"la ligne {number} (« {preview} ») serait lue comme du texte de la "
                            "cellule ; refermez le guillemet, ou doublez ceux qui font partie du "
                            'texte (« "" »)',
                        )
                    ]
                )
        yield start, end, row
        start = end + 1


def _csv_problem(source: str, start: int, line: int, error: str) -> ImportProblem:
    """A French message for an error of the csv module, on the line its record starts."""
    if "field larger than field limit" in error:
        limit = f"{csv.field_size_limit():,}".replace(",", " ")
        message = (
            f"cellule de plus de {limit} caractères (bien plus qu'une réponse libre) : vérifiez "
            "qu'aucun guillemet n'est resté ouvert"
        )
    elif "unexpected end of data" in error:
        message = (
            f'guillemet « " » ouvert et jamais refermé : la suite du fichier (lignes {start} à '
            f"{line}) serait lue comme une seule cellule ; refermez-le, ou {_QUOTE_HINT}"
        )
    elif "expected after" in error:
        where = f" (refermé ligne {line})" if line != start else ""
        message = (
            f"guillemet mal placé{where} : un texte entre guillemets doit être suivi de « ; » "
            f"ou de la fin de la ligne ; {_QUOTE_HINT}"
        )
    else:
        message = f"ligne illisible ({error}) : vérifiez les guillemets et le séparateur"
    return ImportProblem(source, start, message)


def referenced_participants(lines: list[Line]) -> set[int]:
    """The participant ids the file names (to look them up before validation)."""
    return {n for line in lines if (n := whole_number(line.get("participant"))) is not None}


class _Checker:
    """Validation of the lines of one file against one campaign's questionnaire."""

    def __init__(
        self,
        source: str,
        questionnaire: Questionnaire,
        campaign_id: int,
        participants: Mapping[int, ParticipantState],
        structures: Structures | None = None,
    ):
        self.source = source
        self.q = questionnaire
        self.campaign_id = campaign_id
        self.participants = participants
        self.structures = structures
        self.problems: list[ImportProblem] = []

    def problem(self, line: Line, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.source, line.number, message, column))

    def participant(self, line: Line) -> int | None:
        text = line.get("participant")
        pid = whole_number(text)
        if pid is None:
            what = "vide" if not text else f"« {text} » n'est pas un numéro"
            self.problem(
                line,
                "participant",
                f"{what} : indiquez le numéro de la personne "
                "(commande `participants --campaign ID`)",
            )
            return None
        state = self.participants.get(pid)
        if state is None:
            self.problem(
                line,
                "participant",
                f"participant·e {pid} inconnu·e : la liste des numéros de la campagne "
                f"s'obtient avec `python -m diagnostic participants --campaign {self.campaign_id}`",
            )
        elif state.campaign_id != self.campaign_id:
            self.problem(
                line,
                "participant",
                f"participant·e {pid} invité·e à une autre campagne (n° {state.campaign_id}), "
                f"pas à la campagne {self.campaign_id}",
            )
        elif state.erased:
            self.problem(
                line,
                "participant",
                f"les données de la participant·e {pid} ont été effacées : invitez de nouveau "
                "la personne pour importer ses réponses",
            )
        elif state.submitted:
            self.problem(
                line,
                "participant",
                f"participant·e {pid} a déjà envoyé ses réponses : rouvrez-les depuis la page "
                "« Campagnes » (« Rouvrir ses réponses ») avant l'import",
            )
        else:
            return pid
        return None

    def identity(self, line: Line, pid: int) -> ImportedIdentity | None:
        """A `_fonction` or `_structure` line: what to change (None when blank or unchanged)."""
        key = line.get("question")
        for column in LEVEL_COLUMNS:
            if line.get(column):
                self.problem(line, column, f"inutile pour « {key} » : la réponse va dans value")
                raise _Invalid
        text = line.get("value")
        if not text:
            return None
        state = self.participants[pid]
        if key == FUNCTION_KEY:
            role = text.casefold()
            if role not in ROLE_LABELS:
                self.problem(
                    line,
                    "value",
                    f"fonction « {text} » inconnue : un de ces codes est attendu : "
                    f"{', '.join(ROLE_LABELS)}",
                )
                raise _Invalid
            if role == state.role:
                return None
            self.not_started(line, pid, state, "sa fonction")
            return ImportedIdentity(pid, role, None, line.number)
        place = self.structures.find(text) if self.structures else None
        if place is None:
            known = len(self.structures.communes) if self.structures else 0
            self.problem(
                line,
                "value",
                f"structure « {text} » inconnue : écrivez « {EPCI} » pour l'intercommunalité, "
                f"ou le code INSEE ou le nom exact d'une de ses {known} communes membres",
            )
            raise _Invalid
        if place.id == state.structure_id:
            return None
        self.not_started(line, pid, state, "sa structure")
        return ImportedIdentity(pid, None, place.id, line.number)

    def not_started(self, line: Line, pid: int, state: ParticipantState, what: str) -> None:
        if state.started:
            self.problem(
                line,
                "value",
                f"participant·e {pid} a déjà commencé à répondre : {what} ne change plus par "
                "l'import (elle se renseigne seulement sur un questionnaire vierge pas encore "
                "saisi) ; laissez la cellule vide",
            )
            raise _Invalid

    def question(self, line: Line) -> tuple[Question, str | None] | None:
        text = line.get("question")
        qid, _, row = text.partition(ROW_SEPARATOR)
        try:
            question = self.q.question(qid)
        except KeyError:
            self.problem(
                line,
                "question",
                f"question « {text} » inconnue dans le questionnaire « {self.q.id} » version "
                f"{self.q.version} (identifiants des questions : commande `validate`)"
                if text
                else "identifiant de question manquant",
            )
            return None
        if row and not question.rows:
            self.problem(
                line, "question", f"« {qid} » n'est pas une grille : écrivez seulement « {qid} »"
            )
            return None
        rows = [r.id for r in question.rows or []]
        if row and row not in rows:
            self.problem(
                line,
                "question",
                f"ligne « {row} » inconnue dans la grille « {qid} » (lignes : {', '.join(rows)})",
            )
            return None
        return question, row or None

    def level(self, line: Line, column: str, question: Question, dont_know: bool) -> Any:
        """A level cell: None when blank, the int, `nsp` where allowed, or a reported problem."""
        text = line.get(column)
        if not text:
            return None
        if dont_know and text.lower() == DONT_KNOW:
            return DONT_KNOW
        value = whole_number(text)
        values = self.q.scale_of(question).values
        if column == "importance":
            values = list(IMPORTANCES)
        if value is None or value not in values:
            extra = " ou « nsp »" if dont_know else ""
            self.problem(
                line,
                column,
                f"« {text} » hors de l'échelle : un nombre entier de {values[0]} à "
                f"{values[-1]}{extra} est attendu",
            )
            raise _Invalid
        return value

    def unused(self, line: Line, columns: tuple[str, ...], question: Question, hint: str) -> None:
        for column in columns:
            if line.get(column):
                kind = codec_for(question).label
                self.problem(line, column, f"inutile pour « {question.id} » ({kind}) : {hint}")
                raise _Invalid

    def raw(self, line: Line, question: Question) -> dict[str, Any] | None:
        """The raw answer of a (non-grid-row) line, None when the line holds no answer."""
        codec = codec_for(question)
        if line.get("value").lower() == DONT_KNOW and not codec.free_text:
            self.unused(line, LEVEL_COLUMNS, question, "« nsp » se suffit à lui-même")
            return {"dont_know": True}
        if question.rows:
            self.whole_grid(line, question)
            return None
        columns = codec.paper_columns
        hint = (
            "mettez la réponse dans la colonne value"
            if columns == ("value",)
            else f"mettez les niveaux dans {', '.join(columns)}"
        )
        self.unused(line, tuple(c for c in ANSWER_COLUMNS if c not in columns), question, hint)
        cells = {
            c: line.get(c) if c == "value" else self.level(line, c, question, False)
            for c in columns
        }
        if all(v in (None, "") for v in cells.values()):
            return None
        return codec.from_paper(question, cells)  # a text as typed, formula-looking or not

    def whole_grid(self, line: Line, question: Question) -> None:
        """A grid's line without a row holds nothing but « nsp »."""
        if any(line.get(c) for c in ANSWER_COLUMNS):
            rows = ", ".join(f"{question.id}.{r.id}" for r in question.rows or [])
            self.problem(
                line,
                "question",
                f"« {question.id} » est une grille : une ligne par rangée ({rows}), avec les "
                "niveaux dans current (et target pour le niveau souhaité)",
            )
            raise _Invalid

    def grid_cells(self, line: Line, question: Question) -> dict[str, Any] | None:
        self.unused(
            line,
            ("value", "importance"),
            question,
            "une rangée de grille prend current (et target pour le niveau souhaité)",
        )
        cells = {}
        current = self.level(line, "current", question, question.allow_dont_know)
        if current is not None:
            cells["current"] = current
        desired = self.level(line, "target", question, question.allow_dont_know)
        if desired is not None:
            if not question.desired:
                self.problem(
                    line, "target", f"la grille « {question.id} » ne demande pas de niveau souhaité"
                )
                raise _Invalid
            cells["desired"] = desired
        return cells or None

    def normalized(self, line: Line, question: Question, raw: dict[str, Any]) -> Any:
        try:
            return normalize(self.q, question, raw)
        except AnswerError as exc:
            message = str(exc)
            column = "value"
            for prefix, name in (
                ("niveau actuel", "current"),
                ("niveau visé", "target"),
                ("importance", "importance"),
            ):
                if message.startswith(prefix):
                    column = name
            if question.options and ("inconnu" in message or "option" in message):
                message += f" (options : {', '.join(o.id for o in question.options)})"
            self.problem(line, column, message)
            return None


class _Invalid(Exception):
    """A problem was recorded for this line: skip the rest of its checks."""


def validate(
    lines: list[Line],
    source: str,
    questionnaire: Questionnaire,
    campaign_id: int,
    participants: Mapping[int, ParticipantState],
    structures: Structures | None = None,
) -> ImportPlan:
    """Check every line; raise AnswerImportError with all problems, or return what to store."""
    check = _Checker(source, questionnaire, campaign_id, participants, structures)
    plan = ImportPlan()
    seen: dict[tuple[int, str, str | None], int] = {}
    grids: dict[tuple[int, str], dict[str, Any]] = {}
    grid_lines: dict[tuple[int, str], Line] = {}
    for line in lines:
        pid = check.participant(line)
        if line.get("question") in IDENTITY_KEYS:
            if pid is not None:
                _identity_line(check, plan, seen, line, pid)
            continue
        found = check.question(line)
        if pid is None or found is None:
            continue
        question, row = found
        key = (pid, question.id, row)
        if key in seen:
            label = f"{question.id}.{row}" if row else question.id
            check.problem(
                line,
                "question",
                f"deuxième réponse de la participant·e {pid} à « {label} » (déjà ligne "
                f"{seen[key]}) : gardez une seule ligne",
            )
            continue
        seen[key] = line.number
        try:
            if row is not None:
                cells = check.grid_cells(line, question)
                if cells is None:
                    plan.skipped += 1
                    continue
                grids.setdefault((pid, question.id), {})[row] = cells
                grid_lines.setdefault((pid, question.id), line)
                continue
            raw = check.raw(line, question)
        except _Invalid:
            continue
        if raw is None:
            plan.skipped += 1
            continue
        answer = check.normalized(line, question, raw)
        if answer is not None:
            plan.answers.append(ImportedAnswer(pid, question.id, answer, line.number))
    for (pid, qid), rows in grids.items():
        line = grid_lines[(pid, qid)]
        if (pid, qid, None) in seen:
            check.problem(
                line,
                "question",
                f"« {qid} » a aussi une ligne sans rangée (« nsp ») : gardez l'un ou l'autre",
            )
            continue
        question = questionnaire.question(qid)
        answer = check.normalized(line, question, codec_for(question).from_paper(question, rows))
        if answer is not None:
            plan.answers.append(ImportedAnswer(pid, qid, answer, line.number))
    if check.problems:
        check.problems.sort(key=lambda p: p.line)
        raise AnswerImportError(check.problems)
    plan.answers.sort(key=lambda a: a.line)
    return plan


def _identity_line(
    check: _Checker,
    plan: ImportPlan,
    seen: dict[tuple[int, str, str | None], int],
    line: Line,
    pid: int,
) -> None:
    key = (pid, line.get("question"), None)
    if key in seen:
        check.problem(
            line,
            "question",
            f"deuxième ligne « {key[1]} » de la participant·e {pid} (déjà ligne {seen[key]}) : "
            "gardez une seule ligne",
        )
        return
    seen[key] = line.number
    try:
        identity = check.identity(line, pid)
    except _Invalid:
        return
    if identity is not None:
        plan.identities.append(identity)
    elif not line.get("value"):
        plan.skipped += 1


def parse_answers(
    data: bytes,
    source: str,
    questionnaire: Questionnaire,
    campaign_id: int,
    lookup: Callable[[set[int]], Mapping[int, ParticipantState]],
    structures: Structures | None = None,
) -> ImportPlan:
    """Read and validate a whole file; `lookup` gives the state of the participants it names,
    `structures` where they can work (for `_structure` lines)."""
    lines = read_lines(data, source)
    participants = lookup(referenced_participants(lines))
    return validate(lines, source, questionnaire, campaign_id, participants, structures)
