"""A change counter on each workshop, for the push of its changes to the room

`workshop.changes`: +1 at each change the room must see at once (step, timer, reveal, a post
shown, highlighted, grouped or hidden, the programme edited). Every server process polls it
for the workshops its pages follow and asks those pages to refresh (pages/_push.py). Existing
workshops start at 0.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("changes")
