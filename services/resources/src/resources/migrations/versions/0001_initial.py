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
        "needs",
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_incident_id", sa.UUID(), nullable=True),
        sa.UniqueConstraint("source_incident_id"),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_needs_community_code"), table_name="needs")
    op.drop_table("needs")
    drop_messaging_tables()
