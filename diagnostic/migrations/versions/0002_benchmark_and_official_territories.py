"""official territory list and precomputed benchmark scores

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "officialterritory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("search_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("epci_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("departement", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("level", "code"),
    )
    with op.batch_alter_table("officialterritory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officialterritory_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_officialterritory_epci_code"), ["epci_code"], unique=False
        )

    op.create_table(
        "benchmarkscore",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column(
            "questionnaire_version", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False
        ),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_band", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("n_respondents", sa.Integer(), nullable=False),
        sa.Column("n_items", sa.Integer(), nullable=False),
        sa.Column("n_consensus", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("target_score", sa.Float(), nullable=True),
        sa.Column("agreement", sa.Float(), nullable=True),
        sa.Column("refreshed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["territory_id"], ["territory.id"]),
        sa.PrimaryKeyConstraint("campaign_id", "dimension_id"),
    )
    with op.batch_alter_table("benchmarkscore", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benchmarkscore_territory_id"), ["territory_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_benchmarkscore_refreshed_at"), ["refreshed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("benchmarkscore", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benchmarkscore_refreshed_at"))
        batch_op.drop_index(batch_op.f("ix_benchmarkscore_territory_id"))
    op.drop_table("benchmarkscore")
    with op.batch_alter_table("officialterritory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officialterritory_epci_code"))
        batch_op.drop_index(batch_op.f("ix_officialterritory_code"))
    op.drop_table("officialterritory")
