"""The grid nodes' households in incidents' read model: the cap on an incident's affected
households. Rows already there read 0 (no cap) until organisation next sends the node."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column(
        "grid_nodes",
        sa.Column("households", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("grid_nodes", "households")
