"""Departments' webhook signing keys, encrypted, with when each stops (issue #17, item 9)."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "webhook_keys",
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("department_code", "serial"),
    )


def downgrade() -> None:
    op.drop_table("webhook_keys")
