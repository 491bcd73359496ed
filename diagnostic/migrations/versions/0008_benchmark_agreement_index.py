"""benchmarkscore.share_agree: the agreement index of a dimension's statements, kept apart

The agreement statements (scale « accord ») leave the maturity scores: the stored scores of a
campaign change at its next refresh; run `python -m diagnostic benchmark-rebuild` once after
this migration so that every row follows the new rule at once: the start-up (bootstrap.upgrade)
does it by itself when it applies this migration.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benchmarkscore", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_agree", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmarkscore", schema=None) as batch_op:
        batch_op.drop_column("share_agree")
