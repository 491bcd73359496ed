"""roadmapfollowup and roadmapitem.links: the follow-up of a kept roadmap action

`roadmapfollowup` keeps every status change of an action (à lancer, en cours, fait,
abandonné) with the day it holds from, a progress share, the indicator's value and a short
comment: a change is a new row, never an update (history). `roadmapitem.links` lists the items
an action should move (NULL: the items of its trigger evidence). A new table and a nullable
column: nothing to move, no data to recompute.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roadmapfollowup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("indicator_value", sa.Float(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["roadmapitem.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roadmapfollowup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roadmapfollowup_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_roadmapfollowup_item_id"), ["item_id"], unique=False)
    with op.batch_alter_table("roadmapitem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("links", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roadmapitem", schema=None) as batch_op:
        batch_op.drop_column("links")
    with op.batch_alter_table("roadmapfollowup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmapfollowup_item_id"))
        batch_op.drop_index(batch_op.f("ix_roadmapfollowup_campaign_id"))
    op.drop_table("roadmapfollowup")
