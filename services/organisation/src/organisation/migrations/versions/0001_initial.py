"""Communities, grid nodes, departments; outbox, inbox, dead letters."""

import sqlalchemy as sa
from alembic import op

from lianxin.persistence.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "communities",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "departments",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("categories", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "grid_nodes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("path", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("households", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["communities.code"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["grid_nodes.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(
        op.f("ix_grid_nodes_community_code"), "grid_nodes", ["community_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_grid_nodes_community_code"), table_name="grid_nodes")
    op.drop_table("grid_nodes")
    op.drop_table("departments")
    op.drop_table("communities")
    drop_messaging_tables()
