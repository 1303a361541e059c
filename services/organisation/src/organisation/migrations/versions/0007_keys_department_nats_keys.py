"""Departments' NATS keys: a bcrypt hash per issued key, and when it stops (issue #17, item 9)."""

import sqlalchemy as sa
from alembic import op

from lianxin.persistence.issued_keys import key_columns

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    department = sa.ForeignKey("departments.code")
    op.create_table("department_nats_keys", *key_columns("password_hash", department))


def downgrade() -> None:
    op.drop_table("department_nats_keys")
