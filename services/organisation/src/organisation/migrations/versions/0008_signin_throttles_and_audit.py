"""Sign-in throttles (failures in a row per account and per client address) and the sign-in
audit (one line per attempt)."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "signin_throttles",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "signin_audit",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_signin_audit_at"), "signin_audit", ["at"])
    op.create_index(op.f("ix_signin_audit_username"), "signin_audit", ["username"])


def downgrade() -> None:
    op.drop_index(op.f("ix_signin_audit_username"), table_name="signin_audit")
    op.drop_index(op.f("ix_signin_audit_at"), table_name="signin_audit")
    op.drop_table("signin_audit")
    op.drop_table("signin_throttles")
