"""The coordinator's work: territories, campaigns, invitations and participation follow-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign, require_participant
from diagnostic.accounts.links import link_secret
from diagnostic.accounts.permissions import Action, Actor, can, require
from diagnostic.answering.responses import progress
from diagnostic.campaigns.invitations import clean_email
from diagnostic.campaigns.linkstate import last_messages, link_state, mail_state
from diagnostic.comparison.benchmark import refresh_campaign
from diagnostic.exports import DATE_FORMAT, TIMEZONE
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.registry import (
    DEFAULT_ID,
    get_questionnaire,
    questionnaires,
    version_key,
)
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import invitations as invitation_store
from diagnostic.store import territories as territory_store
from diagnostic.store.audit import record, record_on_campaign
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign, Participant, Territory
from diagnostic.vocabulary import ROLE_LABELS

SENT, NOT_STARTED = "Envoyé", "Pas commencé"  # participation(): the « Statut » column


def invitation_link(public_url: str, token: str) -> str:
    """The personal link a respondent opens (the token is never stored in clear)."""
    return f"{public_url}/?t={token}"


def my_territories(engine: Engine, actor: Actor) -> list[Territory]:
    """Territories the actor may see: all for an admin, their memberships otherwise."""
    if not actor.is_user:
        return []
    with session_scope(engine) as session:
        ids = None if actor.is_admin else actor.territories(Action.TERRITORY_VIEW)
        return territory_store.root_territories(session, ids=ids)


def territories_to_manage(engine: Engine, actor: Actor) -> list[Territory]:
    """The territories whose campaigns the actor may create and run."""
    found = my_territories(engine, actor)
    return [t for t in found if can(actor, Action.TERRITORY_MANAGE, territory_id=t.id)]


def create_territory(
    engine: Engine,
    actor: Actor,
    *,
    name: str,
    kind: str,
    code: str | None,
    population: int | None,
    communes: Iterable[tuple[str, str | None]],
) -> Territory:
    """Create a territory and make its creator its coordinator."""
    require(actor, Action.TERRITORY_CREATE)
    with session_scope(engine) as session:
        territory = territory_store.create_territory(
            session,
            name=name,
            kind=kind,
            code=code,
            population=population,
            communes=list(communes),
            coordinator_id=actor.user_id,
        )
        record(session, actor=actor.label(), action="territory.create", target=territory.name)
        return territory


def structures(engine: Engine, actor: Actor, territory_id: int) -> list[Territory]:
    require(actor, Action.TERRITORY_VIEW, territory_id=territory_id)
    with session_scope(engine) as session:
        return territory_store.structures(session, territory_id=territory_id)


def campaigns(engine: Engine, actor: Actor, territory_id: int) -> list[Campaign]:
    require(actor, Action.TERRITORY_VIEW, territory_id=territory_id)
    with session_scope(engine) as session:
        return campaign_store.campaigns_of(session, territory_ids={territory_id})


def create_campaign(
    engine: Engine,
    actor: Actor,
    *,
    territory_id: int,
    title: str,
    questionnaire_id: str,
    questionnaire_version: str,
    named_answers: bool = False,
) -> Campaign:
    """Create and open a campaign. `named_answers`: the coordination will see individual
    answers with the respondents' names (announced on their introduction); pseudonymous by
    default."""
    require(actor, Action.TERRITORY_MANAGE, territory_id=territory_id)
    with session_scope(engine) as session:
        campaign = campaign_store.create_campaign(
            session,
            territory_id=territory_id,
            title=title,
            questionnaire_id=questionnaire_id,
            questionnaire_version=questionnaire_version,
            named_answers=named_answers,
        )
        record_on_campaign(
            session, actor.label(), "campaign.create", campaign.id, named_answers=named_answers
        )
        return campaign


def set_named_answers(engine: Engine, actor: Actor, *, campaign_id: int, named: bool) -> Campaign:
    """Switch named answers on or off, only while nobody has answered (StoreError after)."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as session:
        return campaign_store.set_named_answers(
            session, campaign_id=campaign_id, named=named, actor=actor.label()
        )


def campaign_has_answers(engine: Engine, actor: Actor, campaign_id: int) -> bool:
    require_campaign(engine, actor, Action.TERRITORY_VIEW, campaign_id)
    with session_scope(engine) as session:
        return campaign_store.has_answers(session, campaign_id=campaign_id)


@dataclass(frozen=True)
class NewInvitation:
    participant: Participant
    link: str


def invite(
    engine: Engine,
    actor: Actor,
    *,
    campaign_id: int,
    role: str,
    structure_id: int,
    name: str | None,
    public_url: str,
    email: str | None = None,
) -> NewInvitation:
    """Add a participant (with an optional e-mail address) and return their personal link,
    derived from the link secret: it can be sent again, recomputed, in a reminder."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    address = clean_email(email)
    with session_scope(engine) as session:
        participant, token = campaign_store.add_participant(
            session,
            campaign_id=campaign_id,
            role=role,
            structure_id=structure_id,
            name=name,
            email=address,
            secret=link_secret(),
        )
        record(  # never the name: the audit log is not a directory of respondents
            session,
            actor=actor.label(),
            action="participant.invite",
            target=f"participant:{participant.id}",
            campaign_id=campaign_id,
            role=role,
        )
    return NewInvitation(participant, invitation_link(public_url, token))


def reissue(engine: Engine, actor: Actor, *, participant_id: int, public_url: str) -> NewInvitation:
    """A new link for a participant; the previous one stops working."""
    participant = require_participant(engine, actor, Action.TERRITORY_MANAGE, participant_id)
    with session_scope(engine) as session:
        token = campaign_store.reissue_token(
            session, participant_id=participant_id, actor=actor.label(), secret=link_secret()
        )
    return NewInvitation(participant, invitation_link(public_url, token))


def set_participant_email(
    engine: Engine, actor: Actor, *, participant_id: int, email: str | None
) -> None:
    """Give, change or remove a participant's e-mail address (checked: AddressError)."""
    require_participant(engine, actor, Action.TERRITORY_MANAGE, participant_id)
    address = clean_email(email)
    with session_scope(engine) as session:
        invitation_store.set_email(
            session, participant_id=participant_id, email=address, actor=actor.label()
        )


def reopen_participant(engine: Engine, actor: Actor, *, participant_id: int) -> None:
    require_participant(engine, actor, Action.TERRITORY_MANAGE, participant_id)
    with session_scope(engine) as session:
        again = campaign_store.reopen(session, participant_id=participant_id, actor=actor.label())
        refresh_campaign(session, campaign_id=again.campaign_id)  # no longer counted


def set_campaign_status(engine: Engine, actor: Actor, *, campaign_id: int, status: str) -> None:
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as session:
        campaign_store.set_status(
            session, campaign_id=campaign_id, status=status, actor=actor.label()
        )


def participation(
    engine: Engine, actor: Actor, campaign_id: int, questions_dir: Path
) -> pd.DataFrame:
    """One row per participant: who, where, how far, submitted or not, the state of their link
    and of the last e-mail sent to them."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_VIEW, campaign_id)
    questionnaire = get_questionnaire(
        questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
    )
    with session_scope(engine) as session:
        people = campaign_store.participants_of(session, campaign_id=campaign_id)
        places = {
            t.id: t.name
            for t in territory_store.structures(session, territory_id=campaign.territory_id)
        }
        answers = answer_store.campaign_answers(session, campaign_id=campaign_id)
        mails = last_messages(invitation_store.messages_of(session, campaign_id=campaign_id))
    by_participant = (
        {
            pid: dict(zip(group["question_id"], group["value"], strict=True))
            for pid, group in answers.groupby("participant_id")
        }
        if not answers.empty
        else {}
    )
    rows = []
    for p in people:
        state = progress(questionnaire, by_participant.get(p.id, {}))
        if p.submitted_at is not None:
            status = SENT
        elif p.started_at is not None:
            status = "En cours"
        else:
            status = NOT_STARTED
        name = p.name or f"Répondant·e n° {p.id}"
        if p.revoked_at is not None:  # erased on request, or purged after the retention period
            name += " (données effacées)" if p.started_at is None else " (anonymisé·e)"
        rows.append(
            {
                "id": p.id,
                "Nom": name,
                "Fonction": ROLE_LABELS.get(p.role, p.role),
                "Structure": places.get(p.structure_id, "?"),
                # 100 once sent: the share of optional questions answered would single a
                # person out in the pseudonymous exports (their number of answers)
                "Avancement": 100
                if p.submitted_at is not None
                else round(100 * state.ratio)
                if p.started_at
                else 0,
                "Statut": status,
                "Envoyé le": p.submitted_at,
                "Lien": link_state(p),
                "Courriel": mail_state(p, mails.get(p.id)),  # type: ignore[arg-type]
            }
        )
    columns = [
        "id",
        "Nom",
        "Fonction",
        "Structure",
        "Avancement",
        "Statut",
        "Envoyé le",
        "Lien",
        "Courriel",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["Envoyé le"] = pd.to_datetime(frame["Envoyé le"], utc=True)
    return frame


def participation_view(table: pd.DataFrame) -> pd.DataFrame:
    """The participation table as the campaign page shows it: « Envoyé le » in Paris time
    (« 05/12/2026 14:03 »), « — » for a questionnaire not sent (never « None »)."""

    def sent(stamp: object) -> str:
        if stamp is None or pd.isna(stamp):
            return "—"
        return pd.Timestamp(stamp).tz_convert(TIMEZONE).strftime(DATE_FORMAT)

    return table.assign(**{"Envoyé le": table["Envoyé le"].map(sent)})


# --- the participation table read for the campaign page (pure) ---------------------------------


def participation_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many people participation() lists: invited, started, sent."""
    return {
        "Invité·es": len(table),
        "Ont commencé": int((table["Statut"] != NOT_STARTED).sum()),
        "Ont envoyé": int((table["Statut"] == SENT).sum()),
    }


def participation_by_structure(table: pd.DataFrame) -> pd.DataFrame:
    """How many people of each status per structure (one row per structure)."""
    return table.groupby("Structure")["Statut"].value_counts().unstack(fill_value=0)


def participant_labels(table: pd.DataFrame) -> dict[int, str]:
    """« Name — Structure » of each participant of participation(), by id."""
    return dict(zip(table["id"], table["Nom"] + " — " + table["Structure"], strict=True))


def has_sent(table: pd.DataFrame, participant_id: int) -> bool:
    return bool(table.set_index("id").loc[participant_id, "Statut"] == SENT)


def questionnaire_choices(questions_dir: Path) -> dict[tuple[str, str], str]:
    """The questionnaires a new campaign may use, (id, version) -> how the list shows it: the
    latest version of each (an archived version stays readable for the campaigns run with it,
    never offered to a new one), the main questionnaire first (the form's default), then the
    others — the short variant for a mid-mandate review — in alphabetical order. What tells
    them apart comes first (« Version courte — ≈ 10 min, version 2026.2 »): a phone's narrow
    list cuts the end of a label."""
    latest: dict[str, Questionnaire] = {}
    for (qid, _), q in questionnaires(questions_dir).items():
        if qid not in latest or version_key(q.version) > version_key(latest[qid].version):
            latest[qid] = q
    order = sorted(latest, key=lambda qid: (qid != DEFAULT_ID, qid))
    main = latest.get(DEFAULT_ID)

    def name(q: Questionnaire) -> str:
        if main is None or len(latest) == 1:
            return q.title
        if q.id == DEFAULT_ID:
            return "Questionnaire complet"
        rest = q.title.removeprefix(main.title).strip(" —–-")  # « … — version courte »
        return rest[:1].upper() + rest[1:] if rest and rest != q.title else q.title

    return {
        latest[qid].key: f"{name(latest[qid])} — ≈ {latest[qid].estimated_minutes} min, "
        f"version {latest[qid].version}"
        for qid in order
    }
