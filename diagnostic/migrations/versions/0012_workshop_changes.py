"""Change counters on workshops and seats, for the push of a workshop's changes to the room

`workshop.changes`: +1 at each change the room must see at once (step, timer, reveal, a post
shown, highlighted, grouped or hidden, the programme edited); `workshop.phone_changes`: +1 at
those every phone shows (not a highlight nor a group); `workshopparticipant.changes`: +1 when
the facilitator changes one of the seat's posts. Every server process polls them for the
workshops its pages follow and asks the pages concerned to refresh (pages/_push.py). Existing
rows start at 0.

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


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(_counter("changes"))
        batch_op.add_column(_counter("phone_changes"))
    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.add_column(_counter("changes"))


def downgrade() -> None:
    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.drop_column("changes")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("phone_changes")
        batch_op.drop_column("changes")
