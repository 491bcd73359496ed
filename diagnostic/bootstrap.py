"""Start-up: the engine for the settings, migrations applied, demo loaded into an empty base."""

from __future__ import annotations

import gc
from pathlib import Path

from sqlalchemy import Engine

from diagnostic.comparison.benchmark import rebuild
from diagnostic.demo import load_demo
from diagnostic.settings import Settings
from diagnostic.store.engine import configure_pool, get_engine, migrate, session_scope
from diagnostic.store.territories import count_territories

SCORES_WITHOUT_STATEMENTS = "0008"  # the migration from which scores leave statements out


def upgrade(engine: Engine, questions_dir: Path) -> tuple[str | None, str | None]:
    """Apply the migrations, then redo what they ask of the data: from before 0008, the stored
    comparison rows mixed the agreement statements into the maturity scores, so the table is
    recomputed once on the new rule. Returns the schema's revision before and after."""
    before, after = migrate(engine)
    if before is not None and before < SCORES_WITHOUT_STATEMENTS:
        rebuild(engine, questions_dir)
    return before, after


def prepare_database(settings: Settings) -> Engine:
    """Return a ready engine; safe to call at every start (cached by the app)."""
    configure_pool(settings.db_pool_size, settings.db_pool_overflow)
    engine = get_engine(settings.effective_database_url)
    upgrade(engine, settings.questions_dir)
    if settings.load_demo:
        with session_scope(engine) as session:
            empty = count_territories(session) == 0
        if empty:
            load_demo(engine, settings.questions_dir)
    return engine


WARM_SKIPPED = ("diagnostic.migrations", "diagnostic.cli", "diagnostic.__main__")


def warm_up(questions_dir: Path, packages: tuple[str, ...] = ("diagnostic",)) -> int:
    """Pay at server start what the first clicks would otherwise pay: import every module of
    the app (pandas, Plotly, the document's python-docx, fpdf and matplotlib come with them)
    and load the shipped files read once per process (questionnaires, library of actions,
    chantiers, calendar and obligations). Returns the number of modules imported."""
    import importlib
    import pkgutil

    from diagnostic.questionnaire.registry import questionnaires
    from diagnostic.roadmap.chantiers import load_chantiers
    from diagnostic.roadmap.references import load_library
    from diagnostic.territory.obligations import load_rules

    imported = 0
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            if module.name.startswith(WARM_SKIPPED):
                continue
            importlib.import_module(module.name)
            imported += 1
    questionnaires(questions_dir)
    for load in (load_library, load_chantiers, load_rules):
        try:
            load(questions_dir)
        except Exception:  # noqa: BLE001 - a bad file is reported by the page that reads it
            continue
    return imported


def settle_memory() -> None:
    """Once start-up has loaded what stays for the process's life: move it out of the cyclic
    collector's sight, and collect less often, so that the full collections a room's bursts of
    runs trigger (150 phones redrawn at once) walk only what the pages made since
    (bench/RESULTS.md § 10). The web server calls it before accepting anyone; the benches that
    measure a page in-process call it too, to run it as the server does."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
