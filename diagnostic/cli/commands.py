"""The commands and their parser (docstring of the package: diagnostic/cli/__init__.py)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from diagnostic.accounts.permissions import Actor
from diagnostic.cli.common import COMMANDS, CliError, command, identifier, open_engine
from diagnostic.questionnaire import QuestionnaireError
from diagnostic.settings import get_settings
from diagnostic.vocabulary import agree
from diagnostic.vocabulary import count as n_of

CLI = "ligne de commande"  # how the commands are named in the audit log
DEMO_TERRITORY = "territoire de démonstration valide"
DEMO_TERRITORIES = "territoires de démonstration valides"
EXCLUSION, EXCLUSIONS = "groupe d'exclusion", "groupes d'exclusion"


@command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    folder = None
    paths = [Path(name) for name in args.files]
    if not paths:  # every data file of the questions folder, each checked by its kind
        folder = get_settings().questions_dir
        paths = sorted(p for p in Path(folder).rglob("*") if p.suffix in {".yaml", ".yml"})
        if not paths:
            raise CliError(f"aucun fichier YAML dans {folder}")
    failed = 0
    for path in paths:
        try:
            print(validate_file(path))
        except QuestionnaireError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem)
    if folder is not None:
        outcome = "tous valides" if not failed else f"{n_of(failed, 'fichier')} en erreur"
        checked = n_of(len(paths), "fichier vérifié", "fichiers vérifiés")
        print(f"{checked} dans {folder} : {outcome}")
    return 1 if failed else 0


def validate_file(path: Path) -> str:
    """Validate one data file of a questions folder; return a one-line summary.

    Files are recognised by their top-level key: a questionnaire (id, sections…), an action
    library (actions), « repères et outils » (references), a workshop programme (steps), the
    renamed questions (renamed), the fiche du territoire (groups), the demo territories
    (territories), the mandate calendar (renouvellements), the legal obligations (obligations)
    or the chantiers of the roadmap (chantiers). Cross-references are checked against the files
    of the same questions folder (references.yaml, questionnaires/, fiche.yaml, calendrier.yaml,
    actions.yaml).
    """
    from diagnostic.questionnaire.loader import parse_questionnaire
    from diagnostic.questionnaire.registry import default_questionnaire
    from diagnostic.questionnaire.source import load_yaml
    from diagnostic.roadmap import library

    text, data = load_yaml(path)
    folder = path.resolve().parent
    keys = set(data) if isinstance(data, dict) else set()
    if "sections" not in keys and "references" in keys:
        refs = library.parse_references(text, str(path))
        return f"{path}: {n_of(len(refs), 'repère valide')}"
    if "sections" not in keys and "steps" in keys:  # a workshop programme (atelier.yaml)
        from diagnostic.workshop.programme import parse_programme

        programme = parse_programme(text, str(path))
        return (
            f"{path}: {n_of(len(programme.steps), 'étape valide')} "
            f"({n_of(programme.total_minutes, 'minute')})"
        )
    if "sections" not in keys and "actions" in keys:
        questionnaire = default_questionnaire(folder)
        refs = _sibling_references(folder)
        actions = library.parse_actions(
            text, questionnaire, refs, str(path), _sibling_fiche(folder)
        )
        return (
            f"{path}: {n_of(len(actions), 'action valide')} "
            f"({agree(len(actions), 'vérifiée')} sur le questionnaire « {questionnaire.id} » "
            f"{questionnaire.version})"
        )
    if "sections" not in keys and "renamed" in keys:  # questions/renamed.yaml
        from diagnostic.comparison.service import check_renamed, parse_renamed

        renamed = parse_renamed(data, str(path))
        problems = check_renamed(renamed, data, str(path), folder)
        if problems:
            raise QuestionnaireError(problems)
        count = sum(len(m) for m in renamed.values())
        return (
            f"{path}: table des questions renommées valide ({n_of(count, 'renommage')}, "
            f"{n_of(len(renamed), 'questionnaire')})"
        )
    if "sections" not in keys and "groups" in keys:  # questions/fiche.yaml
        from diagnostic.territory.facts import parse_fiche, reference_problems

        fiche = parse_fiche(text, str(path))
        refs = _sibling_references(folder)
        if refs is not None:
            problems = reference_problems(fiche, (r.id for r in refs), data, str(path))
            if problems:
                raise QuestionnaireError(problems)
        return (
            f"{path}: fiche du territoire valide ({n_of(len(fiche.fields), 'information')}, "
            f"{n_of(len(fiche.groups), 'groupe')})"
        )
    if "sections" not in keys and "territories" in keys:  # questions/demo/territoires.yaml
        from diagnostic.demo import parse_demo_file
        from diagnostic.territory.facts import FICHE_FILE, load_fiche

        sibling = folder.parent / FICHE_FILE
        fiche = load_fiche(sibling) if sibling.is_file() else None
        demo = parse_demo_file(data, str(path), fiche)
        return (
            f"{path}: {n_of(len(demo.territories), DEMO_TERRITORY, DEMO_TERRITORIES)} "
            f"({n_of(len(demo.accounts), 'compte')})"
        )
    if "sections" not in keys and "renouvellements" in keys:  # questions/calendrier.yaml
        from diagnostic.territory.calendar import parse_calendar

        calendar = parse_calendar(text, str(path), _sibling_references(folder))
        return (
            f"{path}: calendrier valide ({n_of(len(calendar.renouvellements), 'renouvellement')}, "
            f"{n_of(len(calendar.echeances), 'échéance')})"
        )
    if "sections" not in keys and "obligations" in keys:  # questions/obligations.yaml
        from diagnostic.territory.calendar import load_calendar
        from diagnostic.territory.obligations import parse_obligations

        refs = _sibling_references(folder)
        calendar = load_calendar(folder / "calendrier.yaml", refs)
        actions = _sibling_action_ids(folder)
        rules = parse_obligations(text, calendar, refs, str(path), actions)
        checked = " et actions liées vérifiées sur actions.yaml" if actions is not None else ""
        return (
            f"{path}: {n_of(len(rules.items), 'obligation valide')} "
            f"(échéances vérifiées sur {folder / 'calendrier.yaml'}{checked})"
        )
    if "sections" not in keys and "chantiers" in keys:  # questions/chantiers.yaml
        from diagnostic.roadmap.chantiers import parse_chantiers

        actions = _sibling_actions(folder)
        chantiers = parse_chantiers(text, str(path), actions, _sibling_fiche(folder))
        count = sum(len(c.actions) for c in chantiers.chantiers)
        checked = " (vérifiés sur actions.yaml et fiche.yaml)" if actions is not None else ""
        return (
            f"{path}: {n_of(len(chantiers.chantiers), 'chantier valide')}, "
            f"{n_of(count, 'action')}, "
            f"{n_of(len(chantiers.exclusions), EXCLUSION, EXCLUSIONS)}{checked}"
        )
    q = parse_questionnaire(text, str(path))
    refs = _sibling_references(folder.parent)
    problems = library.cited_reference_problems(q, refs, data, str(path)) if refs else []
    fiche = _sibling_fiche(folder.parent)
    if fiche is not None:  # the knowledge items' facts (`fact:`) exist, with possible values
        from diagnostic.territory.knowledge import mirror_problems

        problems += mirror_problems(q, fiche, data, str(path))
    if problems:
        raise QuestionnaireError(sorted(problems, key=lambda p: p.line))
    return (
        f"{path}: questionnaire « {q.id} » version {q.version} valide — "
        f"{n_of(len(q.dimensions), 'dimension')}, {n_of(len(q.questions()), 'question')}, "
        f"{n_of(len(q.sections), 'section')}, environ {n_of(q.estimated_minutes, 'minute')}"
    )


def _sibling_fiche(folder: Path):  # type: ignore[no-untyped-def]
    from diagnostic.territory.facts import FICHE_FILE, load_fiche

    path = folder / FICHE_FILE
    return load_fiche(path) if path.is_file() else None


def _sibling_references(folder: Path):  # type: ignore[no-untyped-def]
    from diagnostic.roadmap import library

    path = folder / "references.yaml"
    return library.load_references(path) if path.is_file() else None


def _sibling_actions(folder: Path):  # type: ignore[no-untyped-def]
    """The action library beside a file, checked against the folder's questionnaire (None
    without one): the chantiers are checked against its ids and items."""
    from diagnostic.roadmap.references import load_library

    return load_library(folder).actions if (folder / "actions.yaml").is_file() else None


def _sibling_action_ids(folder: Path) -> list[str] | None:
    """The ids of the action library beside a file (None without one); the library itself is
    checked, against the questionnaire, when `validate` reaches actions.yaml."""
    from diagnostic.questionnaire.source import load_yaml

    path = folder / "actions.yaml"
    if not path.is_file():
        return None
    _, data = load_yaml(path)
    entries = data.get("actions") if isinstance(data, dict) else None
    return [str(a["id"]) for a in entries or [] if isinstance(a, dict) and "id" in a]


@command("campaigns")
def cmd_campaigns(args: argparse.Namespace) -> int:
    from diagnostic.store import campaigns as store
    from diagnostic.store.engine import session_scope
    from diagnostic.store.models import Territory

    with session_scope(open_engine()) as session:
        rows = store.campaigns_of(session)
        if not rows:
            print("Aucune campagne. Créez-en une dans l'application ou chargez la démonstration.")
            return 0
        print("id\tterritoire\tquestionnaire\tstatut\tinvités\tcommencés\tenvoyés\ttitre")
        for c in rows:
            territory = session.get(Territory, c.territory_id)
            people = store.participants_of(session, campaign_id=c.id)  # type: ignore[arg-type]
            started = sum(p.started_at is not None for p in people)
            submitted = sum(p.submitted_at is not None for p in people)
            print(
                f"{c.id}\t{territory.name if territory else '?'}\t"
                f"{c.questionnaire_id} {c.questionnaire_version}\t{c.status}\t"
                f"{len(people)}\t{started}\t{submitted}\t{c.title}"
            )
    return 0


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from diagnostic.campaigns.coordination import invitation_link
    from diagnostic.demo import load_demo
    from diagnostic.store.engine import session_scope
    from diagnostic.store.territories import count_territories

    settings = get_settings()
    engine = open_engine()
    with session_scope(engine) as session:
        if count_territories(session) and not args.force:
            raise CliError(
                "la base contient déjà des territoires : la démonstration n'est chargée que dans "
                "une base vide (ou avec --force pour l'ajouter quand même)"
            )
    report = load_demo(engine, settings.questions_dir)
    print(f"Démonstration chargée : {', '.join(report.territories)}")
    for email, password in report.accounts:
        print(f"Compte de démonstration : {email} / mot de passe : {password}")
    for who, token in report.links:
        print(f"Lien d'invitation ({who}) : {invitation_link(settings.public_url, token)}")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise CliError(f"la variable d'environnement {args.password_env} est vide")
        return value
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise CliError("mot de passe attendu sur l'entrée standard")
        return line
    first = getpass.getpass("Mot de passe : ")
    if first != getpass.getpass("Confirmez : "):
        raise CliError("les deux saisies diffèrent")
    return first


@command("create-user")
def cmd_create_user(args: argparse.Namespace) -> int:
    from diagnostic.store import accounts
    from diagnostic.store.audit import record
    from diagnostic.store.engine import session_scope

    password = _password(args)
    with session_scope(open_engine()) as session:
        user = accounts.create_user(
            session,
            email=args.email,
            name=args.name or "",  # the account then shows its address (cut to 120)
            password=password,
            is_admin=args.admin,
        )
        record(session, actor=CLI, action="user.create", target=user.email, admin=args.admin)
    print(f"Compte créé : {user.email}{' (administrateur)' if args.admin else ''}")
    return 0


def _user_id(session, email: str) -> int:  # type: ignore[no-untyped-def]
    """The id of the account with this address (CliError when there is none)."""
    from diagnostic.store import accounts

    user = accounts.user_by_email(session, email=email)
    if user is None or user.id is None:
        raise CliError(f"aucun compte pour {email}")
    return user.id


@command("grant")
def cmd_grant(args: argparse.Namespace) -> int:
    from diagnostic.store import accounts
    from diagnostic.store.engine import session_scope

    change = accounts.revoke if args.revoke else accounts.grant
    with session_scope(open_engine()) as session:
        user_id = _user_id(session, args.email)
        change(session, user_id=user_id, territory_id=args.territory, role=args.role, actor=CLI)
    verb = "retiré" if args.revoke else "accordé"
    print(f"Rôle {args.role} {verb} à {args.email} sur le territoire {args.territory}")
    return 0


@command("reset-password")
def cmd_reset_password(args: argparse.Namespace) -> int:
    from diagnostic.store import accounts
    from diagnostic.store.engine import session_scope

    password = _password(args)
    with session_scope(open_engine()) as session:
        user_id = _user_id(session, args.email)
        accounts.set_password(session, user_id=user_id, password=password, actor=CLI)
    print(f"Mot de passe de {args.email} réinitialisé")
    return 0


@command("deactivate")
def cmd_deactivate(args: argparse.Namespace) -> int:
    from diagnostic.store import accounts
    from diagnostic.store.engine import session_scope

    with session_scope(open_engine()) as session:
        user_id = _user_id(session, args.email)
        accounts.set_active(session, user_id=user_id, active=args.reactivate, actor=CLI)
    if args.reactivate:
        print(f"Compte {args.email} réactivé")
    else:
        print(f"Compte {args.email} désactivé : il ne peut plus se connecter")
    return 0


def _status(participant) -> str:  # type: ignore[no-untyped-def]
    if participant.revoked_at is not None and participant.started_at is None:
        return "effacé"
    if participant.submitted_at is not None:
        return "envoyé"
    return "commencé" if participant.started_at is not None else "pas commencé"


@command("participants")
def cmd_participants(args: argparse.Namespace) -> int:
    from diagnostic.store import campaigns as store
    from diagnostic.store.engine import session_scope
    from diagnostic.store.models import Territory
    from diagnostic.vocabulary import ROLE_LABELS

    with session_scope(open_engine()) as session:
        if store.get_campaign(session, campaign_id=args.campaign) is None:
            raise CliError(f"campagne {args.campaign} introuvable (liste : commande campaigns)")
        people = store.participants_of(session, campaign_id=args.campaign)
        if not people:
            print("Aucun·e participant·e : invitez-les depuis la page « Campagnes ».")
            return 0
        print("id\tnom\tfonction\tstructure\tstatut")
        for p in people:
            place = session.get(Territory, p.structure_id)
            print(
                f"{p.id}\t{p.name or ''}\t{ROLE_LABELS.get(p.role, p.role)}\t"
                f"{place.name if place else '?'}\t{_status(p)}"
            )
    return 0


@command("import-answers")
def cmd_import_answers(args: argparse.Namespace) -> int:
    from diagnostic.answering.paper import AnswerImportError, parse_answers
    from diagnostic.questionnaire.registry import UnknownQuestionnaireError, get_questionnaire
    from diagnostic.store import campaigns as campaign_store
    from diagnostic.store import imports as import_store
    from diagnostic.store.engine import session_scope

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path} : lecture impossible ({exc.strerror})") from None
    engine = open_engine()
    with session_scope(engine) as session:
        campaign = campaign_store.get_campaign(session, campaign_id=args.campaign)
    if campaign is None:
        raise CliError(f"campagne {args.campaign} introuvable (liste : commande campaigns)")
    if campaign.status == "closed":
        raise CliError(
            f"la campagne {args.campaign} est close : rouvrez-la (page « Campagnes ») avant "
            "d'importer des réponses"
        )
    try:
        questionnaire = get_questionnaire(
            get_settings().questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
        )
    except UnknownQuestionnaireError as exc:
        raise CliError(str(exc)) from None

    def lookup(ids: set[int]):  # type: ignore[no-untyped-def]
        with session_scope(engine) as session:
            return import_store.participant_states(session, ids=ids)

    with session_scope(engine) as session:
        places = import_store.campaign_structures(session, campaign=campaign)
    try:
        plan = parse_answers(data, str(path), questionnaire, args.campaign, lookup, places)
    except AnswerImportError as exc:
        for problem in exc.problems:
            print(problem)
        raise CliError(
            f"{n_of(len(exc.problems), 'erreur')} dans {path} : aucune réponse importée"
        ) from None
    if not plan.answers and not plan.identities:
        raise CliError(f"{path} ne contient aucune réponse à importer (lignes sans valeur)")
    with session_scope(engine) as session:
        count = import_store.import_answers(
            session,
            campaign_id=args.campaign,
            answers=plan.answers,
            actor=CLI,
            source=path.name,
            submit=args.submit,
            identities=plan.identities,
        )
    if args.submit:  # newly submitted questionnaires count in the comparison table at once
        from diagnostic.comparison.benchmark import refresh

        refresh(engine, args.campaign)
    print(
        f"{n_of(count, 'réponse importée')} pour "
        f"{n_of(len(plan.participants), 'participant·e')} de la campagne {args.campaign}"
        + (
            f" ; {n_of(plan.skipped, 'ligne sans valeur ignorée', 'lignes sans valeur ignorées')}"
            if plan.skipped
            else ""
        )
        + (
            f" ; fonction ou structure renseignée pour "
            f"{n_of(len({i.participant_id for i in plan.identities}), 'personne')}"
            if plan.identities
            else ""
        )
        + (" ; réponses marquées comme envoyées" if args.submit else "")
    )
    return 0


@command("paper")
def cmd_paper(args: argparse.Namespace) -> int:
    from diagnostic.campaigns.paper import PaperFormsError, blank_forms, paper_forms
    from diagnostic.errors import AccessDenied

    if args.blank is not None and args.participant:
        raise CliError("--blank crée de nouvelles personnes : sans --participant")
    settings = get_settings()
    try:
        if args.blank is not None:
            result = blank_forms(
                open_engine(),
                SYSTEM,
                args.campaign,
                settings.questions_dir,
                args.blank,
                settings.public_url,
            )
        else:
            result = paper_forms(
                open_engine(),
                SYSTEM,
                args.campaign,
                settings.questions_dir,
                participant_ids=args.participant or None,
            )
    except AccessDenied:
        raise CliError(
            f"campagne {args.campaign} introuvable (liste : commande campaigns)"
        ) from None
    except PaperFormsError as exc:
        raise CliError(str(exc)) from None
    out = Path(args.output)
    out.write_bytes(result.pdf)
    print(
        f"Questionnaires papier écrits : {out} ({n_of(len(result.codes), 'questionnaire')}, "
        f"{agree(len(result.codes), 'code')} répondant·e {', '.join(result.codes)})"
    )
    if args.blank is not None:
        invited = n_of(len(result.codes), "personne invitée", "personnes invitées")
        print(
            f"{invited} pour le papier (fonction « autre », structure : le territoire, "
            "jusqu'à l'import des lignes _fonction et _structure)"
        )
    if args.csv:
        Path(args.csv).write_bytes(result.csv)
        print(f"Fichier de saisie pour import-answers : {args.csv}")
    if result.skipped:
        print(
            f"{n_of(result.skipped, 'personne')} sans questionnaire : réponses déjà envoyées "
            "(rouvrez-les d'abord) ou données effacées"
        )
    return 0


@command("purge")
def cmd_purge(args: argparse.Namespace) -> int:
    from diagnostic.exports import local_time
    from diagnostic.privacy.service import purge_expired

    days = get_settings().retention_days
    report = purge_expired(open_engine(), retention_days=days, dry_run=args.dry_run)
    cutoff = local_time(report.cutoff).strftime("%d/%m/%Y")
    if not report.campaigns and not report.orphans:
        print(
            f"Rien à purger : aucune campagne close avant le {cutoff} (RETENTION_DAYS = {days}) "
            "n'a encore de nom ni de lien actif, ni de données d'atelier."
        )
        return 0

    def participle(n: int, word: str) -> str:  # « 1 serait effacée », « 2 effacées »
        if args.dry_run:
            return agree(n, f"serait {word}", f"seraient {word}s")
        return agree(n, word)

    for c in report.campaigns:
        closed = local_time(c.closed_at).strftime("%d/%m/%Y") if c.closed_at else "?"
        workshop = (  # « une place et une contribution » agree in the plural
            f", atelier : {n_of(c.workshop_seats, 'place')} et "
            f"{n_of(c.workshop_posts, 'contribution')} {participle(2, 'effacée')}"
            if c.workshop_seats or c.workshop_posts or c.workshop_votes
            else ""
        )
        print(
            f"Campagne {c.campaign_id} « {c.title} » close le {closed} : "
            f"{c.participants} {participle(c.participants, 'anonymisé·e')}" + workshop
        )
    if report.orphans:
        erased = participle(report.orphans, "effacée")
        print(
            f"Ateliers de campagnes déjà effacées : {n_of(report.orphans, 'donnée')} "
            f"(places, contributions ou votes) {erased}."
        )
    seats = n_of(report.workshop_seats, "place d'atelier", "places d'atelier")
    posts = n_of(report.workshop_posts, "contribution")
    votes = n_of(report.workshop_votes, "vote")
    in_workshops = bool(report.workshop_seats or report.workshop_posts or report.workshop_votes)
    if args.dry_run:
        print(
            f"Simulation : {n_of(report.participants, 'participant·e')} dans "
            f"{n_of(len(report.campaigns), 'campagne')}"
            + (f" ; {seats}, {posts} et {votes}" if in_workshops else "")
            + ", rien n'a été modifié."
        )
    else:
        print(
            f"{n_of(report.participants, 'participant·e anonymisé·e')} dans "
            f"{n_of(len(report.campaigns), 'campagne')} : noms effacés, liens désactivés, "
            "réponses conservées sans nom."
            + (f" {seats}, {posts} et {votes} effacés." if in_workshops else "")
        )
    return 0


# Commands act as the server's administrator: whoever runs them already holds the database.
SYSTEM = Actor(kind="user", user_id=0, email=CLI, is_admin=True)


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from diagnostic.campaigns.export import campaign_export
    from diagnostic.errors import AccessDenied

    settings = get_settings()
    engine = open_engine()
    try:
        result = campaign_export(
            engine,
            SYSTEM,
            args.campaign,
            settings.questions_dir,
            fmt=args.format,
            min_group_size=settings.min_group_size,
            table=args.table,
            with_names=args.with_names,
        )
    except AccessDenied:
        raise CliError(f"campagne {args.campaign} introuvable") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = Path(args.output)
    out.write_bytes(result.data)
    print(f"Export écrit : {out} ({len(result.data)} octets, {args.format})")
    return 0


@command("migrate")
def cmd_migrate(args: argparse.Namespace) -> int:
    from diagnostic.bootstrap import upgrade
    from diagnostic.store.engine import configure_pool, get_engine

    settings = get_settings()
    configure_pool(settings.db_pool_size, settings.db_pool_overflow)
    before, after = upgrade(get_engine(settings.effective_database_url), settings.questions_dir)
    if before == after:
        print(f"Schéma de la base déjà à jour (migration {after}).")
    else:
        print(f"Schéma de la base mis à jour : migration {before or 'aucune'} → {after}.")
    return 0


@command("backup")
def cmd_backup(args: argparse.Namespace) -> int:
    from diagnostic.store.backup import BackupError, backup

    url = get_settings().effective_database_url
    try:
        report = backup(url, Path(args.output))
    except BackupError as exc:
        return _backup_failed("Sauvegarde impossible", exc)
    schema = f", schéma {report.revision}" if report.revision else ""
    print(f"Sauvegarde écrite : {report.path} ({report.size} octets{schema})")
    return 0


@command("restore")
def cmd_restore(args: argparse.Namespace) -> int:
    from diagnostic.store.backup import BackupError, restore

    url = get_settings().effective_database_url
    try:
        restore(url, Path(args.file), force=args.force)
    except BackupError as exc:
        return _backup_failed("Restauration impossible", exc)
    print(f"Base restaurée depuis {args.file} et mise au schéma courant.")
    return 0


def _backup_failed(what: str, exc: Exception) -> int:
    """A missing pg_dump or pg_restore is said on stderr with exit status 2 (the message holds
    the command to run by hand); any other refusal is a user error."""
    from diagnostic.store.backup import ToolMissing

    if not isinstance(exc, ToolMissing):
        raise CliError(str(exc)) from None
    print(f"{what} : {exc}", file=sys.stderr)
    return 2


@command("obligations")
def cmd_obligations(args: argparse.Namespace) -> int:
    from datetime import date

    from diagnostic.errors import AccessDenied
    from diagnostic.territory.obligations import report
    from diagnostic.territory.service import obligations_for

    try:
        on = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise CliError(f"date invalide « {args.date} » : écrivez-la AAAA-MM-JJ") from None
    try:
        statuses = obligations_for(
            open_engine(), SYSTEM, args.campaign, get_settings().questions_dir, on
        )
    except AccessDenied:
        raise CliError(f"campagne {args.campaign} introuvable") from None
    for line in report(statuses):
        print(line)
    return 0


@command("roadmap")
def cmd_roadmap(args: argparse.Namespace) -> int:
    from datetime import date

    from diagnostic.errors import AccessDenied
    from diagnostic.results.model import TooFewRespondents
    from diagnostic.results.service import results_for
    from diagnostic.roadmap import planning
    from diagnostic.roadmap.references import load_library
    from diagnostic.territory.service import situation_for

    try:
        today = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise CliError(f"date invalide « {args.date} » : écrivez-la AAAA-MM-JJ") from None
    settings = get_settings()
    engine = open_engine()
    try:
        results = results_for(engine, SYSTEM, args.campaign)
    except AccessDenied:
        raise CliError(f"campagne {args.campaign} introuvable") from None
    if isinstance(results, TooFewRespondents):
        raise CliError(
            f"moins de {results.min_group_size} réponses envoyées : pas encore de feuille de route"
        )
    library = load_library(settings.questions_dir)
    situation = situation_for(engine, SYSTEM, args.campaign, settings.questions_dir, today)
    if not planning.plan(engine, SYSTEM, args.campaign):
        planning.regenerate(engine, SYSTEM, args.campaign, results, library.actions, situation)
        print("Aucune feuille de route enregistrée : actions proposées à partir des résultats.")
    built = planning.documents(
        engine,
        SYSTEM,
        args.campaign,
        results,
        library,
        (args.format,),
        min_group_size=results.min_group_size,
        today=today,
        situation=situation,
    )[args.format]
    out = Path(args.output)
    out.write_bytes(built.data)
    print(f"Feuille de route écrite : {out} ({len(built.data)} octets, {args.format})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m diagnostic",
        description="Autodiagnostic de la gouvernance administrative — ligne de commande",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    p = sub.add_parser(
        "validate",
        help="vérifier des fichiers de données (sans argument : tout le dossier des questions)",
    )
    p.add_argument("files", nargs="*", metavar="FICHIER")
    sub.add_parser("campaigns", help="lister les campagnes")
    p = sub.add_parser("demo", help="charger les territoires de démonstration")
    p.add_argument("--force", action="store_true", help="même si la base n'est pas vide")
    for name, helptext in (
        ("create-user", "créer un compte (mot de passe demandé ou lu sur l'entrée standard)"),
        ("reset-password", "changer le mot de passe d'un compte"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--email", required=True)
        p.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="lire le mot de passe dans cette variable d'environnement",
        )
        if name == "create-user":
            p.add_argument("--name", help="nom affiché")
            p.add_argument("--admin", action="store_true", help="compte administrateur")
    p = sub.add_parser("export", help="exporter les réponses et les résultats d'une campagne")
    p.add_argument("--campaign", required=True, type=identifier, metavar="ID")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "json"])
    p.add_argument("-o", "--output", required=True, metavar="FICHIER")
    p.add_argument(
        "--table",
        default="long",
        choices=["long", "large", "items", "dimensions"],
        help="pour le CSV : le tableau à écrire (réponses en long ou en large, items, dimensions)",
    )
    p.add_argument(
        "--with-names",
        action="store_true",
        help=(
            "campagnes nominatives seulement (réglage choisi à leur création) : le nom des "
            "répondant·es à côté de leurs réponses ; refusé pour une campagne pseudonyme"
        ),
    )
    p = sub.add_parser(
        "obligations",
        help="les obligations légales du territoire d'une campagne et leur état",
    )
    p.add_argument("--campaign", required=True, type=int, metavar="ID")
    p.add_argument("--date", help="date de l'état (AAAA-MM-JJ), aujourd'hui par défaut")
    p = sub.add_parser(
        "roadmap", help="écrire la feuille de route d'une campagne (Word, PDF, Markdown)"
    )
    p.add_argument("--campaign", required=True, type=int, metavar="ID")
    p.add_argument("--format", required=True, choices=["docx", "pdf", "md"])
    p.add_argument("-o", "--output", required=True, metavar="FICHIER")
    p.add_argument(
        "--date", help="date imprimée sur le document (AAAA-MM-JJ), aujourd'hui par défaut"
    )
    p = sub.add_parser("grant", help="donner (ou retirer) un rôle sur un territoire")
    p.add_argument("--email", required=True)
    p.add_argument("--territory", required=True, type=identifier, metavar="ID")
    p.add_argument("--role", required=True, choices=["coordinator", "consultant", "facilitator"])
    p.add_argument("--revoke", action="store_true", help="retirer le rôle")
    p = sub.add_parser("deactivate", help="désactiver (ou réactiver) un compte")
    p.add_argument("--email", required=True)
    p.add_argument("--reactivate", action="store_true", help="réactiver le compte")
    p = sub.add_parser("participants", help="lister les participant·es d'une campagne")
    p.add_argument("--campaign", required=True, type=identifier, metavar="ID")
    p = sub.add_parser("import-answers", help="importer des réponses papier (CSV)")
    p.add_argument("file", metavar="FICHIER")
    p.add_argument("--campaign", required=True, type=identifier, metavar="ID")
    p.add_argument(
        "--submit", action="store_true", help="marquer les personnes importées comme ayant envoyé"
    )
    p = sub.add_parser(
        "paper",
        help="imprimer les questionnaires papier d'une campagne (PDF) et leur fichier de saisie",
    )
    p.add_argument("--campaign", required=True, type=identifier, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.pdf")
    p.add_argument(
        "--csv",
        metavar="FICHIER.csv",
        help="écrire aussi le fichier à remplir pour import-answers (mêmes codes, même ordre)",
    )
    p.add_argument(
        "--participant",
        action="append",
        type=identifier,
        metavar="ID",
        help="seulement cette personne (option répétable) ; par défaut, toutes celles qui "
        "n'ont pas envoyé leurs réponses",
    )
    p.add_argument(
        "--blank",
        type=int,
        metavar="N",
        help="N questionnaires vierges : N nouvelles personnes invitées pour le papier (sans "
        "nom), qui écrivent leur fonction et leur structure sur le questionnaire (lignes "
        "_fonction et _structure du fichier de saisie)",
    )
    p = sub.add_parser(
        "purge",
        help="anonymiser les campagnes closes depuis RETENTION_DAYS jours et effacer leurs "
        "données d'atelier",
    )
    p.add_argument("--dry-run", action="store_true", help="afficher sans rien modifier")
    sub.add_parser(
        "migrate",
        help="mettre le schéma de la base à jour (avant de démarrer les processus de "
        "l'application après une mise à jour)",
    )
    p = sub.add_parser("backup", help="sauvegarder la base (même pendant que l'application écrit)")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER")
    p = sub.add_parser("restore", help="restaurer une sauvegarde puis appliquer les migrations")
    p.add_argument("file", metavar="FICHIER")
    p.add_argument("--force", action="store_true", help="remplacer une base qui a des données")
    from diagnostic.cli import (
        invitations,  # invitations and reminders by e-mail
        review,  # the follow-up of a roadmap and its review
        workshop,  # a workshop's minutes and board
    )
    from diagnostic.cli.comparison import add_parsers  # comparison and official territory list

    add_parsers(sub)
    review.add_parsers(sub)
    invitations.add_parsers(sub)
    workshop.add_parsers(sub)
    return parser


def _user_errors() -> tuple[type[Exception], ...]:
    """Errors printed on one line; the store's are imported only when one occurs, so that
    `validate` does not load the database layer."""
    from diagnostic.accounts.security import WeakPasswordError
    from diagnostic.errors import StoreError

    return (CliError, StoreError, WeakPasswordError, QuestionnaireError)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CliError, QuestionnaireError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head`, which stopped reading: no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

__all__ = ["build_parser", "identifier", "main", "validate_file"]
