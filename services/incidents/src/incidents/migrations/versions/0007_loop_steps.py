"""The missing steps of the loop (issue #15): the departments' requests for more time on their
assignments, and the residents' rating links used so far (by the SHA-256 of the token)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column(
        "assignments",
        sa.Column(
            "extensions",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
    )
    op.create_table(
        "rating_link_uses",
        sa.Column("token_hash", sa.Text(), primary_key=True),
        sa.Column("incident_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
    )
    op.create_index("ix_rating_link_uses_incident_id", "rating_link_uses", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_rating_link_uses_incident_id", table_name="rating_link_uses")
    op.drop_table("rating_link_uses")
    op.drop_column("assignments", "extensions")
