"""Departments' webhook signing keys, encrypted, with when each stops (issue #17, item 9)."""

from alembic import op

from lianxin.persistence.issued_keys import key_columns

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table("webhook_keys", *key_columns("ciphertext"))


def downgrade() -> None:
    op.drop_table("webhook_keys")
