"""Invitations by e-mail: addresses, recomputable links and the log of every message

`participant.email` (optional), `participant.link_version` (the number of the link in force:
the token is recomputed from it and the link secret, never stored; NULL for the random links
issued before, which cannot be recomputed), `participant.link_issued_at` (when that link was
issued) and `participant.opened_at` (when it was first opened). `campaign.invitation_template`
(NULL: the default text of questions/invitation.md) and `campaign.answer_deadline` (the
{date_limite} of the messages). `invitationmessage` logs every message sent or refused, with
the server's reply. Nullable columns and a new table: nothing to move.

Columns are added and dropped in place (ALTER TABLE … ADD / DROP COLUMN, SQLite ≥ 3.35 and
PostgreSQL), never by Alembic's batch "move and copy": re-creating `participant` on SQLite
would break the answer_starts_participant trigger of 0004, which names that table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


PARTICIPANT = {
    "email": lambda: sqlmodel.sql.sqltypes.AutoString(length=254),
    "link_version": sa.Integer,
    "link_issued_at": sqlmodel.sql.sqltypes.UTCDateTime,
    "opened_at": sqlmodel.sql.sqltypes.UTCDateTime,
}
CAMPAIGN = {"invitation_template": sa.Text, "answer_deadline": sa.Date}


def upgrade() -> None:
    for table, columns in (("participant", PARTICIPANT), ("campaign", CAMPAIGN)):
        for name, kind in columns.items():  # a new Column each run: a Column joins one table
            op.add_column(table, sa.Column(name, kind(), nullable=True))
    op.create_table(
        "invitationmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("link_version", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invitationmessage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitationmessage_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invitationmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitationmessage_participant_id"))
    op.drop_table("invitationmessage")
    for table, columns in (("campaign", CAMPAIGN), ("participant", PARTICIPANT)):
        for name in reversed(columns):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
