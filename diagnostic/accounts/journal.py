"""The audit log as the administrators read it: recent sensitive actions, in French."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.exports import TIMEZONE, Export, export
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
}
LOG_COLUMNS = ["Date", "Auteur", "Action", "Cible", "Détails"]


def action_label(action: str) -> str:
    """The French name of an action (the code itself when it has no name yet)."""
    return ACTION_LABELS.get(action, action)


def _details(details: dict[str, Any] | None) -> str:
    return ", ".join(f"{k} : {v}" for k, v in sorted((details or {}).items()))


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
            "Cible": e.target or "",
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
