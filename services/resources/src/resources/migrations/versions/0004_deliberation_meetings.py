"""Residents' deliberation (议事): the deliberations and the incidents each went through."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lianxin.persistence.migrations import create_community_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_community_table(
        "deliberations",
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        "deliberation_incidents",
        sa.Column("deliberation_id", sa.UUID(), nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["deliberation_id"], ["deliberations.id"]),
        sa.PrimaryKeyConstraint("deliberation_id", "incident_id"),
    )
    op.create_index(
        "ix_deliberation_incidents_incident_id",
        "deliberation_incidents",
        ["incident_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("deliberation_incidents")
    op.drop_table("deliberations")
