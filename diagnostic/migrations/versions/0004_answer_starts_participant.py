"""participant.started_at set by the database at a person's first answer (trigger on answer)

The autosave (diagnostic.store.answers.upsert_answer) is then one statement per answer: with
SQLite every write transaction holds the base's single write lock, and a second statement (or
reading back whether the person had started) made it longer than it needs to be.

The trigger fires only when an answer row is inserted (an upsert that updates an existing row
fires UPDATE triggers, on SQLite and on PostgreSQL) and sets started_at only while it is empty,
to the answer's own updated_at: the same value the app wrote before this migration.

Beware: on SQLite, a later migration that rebuilds the answer table (batch_alter_table in
"move and copy" mode) drops its triggers; such a migration must create this one again
(tests/test_autosave.py checks that it exists at head).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TRIGGER = "answer_starts_participant"

SQLITE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} AFTER INSERT ON answer
FOR EACH ROW
BEGIN
    UPDATE participant SET started_at = NEW.updated_at
    WHERE id = NEW.participant_id AND started_at IS NULL;
END
"""

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE participant SET started_at = NEW.updated_at
    WHERE id = NEW.participant_id AND started_at IS NULL;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} AFTER INSERT ON answer
FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
"""

# People who have answers but no start date (none should exist: the app always set it).
BACKFILL = """
UPDATE participant SET started_at = (
    SELECT MIN(a.updated_at) FROM answer AS a WHERE a.participant_id = participant.id
)
WHERE started_at IS NULL
  AND EXISTS (SELECT 1 FROM answer AS a WHERE a.participant_id = participant.id)
"""


def upgrade() -> None:
    if _postgresql():
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)
    op.execute(BACKFILL)


def downgrade() -> None:
    if _postgresql():
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON answer")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"
