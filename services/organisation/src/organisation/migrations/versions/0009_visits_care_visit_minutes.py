"""A care visit's length in minutes (issue #18: a volunteer's visit earns service hours)."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("care_visits", sa.Column("minutes", sa.Integer()))


def downgrade() -> None:
    op.drop_column("care_visits", "minutes")
