"""The command « atelier-export »: a workshop's minutes (Word, Markdown, CSV) or board (PNG)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from diagnostic.cli.common import CliError, command, identifier, open_engine

CLI = "ligne de commande"  # as commands.CLI: how the command is named in the audit log
FORMATS = ("docx", "md", "csv", "png")


@command("atelier-export")
def cmd_atelier_export(args: argparse.Namespace) -> int:
    """The session's record as the console exports it, written to a file; the export logged.

    Made as the command line's administrator: every linked campaign's results are read at the
    settings' minimum group size, as the console reads them."""
    from diagnostic.accounts.permissions import Actor
    from diagnostic.errors import AccessDenied
    from diagnostic.results.model import CampaignResults
    from diagnostic.results.service import campaign_results
    from diagnostic.settings import get_settings
    from diagnostic.workshop import output, programme_for, service

    settings = get_settings()
    engine = open_engine()
    system = Actor(kind="user", user_id=0, email=CLI, is_admin=True)
    try:
        info = service.facilitated(engine, system, args.workshop)
    except AccessDenied:
        raise CliError(
            f"atelier {args.workshop} introuvable (ou sans campagne liée : elles ont été effacées)"
        ) from None
    programme = programme_for(settings.questions_dir)
    results: dict[int, CampaignResults | None] = {}
    for place in info.places:
        shown = campaign_results(engine, place.campaign_id)
        results[place.campaign_id] = shown if isinstance(shown, CampaignResults) else None
    record = output.build_record(
        engine,
        system,
        args.workshop,
        programme,
        results,
        min_votes=settings.min_group_size,
        questions_dir=settings.questions_dir,
    )
    made = output.export(record, args.format)
    path = Path(args.output) if args.output else Path(made.filename)
    try:
        path.write_bytes(made.data)
    except OSError as exc:
        raise CliError(f"impossible d'écrire {path} : {exc.strerror or exc}") from None
    output.record_export(engine, system, args.workshop, args.format)
    state = "en cours" if info.open else "terminé"
    print(
        f"Compte rendu de l'atelier « {info.title} » ({state}) écrit : {path} "
        f"({len(made.data)} octets, {output.FILE_LABELS[args.format]})"
    )
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "atelier-export",
        help="écrire le compte rendu d'un atelier (Word avec graphiques, Markdown, CSV des "
        "contributions) ou l'image de son tableau (PNG)",
    )
    p.add_argument(
        "--workshop",
        required=True,
        type=identifier,
        metavar="ID",
        help="numéro de l'atelier (écrit sur sa console, sous « Clore et exporter »)",
    )
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier écrit (par défaut : nommé d'après l'atelier, dans le dossier courant)",
    )
