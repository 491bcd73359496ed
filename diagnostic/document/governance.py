"""Section 5, « Gouvernance proposée »: the instances declared today and what the plan proposes.

The instances are read from the context questions of the questionnaire (the most frequent
answer, or the share of respondents who check an instrument); the legal frame is quoted from
the « Repères et outils » library.
"""

from __future__ import annotations

import pandas as pd

from diagnostic.document.blocks import (
    DASH,
    Block,
    Bullets,
    Context,
    Heading,
    Paragraph,
    Table,
    score,
    short,
)
from diagnostic.roadmap.model import PlanItem

GOVERNANCE_CHOICES = ("ctx_pacte_gouvernance", "ctx_conference_maires", "ctx_conseil_developpement")
INSTRUMENTS = "ctx_instruments"
INSTANCE_OPTIONS = ("codir_territoire", "conference_dgs", "conferences_territoriales")
INSTANCE_DIMENSIONS = ("d4_instances", "d5_decision")
CODIR_FREQUENCY, CODIR_ITEM = "d4_frequence_instance_dg", "d4_codir_territoire"


def governance(ctx: Context) -> list[Block]:
    """5. Instances today, the CoDir de territoire, the plan's proposals, the legal frame."""
    blocks: list[Block] = [
        Heading(1, "5. Gouvernance proposée"),
        Heading(2, "5.1 Les instances aujourd'hui"),
        *_instances(ctx),
        *_codir(ctx),
        Heading(2, "5.3 Ce que propose la feuille de route"),
    ]
    proposed = [
        (ctx.numbers[i], item)
        for i, item in enumerate(ctx.draft.plan)
        if item.dimension in INSTANCE_DIMENSIONS
    ]
    if not proposed:
        known = [f"« {ctx.axis(d)} »" for d in INSTANCE_DIMENSIONS if d in ctx.names.dimensions]
        axes = f"des axes {' et '.join(known)}" if known else "sur les instances et la décision"
        blocks.append(Paragraph(f"Aucune action {axes} n'est retenue dans le plan."))
    for label, item in proposed:
        d = item.details
        parts = [
            f"Instrument : {d['instrument']}" if d.get("instrument") else "",
            f"pilote : {ctx.owner(item)}",
            f"validation : {d['validation']}" if d.get("validation") else "",
            f"échéance : {ctx.horizon(item)}",
        ]
        text = " ; ".join(p for p in parts if p) + "."
        blocks.append(Paragraph(text[0].upper() + text[1:], lead=f"{label}. {item.title}. "))
    return blocks + _legal(ctx, [item for _, item in proposed])


def _instances(ctx: Context) -> list[Block]:
    rows: list[tuple[str, str, str, str]] = []
    for qid in GOVERNANCE_CHOICES:
        question, answer = ctx.question(qid), ctx.most_frequent(qid)
        if question is None or answer is None:
            continue
        ref = None
        if ctx.library is not None and question.references:
            ref = ctx.library.reference(question.references[0])
        name = ref.title if ref else short(question.text)
        rows.append((name, answer.label, answer.share, ctx.article(qid)))
    present, absent = [], []
    for option_id, label in ctx.names.options.get(INSTRUMENTS, {}).items():
        counted = ctx.checked(INSTRUMENTS, option_id)
        if counted is None:
            continue
        exists = counted[0] * 2 >= counted[1]
        if option_id not in INSTANCE_OPTIONS:
            (present if exists else absent).append(label)
            continue
        ref = ctx.library.reference(option_id) if ctx.library else None
        rows.append(
            (
                label,
                "Existe selon la majorité" if exists else "Absente ou méconnue de la majorité",
                f"cochée par {counted[0]} sur {counted[1]}",
                ref.article if ref is not None and ref.article else DASH,
            )
        )
    if not (rows or present or absent):
        return [Paragraph("Le questionnaire de cette campagne ne décrit pas les instances.")]
    blocks: list[Block] = []
    if rows:
        blocks += [
            Paragraph(
                "Situation déclarée par les répondants : la réponse la plus fréquente, ou le "
                "nombre de répondants qui cochent l'instance."
            ),
            Table(
                ("Instance ou instrument", "Situation déclarée", "Réponses", "Cadre"),
                tuple(rows),
                (3.2, 4.2, 2, 3),
                key="instances",
            ),
        ]
    if present:
        lead = "Autres instruments présents selon la majorité : "
        blocks.append(Paragraph(", ".join(present) + ".", lead=lead))
    if absent:
        lead = "Instruments absents ou méconnus de la majorité : "
        blocks.append(Paragraph(", ".join(absent) + ".", lead=lead))
    return blocks


def _codir(ctx: Context) -> list[Block]:
    lines = []
    answer = ctx.most_frequent(CODIR_FREQUENCY)
    if answer is not None:
        lines.append(
            "Fréquence réelle de l'instance qui réunit les directions générales (réponse la plus "
            f"fréquente) : « {answer.label} » ({answer.share})."
        )
    items = ctx.results.items.set_index("question_id")
    if CODIR_ITEM in items.index and not pd.isna(items.loc[CODIR_ITEM, "score_used"]):
        row = items.loc[CODIR_ITEM]
        text = f"« {ctx.item(CODIR_ITEM)} » : {score(row['score_used'])}/100 aujourd'hui"
        if not pd.isna(row["target_score_used"]):
            text += f", {score(row['target_score_used'])}/100 visé en fin de mandat"
        lines.append(text + ".")
    if not lines:
        return []
    return [Heading(2, "5.2 CoDir de territoire"), *(Paragraph(line) for line in lines)]


def _legal(ctx: Context, items: list[PlanItem]) -> list[Block]:
    """The legal references of the instances and of the proposed actions, as the library says."""
    lines = []
    if ctx.library is not None:
        for ref_id in dict.fromkeys(cited_references(ctx, items)):
            ref = ctx.library.reference(ref_id)
            if ref is not None and ref.kind == "cadre_juridique":
                lines.append(f"{ref.title} ({ref.article}). {ref.summary}")
    else:
        for qid in GOVERNANCE_CHOICES:
            question = ctx.question(qid)
            if question is not None and question.help:
                lines.append(question.help)
    return [Heading(2, "5.4 Repères juridiques"), Bullets(tuple(lines))] if lines else []


def cited_references(ctx: Context, items: list[PlanItem] | tuple[PlanItem, ...]) -> list[str]:
    """Reference ids cited by the governance questions and by the given plan items."""
    ids: list[str] = []
    for qid in GOVERNANCE_CHOICES:
        question = ctx.question(qid)
        ids += list(question.references) if question is not None else []
    for item in items:
        ids += [str(r) for r in item.details.get("references", [])]
    return list(dict.fromkeys(ids))
