"""Sections 4.2, 6 and 7: the plan's priorities, the action plan with its evidence, next steps."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from diagnostic.document import evidence, governance
from diagnostic.document.blocks import (
    Block,
    Bullets,
    Context,
    Heading,
    Paragraph,
    Table,
    plural,
    score,
    short,
)
from diagnostic.roadmap.followup import default_links
from diagnostic.roadmap.model import (
    HORIZON_LABELS,
    LEGAL_HORIZONS,
    ORIGIN_LABELS,
    STATUS_LABELS,
    PlanGroup,
    PlanItem,
    RoadmapDraft,
    month_text,
)
from diagnostic.roadmap.proposals import BLIND_SPOT_MIN
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
    if ctx.draft.groups:
        return [*blocks, *_chantier_priorities(ctx)]
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


def _when(ctx: Context, index: int) -> str:
    """When a main-plan action is conducted: its window, else its legal day or horizon."""
    windows = ctx.draft.windows
    window = windows[index] if index < len(windows) else None
    return window.label() if window is not None else ctx.horizon(ctx.draft.plan[index])


def _chantier_priorities(ctx: Context) -> list[Block]:
    """4.2 with chantiers: how many actions, in which chantiers, when; the rule in words."""
    d = ctx.draft
    duties = [x for x in (ctx.duty(item) for item in d.plan) if x is not None]
    late = sum(x.late for x in duties)
    legal = ""
    if duties:
        parts = [f"{late} à régulariser sans attendre"] if late else []
        if len(duties) > late:
            parts.append(f"{len(duties) - late} avant leur échéance légale")
        legal = f", dont {plural(len(duties), 'obligation légale', 'obligations légales')} " + (
            f"({' et '.join(parts)})"
        )
    blocks: list[Block] = [
        Paragraph(
            f"Le plan principal retient {plural(len(d.plan), 'action')}{legal}, en "
            f"{plural(len(d.groups), 'chantier')} ; "
            f"{plural(len(d.others), 'autre piste', 'autres pistes')} que les réponses font "
            "aussi proposer figurent en annexe du plan d'action (partie 6), avec la raison pour "
            "laquelle elles n'y sont pas."
        ),
        Paragraph(
            "les obligations légales en retard ou à échéance d'abord, toujours retenues ; puis "
            "les chantiers où se trouvent les principaux constats du diagnostic : les items les "
            "plus faibles et les plus éloignés du niveau visé, d'autant plus qu'ils sont jugés "
            "importants, que l'intercommunalité et les communes les voient différemment (angles "
            "morts) et que plusieurs communes partagent le constat. Chaque chantier retient ses "
            "actions les plus prioritaires, trois au plus, et l'instance qui les pilote quand "
            "elle n'existe pas encore.",
            lead="Comment le plan est choisi : ",
        ),
    ]
    blocks += _findings(ctx)
    rows = []
    for group in d.groups:
        numbers = ", ".join(ctx.numbers[i] for i in group.rows)
        windows = [d.windows[i] for i in group.rows if i < len(d.windows) and d.windows[i]]
        span = ""
        if windows:
            first = min(w.start for w in windows)
            last = max(w.end for w in windows)
            span = f"{month_text(first)} – {month_text(last)}"
        rows.append((group.title, numbers, span))
    blocks.append(
        Table(("Chantier", "Actions", "Période"), tuple(rows), (6, 3, 3.5), key="chantiers")
    )
    return blocks


def _group_scores(ctx: Context, question_id: str) -> tuple[float, float] | None:
    """The item's score seen from the EPCI and from the communes (groups shown only)."""
    compared = ctx.results.comparisons.get("structure_kind")
    if compared is None or compared.empty:
        return None
    rows = compared.loc[(compared["question_id"] == question_id) & (compared["status"] == "ok")]
    seen = {g: s for g, s in zip(rows["group"], rows["score"], strict=True) if not pd.isna(s)}
    return (seen["epci"], seen["commune"]) if {"epci", "commune"} <= set(seen) else None


def main_gaps(ctx: Context) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """The largest angles morts between the EPCI and the communes, largest first: those behind
    the plan's actions (« « item » : 12/100 vu des communes, 58/100 vu de l'intercommunalité
    (A5) »), and those of the points à instruire (gap, item). Part 4.2 and page one read them."""
    found: list[tuple[float, str]] = []
    for i, item in enumerate(ctx.draft.plan):
        best: tuple[float, str] | None = None
        for ev in item.evidence:
            scores = _group_scores(ctx, str(ev.get("question_id", "")))
            if scores is None or abs(scores[0] - scores[1]) < BLIND_SPOT_MIN:
                continue
            text = (
                f"« {short(str(ev.get('item') or ''))} » : {score(scores[1])}/100 vu des "
                f"communes, {score(scores[0])}/100 vu de l'intercommunalité "
                f"({ctx.numbers[i]})"
            )
            gap = abs(scores[0] - scores[1])
            best = (gap, text) if best is None or gap > best[0] else best
        if best is not None:
            found.append(best)
    found.sort(key=lambda x: -x[0])
    open_gaps = [
        (gap, p.item)
        for p in ctx.draft.points
        if (scores := _group_scores(ctx, p.question_id)) is not None
        and (gap := abs(scores[0] - scores[1])) >= BLIND_SPOT_MIN
    ]
    open_gaps.sort(key=lambda x: -x[0])
    return found, open_gaps


def _findings(ctx: Context) -> list[Block]:
    """The main findings the plan answers: the largest angles morts between the EPCI and the
    communes behind its actions, and those left to discuss first (points à instruire)."""
    found, open_gaps = main_gaps(ctx)
    blocks: list[Block] = []
    if found:
        blocks.append(
            Paragraph(
                "les communes et l'intercommunalité ne voient pas de la même façon ce qui les "
                "relie ; le plan répond d'abord aux écarts les plus marqués :",
                lead="Constat principal : ",
            )
        )
        blocks.append(Bullets(tuple(t for _, t in found[:4])))
    if open_gaps:
        said = " ; ".join(f"« {short(t)} » ({score(g)} points)" for g, t in open_gaps[:3])
        blocks.append(
            Paragraph(
                f"{said}. Ces items opposent les deux regards sans qu'un consensus les ait "
                "tranchés : à instruire collectivement avant d'en faire des actions (partie "
                "3.3).",
                lead="Écarts à discuter d'abord : ",
            )
        )
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
    if ctx.draft.groups:
        return [*blocks[:1], *_by_chantier(ctx)]
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


def _handover_year(draft: RoadmapDraft) -> str:
    """« de 2032 »: the next renewal's year when the calendar places the campaign."""
    moment = draft.situation.moment if draft.situation is not None else None
    return f" de {moment.next_start.year}" if moment is not None else " de fin de mandat"


def _by_chantier(ctx: Context) -> list[Block]:
    """6 with chantiers: the rule, the timeline, the table, the late duties, each chantier with
    its actions, then the « Autres pistes »."""
    d = ctx.draft
    plan = d.plan
    blocks: list[Block] = [
        Paragraph(
            f"Le plan principal compte {plural(len(plan), 'action')} en "
            f"{plural(len(d.groups), 'chantier')}, datées du mois où elles commencent à celui "
            "où elles doivent aboutir : rien avant la date de ce document, les obligations "
            "légales à la date que fixe la loi, les instances qui pilotent avant ce qu'elles "
            "pilotent, et chaque chantier dans la période du mandat où il se conduit, jusqu'à "
            f"la préparation de la transmission{_handover_year(d)}. Chaque action porte sa "
            "justification "
            "(« Pourquoi cette action ? ») et son indicateur, mesuré au prochain "
            "autodiagnostic. Les items où les avis divergent ne deviennent pas des actions : "
            "ils figurent parmi les points à instruire collectivement (partie 3.3)."
        ),
        *ctx.picture("timeline"),
    ]
    rows = tuple(
        (
            group.title,
            f"{ctx.numbers[i]}. {plan[i].title}",
            ctx.owner(plan[i]),
            _when(ctx, i),
            STATUS_LABELS.get(plan[i].status, plan[i].status),
        )
        for group in d.groups
        for i in group.rows
    )
    blocks.append(
        Table(
            ("Chantier", "Action", "Pilote / porteur", "Quand", "Statut"),
            rows,
            (3.4, 5, 3, 2.6, 1.6),
            key="plan",
        )
    )
    late = [i for i, item in enumerate(plan) if (x := ctx.duty(item)) is not None and x.late]
    section = 1
    if late:
        blocks += [
            Heading(2, f"6.{section} À régulariser sans attendre"),
            Bullets(tuple(f"{ctx.numbers[i]}. {ctx.duty(plan[i]).sentence()}." for i in late)),  # type: ignore[union-attr]
        ]
        section += 1
    for group in d.groups:
        blocks.append(Heading(2, f"6.{section} {group.title}"))
        section += 1
        if group.objective:
            blocks.append(Paragraph(group.objective, lead="Objectif : "))
        if group.pilot:
            blocks.append(Paragraph(group.pilot, lead="Pilote : "))
        if group.validation:
            blocks.append(Paragraph(group.validation, lead="Validation : "))
        effort = _effort(group)
        if effort:
            blocks.append(Paragraph(effort, lead="Effort estimé : "))
        for i in group.rows:
            blocks += _action(ctx, ctx.numbers[i], plan[i], _when(ctx, i))
    blocks += _other_leads(ctx, section)
    return blocks


def _euros(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f") + " €"


def _effort(group: PlanGroup) -> str:
    """« 25 à 45 jours de travail des agents ; budget de 0 à 6 000 € ; appui extérieur : … »."""
    if group.days == (0, 0) and group.budget == (0, 0) and not group.support:
        return ""
    low, high = group.days
    parts = [f"{low} à {high} jours de travail des agents, toutes administrations confondues"]
    if group.budget == (0, 0):
        parts.append("pas de dépense hors temps des agents")
    elif group.budget[0] == 0:
        parts.append(f"budget jusqu'à {_euros(group.budget[1])}")
    else:
        parts.append(f"budget de {_euros(group.budget[0])} à {_euros(group.budget[1])}")
    if group.support:
        parts.append("appui extérieur : " + " ; ".join(group.support))
    return " ; ".join(parts) + ". Ordres de grandeur à ajuster, pas un devis."


def _other_leads(ctx: Context, section: int) -> list[Block]:
    """The annex of part 6: the triggered actions left out of the main plan, one line each."""
    others = ctx.draft.others
    if not others:
        return []
    titles = {g.chantier: g.title for g in ctx.draft.groups}
    rows = tuple(
        (
            item.title,
            titles.get(item.chantier or "", "") or _chantier_title(ctx, item),
            item.aside or "Moins prioritaire que les actions du plan principal.",
            _evidence_line(ctx, item),
        )
        for item in others
    )
    return [
        Heading(2, f"6.{section} Annexe du plan : autres pistes"),
        Paragraph(
            f"Les réponses font aussi proposer {plural(len(others), 'action')} qui "
            "ne figurent pas au plan principal : elles restent à la disposition du collectif, "
            "qui peut en retenir une à tout moment (page « Feuille de route »)."
        ),
        Table(
            ("Action", "Chantier", "Pourquoi pas maintenant", "Constat"),
            rows,
            (4, 3, 4.2, 4.4),
            key="others",
        ),
    ]


def _chantier_title(ctx: Context, item: PlanItem) -> str:
    return str(ctx.draft.extra.get("chantiers", {}).get(item.chantier or "", ""))


def _evidence_line(ctx: Context, item: PlanItem) -> str:
    """The first evidence of an action in one line: the item and what the diagnostic says."""
    if not item.evidence:
        duty = ctx.duty(item)
        return duty.fiche if duty is not None and duty.fiche else ""
    first = item.evidence[0]
    said = f"« {short(str(first.get('item') or ''))} »"
    numbers = str(first.get("summary") or "").split(" ; ")
    shown = " ; ".join(n for n in numbers[:2] if n)
    return f"{said} : {shown}" if shown else f"{said} : {first.get('trigger', '')}"


def _chosen_links(ctx: Context, item: PlanItem) -> str:
    """The items the collective chose for the action to move (page « Suivi »), when they differ
    from those of its evidence (« Pourquoi cette action ? » shows those): « « … » ; « … » »."""
    if item.links is None or tuple(item.links) == default_links(item):
        return ""
    q = ctx.results.questionnaire
    known = {x.id for x in q.questions()}
    said = [f"« {short(q.question(k).text)} »" for k in item.links if k in known]
    return (" ; ".join(said) + ".") if said else "aucun item du questionnaire."


def _action(ctx: Context, label: str, item: PlanItem, when: str | None = None) -> list[Block]:
    d = item.details
    blocks: list[Block] = [Heading(3, f"{label}. {item.title}")]
    duty = ctx.duty(item)
    if duty is not None:
        blocks.append(Paragraph(duty.sentence() + ".", lead="Obligation légale : "))
    if when is not None:
        note = evidence.deadline_note(duty, when) if duty is not None else ""
        when += f" ({note})" if note else ""
        blocks.append(Paragraph(when + ".", lead="Quand : "))
        pilot = ctx.owner(item)
        blocks.append(Paragraph(pilot + ".", lead="Pilote : "))
        blocks.append(Paragraph(_indicator(item), lead="Indicateur : "))
    if chosen := _chosen_links(ctx, item):
        blocks.append(Paragraph(chosen, lead="Items suivis, choisis par le collectif : "))
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
        if duty is not None and (said := evidence.duty_line(ctx, item, duty)):
            lines.insert(0, said)
        blocks += [Paragraph("", lead="Pourquoi cette action ?"), Bullets(tuple(lines))]
        if priority := evidence.priority_sentence(ctx, item):
            blocks.append(Paragraph(priority))
    elif duty is not None:
        said = evidence.duty_line(ctx, item, duty) or ""
        blocks.append(
            Paragraph(
                f"la fiche du territoire montre l'obligation {duty.when().lower()}. {said}".strip(),
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


def _indicator(item: PlanItem) -> str:
    """« Nombre de séances tenues… ; au prochain autodiagnostic : de 29/100 aujourd'hui à 64/100
    visés sur les items de l'action »."""
    text = (item.indicator or "à définir").rstrip(".")
    measure = item.measure
    if measure is not None:
        base, target = measure
        text += (
            f" ; au prochain autodiagnostic, score des items de l'action de {score(base)}/100 "
            f"aujourd'hui à {score(target)}/100"
        )
    return text + "."


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
    if d.groups:
        return _steps_by_window(ctx, instance, sent)
    steps: list[tuple[date, str, str]] = [
        (
            start,
            french_date(start),
            f"Projet de feuille de route établi à partir de {sent}. Présentation "
            f"{_reader(ctx)}, puis en {instance}, pour l'amender et le valider.",
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
            f"Calendrier proposé, adossé au {mandate}, aux échéances légales "
            "du territoire et à celles des actions du plan."
            if situation is not None and situation.obligations
            else f"Calendrier proposé, adossé au {mandate} et aux échéances des actions du plan."
        ),
        Table(("Quand", "Étape"), tuple((w, s) for _, w, s in steps), (3.5, 9), key="steps"),
    ]


def _steps_by_window(ctx: Context, instance: str, sent: str) -> list[Block]:
    """7 with windows: the draft's presentation, the legal days, then the actions by the period
    where they start (100 days, the year, until the mid-mandate review, until the hand-over),
    the mid-mandate review and the hand-over."""
    from diagnostic.roadmap.selection import milestones

    d, plan, start = ctx.draft, ctx.draft.plan, ctx.draft.generated_on
    marks = dict((label, day) for day, label in milestones(d.situation, start))
    review = marks.get("Bilan de mi-mandat", MID_TERM)
    handover = marks.get("Préparation de la transmission", END_OF_MANDATE)
    soon, year = start + timedelta(days=100), start + timedelta(days=365)
    periods = [
        (soon, f"D'ici le {french_date(soon)} (100 jours)"),
        (year, f"D'ici le {french_date(year)} (un an)"),
        (review, f"D'ici le bilan de mi-mandat ({month_text(review)})"),
        (handover, f"D'ici la préparation de la transmission ({month_text(handover)})"),
        (date.max, "Fin de mandat"),
    ]
    found: dict[int, list[str]] = {}
    for i, item in enumerate(plan):
        window = d.windows[i] if i < len(d.windows) else None
        if window is None or ctx.duty(item) is not None:
            continue
        slot = next(k for k, (limit, _) in enumerate(periods) if window.start < limit)
        found.setdefault(slot, []).append(
            f"{ctx.numbers[i]} {item.title} ({window.label().lower()})"
        )
    steps: list[tuple[date, str, str]] = [
        (
            start,
            french_date(start),
            f"Projet de feuille de route établi à partir de {sent}. Présentation "
            f"{_reader(ctx)}, puis en {instance}, pour l'amender et le valider ; le plan "
            "principal démarre après son adoption.",
        )
    ]
    for k, (limit, label) in enumerate(periods):
        if k in found:
            day = min(limit, date.max - timedelta(days=1))
            steps.append((day, label, "Actions qui commencent : " + " ; ".join(found[k]) + "."))
    steps += [
        (
            review,
            f"{month_text(review).capitalize()} — bilan de mi-mandat",
            "Bilan de la feuille de route et nouvel autodiagnostic, avec les mêmes questions : "
            "les indicateurs du plan se mesurent sur ses scores ; les autres pistes sont "
            "réexaminées.",
        ),
        (
            handover,
            f"{month_text(handover).capitalize()} — préparation de la transmission",
            "Autodiagnostic de fin de mandat et dossier de passation pour les équipes du mandat "
            "suivant (renouvellement général attendu en mars 2032).",
        ),
    ]
    if d.situation is not None and d.situation.obligations:
        steps += _legal_steps(ctx, start)
    steps.sort(key=lambda s: s[0])
    moment = d.situation.moment if d.situation else None
    mandate = f"mandat {moment.mandate}" if moment else "mandat 2026-2032"
    return [
        Heading(1, "7. Prochaines étapes"),
        Paragraph(
            f"Calendrier proposé, adossé au {mandate}, aux échéances légales "
            "du territoire et aux dates des actions du plan principal (partie 6)."
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
            what = "fin de la fenêtre" if s.state == State.FENETRE_OUVERTE else _nature(s.why)
            text = f"{s.obligation.titre} ({s.basis}).{linked(s.obligation.id)}"
            steps.append((s.due, f"{french_date(s.due)} — {what}", text))
    return steps


def _nature(why: str) -> str:
    """« échéance légale », or what the fiche's notes say the day is when the law sets none
    (« échéance indicative », « échéance déduite du texte »)."""
    notes = why.split(" ; ")
    if "échéance indicative, sans délai légal" in notes:
        return "échéance indicative"
    if "échéance déduite du texte" in notes:
        return "échéance déduite du texte"
    return "échéance légale"


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


def _reader(ctx: Context) -> str:
    """« au CoDir de territoire », « à la réunion des DGS… » (governance.first_reading)."""
    who = governance.first_reading(ctx)
    return "au " + who.removeprefix("le ") if who.startswith("le ") else "à " + who
