"""Sending the invitations and reminders of a campaign (service): who gets a message, the run
itself — bounded in rate, logged per person, resumable — and, without a mail server, the
mail-merge file and the printable links.

Access: running the campaign (TERRITORY_MANAGE on its territory) for everything here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.links import link_secret
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.accounts.security import derived_token
from diagnostic.campaigns.invitations import Fields, Message, default_template, first_name, render
from diagnostic.campaigns.mailer import Mailer, MailServerError, Refused, SmtpConfig
from diagnostic.errors import StoreError
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import invitations as invitation_store
from diagnostic.store import territories as territory_store
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Campaign, CampaignStatus, MessageKind, Territory, now
from diagnostic.vocabulary import count

# A second reminder round the same day skips the people reminded in it (resuming a stopped
# run); a round on a later day reminds them again.
REMIND_AGAIN_AFTER = timedelta(hours=20)
KIND_WORDS = {MessageKind.INVITATION: "invitation", MessageKind.REMINDER: "relance"}


@dataclass(frozen=True)
class Recipient:
    participant_id: int
    name: str | None
    email: str | None
    structure: str
    link_version: int | None  # None: a random link of before, re-issued when sent


@dataclass
class Plan:
    """Who a run would write to, and who it leaves out and why."""

    kind: str
    to_send: list[Recipient] = field(default_factory=list)
    done: int = 0  # already sent for this link (or reminded within REMIND_AGAIN_AFTER)
    no_email: int = 0
    submitted: int = 0
    started: int = 0  # left out of a reminder to those who have not started


@dataclass
class SendReport:
    kind: str
    sent: list[str] = field(default_factory=list)  # « Marie Dupont <marie@…> »
    failed: list[tuple[str, str]] = field(default_factory=list)  # who, the server's reply
    reissued: int = 0  # random links of before replaced by a derived one
    remaining: int = 0  # not tried in this run (limit reached, or stopped)
    stopped: str | None = None  # the connection failed: resume later
    plan: Plan | None = None

    def summary(self) -> str:
        """The report in French, one sentence per fact (the page and the command print it)."""
        word = "invitation envoyée" if self.kind == MessageKind.INVITATION else "relance envoyée"
        parts = [f"{count(len(self.sent), word)}."]
        if self.failed:
            parts.append(f"{count(len(self.failed), 'refusée', 'refusées')} par le serveur.")
        if self.reissued:
            parts.append(
                f"{count(self.reissued, 'lien renouvelé', 'liens renouvelés')} (créés avant "
                "l'envoi par courriel ; le message le dit, l'ancien lien ne marche plus)."
            )
        if self.stopped:
            parts.append(f"Envoi interrompu : {self.stopped}.")
        if self.remaining:
            parts.append(
                f"Reste {count(self.remaining, 'message')} à envoyer : relancez l'envoi, il "
                "reprend où il s'est arrêté."
            )
        if self.plan is not None and self.plan.no_email:
            parts.append(
                f"{count(self.plan.no_email, 'personne')} sans adresse : donnez-leur leur lien "
                "autrement (liste imprimable)."
            )
        return " ".join(parts)


def _places(session: object, campaign: Campaign) -> dict[int, str]:
    return {
        t.id: t.name
        for t in territory_store.structures(session, territory_id=campaign.territory_id)  # type: ignore[arg-type]
        if t.id is not None
    }


def plan_run(
    engine: Engine, actor: Actor, campaign_id: int, kind: str, *, not_started: bool = False
) -> Plan:
    """Who an invitation run (everyone not yet invited with the link in force) or a reminder
    run (everyone who has not sent their answers, not reminded in the last hours; with
    `not_started`, only those who have not answered anything yet) writes to."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    if kind not in set(MessageKind):
        raise StoreError(f"type de message inconnu : {kind}")
    plan = Plan(kind)
    since = now() - REMIND_AGAIN_AFTER if kind == MessageKind.REMINDER else None
    with session_scope(engine) as s:
        places = _places(s, campaign)
        for p in campaign_store.participants_of(s, campaign_id=campaign_id):
            if p.revoked_at is not None:
                continue
            if p.submitted_at is not None:
                plan.submitted += 1
                continue
            if not_started and p.started_at is not None:
                plan.started += 1
                continue
            if not p.email:
                plan.no_email += 1
                continue
            version = p.link_version if p.link_version is not None else 1
            assert p.id is not None
            if p.link_version is not None and invitation_store.sent_before(
                s, participant_id=p.id, kind=kind, link_version=version, since=since
            ):
                plan.done += 1
                continue
            plan.to_send.append(
                Recipient(p.id, p.name, p.email, places.get(p.structure_id, "?"), p.link_version)
            )
    return plan


def campaign_template(campaign: Campaign, questions_dir: Path) -> str:
    """The campaign's own message, or the default one of questions/invitation.md."""
    return campaign.invitation_template or default_template(questions_dir)


def message_for(
    campaign: Campaign,
    territory: str,
    template: str,
    name: str | None,
    link: str,
    *,
    kind: str,
    reissued: bool,
) -> Message:
    fields = Fields(
        prenom=first_name(name),
        nom=name or "",
        territoire=territory,
        campagne=campaign.title,
        date_limite=campaign.answer_deadline,
        lien=link,
    )
    return render(template, fields, reminder=kind == MessageKind.REMINDER, reissued=reissued)


def territory_name(engine: Engine, campaign: Campaign) -> str:
    with session_scope(engine) as s:
        territory = s.get(Territory, campaign.territory_id)
        return territory.name if territory is not None else ""


def _check_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.OPEN:
        raise StoreError(
            "la campagne est close : ses liens ne fonctionnent pas. Rouvrez-la avant d'envoyer "
            "des invitations ou des relances"
        )


def preview(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    template: str,
    deadline: date | None,
    *,
    public_url: str,
) -> Message:
    """The message as « Marie Dupont » would receive it (an example link): checked like a send."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    example = Campaign(**{**campaign.model_dump(), "answer_deadline": deadline})
    link = f"{public_url}/?t=exemple-de-lien-personnel"
    territory = territory_name(engine, campaign)
    return message_for(
        example, territory, template, "Marie Dupont", link, kind="invitation", reissued=False
    )


def save_text(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    template: str | None,
    deadline: date | None,
    questions_dir: Path,
) -> None:
    """Keep the campaign's message (checked first; the default text is kept as NULL)."""
    from diagnostic.campaigns.invitations import check_template

    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    text = (template or "").strip("\n")
    if text == default_template(questions_dir).strip("\n"):
        text = ""
    check_template(text or default_template(questions_dir), deadline=deadline)
    with session_scope(engine) as s:
        invitation_store.set_invitation_text(
            s,
            campaign_id=campaign_id,
            template=text + "\n" if text else None,
            deadline=deadline,
            actor=actor.label(),
        )


def send_invitations(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    kind: str,
    smtp: SmtpConfig,
    rate: int,
    *,
    public_url: str,
    questions_dir: Path,
    limit: int | None = None,
    not_started: bool = False,
    secret: bytes | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SendReport:
    """Send the invitations (kind « invitation ») or reminders (« relance ») of a campaign;
    `not_started`: remind only those who have not answered anything yet.

    At most `rate` messages a minute, at most `limit` in this call (the rest is `remaining`).
    Each message is logged as soon as the server answers: sent, or refused with its reply. A
    run stopped by a lost connection (MailServerError) resumes at the next run, since people
    already written to for the link in force are skipped. A random link issued before the
    derived ones is replaced when its message goes out (the message says so)."""
    from diagnostic.campaigns.coordination import invitation_link

    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    _check_open(campaign)
    template = campaign_template(campaign, questions_dir)
    territory = territory_name(engine, campaign)
    plan = plan_run(engine, actor, campaign_id, kind, not_started=not_started)
    message_for(campaign, territory, template, None, "x", kind=kind, reissued=False)  # checks it
    secret = secret if secret is not None else link_secret()
    report = SendReport(kind, plan=plan)
    batch = plan.to_send if limit is None else plan.to_send[:limit]
    report.remaining = len(plan.to_send) - len(batch)
    interval = 60.0 / max(rate, 1)
    last: float | None = None
    with Mailer(smtp) as mailer:
        for index, person in enumerate(batch):
            version = person.link_version or 1
            token = derived_token(secret, person.participant_id, version)
            reissued = person.link_version is None
            message = message_for(
                campaign,
                territory,
                template,
                person.name,
                invitation_link(public_url, token),
                kind=kind,
                reissued=reissued,
            )
            if last is not None:
                wait = last + interval - clock()
                if wait > 0:
                    sleep(wait)
            last = clock()
            who = f"{person.name or f'Répondant·e n° {person.participant_id}'} <{person.email}>"
            assert person.email is not None
            try:
                mailer.send(person.email, person.name, message.subject, message.body)
            except Refused as refusal:
                _log(engine, person.participant_id, kind, version, refusal.reason)
                report.failed.append((who, refusal.reason))
                continue
            except MailServerError as exc:
                report.stopped = str(exc)
                report.remaining += len(batch) - index
                break
            if reissued:
                with session_scope(engine) as s:
                    adopted = invitation_store.adopt_next_link(
                        s, participant_id=person.participant_id, secret=secret
                    )
                report.reissued += adopted is not None
            _log(engine, person.participant_id, kind, version, None)
            report.sent.append(who)
    with session_scope(engine) as s:
        record_on_campaign(
            s,
            actor.label(),
            f"invitations.{'send' if kind == MessageKind.INVITATION else 'remind'}",
            campaign_id,
            sent=len(report.sent),
            failed=len(report.failed),
            remaining=report.remaining,
        )
    return report


def _log(engine: Engine, participant_id: int, kind: str, version: int, failure: str | None) -> None:
    """One transaction per message: a run stopped half-way keeps what it did."""
    with session_scope(engine) as s:
        invitation_store.log_message(
            s, participant_id=participant_id, kind=kind, link_version=version, failure=failure
        )
