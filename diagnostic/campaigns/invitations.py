"""The invitation e-mail (pure): its template, checked with line numbers, and its rendering.

A template is plain text whose first line is « Objet : … » (the subject) and whose fields are
written between braces: {prenom} {nom} {territoire} {campagne} {date_limite} {lien}. The
default text is questions/invitation.md; a campaign may keep its own.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from diagnostic.errors import DiagnosticError, ProblemsError
from diagnostic.vocabulary import french_date

TEMPLATE_FILE = "invitation.md"
SUBJECT_PREFIX = "Objet :"
FIELDS = {
    "prenom": "le prénom (premier mot du nom saisi ; vide sans nom)",
    "nom": "le nom tel que saisi (vide sans nom)",
    "territoire": "le nom du territoire de la campagne",
    "campagne": "le titre de la campagne",
    "date_limite": "la date limite de réponse (« 15 janvier 2027 »)",
    "lien": "le lien personnel (obligatoire)",
}
REMINDER_SUBJECT = "Relance : "
REMINDER_LEAD = (
    "Petit rappel : nous n'avons pas encore reçu vos réponses. Il est encore temps, avec le "
    "lien ci-dessous."
)
REISSUED_NOTE = (
    "Ce lien remplace celui que vous avez reçu auparavant, qui ne fonctionne plus "
    "(vos réponses déjà données sont conservées)."
)
_FIELD = re.compile(r"\{([^{}\n]*)\}")
_EMPTY_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[,.;:!?])")


class AddressError(DiagnosticError, ValueError):
    """An e-mail address that cannot be used, with the reason in French."""


def clean_email(text: str | None) -> str | None:
    """The address as it will be stored (domain in lower case, no spaces), None when empty;
    AddressError when it is not an address. Syntax only: no look-up of the domain."""
    from email_validator import EmailNotValidError, validate_email

    value = (text or "").strip()
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise AddressError(
            f"« {value[:80]} » n'est pas une adresse électronique valide "
            "(forme attendue : prenom.nom@commune.fr)"
        ) from None


class TemplateError(ProblemsError):
    """A template that cannot be used: every problem, one per line, with its line number."""


@dataclass(frozen=True)
class Fields:
    """What one message says about one person."""

    prenom: str
    nom: str
    territoire: str
    campagne: str
    date_limite: date | None
    lien: str


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


SHIPPED = Path(__file__).resolve().parents[2] / "questions" / TEMPLATE_FILE


def default_template(questions_dir: Path) -> str:
    """The text of invitation.md in the questions folder (the message of a campaign that keeps
    no other); the shipped one when that folder has none."""
    path = Path(questions_dir) / TEMPLATE_FILE
    return (path if path.is_file() else SHIPPED).read_text(encoding="utf-8")


def template_problems(text: str, *, deadline: date | None = None) -> list[str]:
    """Every problem of a template, in French with its line: no « Objet : » first line, an
    unknown field (with the closest known one), no {lien}, {date_limite} without a deadline."""
    problems: list[str] = []
    lines = text.strip("\n").splitlines()
    if not lines or not lines[0].startswith(SUBJECT_PREFIX) or not lines[0][7:].strip():
        problems.append(
            "ligne 1 : le message doit commencer par la ligne de l'objet, par exemple "
            "« Objet : Diagnostic de la gouvernance de {territoire} »"
        )
    used: set[str] = set()
    for number, line in enumerate(lines, 1):
        for match in _FIELD.finditer(line):
            name = match.group(1).strip()
            if name in FIELDS:
                used.add(name)
                continue
            close = difflib.get_close_matches(name, FIELDS, n=1)
            hint = f" (vouliez-vous dire {{{close[0]}}} ?)" if close else ""
            problems.append(
                f"ligne {number} : champ inconnu {{{name}}}{hint} ; champs possibles : "
                + ", ".join(f"{{{f}}}" for f in FIELDS)
            )
    if "lien" not in used:
        problems.append("le message doit contenir {lien} : sans lui, personne ne peut répondre")
    if "date_limite" in used and deadline is None:
        problems.append(
            "le message cite {date_limite} mais aucune date limite n'est fixée : fixez-la ou "
            "retirez {date_limite}"
        )
    return problems


def check_template(text: str, *, deadline: date | None = None) -> None:
    """Raise TemplateError listing every problem of the template (see template_problems)."""
    problems = template_problems(text, deadline=deadline)
    if problems:
        raise TemplateError(problems)


def first_name(name: str | None) -> str:
    """The first word of the name as typed (« Marie » for « Marie Dupont »); "" without one."""
    return (name or "").split(" ")[0].strip() if name and name.strip() else ""


def render(
    template: str, fields: Fields, *, reminder: bool = False, reissued: bool = False
) -> Message:
    """The message for one person. A reminder says so in its subject and first line; a message
    carrying a re-issued link says the old one no longer works. An empty field (no name) leaves
    no stray space before punctuation (« Bonjour, »)."""
    check_template(template, deadline=fields.date_limite)
    values = {
        "prenom": fields.prenom,
        "nom": fields.nom,
        "territoire": fields.territoire,
        "campagne": fields.campagne,
        "date_limite": french_date(fields.date_limite) if fields.date_limite else "",
        "lien": fields.lien,
    }
    head, _, rest = template.strip("\n").partition("\n")

    def fill(text: str) -> str:
        out = []
        for line in text.split("\n"):
            blank = {m.group(1).strip() for m in _FIELD.finditer(line)} & {
                k for k, v in values.items() if not v
            }
            line = _FIELD.sub(lambda m: values[m.group(1).strip()], line)
            out.append(_EMPTY_BEFORE_PUNCT.sub("", line) if blank else line)
        return "\n".join(out)

    subject = " ".join(fill(head[len(SUBJECT_PREFIX) :]).split())
    body = fill(rest.strip("\n"))
    notes = [REMINDER_LEAD] if reminder else []
    if reissued:
        notes.append(REISSUED_NOTE)
    if notes:
        body = "\n\n".join([*notes, body])
    if reminder:
        subject = REMINDER_SUBJECT + subject
    return Message(subject, body.rstrip() + "\n")
