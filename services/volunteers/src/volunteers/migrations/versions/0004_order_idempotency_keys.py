"""`idempotency_keys`: the answers to keyed POSTs, per caller and key (lianxin.idempotency)."""

from lianxin.persistence.migrations import create_idempotency_table, drop_idempotency_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
