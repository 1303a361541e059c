"""The webhook tables, as the migration builds them, are what the code declares; downgrading the
squashed revision (0004, the only one) drops them with everything else."""

from __future__ import annotations

from incidents.adapters import webhooks  # noqa: F401  (its tables join the metadata)
from incidents.adapters.orm import metadata
from lianxin.testing.migrations import migrate, schema_drift, sql

TABLES = {"webhook_deliveries", "webhook_attempts"}


def _about_webhooks(change) -> bool:
    change = change[0] if isinstance(change, list) else change
    return any(
        getattr(part, "name", None) in TABLES
        or getattr(getattr(part, "table", None), "name", None) in TABLES
        for part in change
    )


async def test_the_webhook_tables_match_the_code_and_go_back_down(database: str) -> None:
    await migrate("incidents", database, "head")
    diff = await schema_drift(database, metadata)
    assert [c for c in diff if _about_webhooks(c)] == []

    await migrate("incidents", database, "base", down=True)
    rows = await sql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert not TABLES & {r["tablename"] for r in rows}
