"""Commands of the comparison between territories: official list import, benchmark rebuild."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from diagnostic.cli.common import CliError, command, open_engine
from diagnostic.settings import get_settings
from diagnostic.vocabulary import count


@command("territories-refresh")
def cmd_territories_refresh(args: argparse.Namespace) -> int:
    from diagnostic.campaigns import official_package as package
    from diagnostic.campaigns import official_territories as official

    folder = Path(args.extract_dir) if args.extract_dir else package.DATA_DIR
    try:
        if args.file and args.from_npm:
            raise CliError("donnez un fichier ou --from-npm, pas les deux")
        data = None
        if args.from_npm:
            with tempfile.TemporaryDirectory() as scratch:
                data = package.read_tarball(package.npm_pack(args.from_npm, Path(scratch)))
        elif args.file:
            path = Path(args.file)
            if path.name.endswith((".tgz", ".tar.gz")):
                data = package.read_tarball(path)
            elif path.is_dir() or path.suffix == ".json":
                data = package.read_folder(path if path.is_dir() else path.parent)
        if data is not None:
            made = package.write_extract(data, folder, population_year=args.population_year)
            print(
                f"Extrait réécrit : {folder / package.EXTRACT} ({made.source}, "
                f"{official.thousands(made.epci)} EPCI, {official.thousands(made.communes)} "
                f"communes, populations {made.population_year})"
            )
        if args.file and data is None:
            records = official.read_file(Path(args.file), population_year=args.population_year)
        else:
            records = package.read_extract(folder)
    except (official.OfficialFileError, package.NpmError) as exc:
        raise CliError(str(exc)) from None
    report = official.refresh_list(open_engine(), records)
    print(
        f"Liste officielle remplacée : {official.thousands(report.epci)} EPCI et "
        f"{official.thousands(report.communes)} communes (source : {report.source})"
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
        help="reconstruire la liste officielle des EPCI et communes (paquet "
        "@etalab/decoupage-administratif) et la charger dans la base",
    )
    p.add_argument(
        "file",
        nargs="?",
        metavar="FICHIER",
        help="archive du paquet faite par « npm pack » (.tgz), ou dossier de ses fichiers "
        "epci.json et communes.json : l'extrait livré est réécrit puis chargé ; fichier "
        "« Intercommunalité » de l'INSEE (XLSX ou CSV) : chargé dans la base seulement ; sans "
        "fichier : l'extrait livré est rechargé",
    )
    p.add_argument(
        "--from-npm",
        nargs="?",
        const="latest",
        metavar="VERSION",
        help="télécharger le paquet avec « npm pack » (réseau et npm nécessaires ; par défaut "
        "la dernière version)",
    )
    p.add_argument(
        "--population-year",
        type=int,
        metavar="ANNÉE",
        help="millésime des populations du fichier (par défaut, pour le paquet : l'année de "
        "ses données moins 3, celui des populations légales en vigueur)",
    )
    p.add_argument(
        "--extract-dir",
        metavar="DOSSIER",
        help="dossier où écrire et lire l'extrait (par défaut celui livré avec l'application)",
    )
    sub.add_parser(
        "benchmark-rebuild",
        help="recalculer toute la table de comparaison entre territoires",
    )
