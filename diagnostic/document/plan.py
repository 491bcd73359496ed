"""Sections 4.2, 6 and 7: the plan's priorities, the action plan with its evidence, next steps."""

from __future__ import annotations

from datetime import date, timedelta

from diagnostic.document import evidence
from diagnostic.document.blocks import (
    Block,
    Bullets,
    Context,
    Heading,
    Paragraph,
    Table,
    plural,
)
from diagnostic.roadmap.model import (
    HORIZON_LABELS,
    LEGAL_HORIZONS,
    ORIGIN_LABELS,
    STATUS_LABELS,
    PlanItem,
)
from diagnostic.territory.facts import applicable, effective
from diagnostic.territory.obligations import State
from diagnostic.territory.presentation import statement
from diagnostic.vocabulary import french_date

PLAN_COLUMNS = ("Axe", "Action", "Pilote / porteur", "Échéance", "Indicateur", "Statut")
PACTE = "pacte_gouvernance"
PACTE_FACTS = ("pacte_gouvernance_debat", "pacte_gouvernance_decide", "pacte_gouvernance_adopte")
PACTE_DEADLINE = date(2026, 12, 31)  # nine months after the general renewal of March 2026
MID_TERM = date(2029, 6, 30)
END_OF_MANDATE = date(2031, 12, 31)  # the next general renewal is expected in March 2032


def plan_priorities(ctx: Context) -> list[Block]:
    """4.2 How the plan spreads over axes and horizons; its highest-priority actions."""
    plan = ctx.draft.plan
    blocks: list[Block] = [Heading(2, "4.2 Priorités de la feuille de route")]
    if not plan:
        return [*blocks, Paragraph("Le plan d'action ne compte encore aucune action.")]
    axes = _axes(ctx, plan)
    duties = [d for d in (ctx.duty(item) for item in plan) if d is not None]
    late = sum(d.late for d in duties)
    legal = ""
    if duties:
        parts = [f"{late} à régulariser sans attendre"] if late else []
        if len(duties) > late:
            parts.append(f"{len(duties) - late} avant leur échéance légale")
        legal = (
            f" ; les actions qui remplissent une obligation légale passent en tête "
            f"({' et '.join(parts)})"
        )
    blocks.append(
        Paragraph(
            f"Le plan d'action compte {plural(len(plan), 'action')} sur "
            f"{plural(len(axes), 'axe')}, et {plural(len(ctx.draft.points), 'point')} à "
            f"instruire collectivement{legal}."
        )
    )
    when = [(item.dimension, _horizon_key(ctx, item)) for item in plan]
    shown = [h for h in HORIZON_LABELS if h not in LEGAL_HORIZONS or h in {w for _, w in when}]
    rows = tuple(
        (
            ctx.axis(dim),
            str(sum(1 for i in plan if i.dimension == dim)),
            *(str(when.count((dim, h))) for h in shown),
        )
        for dim in axes
    )
    columns = ("Axe", "Actions", *(HORIZON_LABELS[h] for h in shown))
    blocks.append(Table(columns, rows, (4, 1.2, *(1.6 for _ in shown)), key="axes"))
    ranked = sorted(
        (i for i, item in enumerate(plan) if item.priority is not None),
        key=lambda i: -(plan[i].priority or 0.0),
    )[:5]
    if ranked:
        blocks += [
            Paragraph(
                "calculé par l'outil à partir de l'écart, de l'importance et de l'accord des "
                "réponses :",
                lead="Actions au plus fort indice de priorité, ",
            ),
            Bullets(
                tuple(
                    f"{ctx.numbers[i]}. {plan[i].title} ({ctx.axis(plan[i].dimension)} ; "
                    f"{ctx.horizon(plan[i])})"
                    for i in ranked
                )
            ),
        ]
    return blocks


def _axes(ctx: Context, items: list[PlanItem] | tuple[PlanItem, ...]) -> list[str]:
    """The axes of these actions in the questionnaire's order (unknown ones last)."""
    order = list(ctx.draft.dimension_titles)
    found = dict.fromkeys(item.dimension for item in items)
    return sorted(found, key=lambda d: order.index(d) if d in order else len(order))


def _horizon_key(ctx: Context, item: PlanItem) -> str | None:
    """The horizon an action is counted under: its legal duty's, else the one chosen."""
    duty = ctx.duty(item)
    return duty.horizon if duty else item.horizon


def action_plan(ctx: Context) -> list[Block]:
    """6. The plan table, then each action by axis with « Pourquoi cette action ? »."""
    plan = ctx.draft.plan
    blocks: list[Block] = [
        Heading(1, "6. Plan d'action"),
        Paragraph(
            "Chaque action porte sa justification (« Pourquoi cette action ? ») : les items, les "
            "chiffres et les groupes qui l'ont fait proposer. Les items où les avis divergent ne "
            "deviennent pas des actions : ils figurent parmi les points à instruire "
            "collectivement (partie 3.3)."
        ),
    ]
    if not plan:
        return [*blocks, Paragraph("Le plan d'action ne compte encore aucune action.")]
    rows = tuple(
        (
            ctx.axis(item.dimension),
            f"{ctx.numbers[i]}. {item.title}",
            ctx.owner(item),
            ctx.horizon(item),
            item.indicator or "à définir",
            STATUS_LABELS.get(item.status, item.status),
        )
        for i, item in enumerate(plan)
    )
    blocks.append(Table(PLAN_COLUMNS, rows, (2.4, 4.6, 2.8, 2, 3.4, 1.6), key="plan"))
    legal = [i for i, item in enumerate(plan) if ctx.duty(item)]
    if legal:
        blocks += [
            Heading(2, "6.1 Obligations légales à remplir"),
            Paragraph(
                "Ces actions remplissent une obligation légale que la fiche du territoire montre "
                "en retard ou à échéance (partie 1.3) : elles passent avant le reste du plan, "
                "à la date que fixe la loi, quelles que soient les réponses au questionnaire."
            ),
        ]
        for i in legal:
            blocks += _action(ctx, ctx.numbers[i], plan[i])
    axes = _axes(ctx, [item for i, item in enumerate(plan) if i not in legal])
    for a, dim in enumerate(axes, start=2 if legal else 1):
        blocks.append(Heading(2, f"6.{a} {ctx.axis(dim)}"))
        for i, item in enumerate(plan):
            if item.dimension == dim and i not in legal:
                blocks += _action(ctx, ctx.numbers[i], item)
    return blocks


def _action(ctx: Context, label: str, item: PlanItem) -> list[Block]:
    d = item.details
    blocks: list[Block] = [Heading(3, f"{label}. {item.title}")]
    duty = ctx.duty(item)
    if duty is not None:
        blocks.append(Paragraph(duty.sentence() + ".", lead="Obligation légale : "))
    if item.description:
        blocks.append(Paragraph(item.description))
    if d.get("instrument"):
        blocks.append(Paragraph(str(d["instrument"]), lead="Instrument : "))
    if d.get("validation"):
        blocks.append(Paragraph(str(d["validation"]), lead="Validation : "))
    origin = ORIGIN_LABELS.get(item.origin, item.origin)
    if item.change:
        origin += f" ({item.change})"
    blocks.append(Paragraph(origin + ".", lead="Origine : "))
    if item.evidence:
        lines = evidence.why_lines(ctx, item)
        if duty is not None and duty.fiche:
            lines.insert(0, f"Fiche du territoire : {duty.fiche}.")
        blocks += [Paragraph("", lead="Pourquoi cette action ?"), Bullets(tuple(lines))]
        if priority := evidence.priority_sentence(ctx, item):
            blocks.append(Paragraph(priority))
    elif duty is not None:
        why = f" ({duty.fiche})" if duty.fiche else ""
        blocks.append(
            Paragraph(
                f"la fiche du territoire montre l'obligation {duty.when().lower()}{why}.",
                lead="Pourquoi cette action ? ",
            )
        )
    else:
        blocks.append(
            Paragraph(
                "elle ne découle pas d'une réponse au questionnaire.",
                lead="Pourquoi cette action ? Action ajoutée par le collectif : ",
            )
        )
    refs = [ctx.library.reference(str(r)) for r in d.get("references", [])] if ctx.library else []
    cited = [r.title + (f" ({r.article})" if r.article else "") for r in refs if r is not None]
    if cited:
        blocks.append(Paragraph(" ; ".join(cited) + ".", lead="Repères : ", note=True))
    return blocks


def next_steps(ctx: Context) -> list[Block]:
    """7. A dated sequence tied to the mandate and to the horizons of the plan's actions."""
    d, plan, start = ctx.draft, ctx.draft.plan, ctx.draft.generated_on

    def due(horizon: str) -> str:
        chosen = [
            f"{ctx.numbers[i]} {x.title}"
            for i, x in enumerate(plan)
            if x.horizon == horizon and not ctx.duty(x)
        ]
        if not chosen:
            return "Aucune action à cette échéance."
        return "Actions à échéance : " + " ; ".join(chosen) + "."

    instance = _mayors(ctx)
    sent = plural(ctx.results.n_respondents, "questionnaire envoyé", "questionnaires envoyés")
    soon, year = start + timedelta(days=100), start + timedelta(days=365)
    steps: list[tuple[date, str, str]] = [
        (
            start,
            french_date(start),
            f"Projet de feuille de route établi à partir de {sent}. Présentation en CoDir de "
            f"territoire, puis en {instance}, pour l'amender et le valider.",
        ),
        (soon, f"{HORIZON_LABELS['cent_jours']} — d'ici le {french_date(soon)}", due("cent_jours")),
        (
            year,
            f"{HORIZON_LABELS['premiere_annee']} — d'ici le {french_date(year)}",
            due("premiere_annee"),
        ),
        (
            MID_TERM,
            f"{HORIZON_LABELS['mi_mandat']} — bilan de mi-mandat",
            "Bilan de la feuille de route et nouvel autodiagnostic, pour mesurer le chemin "
            "parcouru. " + due("mi_mandat"),
        ),
        (
            END_OF_MANDATE,
            f"{HORIZON_LABELS['fin_de_mandat']} — fin 2031, début 2032",
            "Autodiagnostic de fin de mandat et dossier de passation pour les équipes du mandat "
            "suivant (renouvellement général attendu en mars 2032). " + due("fin_de_mandat"),
        ),
    ]
    situation = d.situation
    if situation is not None and situation.obligations:
        steps += _legal_steps(ctx, start)
    elif ctx.question("ctx_pacte_gouvernance") is not None:
        steps.append(_pacte(ctx, start))
    undated = [
        f"{ctx.numbers[i]} {x.title}"
        for i, x in enumerate(plan)
        if x.horizon not in HORIZON_LABELS and not ctx.duty(x)
    ]
    if undated:
        steps.append((date.max, "Sans échéance fixée", " ; ".join(undated) + "."))
    steps.sort(key=lambda s: s[0])  # stable: the legal steps of the day follow the draft's
    moment = situation.moment if situation else None
    mandate = f"mandat {moment.mandate}" if moment else "mandat 2026-2032"
    return [
        Heading(1, "7. Prochaines étapes"),
        Paragraph(
            f"Calendrier proposé pour {d.territory}, adossé au {mandate}, aux échéances légales "
            "du territoire et à celles des actions du plan."
            if situation is not None and situation.obligations
            else f"Calendrier proposé pour {d.territory}, adossé au {mandate} et aux échéances "
            "des actions du plan."
        ),
        Table(("Quand", "Étape"), tuple((w, s) for _, w, s in steps), (3.5, 9), key="steps"),
    ]


def _legal_steps(ctx: Context, start: date) -> list[tuple[date, str, str]]:
    """The obligations late on the document's day (one step, at once) and those due or windows
    open (one step at each legal day), with the actions of the plan that meet them."""
    assert ctx.draft.situation is not None
    statuses = ctx.draft.situation.worst_first()

    def linked(obligation: str) -> str:
        found = [
            ctx.numbers[i]
            for i, item in enumerate(ctx.draft.plan)
            if (duty := ctx.duty(item)) is not None and duty.obligation == obligation
        ]
        return f" Action du plan : {', '.join(found)}." if found else ""

    late = [
        f"{s.obligation.titre} : "
        + (f"échéance dépassée le {french_date(s.due)}" if s.due else "obligation permanente")
        + f" ({s.basis}).{linked(s.obligation.id)}"
        for s in statuses
        if s.state == State.EN_RETARD
    ]
    steps = []
    if late:
        steps.append((start, "Sans attendre — obligations en retard", " ".join(late)))
    for s in statuses:
        if s.due is not None and s.state in {State.A_FAIRE, State.FENETRE_OUVERTE}:
            what = "fin de la fenêtre" if s.state == State.FENETRE_OUVERTE else "échéance légale"
            text = f"{s.obligation.titre} ({s.basis}).{linked(s.obligation.id)}"
            steps.append((s.due, f"{french_date(s.due)} — {what}", text))
    return steps


def _mayors(ctx: Context) -> str:
    """Where the mayors see the draft, as the fiche says: the bureau when it holds every mayor,
    the conférence des maires otherwise (the law's rule, L5211-11-3), never the answers."""
    situation = ctx.draft.situation
    every_mayor = situation.fact("bureau_tous_maires") if situation is not None else None
    return "bureau communautaire" if every_mayor is True else "conférence des maires"


def _pacte(ctx: Context, start: date) -> tuple[date, str, str]:
    """The pacte's step when no obligation is checked: the law's rule, and where the pacte
    stands only as the fiche says it (never the answers)."""
    linked = [
        ctx.numbers[i]
        for i, item in enumerate(ctx.draft.plan)
        if PACTE in item.details.get("references", [])
    ]
    text = (
        f"Pacte de gouvernance ({ctx.article('ctx_pacte_gouvernance')}) : adopté dans les neuf "
        "mois qui suivent le renouvellement général de mars 2026, si le conseil communautaire "
        "décide d'en élaborer un."
    )
    said = _pacte_on_fiche(ctx)
    text += (
        f" Selon la fiche du territoire : {said}."
        if said
        else (" La fiche du territoire ne dit pas encore où en est le pacte.")
    )
    if linked:
        text += f" Actions liées : {', '.join(linked)}."
    when = "Fin 2026" + (" (échéance passée)" if start > PACTE_DEADLINE else "")
    return PACTE_DEADLINE, when, text


def _pacte_on_fiche(ctx: Context) -> str | None:
    """The fiche's pacte facts in words (« le débat … n'a pas encore eu lieu »), None unknown."""
    situation = ctx.draft.situation
    fiche = situation.fiche if situation is not None else None
    if situation is None or fiche is None:
        return None
    values = effective(fiche, situation.facts)
    said = [
        statement(fiche.field(f), values[f])
        for f in PACTE_FACTS
        if f in fiche.fields and values.get(f) is not None and applicable(fiche, values, f)
    ]
    return " ; ".join(said) or None
