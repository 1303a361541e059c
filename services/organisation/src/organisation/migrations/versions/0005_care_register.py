"""The care register: entries, visits and the access log (issue #18)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "care_entries",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("grid_code", sa.Text(), nullable=False),
        sa.Column("node_code", sa.Text(), nullable=False),
        sa.Column("node_path", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("care_groups", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("carers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("consent", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("plans", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("health_notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
        sa.ForeignKeyConstraint(["node_code"], ["grid_nodes.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(op.f("ix_care_entries_community_code"), "care_entries", ["community_code"])
    op.create_index(op.f("ix_care_entries_grid_code"), "care_entries", ["grid_code"])
    op.create_table(
        "care_visits",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("entry_code", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("grid_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("needs_follow_up", sa.Boolean(), nullable=False),
        sa.Column("need_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["entry_code"], ["care_entries.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_visits_entry_code"), "care_visits", ["entry_code"])
    op.create_table(
        "care_access_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entry_code", sa.Text(), nullable=False),
        sa.Column("reader", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_code"], ["care_entries.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_access_log_entry_code"), "care_access_log", ["entry_code"])


def downgrade() -> None:
    op.drop_table("care_access_log")
    op.drop_table("care_visits")
    op.drop_table("care_entries")
