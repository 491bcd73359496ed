"""Alembic environment: the engine comes from the app (diagnostic.store.engine.migrate)."""

from alembic import context
from sqlmodel import SQLModel

from diagnostic.store import models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    given = config.attributes.get("connection")  # migrate() on PostgreSQL: the locked one
    if given is not None:
        _run(given)
        return
    engine = config.attributes.get("engine")
    if engine is None:
        from diagnostic.settings import get_settings
        from diagnostic.store.engine import get_engine

        engine = get_engine(get_settings().effective_database_url)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    raise SystemExit("Les migrations hors ligne ne sont pas prises en charge.")
run_migrations_online()
