"""territoryfact: the facts of a territory's fiche, one row per territory and fact id

Each row keeps the value as JSON (NULL: unknown), its source (free text), the date of its last
change and the account that made it. A new table: nothing to move, no trigger to keep.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "territoryfact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("fact_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("territory_id", "fact_id"),
    )
    with op.batch_alter_table("territoryfact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_territoryfact_territory_id"), ["territory_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("territoryfact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territoryfact_territory_id"))
    op.drop_table("territoryfact")
