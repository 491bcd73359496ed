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
from diagnostic.roadmap.model import PlanItem
from diagnostic.roadmap.proposals import FICHE, importance_words

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


def _line(ctx: Context, group: list[dict[str, str]]) -> str:
    first = group[0]
    triggers = list(dict.fromkeys(e.get("trigger", "") for e in group if e.get("trigger")))
    # « niveau 2 sur 5, visé 4 » and « niveau 2 sur 5, visé 4 (un écart de 2 niveaux) »: one
    triggers = [t for t in triggers if not any(t != u and t in u for u in triggers)]
    said = " ; ".join(triggers)
    source = first.get("source", "")
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
    place = ranked.index(item.priority) / len(ranked)
    level = "haute" if place < 1 / 3 else "moyenne" if place < 2 / 3 else "modérée"
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
