"""Sections 2 to 4.1: the diagnosis by dimension, regards croisés, the respondents' rankings."""

from __future__ import annotations

import pandas as pd

from diagnostic.analytics import MATURITY, STATUS_NO_DATA, STATUS_OK
from diagnostic.document import voices
from diagnostic.document.blocks import (
    Block,
    Bullets,
    Context,
    Heading,
    Paragraph,
    Table,
    difference,
    frame_table,
    number,
    plural,
    score,
    share_of,
    short,
)
from diagnostic.results import tables

BLIND_SPOTS_SHOWN = 15


def diagnosis(ctx: Context) -> list[Block]:
    """2. The overview charts, then one part per dimension with its chart."""
    dims = ctx.results.dimensions.sort_values("position")
    scored = dims.dropna(subset=["score"])
    blocks: list[Block] = [Heading(1, "2. Le diagnostic par dimension")]
    if not scored.empty:
        best = scored.loc[scored["score"].idxmax()]
        worst = scored.loc[scored["score"].idxmin()]
        text = (
            f"Dimension la plus avancée : {ctx.axis(best['dimension_id'])} "
            f"({score(best['score'])}/100) ; la moins avancée : "
            f"{ctx.axis(worst['dimension_id'])} ({score(worst['score'])}/100)."
        )
        gaps = scored.assign(delta=scored["target_score"] - scored["score"]).dropna(
            subset=["delta"]
        )
        gaps = gaps.sort_values("delta", ascending=False).head(3)
        if not gaps.empty:
            listed = ", ".join(
                f"{ctx.axis(g['dimension_id'])} ({score(g['score'])} → {score(g['target_score'])})"
                for _, g in gaps.iterrows()
            )
            text += f" Plus grands écarts entre aujourd'hui et le niveau visé : {listed}."
        blocks.append(Paragraph(text))
    blocks += ctx.picture("radar") + ctx.picture("gaps")
    for i, (_, row) in enumerate(dims.iterrows(), start=1):
        blocks += _dimension(ctx, row, f"2.{i}")
    return blocks


def _dimension(ctx: Context, row: pd.Series, label: str) -> list[Block]:
    r, dim = ctx.results, str(row["dimension_id"])
    blocks: list[Block] = [Heading(2, f"{label} {ctx.axis(dim)}")]
    if pd.isna(row["score"]):
        empty = "Aucun item de cette dimension n'a reçu de niveau."
        if not int(row["n_items"]):
            empty = "Cette partie ne comporte pas d'item noté sur une échelle de niveaux."
            if int(row.get("n_statements", 0) or 0):
                empty = (
                    "Cette partie ne comporte que des affirmations, auxquelles chacun répond "
                    "par son degré d'accord : elle n'a pas de score de maturité."
                )
        return [*blocks, Paragraph(empty), *_statements(ctx, row), *_grids(ctx, dim)]
    text = (
        f"score {score(row['score'])}/100 aujourd'hui (niveau le plus proche : "
        f"« {row['level_label']} »)"
    )
    if not pd.isna(row["target_score"]):
        text += (
            f", {score(row['target_score'])}/100 visé en fin de mandat, soit un écart moyen de "
            f"{number(row['gap'], 1)} niveau"
        )
    n_scored = int(row["n_items_scored"])
    text += f". {plural(n_scored, 'item noté', 'items notés')} sur {int(row['n_items'])}"
    if int(row.get("n_consensus", 0) or 0):
        agreed = int(row["n_consensus"])
        text += f", dont {agreed} {'fixés' if agreed > 1 else 'fixé'} en réunion de consensus"
    share = row.get("share_dont_know")
    if share is not None and not pd.isna(share) and share > 0:
        text += f" ; « Je ne sais pas » : {number(share * 100)} % des réponses"
    blocks.append(Paragraph(text + ".", lead="En bref : "))
    kinds = r.dimensions_by_kind
    kinds = kinds.loc[kinds["dimension_id"] == dim].set_index("structure_kind")["score"]
    if {"epci", "commune"} <= set(kinds.index):
        a, b = kinds["epci"], kinds["commune"]
        apart = difference(a, b).lstrip("-")
        apart = "même score" if apart == "0" else plural(int(apart), "point") + " d'écart"
        blocks.append(
            Paragraph(
                f"vu de l'intercommunalité, {score(a)}/100 ; vu des communes, {score(b)}/100 "
                f"({apart}).",
                lead="Regards croisés : ",
            )
        )
    blocks += _statements(ctx, row)
    items = r.items.loc[r.items["scored"] & (r.items["dimension_id"] == dim)]
    # Like the results summary, cite only maturity items enough people rated (or agreed in
    # consensus): a statement's degree of agreement is not a maturity score.
    citable = items.loc[
        (items["measure"] == MATURITY)
        & items["score_used"].notna()
        & ((items["n"] >= ctx.min_group) | (items["source"] == "consensus"))
    ]
    if len(citable) >= 2:
        top = citable.loc[citable["score_used"].idxmax()]
        low = citable.loc[citable["score_used"].idxmin()]
        blocks.append(
            Paragraph(
                f"le mieux noté, « {ctx.item(top['question_id'])} » "
                f"({score(top['score_used'])}/100) ; le moins bien noté, "
                f"« {ctx.item(low['question_id'])} » ({score(low['score_used'])}/100).",
                lead="Items : ",
            )
        )
    points = [p for p in ctx.draft.points if p.dimension == dim]
    divergent = int(items["divergent"].fillna(False).astype(bool).sum())
    if divergent or points:
        text = f"avis divergents {share_of(divergent, len(items), 'item')}"
        if points:
            quoted = ", ".join(f"« {short(p.item)} »" for p in points)
            text += f" ; à instruire collectivement : {quoted}"
        blocks.append(Paragraph(text + ".", lead="Divergences : "))
    actions = [ctx.numbers[i] for i, item in enumerate(ctx.draft.plan) if item.dimension == dim]
    text = plural(len(actions), "action proposée", "actions proposées") + " sur cet axe"
    text += f" : {', '.join(actions)} (voir le plan d'action)." if actions else "."
    blocks.append(Paragraph(text, lead="Feuille de route : "))
    blocks += voices.rationales(ctx, dim)
    return blocks + ctx.picture(f"dimension:{dim}") + _grids(ctx, dim)


def _statements(ctx: Context, row: pd.Series) -> list[Block]:
    """« Affirmations : » the dimension's share of agreement and each group's, beside its
    maturity score (never inside it); nothing for a dimension without statements."""
    k = int(row.get("n_statements", 0) or 0)
    if not k:
        return []
    lead = "Affirmations : "
    if row["agree_status"] == STATUS_NO_DATA:  # nobody was asked (a condition) or answered
        return []
    if row["agree_status"] != STATUS_OK:
        text = (
            f"{plural(k, 'affirmation')} (degré d'accord), moins de {ctx.min_group} réponses "
            "par affirmation : la part d'accord n'est pas montrée (règle de confidentialité)."
        )
        return [Paragraph(text, lead=lead)]
    counted = int(row["n_statements_counted"])
    on = "l'affirmation" if counted == 1 else f"les {counted} affirmations"
    text = (
        f"{number(row['share_agree'] * 100)} % de réponses « plutôt » ou « tout à fait "
        f"d'accord » avec {on} de cette partie (part d'accord, donnée à côté du score de "
        "maturité sans y entrer)"
    )
    kinds = ctx.results.agreement_by_kind
    if not kinds.empty:
        kinds = kinds.loc[
            (kinds["dimension_id"] == row["dimension_id"]) & (kinds["agree_status"] == STATUS_OK)
        ].set_index("structure_kind")["share_agree"]
        if {"epci", "commune"} <= set(kinds.index):
            text += (
                f" ; vu de l'intercommunalité, {number(kinds['epci'] * 100)} % ; vu des "
                f"communes, {number(kinds['commune'] * 100)} %"
            )
    return [Paragraph(text + ".", lead=lead)]


def _grids(ctx: Context, dimension: str) -> list[Block]:
    section = next(s for s in ctx.results.questionnaire.sections if s.id == dimension)
    blocks: list[Block] = []
    for question in section.questions:
        if question.type == "grid":
            blocks += ctx.picture(f"grid:{question.id}")
    return blocks


def crossed(ctx: Context) -> list[Block]:
    """3. Intercommunality and communes, angles morts, points à instruire collectivement."""
    blocks: list[Block] = [
        Heading(1, "3. Regards croisés et angles morts"),
        Heading(2, "3.1 Intercommunalité et communes"),
    ]
    kinds = ctx.results.dimensions_by_kind
    wide = pd.DataFrame()
    if not kinds.empty:
        wide = kinds.pivot(index="dimension_id", columns="structure_kind", values="score")
    if {"epci", "commune"} <= set(wide.columns):
        wide = wide.dropna(subset=["epci", "commune"])
        wide["diff"] = wide["epci"] - wide["commune"]
        top = wide.reindex(wide["diff"].abs().sort_values(ascending=False).index).head(3)
        listed = " ; ".join(
            f"{ctx.axis(str(dim))} (intercommunalité {score(x['epci'])}, communes "
            f"{score(x['commune'])} : {difference(x['epci'], x['commune']).lstrip('-')} points)"
            for dim, x in top.iterrows()
        )
        higher = share_of(int((wide["diff"] > 0).sum()), len(wide), "dimension")
        blocks += [
            Paragraph(
                "Les directions de l'intercommunalité voient la situation plus favorablement que "
                f"celles des communes {higher}. Les regards s'écartent le plus sur : {listed}."
            ),
            *ctx.picture("kinds"),
        ]
    else:
        blocks.append(
            Paragraph(
                "La comparaison n'est pas détaillée : l'intercommunalité ou les communes comptent "
                f"moins de {ctx.min_group} répondants (règle de confidentialité)."
            )
        )
    blocks += _blind_spots(ctx)
    blocks.append(Heading(2, "3.3 Points à instruire collectivement"))
    if not ctx.draft.points:
        text = "Aucun item ne fait apparaître de divergence marquée restée sans consensus."
        return [*blocks, Paragraph(text)]
    rows = tuple((ctx.axis(p.dimension), short(p.item), p.summary) for p in ctx.draft.points)
    return [
        *blocks,
        Paragraph(
            "Sur ces items, les avis divergent et aucune valeur de consensus n'a été fixée : "
            "plutôt qu'une action, ils appellent une discussion collective avant toute décision."
        ),
        Table(("Axe", "Item", "Constat"), rows, (2.5, 5, 5), key="points"),
    ]


def knowledge(ctx: Context) -> list[Block]:
    """3.4 What the respondents know of the facts of the fiche du territoire (nothing without
    a fiche that settles one: territory/knowledge.py)."""
    found = ctx.draft.extra.get("knowledge") or ()
    if not found:
        return []
    gaps = [f for f in found if f.gap]
    blocks: list[Block] = [
        Heading(2, "3.4 Ce que savent les répondants de la situation du territoire"),
        Paragraph(
            "La fiche du territoire, tenue par la coordination, dit où en sont le pacte de "
            "gouvernance, la conférence des maires, le conseil de développement et les "
            "principaux instruments. Les réponses aux questions « À votre connaissance… » "
            "montrent ce qu'en savent les directions : une méconnaissance est un constat en soi, "
            "qui appelle de l'information plutôt qu'un vote. Une question qui compte moins de "
            f"{ctx.min_group} réponses n'est pas détaillée."
        ),
    ]
    if gaps:
        blocks.append(Bullets(tuple(f.sentence for f in gaps)))
    known = [f.subject for f in found if not f.gap]
    if known:
        lead = "Connu de tous les répondants : " if gaps else "Tous les répondants savent : "
        blocks.append(Paragraph(" ; ".join(known) + ".", lead=lead))
    return blocks


def _blind_spots(ctx: Context) -> list[Block]:
    blind = tables.blind_spots(ctx.results, ctx.names)
    heading = Heading(2, "3.2 Angles morts")
    if blind.empty:
        text = (
            "Aucun angle mort relevé : aucun groupe (intercommunalité ou communes, fonction, "
            "commune) ne s'écarte de 25 points ou plus du reste des répondants."
        )
        return [heading, Paragraph(text)]
    shown = _named_others(ctx, blind.head(BLIND_SPOTS_SHOWN))
    found = plural(len(blind), "angle mort relevé", "angles morts relevés")
    return [
        heading,
        Paragraph(
            "Un angle mort est un item où un groupe (intercommunalité ou communes, fonction, "
            f"commune) voit les choses à 25 points ou plus des autres répondants. {found}"
            + (f", les {len(shown)} plus marqués :" if len(blind) > len(shown) else " :")
        ),
        frame_table(shown, (6, 2.2, 1.3, 2.6, 1.3, 1.2), key="blind_spots"),
    ]


def _first(n: int) -> str:
    """« jamais en tête », « 1 fois en tête », « 3 fois en tête »."""
    return "jamais en tête" if n == 0 else f"{n} fois en tête"


OTHERS = {
    "commune": "Intercommunalité",
    "epci": "Communes",
    "role": "Autres fonctions",
    "structure": "Reste du territoire",
}


def _named_others(ctx: Context, shown: pd.DataFrame) -> pd.DataFrame:
    """The blind-spot table with the group it is compared to named (« Intercommunalité » for
    the communes, « Autres fonctions » for a function) instead of an ambiguous « Autres »."""
    frame = ctx.results.blind_spots
    pairs = frame["grouping"] == "structure_kind"
    frame = pd.concat([frame.loc[pairs & (frame["group"] == "commune")], frame.loc[~pairs]])
    frame = frame.sort_values("difference", key=abs, ascending=False).head(len(shown))
    facing = [
        OTHERS.get(g if k == "structure_kind" else k, "Autres répondants")
        for k, g in zip(frame["grouping"], frame["group"], strict=True)
    ]
    out = shown.rename(columns={"Regard": "Groupe", "Autres": "Score comparé"})
    out.insert(3, "Comparé à", facing)
    return out


def rankings(ctx: Context) -> list[Block]:
    """4.1 The collective ranking of every ranking question, with its chart."""
    r = ctx.results
    blocks: list[Block] = [Heading(2, "4.1 Classements des répondants")]
    for question in r.questionnaire.questions():
        if question.type != "ranking":
            continue
        frame = r.priorities.loc[
            (r.priorities["question_id"] == question.id) & (r.priorities["points"] > 0)
        ]
        if frame.empty:
            continue
        frame = frame.sort_values(["points", "n_cited"], ascending=False).head(3)
        options = ctx.names.options.get(question.id, {})
        listed = ", ".join(
            f"{options.get(o['option_id'], o['option_id'])} ({plural(int(o['points']), 'point')}"
            f", citée par {plural(int(o['n_cited']), 'répondant')} sur {int(o['n_respondents'])}, "
            f"{_first(int(o['n_first']))})"
            for _, o in frame.iterrows()
        )
        blocks += [
            Paragraph(f"en tête : {listed}.", lead=f"« {short(question.text)} » — "),
            *ctx.picture(f"priorities:{question.id}"),
        ]
    if len(blocks) == 1:
        blocks.append(Paragraph("Aucun classement n'a été rempli."))
    return blocks
