"""« Pourquoi cette action ? » in words: the evidence lines of an action and its priority.

The evidence strings come from roadmap/proposals.py (`evaluate`, `_summary`); this module puts
them into sentences a DGS reads: one line per item (two triggers on the same item make one
line), the fiche's facts as « Selon la fiche du territoire, … », the communes that share a
finding counted against the communes that answered and the member communes, and the priority
explained in words rather than by its index.
"""

from __future__ import annotations

import re

import pandas as pd

from diagnostic.document.blocks import Context, plural, score, short
from diagnostic.roadmap.model import LegalDuty, PlanItem, priority_level
from diagnostic.roadmap.proposals import FICHE, importance_words
from diagnostic.roadmap.selection import MILESTONE
from diagnostic.territory.presentation import statement
from diagnostic.vocabulary import french_date

# The notes obligations.py adds to what the fiche says, and how the deadline reads with them.
DEADLINE_NOTES = {
    "échéance déduite du texte": "lecture du texte, pas un délai légal",
    "échéance indicative, sans délai légal": "indicative, pas un délai légal",
}

INDIVIDUAL = "réponses individuelles"
SHARED = re.compile(r"partagé par (\d+) communes? sur (\d+)")


def why_lines(ctx: Context, item: PlanItem) -> list[str]:
    """The bullets of « Pourquoi cette action ? » (without the legal duty's line)."""
    lines: list[str] = []
    merged: dict[str, list[dict[str, str]]] = {}
    for e in item.evidence:
        merged.setdefault(e.get("question_id", "") + "|" + e.get("item", ""), []).append(e)
    for group in merged.values():
        lines.append(_line(ctx, group))
    shared = shared_sentence(ctx, str(item.details.get("shared_by") or ""))
    if shared:
        lines.append(shared)
    return lines


def duty_line(ctx: Context, item: PlanItem, duty: LegalDuty) -> str | None:
    """The fiche's fact behind a legal duty, in words, with its source and date (« Selon la
    fiche du territoire, le débat … n'a pas encore eu lieu (source : …, 20/11/2026). »); None
    when an evidence line of the action already says it. Without a wording on the fiche, what
    the fiche says, without the deadline's notes (they go with the deadline: deadline_note)."""
    situation = ctx.draft.situation
    status = situation.status(duty.obligation) if situation is not None else None
    facts = [f for f in (status.obligation.fait, status.obligation.date) if f] if status else []
    told = {e.get("question_id") for e in item.evidence if e.get("item") == FICHE}
    if any(f in told for f in facts):
        return None
    fields = situation.fiche.fields if situation is not None and situation.fiche else {}
    known = situation.facts if situation is not None else {}
    sources = (situation.sources or {}) if situation is not None else {}
    source = next((sources[f] for f in facts if sources.get(f)), "")
    where = f" (source : {source})" if source else ""
    for f in facts:
        value = known.get(f)
        if f in fields and isinstance(value, bool) and fields[f].reads is not None:
            return f"Selon la fiche du territoire, {statement(fields[f], value)}{where}."
    said = [p for p in duty.fiche.split(" ; ") if p and not _is_note(p)]
    if not said:
        return None
    return f"Selon la fiche du territoire : {' ; '.join(said)}{where}."


def deadline_note(duty: LegalDuty, when: str = "") -> str:
    """« échéance : 22 octobre 2026, lecture du texte, pas un délai légal » when the deadline
    is read from the text or indicative (the fiche's notes); « échéance indicative, pas un délai
    légal » when `when` already gives its day; "" for a legal deadline."""
    notes = [DEADLINE_NOTES[p] for p in duty.fiche.split(" ; ") if p in DEADLINE_NOTES]
    if not notes:
        return ""
    day = french_date(duty.due) if duty.due else ""
    if not day or day in when:
        return f"échéance {notes[0]}" if notes[0].startswith("indicative") else notes[0]
    return f"échéance : {day}, {notes[0]}"


def _is_note(part: str) -> bool:
    return part in DEADLINE_NOTES or part.startswith("comptée depuis")


def _line(ctx: Context, group: list[dict[str, str]]) -> str:
    first = group[0]
    triggers = list(dict.fromkeys(e.get("trigger", "") for e in group if e.get("trigger")))
    # « niveau 2 sur 5, visé 4 » and « niveau 2 sur 5, visé 4 (un écart de 2 niveaux) »: one
    triggers = [t for t in triggers if not any(t != u and t in u for u in triggers)]
    said = " ; ".join(triggers)
    source = first.get("source", "")
    if first.get("item") == MILESTONE:  # a step of the mandate (selection._steps)
        return f"{said[0].upper()}{said[1:]}."
    if first.get("item") == FICHE:
        where = f" (source : {source})" if source else ""
        return f"Selon la fiche du territoire, {said}{where}."
    qid = first.get("question_id", "")
    text = f"« {short(first.get('item') or ctx.item(qid))} » : {said}"
    if first.get("summary"):
        text += f" — {first['summary']}"
    if source and source != INDIVIDUAL:
        text += " (niveau fixé en réunion de consensus)" if source == "consensus" else ""
    return text + _groups(ctx, qid) + "."


def _groups(ctx: Context, qid: str) -> str:
    compared = ctx.results.comparisons.get("structure_kind")
    if compared is None or compared.empty:
        return ""
    rows = compared.loc[(compared["question_id"] == qid) & (compared["status"] == "ok")]
    seen = {g: s for g, s in zip(rows["group"], rows["score"], strict=True) if not pd.isna(s)}
    if not {"epci", "commune"} <= set(seen):
        return ""
    return (
        f". Vu de l'intercommunalité : {score(seen['epci'])}/100 ; "
        f"vu des communes : {score(seen['commune'])}/100"
    )


def members(ctx: Context) -> int | None:
    """How many communes the territory has: the fiche's count, else the invited communes."""
    situation = ctx.draft.situation
    known = situation.fact("nombre_communes") if situation is not None else None
    if isinstance(known, int | float) and known > 0:
        return int(known)
    by_structure = ctx.results.participation_by.get("structure")
    if by_structure is None or by_structure.empty:
        return None
    communes = by_structure.loc[by_structure["structure_kind"] == "commune"]
    return len(communes) or None


def shared_sentence(ctx: Context, stored: str) -> str:
    """« Constat partagé par 3 des 3 communes répondantes (5 communes membres). » from the stored
    « constat partagé par 3 communes sur 3 »: the communes that did not answer are not hidden."""
    found = SHARED.search(stored)
    if not found:
        return f"{stored[0].upper()}{stored[1:]}." if stored else ""
    sharing, answered = int(found[1]), int(found[2])
    total = members(ctx)
    if sharing == answered:
        head = (
            f"Constat partagé par les {answered} communes répondantes"
            if answered > 1
            else "Constat partagé par la seule commune répondante"
        )
    else:
        head = f"Constat partagé par {sharing} des {answered} communes répondantes"
    if total and total > answered:
        return f"{head} ({plural(total, 'commune membre', 'communes membres')})."
    if total and total == answered:
        return f"{head}, soit toutes les communes membres."
    return f"{head}."


def priority_sentence(ctx: Context, item: PlanItem) -> str:
    """« Priorité haute : niveau bas sur un point jugé prioritaire, loin du niveau visé, constat
    partagé par 3 des 3 communes répondantes. » The level (haute, moyenne, modérée) is the
    action's third among the plan's ranked actions; the reasons come from its items."""
    ranked = sorted(
        (i.priority for i in ctx.draft.plan if i.priority is not None and ctx.duty(i) is None),
        reverse=True,
    )
    if item.priority is None or not ranked or ctx.duty(item) is not None:
        return ""
    level = priority_level(item.priority, ranked)
    reasons = _reasons(ctx, item)
    return f"Priorité {level}" + (f" : {reasons}." if reasons else ".")


def _reasons(ctx: Context, item: PlanItem) -> str:
    items = ctx.results.items.set_index("question_id")
    qids = [e.get("question_id", "") for e in item.evidence if e.get("question_id") in items.index]
    rows = items.loc[list(dict.fromkeys(qids))] if qids else items.iloc[0:0]
    reasons: list[str] = []
    scores = rows.loc[rows["measure"] == "maturite", "score_used"].dropna()
    if not scores.empty:
        low = float(scores.min())
        reasons.append(
            "niveau bas" if low < 25 else "niveau encore modeste" if low < 50 else "niveau moyen"
        )
    importance = rows["importance_mean"].dropna()
    if not importance.empty:
        words = importance_words(float(importance.max())).removeprefix("jugé ")
        reasons[-1:] = [" ".join([*reasons[-1:], f"sur un point jugé {words}"]).strip()]
    gaps = rows["gap_used"].dropna()
    if not gaps.empty and float(gaps.max()) >= 1:
        reasons.append("loin du niveau visé")
    if not reasons and any(e.get("item") == FICHE for e in item.evidence):
        reasons.append("un fait de la fiche du territoire")
    elif not reasons:
        reasons.append("un choix exprimé par les répondants")
    text = ", ".join(reasons[:-1]) + (" et " if len(reasons) > 1 else "") + reasons[-1]
    shared = SHARED.search(str(item.details.get("shared_by") or ""))
    if shared:
        sharing, answered = shared[1], shared[2]
        who = f"les {answered}" if sharing == answered else f"{sharing} des {answered}"
        text += f" ; constat partagé par {who} communes répondantes"
    return text
