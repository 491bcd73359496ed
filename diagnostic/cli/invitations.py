"""The command « invitations »: send a campaign's invitations or reminders, or write the
mail-merge file (CSV) or the printable links (PDF) when there is no mail server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from diagnostic.cli.common import CliError, command, open_engine
from diagnostic.vocabulary import count

CLI = "ligne de commande"  # as commands.CLI: how the command is named in the audit log


@command("invitations")
def cmd_invitations(args: argparse.Namespace) -> int:
    from diagnostic.accounts.permissions import Actor
    from diagnostic.campaigns import sending
    from diagnostic.campaigns.mailer import MailServerError, smtp_config
    from diagnostic.errors import AccessDenied
    from diagnostic.settings import get_settings

    settings = get_settings()
    engine = open_engine()
    system = Actor(kind="user", user_id=0, email=CLI, is_admin=True)
    kind = "relance" if args.remind else "invitation"
    try:
        if args.export:
            return _export(engine, system, args, kind, settings)
        plan = sending.plan_run(engine, system, args.campaign, kind, not_started=args.not_started)
        if not (args.send or args.remind):
            print(
                f"{count(len(plan.to_send), kind)} à envoyer, "
                f"{count(plan.done, 'déjà envoyée', 'déjà envoyées')}, "
                f"{count(plan.no_email, 'personne')} sans adresse, "
                f"{count(plan.submitted, 'réponse reçue', 'réponses reçues')}."
            )
            for person in plan.to_send:
                print(f"{person.participant_id}\t{person.name or ''}\t{person.email}")
            print("Pour envoyer : --send (invitations) ou --remind (relances).")
            return 0
        smtp = smtp_config(settings)
        if smtp is None:
            raise CliError(
                "aucun serveur d'envoi : réglez SMTP_HOST et SMTP_SENDER, ou écrivez un "
                "publipostage avec --export FICHIER.csv (ou les liens à imprimer : FICHIER.pdf)"
            )
        report = sending.send_invitations(
            engine,
            system,
            args.campaign,
            kind,
            smtp,
            settings.smtp_per_minute,
            public_url=settings.public_url,
            questions_dir=Path(settings.questions_dir),
            not_started=args.not_started,
        )
    except AccessDenied:
        raise CliError(
            f"campagne {args.campaign} introuvable (liste : commande campaigns)"
        ) from None
    except MailServerError as exc:
        raise CliError(str(exc)) from None
    for who, reason in report.failed:
        print(f"Refusé : {who} — {reason}")
    print(report.summary())
    return 1 if report.stopped else 0


def _export(engine: Any, system: Any, args: argparse.Namespace, kind: str, settings: Any) -> int:
    from diagnostic.campaigns import mailmerge
    from diagnostic.campaigns.sending import territory_name
    from diagnostic.store import campaigns as store
    from diagnostic.store.engine import session_scope

    out = Path(args.export)
    if out.suffix.lower() not in {".csv", ".pdf"}:
        raise CliError("--export écrit un fichier .csv (publipostage) ou .pdf (liens à imprimer)")
    found = mailmerge.slips(
        engine,
        system,
        args.campaign,
        kind,
        public_url=settings.public_url,
        questions_dir=Path(settings.questions_dir),
    )
    with session_scope(engine) as s:
        campaign = store.get_campaign(s, campaign_id=args.campaign)
    assert campaign is not None
    if out.suffix.lower() == ".csv":
        built = mailmerge.mail_merge(campaign, found)
        people = count(sum(1 for slip in found if slip.email), "personne")
        what = f"publipostage de {people} avec une adresse"
    else:
        built = mailmerge.printable_links(campaign, territory_name(engine, campaign), found)
        what = f"liens personnels de {count(len(found), 'personne')} à imprimer"
    out.write_bytes(built.data)
    print(f"Écrit : {out} ({what}, {len(built.data)} octets)")
    renewed = sum(slip.reissued for slip in found)
    if renewed:
        print(
            f"{count(renewed, 'lien renouvelé', 'liens renouvelés')} (créés avant l'envoi par "
            "courriel) : l'ancien lien ne marche plus."
        )
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "invitations",
        help="envoyer les invitations ou les relances d'une campagne, ou écrire un publipostage",
    )
    p.add_argument("--campaign", required=True, type=int, metavar="ID")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--send", action="store_true", help="envoyer les invitations par courriel")
    what.add_argument(
        "--remind",
        action="store_true",
        help="relancer celles et ceux qui n'ont pas envoyé leurs réponses",
    )
    p.add_argument(
        "--not-started",
        action="store_true",
        help="avec --remind : seulement celles et ceux qui n'ont pas encore commencé",
    )
    p.add_argument(
        "--export",
        metavar="FICHIER",
        help="sans envoyer : écrire le publipostage (.csv) ou les liens à imprimer (.pdf) ; "
        "avec --remind, les messages de relance",
    )
