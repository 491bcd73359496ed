"""Section 5, « Gouvernance proposée »: the instances today, what the plan proposes, and the
governance of the roadmap itself (who steers it, its reviews, its validation route, the clauses
to propose for the pacte de gouvernance where the results call for them).

The instances and instruments are read from the « Fiche du territoire » (the draft's
situation), beside what the respondents know of them (the knowledge findings of part 3.4); the
practices that are not facts of the fiche (CoDir de territoire, conférence des DGS…) are read
from the answers and worded as perception. A fact is never settled by a majority of answers.
The legal frame is quoted from the « Repères et outils » library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
from diagnostic.questionnaire import QuestionType
from diagnostic.roadmap.chantiers import Condition, PacteClauses, Trigger, fits
from diagnostic.roadmap.model import PlanItem, month_text
from diagnostic.territory.facts import FactField, FactType, Fiche, Value, applicable, effective
from diagnostic.territory.knowledge import Finding, knowledge_items
from diagnostic.territory.presentation import statement
from diagnostic.territory.situation import Situation
from diagnostic.vocabulary import french_date

GOVERNANCE_CHOICES = ("ctx_pacte_gouvernance", "ctx_conference_maires", "ctx_conseil_developpement")
INSTRUMENTS = "ctx_instruments"
# The instances and instruments of 5.1, in this order, each with the facts of the fiche that
# describe it (the facts that depend on them, dates and decisions, follow); then any other fact
# a knowledge item of the questionnaire asks about.
INSTANCES = (
    ("pacte_gouvernance_debat", "pacte_gouvernance_decide", "pacte_gouvernance_adopte"),
    ("bureau_tous_maires", "conference_maires"),
    ("conseil_developpement",),
    ("projet_de_territoire",),
    ("pacte_financier_fiscal",),
    ("schema_mutualisation",),
    ("services_communs",),
    ("pcaet",),
    ("contrat_de_ville",),
)
# Options of the inventory that are practices of cooperation, not facts of the fiche.
PRACTICES = ("codir_territoire", "conference_dgs", "conferences_territoriales", "reseaux_metiers")
INSTANCE_DIMENSIONS = ("d4_instances", "d5_decision")
CODIR_FREQUENCY, CODIR_ITEM = "d4_frequence_instance_dg", "d4_codir_territoire"
CODIR_ACTIONS = ("instituer_codir_territoire", "structurer_codir_territoire")
UNKNOWN_ON_FICHE = "Non renseigné sur la fiche"


@dataclass
class _Row:
    """One instance or instrument of 5.1: its name, the facts of the fiche that describe it
    and the knowledge item (and option) that asks the respondents about it."""

    subject: str
    facts: list[str] = field(default_factory=list)
    question_id: str | None = None
    option_id: str | None = None


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
    return blocks + roadmap_governance(ctx) + _legal(ctx, [item for _, item in proposed])


def validation_route(ctx: Context) -> list[str]:
    """The instances that see the draft, in order, as the fiche says (never the answers): the
    bureau when it holds every mayor, else the bureau then the conférence des maires."""
    situation = ctx.draft.situation
    every_mayor = situation.fact("bureau_tous_maires") if situation is not None else None
    conference = situation.fact("conference_maires") if situation is not None else None
    route = [first_reading(ctx)]
    if every_mayor is True:
        route.append("le bureau communautaire, qui réunit tous les maires")
    elif every_mayor is False:
        route.append("le bureau communautaire")
        route.append(
            "la conférence des maires"
            if conference is True
            else "la conférence des maires (le bureau ne réunit pas tous les maires ; la fiche "
            "ne dit pas encore qu'elle est installée)"
        )
    else:
        route.append(
            "le bureau communautaire, puis la conférence des maires s'il ne réunit pas tous "
            "les maires (la fiche ne le dit pas encore)"
        )
    route.append("le conseil communautaire, qui l'adopte")
    return route


def first_reading(ctx: Context) -> str:
    """Who reads the draft first: the CoDir de territoire, unless the plan itself institutes it
    (then it does not exist yet, and the DGS meet for the occasion)."""
    if any(x.action_id == CODIR_ACTIONS[0] for x in ctx.draft.plan):
        return "la réunion des DGS de l'intercommunalité et des communes"
    return "le CoDir de territoire"


def _codir_action(ctx: Context) -> str | None:
    """« A6 », the plan's action that installs the CoDir de territoire, None without one."""
    return next(
        (ctx.numbers[i] for i, x in enumerate(ctx.draft.plan) if x.action_id in CODIR_ACTIONS),
        None,
    )


def roadmap_governance(ctx: Context) -> list[Block]:
    """5.4 Who steers the roadmap, when it is reviewed, how it is validated (read on the fiche),
    and the clauses to propose for the pacte de gouvernance where the results call for them."""
    from diagnostic.roadmap.selection import milestones

    d = ctx.draft
    codir = _codir_action(ctx)
    installed = f"dès qu'il est installé (action {codir})" if codir else "quand il existe"
    marks = {label: day for day, label in milestones(d.situation, d.generated_on)}
    review, handover = marks.get("Bilan de mi-mandat"), marks.get("Préparation de la transmission")
    route = validation_route(ctx)
    mayors = route[1].split(",")[0]
    rhythm = [
        "un point d'étape chaque trimestre en CoDir de territoire : avancement des actions, "
        "échéances légales, difficultés à remonter aux élus",
        f"une revue annuelle devant {mayors}"
        + (" et la conférence des maires" if len(route) > 3 else "")
        + " : ce qui est fait, ce qui glisse, les actions à ajouter ou à retirer",
    ]
    if review is not None:
        rhythm.append(
            f"le bilan de mi-mandat, en {month_text(review)} : nouvel autodiagnostic avec les "
            "mêmes questions, qui mesure les indicateurs du plan"
        )
    if handover is not None:
        rhythm.append(
            f"la préparation de la transmission, à partir de {month_text(handover)} : bilan et "
            "feuille de route à jour pour les équipes du mandat suivant"
        )
    blocks: list[Block] = [
        Heading(2, "5.4 Gouvernance de la feuille de route"),
        Paragraph(
            f"le CoDir de territoire, {installed} ; d'ici là, la direction générale de "
            "l'intercommunalité avec les DGS et secrétaires généraux des communes. Le pilote "
            "tient le tableau de suivi des actions et prépare chaque revue.",
            lead="Qui la pilote : ",
        ),
        Paragraph("", lead="Quand elle est revue :"),
        Bullets(tuple(r[0].upper() + r[1:] + "." for r in rhythm)),
        Paragraph(
            "projet examiné par "
            + ", puis par ".join(route)
            + " ; les conseils municipaux en sont informés, et rendent un avis sur ce qui "
            "relève du pacte de gouvernance. Ce parcours suit la fiche du territoire, pas les "
            "réponses au questionnaire.",
            lead="Comment elle est validée : ",
        ),
        *_clauses(ctx),
    ]
    return blocks


def _item_low(ctx: Context, question_id: str, threshold: int) -> str | None:
    """« « item » : 21/100 » when the item scores below the threshold, else None."""
    items = ctx.results.items
    rows = items.loc[items["question_id"] == question_id]
    if rows.empty or pd.isna(rows["score_used"].iloc[0]):
        return None
    value = float(rows["score_used"].iloc[0])
    return f"« {ctx.item(question_id)} » : {score(value)}/100" if value < threshold else None


def _trigger_reasons(ctx: Context, trigger: Trigger, threshold: int) -> list[str] | None:
    """Why the trigger holds, in words, or None when one of its parts does not."""
    d = ctx.draft
    reasons: list[str] = []
    if trigger.items:
        low = [r for q in trigger.items if (r := _item_low(ctx, q, threshold)) is not None]
        if not low:
            return None
        reasons += low
    if trigger.actions:
        found = [
            f"action {ctx.numbers[i]} au plan"
            for i, x in enumerate(d.plan)
            if x.action_id in trigger.actions
        ]
        if not found:
            return None
        reasons += found
    if trigger.chantiers:
        wanted = trigger.chantiers
        found = [f"chantier « {g.title} » au plan" for g in d.groups if g.chantier in wanted]
        if not found:
            return None
        reasons += found
    if trigger.fiche is not None:
        if not _fiche_fits(ctx, trigger.fiche):
            return None
        reasons.append(trigger.motif or "")
    return reasons


def _fiche_fits(ctx: Context, condition: Condition) -> bool:
    situation = ctx.draft.situation
    if situation is None or situation.fiche is None:
        return False
    values = effective(situation.fiche, situation.facts)
    return fits(condition, values) is True


def pacte_clauses(ctx: Context) -> list[tuple[int, str, list[str]]]:
    """The clauses the results call for: number, what the clause provides, why (in words)."""
    clauses = ctx.draft.extra.get("clauses_pacte")
    if not isinstance(clauses, PacteClauses):
        return []
    found = []
    for clause in clauses.clauses:
        reasons: list[str] = []
        for trigger in clause.quand:
            said = _trigger_reasons(ctx, trigger, clauses.seuil)
            reasons += [r for r in said or [] if r and r not in reasons]
        if reasons:
            found.append((clause.numero, clause.titre, reasons))
    return found


def _clauses(ctx: Context) -> list[Block]:
    clauses = ctx.draft.extra.get("clauses_pacte")
    if not isinstance(clauses, PacteClauses):
        return []
    found = pacte_clauses(ctx)
    lead = "Clauses à proposer pour le pacte de gouvernance : "
    if not found:
        return [
            Paragraph(
                f"aucune des clauses que permet la loi ({clauses.article}) n'est appelée en "
                "particulier par les résultats.",
                lead=lead,
            )
        ]
    return [
        Paragraph(
            f"parmi celles que la loi permet ({clauses.article}), celles qu'appellent les "
            "résultats ; le pacte peut les prévoir lors de son élaboration ou de sa révision.",
            lead=lead,
        ),
        Bullets(
            tuple(
                f"{n}° {title[0].upper() + title[1:]}. Pourquoi : {' ; '.join(reasons)}."
                for n, title, reasons in found
            )
        ),
    ]


def _instances(ctx: Context) -> list[Block]:
    """5.1 The instances and instruments as the fiche du territoire states them, beside what
    the respondents know of them (part 3.4); then the practices that are not facts, as the
    respondents perceive them. A fact is never settled by the answers."""
    situation = ctx.draft.situation
    fiche = situation.fiche if situation is not None else None
    blocks: list[Block]
    if situation is None or fiche is None or situation.fiche_empty:
        blocks = [
            Paragraph(
                "La fiche du territoire n'est pas renseignée : ce document ne dit pas où en sont "
                "le pacte de gouvernance, la conférence des maires, le conseil de développement "
                "et les instruments de coopération. Ce sont des faits, tenus par la coordination "
                "sur la fiche avec leur source, jamais déduits des réponses au questionnaire."
            )
        ]
    else:
        blocks = _fiche_table(ctx, situation, fiche)
    return blocks + _practices(ctx)


def _rows_of_the_fiche(ctx: Context, fiche: Fiche) -> list[_Row]:
    """The instances the fiche describes (INSTANCES, then any other fact a knowledge item asks
    about), each named as its knowledge item names it (else as the library or the fiche does),
    with the facts that depend on its own (dates, decisions)."""
    fields = fiche.fields
    asked: list[_Row] = []  # what the knowledge items ask about, in questionnaire order
    for question in knowledge_items(ctx.results.questionnaire):
        assert question.fact is not None
        if question.type == QuestionType.SINGLE_CHOICE:
            about = question.fact.about or short(question.text)
            asked.append(_Row(about, question.fact.facts, question.id))
            continue
        for option in question.options or []:
            named = list(question.fact.states(option.id))
            if named:
                asked.append(_Row(option.label, named, question.id, option.id))
    rows: list[_Row] = []
    for group in [*INSTANCES, *(a.facts for a in asked)]:
        facts = [f for f in group if f in fields]
        if not facts or any(set(facts) & set(r.facts) for r in rows):
            continue
        item = next((a for a in asked if set(a.facts) & set(facts)), None)
        if item is None:
            rows.append(_Row(_name(ctx, fields[facts[0]]), facts))
            continue
        facts += [f for f in item.facts if f in fields and f not in facts]
        rows.append(_Row(item.subject, facts, item.question_id, item.option_id))
    for row in rows:  # the facts that make sense only with the row's own: dates, decisions
        for fact_id, one in fields.items():
            if one.depends_on in row.facts and fact_id not in row.facts:
                row.facts.append(fact_id)
        row.facts.sort(key=list(fields).index)
    return rows


def _name(ctx: Context, fact: FactField) -> str:
    """An instance no knowledge item names: as the library names its first reference
    (« Le pacte de gouvernance »), else as the fiche labels the fact."""
    for ref_id in fact.references:
        ref = ctx.library.reference(ref_id) if ctx.library is not None else None
        if ref is not None:
            return ref.title
    return fact.label


def _fiche_table(ctx: Context, situation: Situation, fiche: Fiche) -> list[Block]:
    found = {(f.question_id, f.option_id): f for f in ctx.draft.extra.get("knowledge") or ()}
    values = effective(fiche, situation.facts)
    table = []
    for row in _rows_of_the_fiche(ctx, fiche):
        says = _fiche_says(fiche, values, row.facts, situation.sources)
        known = _known(ctx, row, found.get((row.question_id, row.option_id)), says is not None)
        legal = next((fiche.fields[f].legal for f in row.facts if fiche.fields[f].legal), None)
        table.append((row.subject, says or UNKNOWN_ON_FICHE, known, legal or DASH))
    pointer = " (détail en partie 3.4)" if found else ""
    return [
        Paragraph(
            f"Situation au {french_date(situation.on)}, d'après la fiche du territoire tenue par "
            "la coordination, avec la source de chaque fait : un fait se vérifie sur la fiche, "
            "jamais à la majorité des réponses. À côté, ce qu'en savent les répondants, d'après "
            f"les questions « À votre connaissance… »{pointer}."
        ),
        Table(
            (
                "Instance ou instrument",
                "Selon la fiche du territoire",
                "Ce qu'en savent les répondants",
                "Cadre",
            ),
            tuple(table),
            (3, 5, 2.6, 2.6),
            key="instances",
        ),
    ]


def _fiche_says(
    fiche: Fiche, values: Mapping[str, Value], facts: list[str], sources: Mapping[str, str]
) -> str | None:
    """What the fiche states of these facts, with where it comes from; None when it states
    none of them. A fact left blank among known ones is named « non renseigné »."""
    said, unknown = [], []
    for fact_id in facts:
        if not applicable(fiche, values, fact_id):
            continue
        field, value = fiche.field(fact_id), values.get(fact_id)
        if value is None:
            if field.depends_on is None or field.type == FactType.BOOL:
                unknown.append(field.label)
            continue
        said.append(statement(field, value))
    if not said:
        return None
    origin = " ; ".join(dict.fromkeys(sources[f] for f in facts if sources.get(f)))
    text = " ; ".join(said) + (f" ({origin})" if origin else "")
    if unknown:
        text += " ; non renseigné : " + ", ".join(unknown)
    return text[0].upper() + text[1:]


def _known(ctx: Context, row: _Row, finding: Finding | None, settled: bool) -> str:
    """What the respondents know of a row's facts: the finding of part 3.4, or why there is
    none (no question, fiche silent, too few answers: the privacy rule)."""
    if finding is not None:
        know, n = finding.know, finding.answered
        if not know:
            return f"aucun des {n} répondants ne le sait"
        if know == 1:
            return f"1 répondant sur {n} le sait"
        return f"{know} répondants sur {n} le savent"
    if row.question_id is None:
        return "non demandé aux répondants"
    if not settled:
        return "à comparer une fois la fiche complétée"
    return f"non détaillé : moins de {ctx.min_group} réponses"


def _practices(ctx: Context) -> list[Block]:
    """The inventory's options that no fact of the fiche settles, as the respondents perceive
    them: the practices of cooperation (CoDir de territoire, conférence des DGS…) first, then
    the other instruments; never more than what an item answered by enough people says."""
    question = ctx.question(INSTRUMENTS)
    if question is None:
        return []
    mapped = set(question.fact.options) if question.fact is not None else set()
    practices, others, silent = [], [], []
    for option_id, label in ctx.names.options.get(INSTRUMENTS, {}).items():
        counted = ctx.checked(INSTRUMENTS, option_id)
        if option_id in mapped or counted is None:
            continue
        cited, n = counted
        if n < ctx.min_group:
            return [
                Paragraph(
                    f"Les pratiques de coopération citées par les répondants ne sont pas "
                    f"détaillées : moins de {ctx.min_group} réponses (règle de confidentialité)."
                )
            ]
        if option_id in PRACTICES:
            who = (
                f"aucun des {n} répondants n'en connaît l'existence"
                if not cited
                else f"{cited} répondant sur {n} en connaît l'existence"
                if cited == 1
                else f"{cited} répondants sur {n} en connaissent l'existence"
            )
            practices.append(f"{label} : {who}")
        elif cited:
            others.append(f"{label} ({cited} sur {n})")
        else:
            silent.append(label)
    blocks: list[Block] = []
    if practices:
        blocks += [
            Paragraph(
                "ces instances ne figurent pas sur la fiche du territoire ; le questionnaire "
                "demande aux répondants lesquelles existent à leur connaissance.",
                lead="Pratiques de coopération, telles que les perçoivent les répondants : ",
            ),
            Bullets(tuple(practices)),
        ]
    if others:
        lead = "Autres instruments que la fiche ne renseigne pas, cités par des répondants : "
        blocks.append(Paragraph(" ; ".join(others) + ".", lead=lead))
    if silent:
        lead = "Cités par aucun répondant : "
        blocks.append(Paragraph(", ".join(silent) + ".", lead=lead))
    return blocks


def _codir(ctx: Context) -> list[Block]:
    lines = []
    answer = ctx.most_frequent(CODIR_FREQUENCY)
    if answer is not None:
        lines.append(
            "Fréquence de l'instance qui réunit les directions générales, telle que la "
            f"perçoivent les répondants (réponse la plus fréquente) : « {answer.label} » "
            f"({answer.share})."
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
    return [Heading(2, "5.5 Repères juridiques"), Bullets(tuple(lines))] if lines else []


def cited_references(ctx: Context, items: list[PlanItem] | tuple[PlanItem, ...]) -> list[str]:
    """Reference ids cited by the governance questions and by the given plan items."""
    ids: list[str] = []
    for qid in GOVERNANCE_CHOICES:
        question = ctx.question(qid)
        ids += list(question.references) if question is not None else []
    for item in items:
        ids += [str(r) for r in item.details.get("references", [])]
    return list(dict.fromkeys(ids))
