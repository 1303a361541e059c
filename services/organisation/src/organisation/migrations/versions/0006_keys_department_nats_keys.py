"""Departments' NATS keys: a bcrypt hash per issued key, and when it stops (issue #17, item 9)."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "department_nats_keys",
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["department_code"], ["departments.code"]),
        sa.PrimaryKeyConstraint("department_code", "serial"),
    )


def downgrade() -> None:
    op.drop_table("department_nats_keys")
