"""Start-up: the engine for the settings, migrations applied, demo loaded into an empty base."""

from __future__ import annotations

from sqlalchemy import Engine

from diagnostic.demo import load_demo
from diagnostic.settings import Settings
from diagnostic.store.engine import get_engine, migrate, session_scope
from diagnostic.store.territories import count_territories


def prepare_database(settings: Settings) -> Engine:
    """Return a ready engine; safe to call at every start (cached by the app)."""
    engine = get_engine(settings.effective_database_url)
    migrate(engine)
    if settings.load_demo:
        with session_scope(engine) as session:
            empty = count_territories(session) == 0
        if empty:
            load_demo(engine, settings.questions_dir)
    return engine
