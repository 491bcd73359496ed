"""quotechoice: the coordinator's choice to quote a free-text answer in the roadmap or not

One row per answer the coordinator has decided on (quoted or left out); an answer without a
row is quoted. The text stays in `answer` only. A new table: nothing to move, no trigger to
keep.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quotechoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("quoted", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("answer_id"),
    )
    with op.batch_alter_table("quotechoice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quotechoice_campaign_id"), ["campaign_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quotechoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotechoice_campaign_id"))
    op.drop_table("quotechoice")
