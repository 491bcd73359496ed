"""Page one, « Ce qu'il faut retenir »: the main message in a few sentences, as a DGS would
say it to the bureau. Everything comes from what the other parts already compute: the largest
angles morts (plan.main_gaps, part 4.2), the late obligations of the situation (part 1.3), the
chantiers of the main plan (part 6), the participation (part 1.1) and the validation route
(governance.validation_route, part 5.4). Without enough answers or without a fiche, it says
what it can."""

from __future__ import annotations

from diagnostic.document import governance, plan
from diagnostic.document.blocks import (
    Block,
    Bullets,
    Context,
    Heading,
    Paragraph,
    plural,
    share_of,
    short,
)
from diagnostic.territory.obligations import State
from diagnostic.vocabulary import french_date

TITLE = "Ce qu'il faut retenir"


def summary(ctx: Context) -> list[Block]:
    """The page: findings, late obligations, chantiers, participation and its caveats."""
    blocks: list[Block] = [Heading(1, TITLE)]
    enough = ctx.results.n_respondents >= ctx.min_group
    if enough:
        blocks += _finding(ctx)
    blocks += _obligations(ctx)
    blocks += _chantiers(ctx)
    route = governance.validation_route(ctx)
    blocks.append(
        Paragraph(
            f"Ce projet est à amender en {route[0].removeprefix('le ').removeprefix('la ')}, puis "
            f"{_by(route[1])} ; le conseil communautaire l'adopte (partie 5.4)."
        )
    )
    blocks += _participation(ctx, enough)
    return blocks


def _lower(text: str) -> str:
    """« Débat sur… » → « débat sur… » inside a sentence; acronyms (« PCAET ») untouched."""
    return text[0].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def _finding(ctx: Context) -> list[Block]:
    kinds = ctx.results.dimensions_by_kind
    sentences: list[str] = []
    if not kinds.empty and {"epci", "commune"} <= set(kinds["structure_kind"]):
        wide = kinds.pivot(index="dimension_id", columns="structure_kind", values="score")
        wide = wide.dropna()
        higher = int((wide["epci"] > wide["commune"]).sum())
        if len(wide) and higher * 2 > len(wide):
            sentences.append(
                "Les directions de l'intercommunalité voient la gouvernance du territoire plus "
                f"favorablement que celles des communes, {share_of(higher, len(wide), 'dimension')}"
                " : c'est le premier constat de ce diagnostic."
                if higher > 1
                else ""
            )
    found, open_gaps = plan.main_gaps(ctx)
    top_open = open_gaps[0] if open_gaps else None
    top_plan = found[0] if found else None
    if top_open is not None and (top_plan is None or top_open[0] > top_plan[0]):
        sentences.append(
            f"L'écart le plus marqué porte sur « {short(top_open[1])} » "
            f"({round(top_open[0])} points entre les deux regards) : il est à instruire "
            "collectivement avant d'en faire une action."
        )
    if top_plan is not None:
        sentences.append(f"Le plan répond d'abord à l'angle mort sur {top_plan[1]}.")
    sentences = [s for s in sentences if s]
    return [Paragraph(" ".join(sentences))] if sentences else []


def _obligations(ctx: Context) -> list[Block]:
    situation = ctx.draft.situation
    if situation is None or situation.fiche_empty:
        return [
            Paragraph(
                "La fiche du territoire n'est pas renseignée : les obligations légales n'ont pas "
                "été vérifiées."
            )
        ]
    late = situation.late()
    soon = [s for s in situation.worst_first() if s.state == State.A_FAIRE and s.due is not None]
    parts: list[str] = []
    if late:
        said = " ; ".join(
            _lower(s.obligation.titre)
            + (
                f", échéance dépassée le {french_date(s.due)}"
                if s.due
                else ", obligation permanente"
            )
            for s in late
        )
        parts.append(
            f"{plural(len(late), 'obligation légale est', 'obligations légales sont')} en "
            f"retard, à régulariser sans attendre : {said}."
        )
    if soon:
        said = " ; ".join(
            f"{_lower(s.obligation.titre)}, avant le {french_date(s.due)}" for s in soon
        )
        parts.append(f"À tenir ensuite : {said}.")
    if not parts:
        parts.append("Aucune obligation légale n'est en retard d'après la fiche du territoire.")
    return [Paragraph(" ".join(p[0].upper() + p[1:] for p in parts))]


def _chantiers(ctx: Context) -> list[Block]:
    d = ctx.draft
    if not d.plan:
        return [Paragraph("Le plan d'action ne compte encore aucune action.")]
    if not d.groups:
        return [Paragraph(f"Le plan d'action compte {plural(len(d.plan), 'action')}.")]
    lines = []
    for group in d.groups:
        first = group.rows[0]
        window = d.windows[first] if first < len(d.windows) else None
        when = window.label().lower() if window is not None else ctx.horizon(d.plan[first])
        also = f" ; {plural(len(group.rows), 'action')} en tout" if len(group.rows) > 1 else ""
        lead = "d'abord " if len(group.rows) > 1 else ""
        lines.append(
            f"{group.title} : {lead}{ctx.numbers[first]}. {d.plan[first].title} ({when}){also}"
        )
    return [
        Paragraph(
            f"Le plan principal retient {plural(len(d.plan), 'action')} en "
            f"{plural(len(d.groups), 'chantier')}, conduits sur tout le mandat ; "
            f"{plural(len(d.others), 'autre piste', 'autres pistes')} figurent en annexe :"
        ),
        Bullets(tuple(lines)),
    ]


def _by(instance: str) -> str:
    """« le bureau communautaire, qui réunit tous les maires » → « en bureau communautaire,
    qui réunit tous les maires »."""
    return "en " + instance.removeprefix("le ").removeprefix("la ")


def _participation(ctx: Context, enough: bool) -> list[Block]:
    d, r = ctx.draft, ctx.results
    invited, sent = d.participation.get("invited", 0), d.participation.get("submitted", 0)
    text = (
        f"{plural(sent, 'questionnaire envoyé', 'questionnaires envoyés')} sur "
        f"{plural(invited, 'personne invitée', 'personnes invitées')}"
    )
    by = r.participation_by.get("structure")
    if by is not None and not by.empty:
        communes = by.loc[by["structure_kind"] == "commune"]
        answered = communes.loc[communes["submitted"] > 0]
        silent = [str(x) for x in communes.loc[communes["submitted"] == 0, "structure_name"]]
        members = d.situation.fact("nombre_communes") if d.situation is not None else None
        text += (
            f" ; {len(answered)} {'commune' if len(answered) < 2 else 'communes'} sur "
            f"{len(communes)} invitées ont répondu"
        )
        if isinstance(members, int) and members > len(communes):
            text += f" ({members} communes membres)"
        if silent:
            text += f" ; sans réponse : {', '.join(silent)}"
    text += "."
    caveat = (
        f" Ce sont des résultats d'auto-évaluation, sur {plural(r.n_respondents, 'questionnaire')}"
        " : ils disent la perception des directions qui ont répondu, pas une mesure externe."
        if enough
        else f" Moins de {ctx.min_group} questionnaires envoyés : aucun constat n'est tiré des "
        "réponses (règle de confidentialité), seuls les faits de la fiche et le plan sont "
        "résumés ici."
    )
    return [Paragraph(text[0].upper() + text[1:] + caveat, lead="Participation : ")]
