"""The mandate calendar (questions/calendrier.yaml): the general renewals of the councils, the
deadlines that run from a renewal, from the community council's installation, from an event or
every year, and the moment of a campaign in the mandate.

Pure: rules on values read from the data file, no database and no access check. The rules are
written out in docs/methodes.md (« Calendrier du mandat »).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from diagnostic.questionnaire import Problem, QuestionnaireError
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.loader import duplicates, key_path, line_of, schema_problems
from diagnostic.questionnaire.messages import Form, broken
from diagnostic.questionnaire.schema import Identifier, Text, as_plain
from diagnostic.questionnaire.source import parse_yaml, read_source
from diagnostic.vocabulary import MONTHS, french_date

INSTALLATION_FACT = "installation_conseil"  # the fiche's date of the council's installation

YearMonth = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$"),
    Form("un mois AAAA-MM (par exemple 2032-03)"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), or the month's last day when it has no such
    day: 31 August + 6 months = 28 (or 29) February."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def as_day(value: object) -> dt.date | None:
    """A fact's value as a day, or None when it is not a date (unknown)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


class Renewal(_Strict):
    """A general renewal of the municipal (and community) councils."""

    id: Identifier
    libelle: Text
    tours: list[dt.date] | None = Field(default=None, min_length=1, max_length=2)
    mois: YearMonth | None = None  # an expected renewal, whose dates are not set yet
    attendu: bool = False
    base_legale: Text | None = None
    note: Text | None = None
    a_verifier: bool = False

    @model_validator(mode="after")
    def _dates(self) -> Renewal:
        if (self.tours is None) == (self.mois is None) or (self.mois and not self.attendu):
            raise broken(m.RENEWAL_DATES)
        if self.tours and (sorted(set(self.tours)) != self.tours):
            raise broken(m.ROUNDS_NOT_IN_ORDER, rounds=", ".join(map(str, self.tours)))
        return self

    @property
    def start(self) -> dt.date:
        """The first round (the first day of the month of an expected renewal)."""
        if self.tours:
            return self.tours[0]
        year, month = map(int, str(self.mois).split("-"))
        return dt.date(year, month, 1)

    @property
    def day(self) -> dt.date:
        """The day the deadlines « from the renewal » run from: its last round."""
        return self.tours[-1] if self.tours else self.start

    def when(self) -> str:
        """« les 15 et 22 mars 2026 », « le 15 mars 2020 et le 28 juin 2020 », « attendu en
        mars 2032 »."""
        if not self.tours:
            return f"attendu en {MONTHS[self.start.month - 1]} {self.start.year}"
        if len(self.tours) == 1:
            return f"le {french_date(self.tours[0])}"
        first, last = self.tours
        if (first.year, first.month) == (last.year, last.month):
            return f"les {first.day} et {french_date(last)}"
        return f"le {french_date(first)} et le {french_date(last)}"


class Delay(_Strict):
    """A delay in months or in days."""

    mois: int | None = Field(default=None, ge=1, le=120)
    jours: int | None = Field(default=None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_unit(self) -> Delay:
        if (self.mois is None) == (self.jours is None):
            count = "mois et jours" if self.mois is not None else "aucun des deux"
            raise broken(m.DELAY_UNITS, count=count)
        return self

    def after(self, day: dt.date) -> dt.date:
        if self.mois is not None:
            return add_months(day, self.mois)
        return day + dt.timedelta(days=self.jours or 0)


class DayOfYear(_Strict):
    """A day that comes back every year (« le: {mois: 9, jour: 30} »)."""

    mois: int = Field(ge=1, le=12)
    jour: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _exists(self) -> DayOfYear:
        try:
            dt.date(2023, self.mois, self.jour)  # not a leap year: the day exists every year
        except ValueError:
            raise broken(m.IMPOSSIBLE_DAY, day=self.jour, month=self.mois) from None
        return self

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.mois, self.jour)


class Anchor(StrEnum):
    """What a deadline runs from."""

    RENOUVELLEMENT = "renouvellement"  # the renewal's last round
    INSTALLATION = "installation"  # the council's installation (fiche), else the renewal
    EVENEMENT = "evenement"  # a date of the fiche (a transfer of competence…)
    ANNUEL = "annuel"  # the same day every year
    DATE = "date"  # one fixed day


class Nature(StrEnum):
    """Where the deadline's day comes from."""

    LEGALE = "legale"  # written in the text
    DEDUITE = "deduite"  # follows from the text (see the note)
    INDICATIVE = "indicative"  # no legal delay: a landmark of good practice


# The fields each anchor needs; the others are refused (how to write each, for the fix).
_NEEDS = {
    Anchor.RENOUVELLEMENT: {"delai"},
    Anchor.INSTALLATION: {"delai"},
    Anchor.EVENEMENT: {"delai", "fait"},
    Anchor.ANNUEL: {"le"},
    Anchor.DATE: {"date"},
}
_FORMS = {
    "delai": "par exemple « delai: {mois: 9} » ou « delai: {jours: 33} »",
    "le": "par exemple « le: {mois: 9, jour: 30} »",
    "date": "une date AAAA-MM-JJ",
    "fait": "l'identifiant de la date de la fiche qui fait courir le délai",
}


class Deadline(_Strict):
    """A deadline of the mandate, with its legal basis."""

    id: Identifier
    titre: Text
    depuis: Anchor
    delai: Delay | None = None
    le: DayOfYear | None = None
    date: dt.date | None = None
    fait: Identifier | None = None
    nature: Nature = Nature.LEGALE
    base_legale: Text
    condition: Text | None = None  # who it concerns, in words (the check is in obligations.yaml)
    facultatif: bool = False
    fenetre: bool = False  # a window in which another body acts (the CDCI), not a duty
    reference: Identifier | None = None
    note: Text | None = None
    a_verifier: bool = False

    @model_validator(mode="after")
    def _fields_of_anchor(self) -> Deadline:
        needed = _NEEDS[self.depuis]
        for field in ("delai", "le", "date", "fait"):
            given = getattr(self, field) is not None
            if field in needed and not given:
                raise broken(
                    m.DEADLINE_FIELD_MISSING,
                    anchor=self.depuis.value,
                    field=field,
                    form=_FORMS[field],
                )
            if given and field not in needed:
                raise broken(m.DEADLINE_FIELD_UNUSED, anchor=self.depuis.value, field=field)
        return self


class MomentLabels(_Strict):
    debut: Text
    mi: Text
    fin: Text


class Moments(_Strict):
    """How a day is placed in its mandate, and the default campaign title that follows."""

    debut_mois: int = Field(ge=1, le=72)  # « début de mandat »: this many months from the renewal
    fin_mois: int = Field(ge=1, le=72)  # « fin de mandat »: this many months before the next
    duree_mois: int = Field(default=72, ge=12, le=120)  # when the next renewal is not listed
    libelles: MomentLabels
    titre: Text  # with {moment} and {mandat}
    titre_sans_mandat: Text

    @field_validator("titre")
    @classmethod
    def _title_fields(cls, titre: str) -> str:
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(titre) if name is not None]
        except ValueError:
            raise broken(m.TITLE_PLACEHOLDER, name=titre) from None
        for name in names:
            if name not in {"moment", "mandat"}:
                raise broken(m.TITLE_PLACEHOLDER, name=name)
        return titre


class Calendar(_Strict):
    """The whole file: renewals in chronological order, moments, deadlines."""

    renouvellements: list[Renewal] = Field(min_length=1)
    moments: Moments
    echeances: list[Deadline] = Field(min_length=1)

    def deadline(self, ident: str) -> Deadline | None:
        return next((d for d in self.echeances if d.id == ident), None)

    def renewal_at(self, on: dt.date) -> Renewal | None:
        """The renewal that opened the mandate running on that day (from its first round)."""
        return next((r for r in reversed(self.renouvellements) if r.start <= on), None)

    def after(self, renewal: Renewal) -> Renewal | None:
        """The renewal listed after this one, if any."""
        index = self.renouvellements.index(renewal)
        following = self.renouvellements[index + 1 : index + 2]
        return following[0] if following else None


# --- the moment of a campaign --------------------------------------------------------------------


class MomentKey(StrEnum):
    DEBUT = "debut"
    MI = "mi"
    FIN = "fin"


@dataclass(frozen=True)
class Moment:
    """Where a day stands in its mandate."""

    key: MomentKey
    label: str  # « début de mandat » (calendrier.yaml)
    renewal: Renewal  # the renewal that opened the mandate
    next_renewal: Renewal | None  # None when the file does not list it yet
    next_start: dt.date  # its first round, or its expected month (or the usual duration)

    @property
    def mandate(self) -> str:
        """« 2026-2032 »."""
        return f"{self.renewal.start.year}-{self.next_start.year}"

    def next_text(self) -> str:
        """« prochain renouvellement attendu en mars 2032 »."""
        if self.next_renewal is not None:
            return f"prochain renouvellement {self.next_renewal.when()}"
        month = MONTHS[self.next_start.month - 1]
        return f"prochain renouvellement attendu vers {month} {self.next_start.year}"

    def describe(self) -> str:
        """« début de mandat 2026-2032 », « fin de mandat 2026-2032 (prochain renouvellement
        attendu en mars 2032) »: the end of a mandate says when the next one starts."""
        text = f"{self.label} {self.mandate}"
        return f"{text} ({self.next_text()})" if self.key == MomentKey.FIN else text


def moment(calendar: Calendar, on: dt.date) -> Moment | None:
    """The moment of the mandate on a day: « début de mandat » for the first `debut_mois`
    months after the renewal's first round, « fin de mandat » for the last `fin_mois` months
    before the next renewal's first round (or expected month), « mi-mandat » in between. A
    boundary day belongs to the later moment. None before the first listed renewal."""
    renewal = calendar.renewal_at(on)
    if renewal is None:
        return None
    rules = calendar.moments
    following = calendar.after(renewal)
    next_start = following.start if following else add_months(renewal.start, rules.duree_mois)
    if on < add_months(renewal.start, rules.debut_mois):
        key = MomentKey.DEBUT
    elif on >= add_months(next_start, -rules.fin_mois):
        key = MomentKey.FIN
    else:
        key = MomentKey.MI
    label = getattr(rules.libelles, key.value)
    return Moment(key, label, renewal, following, next_start)


def default_title(calendar: Calendar, on: dt.date) -> str:
    """The default title of a campaign run on that day: « Autodiagnostic de début de mandat
    2026-2032 » in December 2026 (never « fin de mandat 2026 »)."""
    found = moment(calendar, on)
    if found is None:
        return calendar.moments.titre_sans_mandat
    return calendar.moments.titre.format(moment=found.label, mandat=found.mandate)


def campaign_day(created_at: dt.datetime, opened_at: dt.datetime | None = None) -> dt.date:
    """The day a campaign stands for: the day it opened, else the day it was created."""
    return (opened_at or created_at).date()


# --- deadlines, dated ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dated:
    """A deadline placed in time for one territory on one day."""

    deadline: Deadline
    due: dt.date | None  # None when what it runs from is unknown (no renewal, no event date)
    start: dt.date | None  # an act dated from this day on counts for this deadline
    estimated: bool = False  # installation unknown: computed from the renewal's date


def dated(
    calendar: Calendar, deadline: Deadline, facts: Mapping[str, object], on: dt.date
) -> Dated:
    """The day a deadline falls for this territory, in the mandate running on `on`.

    From the renewal: its last round + the delay. From the installation: the fiche's
    `installation_conseil` when it falls in this mandate, else the renewal's last round
    (`estimated`). From an event: the fiche's date named by `fait`. Every year: the next
    occurrence on or after `on`. A delay in months keeps the day of the month (the last day of
    a shorter month)."""
    if deadline.depuis == Anchor.DATE:
        return Dated(deadline, deadline.date, None)
    if deadline.depuis == Anchor.ANNUEL and deadline.le is not None:
        due = deadline.le.in_year(on.year)
        if on > due:
            due = deadline.le.in_year(on.year + 1)
        return Dated(deadline, due, dt.date(due.year, 1, 1))
    delay = deadline.delai
    if delay is None:  # excluded by the schema (every other anchor needs a delay)
        return Dated(deadline, None, None)
    if deadline.depuis == Anchor.EVENEMENT:
        event = as_day(facts.get(deadline.fait or ""))
        return Dated(deadline, delay.after(event) if event else None, event)
    renewal = calendar.renewal_at(on)
    if renewal is None:
        return Dated(deadline, None, None)
    if deadline.depuis == Anchor.INSTALLATION:
        installed = as_day(facts.get(INSTALLATION_FACT))
        if installed is not None and installed >= renewal.start:
            return Dated(deadline, delay.after(installed), renewal.start)
        return Dated(deadline, delay.after(renewal.day), renewal.start, estimated=True)
    return Dated(deadline, delay.after(renewal.day), renewal.start)


def schedule(calendar: Calendar, facts: Mapping[str, object], on: dt.date) -> list[Dated]:
    """Every deadline of the calendar dated for this territory, soonest first (unknown last)."""
    placed = [dated(calendar, d, facts, on) for d in calendar.echeances]
    return sorted(placed, key=lambda p: (p.due is None, p.due or on))


# --- loading -------------------------------------------------------------------------------------


def load_calendar(path: str | Path, references: Iterable[object] | None = None) -> Calendar:
    """Load questions/calendrier.yaml; raise QuestionnaireError listing every problem."""
    return parse_calendar(read_source(path), str(path), references)


NO_CALENDAR_TITLE = "Autodiagnostic de la gouvernance"  # a questions folder without calendar


@lru_cache(maxsize=4)
def _calendar_of(questions_dir: Path) -> Calendar | None:
    path = Path(questions_dir) / "calendrier.yaml"
    return load_calendar(path) if path.exists() else None


def load_calendar_of(questions_dir: Path) -> Calendar | None:
    """The calendar of a questions folder (read once), None when the folder has none."""
    return _calendar_of(Path(questions_dir))


def campaign_title(questions_dir: Path, on: dt.date) -> str:
    """The title proposed for a campaign created on that day, from the folder's calendar:
    « Autodiagnostic de début de mandat 2026-2032 » in December 2026."""
    calendar = _calendar_of(Path(questions_dir))
    return default_title(calendar, on) if calendar else NO_CALENDAR_TITLE


def parse_calendar(
    text: str, name: str = "<texte>", references: Iterable[object] | None = None
) -> Calendar:
    """Parse and validate the text of a calendar; the references its deadlines cite are checked
    when the known ones are given (ids, or objects with an id)."""
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        expected = "le calendrier du mandat (clés « renouvellements », « moments », « echeances »)"
        raise m.NOT_A_MAPPING.fail(name, 1, expected=expected)
    try:
        calendar = Calendar.model_validate(as_plain(data))
    except ValidationError as exc:
        where = key_path(data, skip={"renouvellements", "echeances"})
        raise QuestionnaireError(schema_problems(exc, Calendar, data, name, where)) from None
    renewals, deadlines = calendar.renouvellements, calendar.echeances
    problems = duplicates([r.id for r in renewals], data, "renouvellements", name, "renouvellement")
    problems += duplicates([d.id for d in deadlines], data, "echeances", name, "échéance")
    for i, (previous, renewal) in enumerate(zip(renewals, renewals[1:], strict=False), 1):
        if renewal.start <= previous.day:
            line = line_of(data, ("renouvellements", i))
            values = {"renewal": renewal.id, "previous": previous.id}
            problems.append(m.RENEWALS_NOT_IN_ORDER.at(name, line, **values))
    if references is not None:
        problems += unknown_references(deadlines, references, data, "echeances", name)
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: p.line))
    return calendar


def unknown_references(
    entries: Sequence[Any], references: Iterable[object], data: Any, key: str, name: str
) -> list[Problem]:
    """Entries whose `reference` is not in « repères et outils », each on its line."""
    known = {getattr(r, "id", r) for r in references}
    return [
        m.UNKNOWN_REFERENCE.at(
            name,
            line_of(data, (key, i, "reference")),
            f"« {entry.id} »",
            reference=entry.reference,
        )
        for i, entry in enumerate(entries)
        if entry.reference is not None and entry.reference not in known
    ]
