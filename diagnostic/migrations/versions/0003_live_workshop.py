"""live workshop: participant seats, votes, screen link, contribution authorship and commitments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshopparticipant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nickname", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshopparticipant_workshop_id"), ["workshop_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshopparticipant_token_hash"), ["token_hash"], unique=True
        )

    op.create_table(
        "workshopvote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["workshopparticipant.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("participant_id", "kind", "target"),
    )
    with op.batch_alter_table("workshopvote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshopvote_workshop_id"), ["workshop_id"], unique=False
        )

    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "screen_token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_workshop_screen_token_hash"), ["screen_token_hash"], unique=True
        )

    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.add_column(sa.Column("participant_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("dimension", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
        batch_op.add_column(
            sa.Column("retained", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("roadmap_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_contribution_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_contribution_participant_id_workshopparticipant",
            "workshopparticipant",
            ["participant_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_contribution_participant_id_workshopparticipant", type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_contribution_participant_id"))
        batch_op.drop_column("roadmap_item_id")
        batch_op.drop_column("retained")
        batch_op.drop_column("dimension")
        batch_op.drop_column("participant_id")

    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_screen_token_hash"))
        batch_op.drop_column("state")
        batch_op.drop_column("screen_token_hash")

    with op.batch_alter_table("workshopvote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshopvote_workshop_id"))
    op.drop_table("workshopvote")

    with op.batch_alter_table("workshopparticipant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshopparticipant_token_hash"))
        batch_op.drop_index(batch_op.f("ix_workshopparticipant_workshop_id"))
    op.drop_table("workshopparticipant")
