"""« Paroles de directeurs » (3.5): the free texts quoted, pseudonymous; and the consensus
rationales, quoted beside their items in the diagnosis (2.x).

What may be quoted is decided upstream (diagnostic/roadmap/voices.py: threshold, attribution,
cleaning, the coordinator's choices); this module only words it. A draft built without voices
(tests, benchmarks) has neither the section nor the rationales.
"""

from __future__ import annotations

from diagnostic.document.blocks import Block, Context, Heading, Paragraph, Quotation, plural
from diagnostic.roadmap.voices import MAX_CHARS, Rationale

TITLE = "3.5 Paroles de directeurs"


def words(ctx: Context) -> list[Block]:
    """3.4 The free-text answers, question by question."""
    voices = ctx.draft.voices
    if voices is None:
        return []
    blocks: list[Block] = [Heading(2, TITLE)]
    if not voices.enough:
        return [
            *blocks,
            Paragraph(
                "Les réponses libres ne sont citées qu'à partir de "
                f"{voices.min_group_size} questionnaires envoyés (règle de confidentialité)."
            ),
        ]
    shown = voices.shown()
    if not voices.quotes:
        return [*blocks, Paragraph("Aucune réponse libre n'a été donnée.")]
    if not shown:
        text = (
            "La coordination a choisi de ne citer aucune des "
            f"{plural(len(voices.quotes), 'réponse libre', 'réponses libres')}."
        )
        return [*blocks, Paragraph(text)]
    who = (
        "chacune est rattachée au plus à l'intercommunalité ou aux communes"
        if voices.attributed
        else "l'intercommunalité ou les communes comptent trop peu de répondants pour qu'une "
        "citation dise même de quel côté elle vient"
    )
    intro = (
        "Extraits des réponses libres, cités comme ils ont été écrits, sans nom, fonction ni "
        f"commune : {who}. Seuls les retours à la ligne et les signes répétés sont retirés ; "
        f"au-delà de {MAX_CHARS} caractères, la fin est remplacée par « […] »."
    )
    if voices.left_out:
        left = plural(voices.left_out, "réponse", "réponses")
        intro += f" La coordination a choisi de ne pas citer {left}."
    blocks.append(Paragraph(intro))
    question_id = ""
    for quote in shown:
        if quote.question_id != question_id:
            question_id = quote.question_id
            question = ctx.question(question_id)
            blocks.append(Paragraph("", lead=question.text if question else question_id))
        blocks.append(Quotation(quote.text, quote.source))
    if voices.rationales:
        blocks.append(
            Paragraph(
                "Les raisons données en réunion de consensus sont citées dans la partie 2, "
                "auprès des items qu'elles concernent.",
                note=True,
            )
        )
    return blocks


def rationales(ctx: Context, dimension: str) -> list[Block]:
    """The consensus rationales of one dimension's items, for its part of section 2."""
    voices = ctx.draft.voices
    if voices is None:
        return []
    blocks: list[Block] = []
    for rationale in voices.rationales_of(dimension):
        blocks += [
            Paragraph(_agreed(ctx, rationale), lead="Réunion de consensus : "),
            Quotation(rationale.text),
        ]
    return blocks


def _agreed(ctx: Context, rationale: Rationale) -> str:
    """« « Item » : niveau 3 sur 5, visé 4. » (what the meeting fixed, in words)."""
    question = ctx.question(rationale.question_id)
    top = ctx.results.questionnaire.scale_of(question).values[-1] if question else None
    fixed = []
    if rationale.level is not None:
        fixed.append(f"niveau {rationale.level}" + (f" sur {top}" if top else ""))
    if rationale.target is not None:
        fixed.append(f"visé {rationale.target}")
    item = f"« {ctx.item(rationale.question_id)} »"
    return f"{item} : {', '.join(fixed)}." if fixed else f"{item}."
