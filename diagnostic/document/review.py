"""« Bilan de la feuille de route précédente »: the section of the new roadmap document that
reads, action by action, what became of the previous roadmap (roadmap/review.py). Nothing is
printed when the territory has no previous roadmap with kept actions."""

from __future__ import annotations

from datetime import date

import pandas as pd

from diagnostic.document.blocks import (
    Block,
    Heading,
    Paragraph,
    Table,
    number,
    plural,
    score,
    short,
)
from diagnostic.roadmap.review import COMPARED, ItemMove, Review, day, level, summary_line
from diagnostic.vocabulary import french_date

TITLE = "Bilan de la feuille de route précédente"
COLUMNS = ("Action", "Statut", "Items : avant → après", "Lecture")
WIDTHS = (3.2, 1.3, 4.2, 4.3)


def _item(move: ItemMove, where: str) -> str:
    """« « Une instance régulière… » : 2 → 3 » or « … : non posé dans le questionnaire court »."""
    if move.state == COMPARED and move.before is not None and move.after is not None:
        said = f"{level(move.before.level)} → {level(move.after.level)}"
        if move.groups_shown:
            b, a = move.before, move.after
            said += (
                f" (intercommunalité {score(b.epci)} → {score(a.epci)}, "
                f"communes {score(b.communes)} → {score(a.communes)} sur 100)"
            )
    else:
        said = move.reading(where)
    return f"« {short(move.label)} » : {said}"


def review_section(found: Review | None, number: str) -> list[Block]:
    """The section (heading level 2, numbered `number`), or nothing without a review."""
    if found is None:
        return []
    where = found.not_asked_in
    blocks: list[Block] = [
        Heading(2, f"{number} {TITLE}"),
        Paragraph(
            f"{summary_line(found)} Pour chaque action, les items qu'elle devait faire bouger "
            f"sont comparés entre « {found.before.title} » et « {found.after.title} » : valeur "
            "collective (niveau de consensus, sinon médiane des niveaux donnés), accord entre "
            "répondant·es, et scores de l'intercommunalité et des communes quand les deux "
            "groupes peuvent être montrés dans les deux campagnes."
        ),
    ]
    if not found.before.shown or not found.after.shown:
        blocks.append(
            Paragraph(
                "Une des deux campagnes compte trop peu de questionnaires envoyés : aucune "
                "valeur n'est comparée, pour protéger l'anonymat."
            )
        )
    if found.not_asked:
        quoted = ", ".join(f"« {short(t)} »" for t in found.not_asked)
        blocks.append(
            Paragraph(
                f"{plural(len(found.not_asked), 'item lié', 'items liés')} non "
                f"{'posé' if len(found.not_asked) < 2 else 'posés'} {where} : {quoted}. Les "
                "actions qui n'ont que ces items ne sont pas encore mesurables."
            )
        )
    rows = tuple(
        (
            a.item.title,
            a.status_label,
            " ; ".join(_item(m, where) for m in a.moves) or "aucun item lié",
            a.reading,
        )
        for a in found.actions
    )
    blocks += [
        Table(COLUMNS, rows, WIDTHS, key="bilan"),
        Paragraph(
            "Valeurs sur l'échelle de niveaux de chaque item (1 à 5). « En hausse » ou « en "
            "baisse » : la valeur collective a bougé d'un demi-niveau au moins ; « partagée » : "
            "indice d'accord A d'au moins 0,5 ; écart intercommunalité–communes : 25 points ou "
            "plus sur 100. Une perception qui bouge ne prouve pas l'effet de l'action : la "
            "lecture ouvre la discussion (méthodes : « Bilan de la feuille de route "
            "précédente »).",
            note=True,
        ),
    ]
    return blocks


def follow_up_blocks(campaign: str, table: pd.DataFrame, today: date) -> list[Block]:
    """The follow-up of a roadmap (roadmap.review.follow_up_table) as a heading and a table,
    for the command line's Markdown."""
    blocks: list[Block] = [
        Heading(2, f"1. Suivi de la feuille de route — {campaign}"),  # the Bilan is 2. at level 2
        Paragraph(f"Situation au {french_date(today)}."),
    ]
    if table.empty:
        return [*blocks, Paragraph("Aucune action retenue dans cette feuille de route.")]
    columns = ("Action", "Statut", "Depuis le", "Avancement (%)", "Échéance", "En retard")
    rows = tuple(
        (
            str(row["Action"]),
            str(row["Statut"]),
            day(row["Depuis le"]),
            number(row["Avancement (%)"]),
            day(row["Échéance"]),
            str(row["En retard"]),
        )
        for _, row in table.iterrows()
    )
    return [*blocks, Table(columns, rows, (4.0, 1.4, 1.8, 1.2, 1.8, 1.0), key="suivi")]
