"""The roadmap document's French text, assembled from the data; nothing in it is invented.

Every sentence is a template filled with numbers from CampaignResults or the RoadmapDraft,
every label comes from the questionnaire, every legal sentence from the « Repères et outils »
library; the fixed method paragraphs summarise docs/methodes.md. The writers (Word, PDF,
Markdown) print the same blocks. This module holds the title page, section 1 and the annex,
and puts the sections together (diagnosis.py: 2-4.1, plan.py: 4.2, 6, 7, governance.py: 5).
"""

from __future__ import annotations

from collections.abc import Sequence

from diagnostic.document import diagnosis, governance, plan, review, summary, voices
from diagnostic.document.blocks import (
    Block,
    Bullets,
    Context,
    Cover,
    Document,
    Heading,
    Paragraph,
    Table,
    difference,
    frame_table,
    number,
    plural,
    score,
    short,
)
from diagnostic.document.charts import Chart
from diagnostic.results import tables
from diagnostic.results.model import CampaignResults, labels
from diagnostic.roadmap.model import RoadmapDraft
from diagnostic.roadmap.references import Library
from diagnostic.territory.obligations import TABLE_COLUMNS, table_rows
from diagnostic.vocabulary import ROLE_LABELS, french_date

TITLE = "Feuille de route de la gouvernance administrative"
MANDATE = "Mandat 2026-2032"
AUTHOR = "Diagnostic de gouvernance"
LANGUAGE = "fr-FR"
ITEM_WIDTHS = (5.0, 0.9, 1.1, 1.0, 0.9, 0.9, 1.1, 1.1, 0.9, 2.1)
STATEMENT_COLUMN = "Part d'accord (%)"  # only in the item tables of parts with statements
DEFAULT_MIN_GROUP = 3  # MIN_GROUP_SIZE's documented default, when the draft does not carry it
# The item table of diagnostic/results/tables.py, with short headers so that ten columns fit
# a page.
ITEM_COLUMNS = {
    "Item": "Item",
    "Réponses": "Rép.",
    "Je ne sais pas (%)": "NSP (%)",
    "Score": "Score",
    "Visé": "Visé",
    "Écart (niveaux)": "Écart",
    "Part d'accord (%)": "D'accord (%)",
    "Accord (A)": "Accord",
    "Divergence": "Div.",
    "Source": "Source",
}


def assemble(
    draft: RoadmapDraft,
    results: CampaignResults,
    library: Library | None,
    charts: Sequence[Chart],
) -> Document:
    """The whole document of one draft: title page, page one, sections 1 to 7, the annex."""
    ctx = Context(
        draft=draft,
        results=results,
        library=library,
        names=labels(results.questionnaire),
        charts={c.key: c for c in charts},
        min_group=int(draft.extra.get("min_group_size", DEFAULT_MIN_GROUP)),
        numbers=tuple(f"A{i + 1}" for i in range(len(draft.plan))),
    )
    blocks: list[Block] = [
        *summary.summary(ctx),
        *_context(ctx),
        *diagnosis.diagnosis(ctx),
        *diagnosis.crossed(ctx),
        *diagnosis.knowledge(ctx),
        *voices.words(ctx),
        Heading(1, "4. Priorités"),
        *diagnosis.rankings(ctx),
        *plan.plan_priorities(ctx),
        *governance.governance(ctx),
        *plan.action_plan(ctx),
        *plan.next_steps(ctx),
        *_annex(ctx),
    ]
    return Document(
        cover=_cover(ctx),
        blocks=tuple(blocks),
        title=f"{TITLE} — {draft.territory}",
        subject=f"{_mandate(draft)} · {draft.campaign}",
        author=AUTHOR,
        language=LANGUAGE,
        day=draft.generated_on,
    )


def _mandate(draft: RoadmapDraft) -> str:
    """« Mandat 2026-2032 »: the campaign's mandate when the calendar places it."""
    moment = draft.situation.moment if draft.situation else None
    return f"Mandat {moment.mandate}" if moment else MANDATE


def _cover(ctx: Context) -> Cover:
    d, q = ctx.draft, ctx.results.questionnaire
    invited, submitted = d.participation.get("invited", 0), d.participation.get("submitted", 0)
    rate = f" ({number(submitted / invited * 100)} %)" if invited else ""
    sent = plural(submitted, "questionnaire envoyé", "questionnaires envoyés")
    when = d.situation.moment_text() if d.situation else None
    facts = (
        ("Campagne", d.campaign),
        *((("Moment du mandat", when),) if when else ()),
        ("Document établi le", french_date(d.generated_on)),
        (
            "Participation",
            f"{sent} sur {plural(invited, 'personne invitée', 'personnes invitées')}{rate}",
        ),
        ("Questionnaire", f"{q.title} — version {q.version}"),
        ("Plan d'action", _plan_count(d)),
        ("Points à instruire collectivement", str(len(d.points))),
    )
    notice = (
        "Projet établi à partir de l'autodiagnostic des directions de l'intercommunalité et des "
        "communes membres, à discuter et à amender collectivement avant sa validation par les "
        "instances du territoire."
    )
    return Cover(TITLE, _mandate(d), d.territory, facts, notice)


def _plan_count(d: RoadmapDraft) -> str:
    """« 12 actions en 7 chantiers, 35 autres pistes en annexe »; « 47 actions » without
    chantiers."""
    said = plural(len(d.plan), "action")
    if d.groups:
        said += f" en {plural(len(d.groups), 'chantier')}"
    if d.others:
        said += f", {plural(len(d.others), 'autre piste', 'autres pistes')} en annexe"
    return said


def _context(ctx: Context) -> list[Block]:
    d, r = ctx.draft, ctx.results
    p = d.participation
    moment = d.situation.moment if d.situation else None
    when = ""
    if moment is not None:  # the title proposed by the calendar already says the moment
        said = f"{moment.label} {moment.mandate}"
        when = "" if said in d.campaign else f", conduite en {said}"
        when += f" ({moment.next_text()})"
    mandate = moment.mandate if moment else MANDATE.removeprefix("Mandat ")
    blocks: list[Block] = [
        Heading(1, "1. Contexte et méthode"),
        Paragraph(
            "Ce document restitue l'autodiagnostic de la gouvernance administrative conduit par "
            f"les directions de l'intercommunalité et des communes membres ({d.territory}), "
            f"campagne « {d.campaign} »{when}. Il propose une feuille de route pour le mandat "
            f"{mandate} : un plan d'action dont chaque action dit pourquoi elle est proposée, "
            "les points à instruire collectivement et les prochaines étapes."
        ),
        Heading(2, "1.1 Participation"),
        Paragraph(
            f"{plural(p.get('invited', 0), 'personne invitée', 'personnes invitées')}, "
            f"{p.get('started', 0)} ont commencé le questionnaire, {p.get('submitted', 0)} "
            "l'ont envoyé. Les résultats portent sur les "
            f"{plural(r.n_respondents, 'questionnaire envoyé', 'questionnaires envoyés')}."
        ),
    ]
    by_structure = r.participation_by.get("structure")
    if by_structure is not None and not by_structure.empty:
        sent = by_structure.loc[by_structure["submitted"] > 0]
        epci = int(sent.loc[sent["structure_kind"] == "epci", "submitted"].sum())
        communes = sent.loc[sent["structure_kind"] == "commune"]
        blocks.append(
            Paragraph(
                f"Questionnaires envoyés : {epci} par les directions de l'intercommunalité, "
                f"{int(communes['submitted'].sum())} par celles de "
                f"{plural(len(communes), 'commune')}."
            )
        )
    by_role = r.participation_by.get("role")
    if by_role is not None and not by_role.empty:
        roles = [
            f"{ROLE_LABELS.get(role, role)} {int(n)}"
            for role, n in zip(by_role["role"], by_role["submitted"], strict=True)
            if n > 0
        ]
        if roles:
            blocks.append(Paragraph(", ".join(roles) + ".", lead="Par fonction : "))
    consensus = int(r.dimensions["n_consensus"].sum()) if "n_consensus" in r.dimensions else 0
    duties = obligations(ctx)
    return [
        *blocks,
        Heading(2, "1.2 Méthode"),
        Bullets(_method(ctx.min_group, consensus)),
        Paragraph(
            "Les résultats sont des auto-évaluations : ils décrivent la perception des "
            "directions qui ont répondu, pas une mesure externe.",
            note=True,
        ),
        *duties,
        *review.review_section(d.review, "1.4" if duties else "1.3"),
    ]


def obligations(ctx: Context) -> list[Block]:
    """1.3 The territory's legal obligations on the document's day, worst first, as the fiche
    du territoire shows them (never the answers); nothing without obligations to check."""
    situation = ctx.draft.situation
    if situation is None or not situation.obligations:
        return []
    day = french_date(situation.on)
    blocks: list[Block] = [Heading(2, "1.3 Obligations légales du territoire")]
    if situation.fiche_empty:
        return [
            *blocks,
            Paragraph(
                "La fiche du territoire n'est pas encore remplie : les obligations légales n'ont "
                "pas pu être vérifiées. Complétez la fiche du territoire pour vérifier les "
                "obligations."
            ),
        ]
    late = len(situation.late())
    lead = (
        f"{plural(late, 'obligation est', 'obligations sont')} en retard, à régulariser sans "
        "attendre. "
        if late
        else ""
    )
    if any(ctx.duty(item) for item in ctx.draft.plan):
        lead += "Les actions qui remplissent une obligation ouvrent le plan d'action (partie 6.1). "
    return [
        *blocks,
        Paragraph(
            f"Situation au {day}, d'après la fiche du territoire tenue par la coordination : "
            "les obligations se vérifient sur les faits de la fiche, jamais sur les réponses "
            f"au questionnaire. {lead}Les plus urgentes d'abord."
        ),
        Table(
            TABLE_COLUMNS,
            tuple(table_rows(situation.obligations)),
            (3.4, 1.6, 1.6, 2.8, 3.4),
            key="obligations",
        ),
        Paragraph(
            "« À vérifier » : la fiche ne dit pas encore ce qu'il faut pour conclure (les "
            "informations manquantes sont nommées) ; la compléter suffit. « Règle à confirmer "
            "sur les textes » : la règle elle-même (délai, seuil) reste à vérifier sur Légifrance "
            "avant d'être présentée comme certaine. Une fenêtre est le délai dans lequel un autre "
            "organe agit (la commission départementale de la coopération intercommunale) : ce "
            "n'est pas un devoir de l'intercommunalité.",
            note=True,
        ),
    ]


def _method(min_group: int, consensus: int) -> tuple[str, ...]:
    """The method in short (docs/methodes.md, §§ 1-11)."""
    return (
        "Chaque pratique est évaluée sur une échelle de niveaux décrits en toutes lettres. Le "
        "score d'un item (0 à 100) est le niveau moyen ramené à l'échelle : sur une échelle de 1 "
        "à 5, (moyenne − 1) × 25. Le score d'une dimension est la moyenne des scores de ses items "
        "de maturité.",
        "Les affirmations (« Un climat de confiance règne… ») appellent un degré d'accord, pas un "
        "niveau de maturité : elles n'entrent dans aucun score. Leur part d'accord (réponses "
        "« plutôt » ou « tout à fait d'accord », moyenne des affirmations de la dimension) est "
        f"donnée à côté du score ; une affirmation n'y compte qu'à partir de {min_group} "
        "réponses (règle de confidentialité).",
        "Pour les pratiques principales, chacun indique aussi le niveau visé en fin de mandat et "
        "l'importance qu'il leur accorde : l'écart entre niveau visé et niveau actuel guide la "
        "feuille de route.",
        "« Je ne sais pas » est compté et montré, mais n'est jamais un niveau : ne pas savoir est "
        "en soi un constat.",
        "Accord entre répondants : indice A de van der Eijk (1 : tous donnent le même niveau ; "
        "0 : réponses réparties uniformément ; −1 : deux camps opposés). Un item est divergent "
        "quand les réponses s'étendent sur 2 niveaux ou plus, quand l'écart-type atteint 1, ou "
        "quand les médianes de l'intercommunalité et des communes diffèrent d'un niveau.",
        "Regards croisés : un angle mort est un item où la vue d'un groupe s'écarte de celle des "
        "autres répondants d'au moins 25 points, soit un niveau entier.",
        f"Confidentialité : aucun groupe de moins de {min_group} personnes n'est détaillé ; les "
        "réponses individuelles ne sont jamais nominatives.",
        "Priorités : classement par la méthode de Borda (l'option classée au rang r parmi N "
        "reçoit N − r + 1 points).",
        (
            f"Valeurs de consensus : {plural(consensus, 'item a', 'items ont')} reçu un niveau "
            "fixé collectivement en réunion de consensus ; ce niveau remplace alors la moyenne "
            "des réponses."
            if consensus
            else "Valeurs de consensus : aucun niveau n'a encore été fixé collectivement en "
            "réunion de consensus ; quand il l'est, il remplace la moyenne des réponses."
        ),
    )


def _annex(ctx: Context) -> list[Block]:
    r, names, q = ctx.results, ctx.names, ctx.results.questionnaire
    blocks: list[Block] = [
        Heading(1, "Annexes"),
        Heading(2, "A. Scores par dimension"),
        frame_table(
            tables.dimensions(r, names),
            (3.4, 0.9, 0.9, 1.1, 0.9, 1.1, 1.0, 1.1, 1.1, 2.6),
            key="dimensions",
        ),
        Heading(2, "B. Scores par item"),
        Paragraph(
            "Rép. : réponses ; NSP : « Je ne sais pas », en % des réponses ; score et niveau visé "
            "sur 100 : niveau moyen, ou niveau de consensus quand le collectif l'a fixé (colonne "
            "Source) ; écart en niveaux ; d'accord : pour une affirmation, part des réponses "
            "« plutôt » ou « tout à fait d'accord » (une affirmation n'a pas de score de "
            "maturité) ; accord A de van der Eijk (1 = unanimité, 0 = avis dispersés, −1 = deux "
            "camps opposés) ; Div. : item divergent.",
            note=True,
        ),
    ]
    for section in q.dimensions:
        frame = tables.items(r, names, section.id)
        if not frame.empty:
            widths = dict(zip(ITEM_COLUMNS, ITEM_WIDTHS, strict=True))
            if frame[STATEMENT_COLUMN].isna().all():  # no agreement statement in this part
                widths.pop(STATEMENT_COLUMN)
                widths["Item"] += 1.1
            frame = frame[list(widths)].rename(columns=ITEM_COLUMNS)
            blocks += [Heading(3, ctx.axis(section.id)), frame_table(frame, widths.values())]
    kinds = r.dimensions_by_kind
    if not kinds.empty and {"epci", "commune"} <= set(kinds["structure_kind"]):
        wide = kinds.pivot(
            index=["position", "dimension_id"], columns="structure_kind", values="score"
        )
        wide = wide.reset_index()
        rows = tuple(
            (ctx.axis(d), score(e), score(c), difference(e, c))
            for d, e, c in zip(wide["dimension_id"], wide["epci"], wide["commune"], strict=True)
        )
        columns = ("Dimension", "Intercommunalité", "Communes", "Écart")
        blocks += [
            Heading(2, "C. Intercommunalité et communes"),
            Table(columns, rows, (4, 1.5, 1.5, 1)),
        ]
    blocks += [Heading(2, "D. Classements et grilles"), *_rankings_and_grids(ctx)]
    scored = sum(1 for x in q.questions() if x.scored)
    blocks += [
        Heading(2, "E. Participation"),
        frame_table(tables.participation(r, "structure"), (4, 1, 1, 1)),
        frame_table(tables.participation(r, "role"), (4, 1, 1, 1)),
        Heading(2, "F. Questionnaire"),
        Paragraph(
            f"« {q.title} », identifiant {q.id}, version {q.version} : "
            f"{plural(len(q.questions()), 'question')}, dont {scored} items notés, en "
            f"{plural(len(q.dimensions), 'dimension')}."
        ),
        Table(
            ("Dimension", "Questions", "Items notés"),
            tuple(
                (s.title, str(len(s.questions)), str(sum(1 for x in s.questions if x.scored)))
                for s in q.dimensions
            ),
            (5, 1.2, 1.2),
            key="questionnaire",
        ),
        *_references(ctx),
    ]
    return blocks


def _rankings_and_grids(ctx: Context) -> list[Block]:
    r, names = ctx.results, ctx.names
    blocks: list[Block] = []
    for question in r.questionnaire.questions():
        if question.type == "ranking":
            frame = tables.priorities(r, names, question.id)
            widths: tuple[float, ...] = (4, 1, 1, 1.3)
        elif question.type == "grid":
            frame = tables.grid(r, names, question.id)
            widths = (3.5, 1.3, 1, 1, 1, 1, 1.2)
        else:
            continue
        if not frame.empty:
            blocks += [
                Paragraph(short(question.text), lead="Question : "),
                frame_table(frame, widths),
            ]
    return blocks or [Paragraph("Aucun classement ni aucune grille n'a été rempli.")]


def _references(ctx: Context) -> list[Block]:
    if ctx.library is None:
        return []
    lines = []
    for ref_id in governance.cited_references(ctx, ctx.draft.plan):
        ref = ctx.library.reference(ref_id)
        if ref is not None:
            where = f" ({ref.article})" if ref.article else ""
            url = f" — {ref.source.url}" if ref.source.url else ""
            lines.append(f"{ref.title}{where}. Source : {ref.source.text}{url}")
    return [Heading(2, "G. Repères cités"), Bullets(tuple(lines))] if lines else []
