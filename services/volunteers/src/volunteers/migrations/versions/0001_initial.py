"""Initial tables; outbox, inbox, dead letters."""

import sqlalchemy as sa
from alembic import op

from lianxin.persistence.migrations import (
    create_community_table,
    create_messaging_tables,
    drop_messaging_tables,
)

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    create_community_table(
        "mobilisations",
        sa.Column("grid_code", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident_id"),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mobilisations_community_code"), table_name="mobilisations")
    op.drop_table("mobilisations")
    drop_messaging_tables()
