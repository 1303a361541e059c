"""Incidents' photos (a bytea table) and location (building, unit, map pin), and the grid nodes'
address keys in the read model (a micro-grid's buildings). Rows already there have no location;
read-model rows read no addresses (no building check) until organisation next sends the node."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("incidents", sa.Column("building", sa.Text(), nullable=False, server_default=""))
    op.add_column("incidents", sa.Column("unit", sa.Text(), nullable=False, server_default=""))
    op.add_column("incidents", sa.Column("latitude", sa.Float()))
    op.add_column("incidents", sa.Column("longitude", sa.Float()))
    op.add_column(
        "grid_nodes",
        sa.Column("addresses", ARRAY(sa.Text()), nullable=False, server_default="{}"),
    )
    op.create_table(
        "incident_photos",
        sa.Column(
            "incident_id", UUID(as_uuid=True), sa.ForeignKey("incidents.id"), primary_key=True
        ),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("incident_photos")
    op.drop_column("grid_nodes", "addresses")
    for column in ("longitude", "latitude", "unit", "building"):
        op.drop_column("incidents", column)
