"""campaign.named_answers (names beside answers, chosen before the first answer); audit target
as long as the longest valid e-mail address (254)

`named_answers` is false for every existing campaign: their respondents were promised that the
coordination never sees their answers with their name.

On SQLite the audit table is rebuilt by batch mode (SQLite does not enforce VARCHAR lengths,
the model and PostgreSQL do); no trigger is attached to it or to the campaign table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("named_answers", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.alter_column(
            "target",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
            type_=sqlmodel.sql.sqltypes.AutoString(length=254),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.alter_column(
            "target",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=254),
            type_=sqlmodel.sql.sqltypes.AutoString(length=200),
            existing_nullable=True,
        )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("named_answers")
