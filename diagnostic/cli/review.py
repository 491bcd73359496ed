"""The command « suivi »: a roadmap's follow-up and the review of the previous roadmap."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from diagnostic.cli.common import CliError, command, open_engine

CLI = "ligne de commande"  # as commands.CLI: how the command is named in the audit log


@command("suivi")
def cmd_suivi(args: argparse.Namespace) -> int:
    from diagnostic.accounts.permissions import Actor
    from diagnostic.errors import AccessDenied
    from diagnostic.roadmap.review_service import follow_up_report

    try:
        today = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise CliError(f"date invalide « {args.date} » : écrivez-la AAAA-MM-JJ") from None
    fmt = args.format
    if fmt == "xlsx" and not args.output:
        raise CliError("un classeur Excel s'écrit dans un fichier : ajoutez -o FICHIER.xlsx")
    try:
        system = Actor(kind="user", user_id=0, email=CLI, is_admin=True)
        report = follow_up_report(open_engine(), system, args.campaign, fmt, today=today)
    except AccessDenied:
        raise CliError(f"campagne {args.campaign} introuvable") from None
    if not args.output:
        sys.stdout.write(report.text)
        return 0
    out = Path(args.output)
    written = []
    for i, export in enumerate(report.files):
        path = out if i == 0 else out.with_name(f"{out.stem}-bilan{out.suffix}")
        path.write_bytes(export.data)
        written.append(f"{path} ({len(export.data)} octets)")
    print(f"Suivi écrit : {' ; '.join(written)}")
    if not report.has_review:
        print("Pas de feuille de route précédente pour ce territoire : suivi seul.")
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "suivi",
        help="le suivi de la feuille de route d'une campagne et le bilan de la précédente",
    )
    p.add_argument("--campaign", required=True, type=int, metavar="ID")
    p.add_argument("--format", default="md", choices=["csv", "xlsx", "md"])
    p.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier à écrire (sans lui : affiché) ; en CSV, le bilan va dans FICHIER-bilan.csv",
    )
    p.add_argument("--date", help="date du suivi (AAAA-MM-JJ, retards), aujourd'hui par défaut")
