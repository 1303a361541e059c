"""Deliberations' local resolutions, counted in the community's rates (issue #18)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "deliberated_resolutions",
        sa.Column("deliberation_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("deliberation_id", "number"),
    )
    op.create_index(
        op.f("ix_deliberated_resolutions_settled_at"), "deliberated_resolutions", ["settled_at"]
    )


def downgrade() -> None:
    op.drop_table("deliberated_resolutions")
