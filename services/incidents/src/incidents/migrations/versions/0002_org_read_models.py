"""Org read models: communities; departments' areas, channels and targets; grid nodes' parent;
the version and retirement of each, as the ORG events carry them."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("street_code", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.add_column("departments", sa.Column("name_en", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "departments",
        sa.Column(
            "areas",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "departments",
        sa.Column(
            "channels",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "departments", sa.Column("sla", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "departments", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("departments", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("grid_nodes", sa.Column("parent_code", sa.Text(), nullable=True))
    # Rows kept before parents were stored: the parent is the path's second last code.
    op.execute(
        "UPDATE grid_nodes SET parent_code = path[array_length(path, 1) - 1]"
        " WHERE array_length(path, 1) > 1"
    )
    op.add_column(
        "grid_nodes", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("grid_nodes", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        op.f("ix_grid_nodes_community_code"), "grid_nodes", ["community_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_grid_nodes_community_code"), table_name="grid_nodes")
    op.drop_column("grid_nodes", "retired_at")
    op.drop_column("grid_nodes", "version")
    op.drop_column("grid_nodes", "parent_code")
    op.drop_column("departments", "retired_at")
    op.drop_column("departments", "version")
    op.drop_column("departments", "sla")
    op.drop_column("departments", "channels")
    op.drop_column("departments", "areas")
    op.drop_column("departments", "name_en")
    op.drop_table("communities")
