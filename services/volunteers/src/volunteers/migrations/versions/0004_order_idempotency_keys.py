"""`idempotency_keys`: the answers to keyed POSTs, per caller and key (`lianxin.idempotency`).
The revision is the shared helper itself, as every service's is."""

from lianxin.persistence.migrations import create_idempotency_table as upgrade  # noqa: F401
from lianxin.persistence.migrations import drop_idempotency_table as downgrade  # noqa: F401

revision = "0004"
down_revision = "0003"
