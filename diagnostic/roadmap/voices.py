"""« Paroles de directeurs »: the free-text answers quoted in the roadmap, and the consensus
rationales, as plain data (pure: the store's rows come in, quotes come out).

The rules (docs/methodes.md, « Paroles de directeurs »):

- nothing is quoted unless the campaign has at least `min_group_size` submitted
  questionnaires, and only the answers of submitted questionnaires are read;
- a quote never carries a name, a function or a commune; it is attributed at most to « une
  direction communale » or « une direction de l'intercommunalité », and only when every group
  that answered (intercommunality, communes) has at least `min_group_size` submitted
  questionnaires — otherwise naming the large group would name the small one by elimination;
- the text is cleaned of line noise (line breaks, list marks, repeated punctuation, enclosing
  quotation marks), never reworded, and cut at a word boundary with « […] » beyond MAX_CHARS;
- answers that say nothing (« RAS », « non », « - »…) are not quoted; identical answers to the
  same question are quoted once, with their number;
- the coordinator may leave an answer out (`quoted` False), never edit it.

A name or an e-mail address typed inside a free text cannot be detected reliably: the
coordinator's review on the roadmap page is the safeguard, and the page says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from diagnostic.questionnaire import Questionnaire, QuestionType

MAX_CHARS = 400  # longer quotes are cut at a word boundary, with « […] »
CUT = " […]"
MIN_LETTERS = 3  # fewer letters than this: not a sentence worth quoting
# Answers that say nothing, compared lower-case without accents nor punctuation.
EMPTY_ANSWERS = frozenset(
    {
        "ras",
        "neant",
        "non",
        "oui",
        "aucun",
        "aucune",
        "rien",
        "sans objet",
        "nsp",
        "je ne sais pas",
        "ne sais pas",
        "pas d avis",
        "sans avis",
        "na",
        "nc",
    }
)
_EMPTY = frozenset(e.replace(" ", "") for e in EMPTY_ANSWERS)  # « r.a.s. » is « ras »
GROUP_SOURCES = {
    "epci": "une direction de l'intercommunalité",
    "commune": "une direction communale",
}
GROUP_PLURALS = {"epci": "directions de l'intercommunalité", "commune": "directions communales"}

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b-\u200f\ufeff]")
_LIST_MARK = re.compile(r"^\s*(?:[-–—*•·>▪◦]+|\d{1,2}[.)])\s+")
_REPEATED = (
    (re.compile(r"\.{3,}|…[.…]+"), "…"),
    (re.compile(r"!{2,}"), "!"),
    (re.compile(r"\?{2,}"), "?"),
    (re.compile(r",{2,}"), ","),
    (re.compile(r";{2,}"), ";"),
    (re.compile(r"(?<=\S) +(?=[,.](?:\s|$))"), ""),
    (re.compile(r"\s+"), " "),
)
_ENCLOSING = (("«", "»"), ('"', '"'), ("“", "”"), ("'", "'"))


@dataclass(frozen=True)
class FreeText:
    """One stored free-text answer of a submitted questionnaire, as the store hands it."""

    answer_id: int
    question_id: str
    text: str
    structure_kind: str  # "epci" or "commune"
    quoted: bool = True  # the coordinator's choice; an answer is quoted unless left out


@dataclass(frozen=True)
class Quote:
    """A free text as the roadmap quotes it (one answer, or identical answers merged)."""

    answer_ids: tuple[int, ...]
    question_id: str
    text: str  # cleaned and capped, never reworded
    kinds: tuple[str, ...]  # the structure kind of each answer ("" when not attributed)
    quoted: bool = True

    @property
    def source(self) -> str:
        """« une direction communale », « 2 directions communales », « 3 réponses »… or ""."""
        n = len(self.answer_ids)
        named = {k for k in self.kinds if k}
        if not named:
            return f"{n} réponses identiques" if n > 1 else ""
        if n == 1:
            return GROUP_SOURCES[next(iter(named))]
        if len(named) == 1:
            return f"{n} {GROUP_PLURALS[next(iter(named))]}"
        return f"{n} directions de l'intercommunalité et des communes"


@dataclass(frozen=True)
class Rationale:
    """The reason the consensus meeting gave for the level it agreed on one item."""

    question_id: str
    dimension: str
    level: int | None
    target: int | None
    text: str


@dataclass(frozen=True)
class Voices:
    """What the roadmap may quote: every substantive free text with the coordinator's choice
    (empty below the threshold), and the consensus rationales."""

    respondents: int  # submitted questionnaires of the campaign
    min_group_size: int
    quotes: tuple[Quote, ...] = ()  # one per answer, in questionnaire then text order
    rationales: tuple[Rationale, ...] = ()
    attributed: bool = False  # quotes name their group (intercommunality or communes)
    answered: int = field(default=0)  # substantive free texts, before the threshold applies

    @property
    def enough(self) -> bool:
        return self.respondents >= self.min_group_size

    @property
    def left_out(self) -> int:
        """How many answers the coordinator left out."""
        return sum(not q.quoted for q in self.quotes)

    def shown(self) -> tuple[Quote, ...]:
        """The quotes the document prints: left-out answers dropped, identical ones merged."""
        merged: dict[tuple[str, str], Quote] = {}
        for quote in self.quotes:
            if not quote.quoted:
                continue
            key = (quote.question_id, _comparable(quote.text))
            if key in merged:
                first = merged[key]
                merged[key] = Quote(
                    first.answer_ids + quote.answer_ids,
                    first.question_id,
                    first.text,
                    first.kinds + quote.kinds,
                )
            else:
                merged[key] = quote
        return tuple(merged.values())

    def rationales_of(self, dimension: str) -> tuple[Rationale, ...]:
        return tuple(r for r in self.rationales if r.dimension == dimension)


def clean(text: str, limit: int = MAX_CHARS) -> str:
    """A free text fit to quote: invisible characters and list marks removed, lines joined,
    repeated punctuation and spaces reduced, enclosing quotation marks dropped, and cut at a
    word boundary with « […] » when longer than `limit`. The words are never changed."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text or ""))
    parts: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        listed = bool(_LIST_MARK.match(raw))
        line = _LIST_MARK.sub("", raw).strip()
        if not line:
            continue
        if parts and listed and parts[-1][-1] not in ".;:!?…,":
            parts[-1] += " ;"
        parts.append(line)
    text = " ".join(parts)
    for pattern, replacement in _REPEATED:
        text = pattern.sub(replacement, text)
    text = _unenclose(text.strip())
    if len(text) <= limit:
        return text
    room = limit - len(CUT)
    head = text[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > room // 2 else text[:room]
    return head.rstrip(" ,;:–-") + CUT


def _unenclose(text: str) -> str:
    for opening, closing in _ENCLOSING:
        inner = text[len(opening) : -len(closing)] if len(text) > 2 else ""
        if (
            text.startswith(opening)
            and text.endswith(closing)
            and opening not in inner
            and closing not in inner
        ):
            return inner.strip()
    return text


def _comparable(text: str) -> str:
    """Lower case, without accents nor punctuation: to compare two answers."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def substantive(text: str) -> bool:
    """False for an answer that says nothing (« RAS », « non », « - », « ? »)."""
    letters = sum(c.isalpha() for c in text)
    return letters >= MIN_LETTERS and _comparable(text).replace(" ", "") not in _EMPTY


def attribution(respondents_by_kind: Mapping[str, int], min_group_size: int) -> bool:
    """Whether quotes may name their group: every group with submitted questionnaires is a
    known kind and counts at least `min_group_size` of them."""
    present = {k: n for k, n in respondents_by_kind.items() if n > 0}
    return bool(present) and all(
        k in GROUP_SOURCES and n >= min_group_size for k, n in present.items()
    )


def voices(
    texts: Iterable[FreeText],
    questionnaire: Questionnaire,
    respondents_by_kind: Mapping[str, int],
    min_group_size: int,
    rationales: Sequence[Rationale] = (),
) -> Voices:
    """The quotable free texts of a campaign (none below the threshold) and its rationales."""
    respondents = int(sum(respondents_by_kind.values()))
    order = {q.id: i for i, q in enumerate(questionnaire.questions())}
    kinds = {q.id for q in questionnaire.questions() if q.type == QuestionType.TEXT}
    named = attribution(respondents_by_kind, min_group_size)
    quotes = []
    for t in texts:
        text = clean(t.text)
        if t.question_id in kinds and substantive(text):
            kind = t.structure_kind if named else ""
            quotes.append(Quote((t.answer_id,), t.question_id, text, (kind,), t.quoted))
    quotes.sort(key=lambda q: (order[q.question_id], _comparable(q.text), q.answer_ids))
    enough = respondents >= min_group_size
    return Voices(
        respondents=respondents,
        min_group_size=min_group_size,
        quotes=tuple(quotes) if enough else (),
        rationales=tuple(rationales),
        attributed=named and enough,
        answered=len(quotes),
    )


def rationales(consensus: pd.DataFrame, questionnaire: Questionnaire) -> tuple[Rationale, ...]:
    """The consensus meeting's rationales (cleaned and capped), in questionnaire order."""
    if consensus is None or consensus.empty or "rationale" not in consensus:
        return ()
    order = {q.id: i for i, q in enumerate(questionnaire.questions())}
    out = []
    for row in consensus.itertuples(index=False):
        qid = str(row.question_id)
        text = clean(str(row.rationale)) if isinstance(row.rationale, str) else ""
        if qid not in order or not text:
            continue
        out.append(
            Rationale(
                qid,
                questionnaire.section_of(qid).id,
                None if pd.isna(row.level) else int(row.level),
                None if pd.isna(row.target) else int(row.target),
                text,
            )
        )
    return tuple(sorted(out, key=lambda r: order[r.question_id]))
