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
    add_comparison_parser(sub)


# --- the comparison exported (consultants) ------------------------------------------------------


@command("comparaison")
def cmd_comparaison(args: argparse.Namespace) -> int:
    """The comparison of campaigns as the page exports it: CSV, XLSX or PPTX.

    With --as EMAIL, as that account sees it: each campaign must be one whose results it may
    read, and the peers are those it may see (its own territories not counted). Without it,
    the server's administrator view, but the peers shown as to a consultant accompanying
    exactly the territories compared (their figures are not counted towards a group's
    threshold): a file made for a client never shows more than its consultant would see.
    """
    from datetime import date

    from diagnostic.accounts.permissions import Actor
    from diagnostic.comparison import benchmark, files
    from diagnostic.comparison import report as rp
    from diagnostic.comparison import service as cmp
    from diagnostic.errors import AccessDenied
    from diagnostic.store import accounts
    from diagnostic.store.engine import session_scope

    try:
        ids = [int(part) for part in args.campaigns.split(",") if part.strip()]
    except ValueError:
        raise CliError(
            f"--campaigns attend des numéros de campagne séparés par des virgules (reçu : "
            f"« {args.campaigns} »)"
        ) from None
    if not ids:
        raise CliError("--campaigns : donnez au moins un numéro de campagne")
    settings = get_settings()
    engine = open_engine()
    if args.as_email:
        with session_scope(engine) as s:
            user = accounts.user_by_email(s, email=args.as_email)
            if user is None:
                raise CliError(f"aucun compte « {args.as_email} »")
            actor = accounts.actor_for(s, user_id=user.id)
    else:
        actor = Actor(kind="user", user_id=0, email="ligne de commande", is_admin=True)
    table = benchmark.table(engine)
    chosen = cmp.campaign_rows(engine, table, ids)
    missing = sorted(set(ids) - set(int(c) for c in chosen["campaign_id"]))
    if missing:
        raise CliError(
            f"sans résultats à comparer (campagne inconnue, ou aucun questionnaire envoyé) : "
            f"{', '.join(map(str, missing))}"
        )
    few = chosen.loc[chosen["n_respondents"] < settings.min_group_size]
    if len(few):
        raise CliError(
            f"moins de {settings.min_group_size} questionnaires envoyés, pas de résultats à "
            f"comparer : {', '.join(map(str, few['campaign_id']))}"
        )
    if chosen["questionnaire_id"].nunique() > 1:
        raise CliError(
            "les campagnes comparées doivent porter sur le même questionnaire (ici : "
            f"{', '.join(sorted(set(chosen['questionnaire_id'])))})"
        )
    if chosen["territory_id"].duplicated().any():
        raise CliError(
            "une campagne par territoire : l'évolution d'un territoire est ajoutée d'elle-même"
        )
    known = (
        cmp.known_territories(actor)
        if args.as_email
        else frozenset(int(t) for t in chosen["territory_id"])
    )
    qid = str(chosen["questionnaire_id"].iloc[0])
    questionnaire = cmp.latest_questionnaire(settings.questions_dir, qid)
    if questionnaire is None:
        raise CliError(f"questionnaire « {qid} » introuvable dans {settings.questions_dir}")
    labels = rp.Labels.of(questionnaire)
    view = cmp.compare(
        table,
        chosen,
        questionnaire_id=qid,
        known=known,
        min_territories=settings.min_peer_territories,
        min_respondents=settings.min_group_size,
        dimensions=labels.order,
    )
    try:
        report = rp.build(
            engine,
            actor,
            table,
            view,
            labels,
            questionnaire_title=questionnaire.title,
            questions_dir=settings.questions_dir,
            min_group_size=settings.min_group_size,
            day=date.today(),
        )
    except AccessDenied:
        raise CliError(
            f"le compte « {args.as_email} » ne peut pas lire les résultats de ces campagnes"
        ) from None
    out = files.to_file(report, args.format, settings.min_group_size)
    path = Path(args.output) if args.output else Path(out.filename)
    path.write_bytes(out.data)
    groups = "; ".join(
        f"{row.name} : {view.group_of(int(row.territory_id)).caption}"
        for row in view.chosen.itertuples(index=False)
    )
    print(f"Comparaison écrite dans {path} ({groups})")
    return 0


def add_comparison_parser(sub: Any) -> None:
    """The `comparaison` sub-command (added by add_parsers)."""
    p = sub.add_parser(
        "comparaison",
        help="exporter la comparaison de campagnes (CSV, Excel ou PowerPoint) avec leurs pairs",
    )
    p.add_argument(
        "--campaigns",
        required=True,
        metavar="ID,ID…",
        help="numéros des campagnes comparées (une par territoire, même questionnaire)",
    )
    p.add_argument("--format", choices=("xlsx", "csv", "pptx"), default="xlsx")
    p.add_argument(
        "-o",
        "--output",
        metavar="FICHIER",
        help="fichier écrit (par défaut : nommé "
        "d'après les territoires et la date, dans le dossier courant)",
    )
    p.add_argument(
        "--as",
        dest="as_email",
        metavar="EMAIL",
        help="comme ce compte la voit (consultant·e) ; sans : vue d'administration, les pairs "
        "montrés comme à un·e consultant·e qui accompagnerait les territoires comparés",
    )
