"""A shift a coordinator called off: when, and why (those signed up are `released`)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("shifts", sa.Column("called_off_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("shifts", sa.Column("called_off_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("shifts", "called_off_reason")
    op.drop_column("shifts", "called_off_at")
