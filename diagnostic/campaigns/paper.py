"""Paper questionnaires of a campaign: the forms to print and the import file to fill.

A form is printed for each participant whose answers the import would accept: invited to the
campaign, not erased, not yet sent (answers sent online are reopened first, as for the
import). The respondent code is the participant's number, the `participant` column of
`import-answers`. A name is printed only in a campaign with named answers; the function and
the structure, which the coordination chose at the invitation, always (to hand each form to
the right person).

Blank forms (`blank_forms`): N new participants invited for paper through the invitation
service (no name, function « autre », the campaign's territory as structure), whose forms ask
the function and the structure by hand (`_fonction`, `_structure` lines of the import). A
participant still in that state (no name, « autre », the territory, not started) gets the
same blank form when printed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.answering import paper_form
from diagnostic.campaigns.coordination import invite
from diagnostic.document import paper_pdf
from diagnostic.errors import DiagnosticError
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import territories as territory_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import CampaignStatus, Participant, RespondentRole
from diagnostic.vocabulary import ROLE_LABELS, agree


class PaperFormsError(DiagnosticError, ValueError):
    """No form can be printed (French message for the user)."""


@dataclass(frozen=True)
class PaperForms:
    """The PDF of the forms and the import file that matches them."""

    pdf: bytes
    csv: bytes
    codes: list[str]  # the respondent codes printed, in order
    skipped: int  # participants left out: answers sent, or data erased
    filename: str  # without extension: questionnaires-papier-campagne-3


def paper_forms(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    questions_dir: Path,
    participant_ids: Iterable[int] | None = None,
    *,
    with_pdf: bool = True,
) -> PaperForms:
    """The forms of the campaign's participants (all those the import accepts, or the ones
    named), and the import file listing their lines in the order of the forms (without
    `with_pdf`, the import file only: `pdf` is empty)."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    questionnaire = get_questionnaire(
        questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
    )
    wanted = None if participant_ids is None else set(participant_ids)
    with session_scope(engine) as session:
        people = campaign_store.participants_of(session, campaign_id=campaign_id)
        places = {
            t.id: t for t in territory_store.structures(session, territory_id=campaign.territory_id)
        }
    territory = places.get(campaign.territory_id)
    if wanted is not None:
        unknown = wanted - {p.id for p in people}
        if unknown:
            raise PaperFormsError(
                f"{agree(len(unknown), 'participant·e')} {', '.join(map(str, sorted(unknown)))} "
                f"{agree(len(unknown), 'absent·e')} de la "
                f"campagne {campaign_id} (liste : commande `participants --campaign "
                f"{campaign_id}`)"
            )
        people = [p for p in people if p.id in wanted]
    printable = [p for p in people if p.submitted_at is None and p.revoked_at is None]
    if not printable:
        raise PaperFormsError(
            "aucun questionnaire à imprimer : invitez d'abord les participant·es (page "
            "« Campagnes ») ; une personne qui a déjà envoyé ses réponses n'en reçoit pas, "
            "sauf si vous les rouvrez"
            if not people
            else "aucun questionnaire à imprimer : toutes les personnes choisies ont déjà "
            "envoyé leurs réponses (rouvrez-les d'abord) ou leurs données ont été effacées"
        )
    respondents = tuple(
        paper_form.Respondent(code=str(p.id), blank=True)
        if _unidentified(p, campaign.territory_id)
        else paper_form.Respondent(
            code=str(p.id),
            name=(p.name or "") if campaign.named_answers else "",
            function=ROLE_LABELS.get(p.role, p.role),
            structure=place.name if (place := places.get(p.structure_id)) else "",
        )
        for p in printable
    )
    forms = paper_form.build_forms(
        questionnaire,
        paper_form.Campaign(
            territory=territory.name if territory else "",
            title=campaign.title,
            respondents=respondents,
        ),
    )
    title = f"Questionnaires papier — {campaign.title}"
    return PaperForms(
        pdf=paper_pdf.write(forms, title) if with_pdf else b"",
        csv=paper_form.template_csv(forms),
        codes=[r.code for r in respondents],
        skipped=len(people) - len(printable),
        filename=f"questionnaires-papier-campagne-{campaign_id}",
    )


MOST_BLANK = 200  # blank forms at once: a room, not a mailing


def blank_forms(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    questions_dir: Path,
    count: int,
    public_url: str,
) -> PaperForms:
    """Invite `count` new participants for paper (no name, function « autre », the campaign's
    territory) and return their blank forms and the import file that starts with their
    `_fonction` and `_structure` lines."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    if not 1 <= count <= MOST_BLANK:
        raise PaperFormsError(
            f"nombre de questionnaires vierges : de 1 à {MOST_BLANK} à la fois (demandé : {count})"
        )
    if campaign.status == CampaignStatus.CLOSED:
        raise PaperFormsError(
            f"la campagne {campaign_id} est close : rouvrez-la (page « Campagnes ») avant de "
            "créer des questionnaires vierges"
        )
    get_questionnaire(questions_dir, campaign.questionnaire_id, campaign.questionnaire_version)
    new = [
        invite(
            engine,
            actor,
            campaign_id=campaign_id,
            role=RespondentRole.AUTRE.value,
            structure_id=campaign.territory_id,
            name=None,
            public_url=public_url,
        ).participant.id
        for _ in range(count)
    ]
    return paper_forms(
        engine, actor, campaign_id, questions_dir, [pid for pid in new if pid is not None]
    )


def _unidentified(p: Participant, territory_id: int) -> bool:
    """A participant of a blank form whose function and structure are still to be written."""
    return (
        not p.name
        and p.role == RespondentRole.AUTRE
        and p.structure_id == territory_id
        and p.started_at is None
    )


def printable_codes(engine: Engine, actor: Actor, campaign_id: int) -> list[str]:
    """The respondent codes a form would be printed for (the campaign page's caption)."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as session:
        people = campaign_store.participants_of(session, campaign_id=campaign_id)
    return [str(p.id) for p in people if p.submitted_at is None and p.revoked_at is None]
