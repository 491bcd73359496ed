"""The audit log as the administrators read it: recent sensitive actions, in French."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.exports import TIMEZONE, Export, export
from diagnostic.roadmap.followup import FOLLOW_UP_LABELS
from diagnostic.store import audit
from diagnostic.store.engine import session_scope

ACTION_LABELS = {
    "answers.import": "Import de réponses papier",
    "audit.export": "Export du journal",
    "campaign.create": "Création de campagne",
    "campaign.open": "Ouverture de campagne",
    "campaign.closed": "Clôture de campagne",
    "campaign.draft": "Campagne remise en préparation",
    "campaign.erase": "Effacement d'une campagne",
    "campaign.purge": "Purge (durée de conservation)",
    "campaign.consent": "Consentement à la comparaison",
    "consensus.save": "Consensus enregistré",
    "consensus.delete": "Consensus retiré",
    "membership.grant": "Rôle accordé",
    "membership.revoke": "Rôle retiré",
    "campaign.export": "Export des réponses et résultats",
    "participant.erase": "Effacement d'un·e répondant·e",
    "participant.invite": "Invitation d'un·e participant·e",
    "participant.reissue": "Nouveau lien d'invitation",
    "participant.reopen": "Réouverture de réponses",
    "privacy.erase_self": "Effacement demandé par le·la répondant·e",
    "privacy.export": "Téléchargement de ses données",
    "roadmap.add": "Action ajoutée à la feuille de route",
    "roadmap.delete": "Action supprimée de la feuille de route",
    "roadmap.edit": "Action de feuille de route modifiée",
    "roadmap.export": "Export de la feuille de route",
    "roadmap.follow_up": "Suivi d'une action de feuille de route (statut)",
    "roadmap.generate": "Propositions de feuille de route mises à jour",
    "roadmap.links": "Items reliés à une action de feuille de route",
    "territory.create": "Création de territoire",
    "territory.facts": "Fiche du territoire modifiée",
    "territory.official_update": "Territoire mis à jour d'après la liste officielle",
    "user.create": "Création de compte",
    "user.deactivate": "Compte désactivé",
    "user.locked": "Connexion au compte bloquée depuis une adresse (échecs répétés)",
    "user.password_reset": "Mot de passe réinitialisé",
    "user.reactivate": "Compte réactivé",
    "user.unlock": "Compte déverrouillé",
    "workshop.create": "Ouverture d'un atelier",
    "workshop.end": "Clôture d'un atelier (engagements envoyés)",
    "workshop.purge": "Purge des données d'atelier de campagnes effacées",
    "workshop.export": "Export du compte rendu d'atelier",
    "workshop.screen_link": "Nouveau lien d'écran d'atelier",
    "workshop.programme": "Déroulé d'un atelier modifié ou rétabli",
}
LOG_COLUMNS = ["Date", "Auteur", "Action", "Cible", "Détails"]


def action_label(action: str) -> str:
    """The French name of an action (the code itself when it has no name yet)."""
    return ACTION_LABELS.get(action, action)


# The words of an event's details (the keyword arguments of store.audit.record), in French.
DETAIL_LABELS = {
    "admin": "administration",
    "answer_id": "réponse",
    "answers": "réponses",
    "campaign_id": "campagne",
    "campaigns": "campagnes",
    "changes": "changements",
    "code": "code",
    "commitments": "engagements",
    "consensus": "consensus",
    "consent": "consentement",
    "format": "format",
    "formats": "formats",
    "kind": "type",
    "level": "niveau",
    "links": "liens",
    "name": "nom",
    "named": "nominative",
    "named_answers": "réponses nominatives",
    "on": "date",
    "origin": "origine",
    "participants": "participants",
    "question_id": "question",
    "role": "rôle",
    "roadmap": "actions de feuille de route",
    "rows": "lignes",
    "siren": "SIREN",
    "status": "statut",
    "workshop_posts": "contributions d'atelier",
    "workshop_seats": "places d'atelier",
    "workshop_votes": "votes d'atelier",
}


def _said(value: Any) -> str:
    """A detail's value as a person reads it: oui/non, aucun, dates and statuses in French."""
    if value is None or value == []:
        return "aucun"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list | tuple):
        return " ; ".join(_said(v) for v in value)
    if isinstance(value, str):
        if value in FOLLOW_UP_LABELS:
            return FOLLOW_UP_LABELS[value]
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


TARGET_LABELS = {
    "campaign": "campagne",
    "participant": "participant",
    "roadmap": "action de feuille de route",
    "territory": "territoire",
    "user": "compte",
    "workshop": "atelier",
}


def _target(target: str | None) -> str:
    """« campagne 3 » for « campaign:3 » (the code itself for a kind with no French word)."""
    kind, _, ident = (target or "").partition(":")
    return f"{TARGET_LABELS[kind]} {ident}" if kind in TARGET_LABELS and ident else target or ""


def _details(details: dict[str, Any] | None) -> str:
    """« statut : En cours, date : 18/06/2024 »: every key in French (the code itself when it
    has no French word yet, underscores as spaces)."""
    said = [(DETAIL_LABELS.get(k, k.replace("_", " ")), v) for k, v in (details or {}).items()]
    return ", ".join(f"{label} : {_said(v)}" for label, v in sorted(said))


def audit_log(
    engine: Engine, actor: Actor, *, actions: list[str] | None = None, limit: int = 200
) -> pd.DataFrame:
    """The latest events, newest first, one row each: date, actor, action, target, details."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        events = audit.recent_events(session, limit=limit, actions=actions)
    rows = [
        {
            "Date": e.at,
            "Auteur": e.actor,
            "Action": action_label(e.action),
            "Cible": _target(e.target),
            "Détails": _details(e.details),
        }
        for e in events
    ]
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
    frame["Date"] = pd.to_datetime(frame["Date"], utc=True).dt.tz_convert(TIMEZONE)
    return frame


def logged_actions(engine: Engine, actor: Actor) -> list[str]:
    """The action codes present in the log, for the filter."""
    require(actor, Action.USERS_MANAGE)
    with session_scope(engine) as session:
        return audit.event_actions(session)


def export_log(
    engine: Engine, actor: Actor, *, actions: list[str] | None = None, fmt: str = "csv"
) -> Export:
    """The log (latest 10,000 events, same filter) as a CSV or XLSX file; the export is logged."""
    log = audit_log(engine, actor, actions=actions, limit=10_000)
    with session_scope(engine) as session:
        audit.record(session, actor=actor.label(), action="audit.export", format=fmt, rows=len(log))
    return export({"Journal": log}, "journal-des-actions", fmt)
