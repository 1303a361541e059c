"""A volunteer's organisation account: the username a VOLUNTEER token names, one profile each."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("volunteers", sa.Column("account", sa.Text(), nullable=True))
    op.create_unique_constraint("volunteers_account_key", "volunteers", ["account"])


def downgrade() -> None:
    op.drop_constraint("volunteers_account_key", "volunteers", type_="unique")
    op.drop_column("volunteers", "account")
