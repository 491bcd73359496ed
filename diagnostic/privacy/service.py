"""Data protection (GDPR): the privacy notice, a respondent's own data, erasure, retention purge."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd
from ruamel.yaml import YAML
from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign, require_participant
from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.comparison.benchmark import refresh_campaign
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.exports import Export, export
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import describe_answer
from diagnostic.settings import ROOT, Settings
from diagnostic.store import privacy as privacy_store
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Answer, Campaign, Participant, Territory, now
from diagnostic.vocabulary import ROLE_LABELS

NOTICE_FILE = ROOT / "docs" / "confidentialite.md"
PROMISES_FILE = ROOT / "docs" / "promesses.yaml"
AUDIENCES = {"toutes": None, "pseudonymes": False, "nominatives": True}
AUDIENCE_NOTES = {
    "pseudonymes": "*Campagnes pseudonymes (le cas par défaut).*",
    "nominatives": "*Campagnes nominatives.*",
}
MY_DATA_NAME = "mes-donnees-diagnostic"
MY_DATA_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Promise:
    """One sentence of « Qui voit quoi » (docs/promesses.yaml), settings filled in."""

    id: str
    audience: str  # toutes, pseudonymes or nominatives
    text: str  # Markdown: one sentence, its subject in bold

    def markdown(self, *, note: bool = False) -> str:
        kind = AUDIENCE_NOTES.get(self.audience) if note else None
        return f"- {kind} {self.text}" if kind else f"- {self.text}"


def _values(settings: Settings) -> dict[str, Any]:
    return {
        "retention_days": settings.retention_days,
        "min_group_size": settings.min_group_size,
        "min_peer_territories": settings.min_peer_territories,
        "public_url": settings.public_url,
    }


@lru_cache(maxsize=4)
def _entries(path: str, mtime: float) -> tuple[dict[str, Any], ...]:
    """The promises file's entries, read again only when it changes (the questionnaire's page
    shows them at every run: parsing the YAML was 5 % of its rerun)."""
    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    return tuple(data["promesses"])


def promises(settings: Settings, *, named: bool | None = None) -> list[Promise]:
    """What the app promises about who sees what: for a campaign (named or not), the promises
    that apply to it; with named=None, all of them (the notice)."""
    found = []
    for entry in _entries(str(PROMISES_FILE), PROMISES_FILE.stat().st_mtime):
        audience = entry["pour"]
        if audience not in AUDIENCES:
            raise ValueError(f"{PROMISES_FILE.name} : public inconnu « {audience} »")
        if named is not None and AUDIENCES[audience] not in (None, named):
            continue
        text = Template(" ".join(str(entry["texte"]).split())).substitute(_values(settings))
        found.append(Promise(entry["id"], audience, text))
    return found


def who_sees_what(settings: Settings, *, named: bool | None = None) -> str:
    """The promises as a Markdown list (each campaign's kind noted when named is None)."""
    return "\n".join(p.markdown(note=named is None) for p in promises(settings, named=named))


def notice(settings: Settings, *, named: bool | None = None) -> str:
    """The privacy notice (Markdown) with the settings in force filled in; « Qui voit quoi »
    for one campaign when `named` is given, for every kind of campaign otherwise."""
    template = Template(NOTICE_FILE.read_text(encoding="utf-8"))
    return template.substitute(
        _values(settings), who_sees_what=who_sees_what(settings, named=named)
    )


# --- a respondent's own data ------------------------------------------------------------------


@dataclass(frozen=True)
class MyData:
    """Everything stored about one respondent: who (as invited) and their answers in words."""

    about: dict[str, Any]
    answers: pd.DataFrame = field(repr=False)


ANSWER_COLUMNS = ["Partie", "Question", "Réponse", "Valeur enregistrée", "Modifiée le"]


def my_data(engine: Engine, actor: Actor, q: Questionnaire, participant_id: int) -> MyData:
    """The respondent's own data: their invitation and every answer with its question's text."""
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with session_scope(engine) as session:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise AccessDenied("accès refusé")
        campaign = session.get(Campaign, participant.campaign_id)
        structure = session.get(Territory, participant.structure_id)
        territory = session.get(Territory, campaign.territory_id) if campaign else None
        rows = privacy_store.participant_answers(session, participant_id=participant_id)
    about = {
        "Territoire": territory.name if territory else None,
        "Campagne": campaign.title if campaign else None,
        "Questionnaire": f"{q.title} (version {q.version})",
        "Nom": participant.name,
        "Fonction": ROLE_LABELS.get(participant.role, participant.role),
        "Structure": structure.name if structure else None,
        "Invitation le": participant.created_at,
        "Première réponse le": participant.started_at,
        "Envoi le": participant.submitted_at,
    }
    return MyData(about, answers_frame(q, rows))


def answers_frame(q: Questionnaire, rows: list[Answer]) -> pd.DataFrame:
    """One line per answer, in questionnaire order, with the section and question texts."""
    order = {x.id: i for i, x in enumerate(q.questions())}
    lines = []
    for row in sorted(rows, key=lambda r: (order.get(r.question_id, len(order)), r.question_id)):
        try:
            question = q.question(row.question_id)
        except KeyError:  # an answer to a question of another version: keep it, raw
            section, text, words = "", row.question_id, ""
        else:
            section = q.section_of(question.id).title
            text, words = question.text, describe_answer(q, question, row.value)
        lines.append(
            {
                "Partie": section,
                "Question": text,
                "Réponse": words,
                "Valeur enregistrée": json.dumps(row.value, ensure_ascii=False),
                "Modifiée le": row.updated_at,
            }
        )
    return pd.DataFrame(lines, columns=ANSWER_COLUMNS)


def export_my_data(
    engine: Engine, actor: Actor, q: Questionnaire, participant_id: int, fmt: str
) -> Export:
    """The respondent's data as a CSV (answers) or JSON (invitation and answers) file."""
    if fmt not in MY_DATA_FORMATS:
        raise ValueError(f"format inconnu : {fmt}")
    data = my_data(engine, actor, q, participant_id)
    if fmt == "json":
        payload = {"Invitation": pd.DataFrame([data.about]), "Réponses": data.answers}
        result = export(payload, MY_DATA_NAME, "json")
    else:
        result = export(data.answers, MY_DATA_NAME, "csv")
    with session_scope(engine) as session:
        record(
            session,
            actor=actor.label(),
            action="privacy.export",
            target=f"participant:{participant_id}",
            format=fmt,
            answers=len(data.answers),
        )
    return result


def erase_my_data(engine: Engine, actor: Actor, participant_id: int) -> int:
    """A respondent's erasure request: answers deleted, name removed, link revoked."""
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with session_scope(engine) as session:
        erased = privacy_store.erase_participant(
            session, participant_id=participant_id, actor=actor.label(), action="privacy.erase_self"
        )
        campaign_id = session.get(Participant, participant_id).campaign_id  # type: ignore[union-attr]
        refresh_campaign(session, campaign_id=campaign_id)  # out of every peer aggregate at once
        return erased


# --- the coordinator's erasures ---------------------------------------------------------------


def erase_participant(engine: Engine, actor: Actor, participant_id: int) -> int:
    """A coordinator erases one respondent (answers and name; the link stops working)."""
    participant = require_participant(engine, actor, Action.TERRITORY_MANAGE, participant_id)
    with session_scope(engine) as session:
        erased = privacy_store.erase_participant(
            session, participant_id=participant_id, actor=actor.label(), action="participant.erase"
        )
        refresh_campaign(session, campaign_id=participant.campaign_id)
        return erased


def erase_campaign(
    engine: Engine, actor: Actor, campaign_id: int, confirmation: str
) -> privacy_store.CampaignErasure:
    """Delete a whole campaign once the coordinator has typed its exact title."""
    campaign = require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    if confirmation.strip() != campaign.title.strip():
        raise StoreError(
            f"confirmation incorrecte : recopiez exactement le titre « {campaign.title} » "
            "pour effacer la campagne"
        )
    with session_scope(engine) as session:
        return privacy_store.delete_campaign(session, campaign_id=campaign_id, actor=actor.label())


# --- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgedCampaign:
    campaign_id: int
    title: str
    closed_at: datetime | None
    participants: int
    workshop_seats: int = 0  # seats (pseudonyms) of its territory in the workshops showing it
    workshop_posts: int = 0
    workshop_votes: int = 0


@dataclass(frozen=True)
class PurgeReport:
    """What the retention purge did (or, on a dry run, would do)."""

    cutoff: datetime
    dry_run: bool
    campaigns: list[PurgedCampaign]
    orphans: int = 0  # workshop rows left behind by a campaign erased with an older version

    @property
    def participants(self) -> int:
        return sum(c.participants for c in self.campaigns)

    @property
    def workshop_seats(self) -> int:
        return sum(c.workshop_seats for c in self.campaigns)

    @property
    def workshop_posts(self) -> int:
        return sum(c.workshop_posts for c in self.campaigns)

    @property
    def workshop_votes(self) -> int:
        return sum(c.workshop_votes for c in self.campaigns)


def purge_expired(
    engine: Engine,
    *,
    retention_days: int,
    dry_run: bool = False,
    actor: str = "ligne de commande",
    at: datetime | None = None,
) -> PurgeReport:
    """Anonymise the participants of campaigns closed more than `retention_days` ago and erase
    their territory's data in the workshops that show them.

    Names are removed and links revoked for good; answers stay, attached only to a role and
    a structure, so that the territory's results remain readable. Workshop seats, pseudonyms,
    posts and votes of that territory are deleted (the other territories' stay), as are those
    a campaign erasure of an older version left behind. Running it again does nothing.
    """
    cutoff = (at or now()) - timedelta(days=retention_days)
    done: list[PurgedCampaign] = []
    with session_scope(engine) as session:
        for campaign in privacy_store.expired_campaigns(session, closed_before=cutoff):
            assert campaign.id is not None
            purged = privacy_store.purge_campaign(
                session, campaign_id=campaign.id, actor=actor, dry_run=dry_run
            )
            if purged.participants or purged.workshop.total:
                done.append(
                    PurgedCampaign(
                        campaign.id,
                        campaign.title,
                        campaign.closed_at,
                        purged.participants,
                        purged.workshop.seats,
                        purged.workshop.posts,
                        purged.workshop.votes,
                    )
                )
        orphans = privacy_store.purge_orphans(session, actor=actor, dry_run=dry_run)
    return PurgeReport(cutoff, dry_run, done, orphans.total)
