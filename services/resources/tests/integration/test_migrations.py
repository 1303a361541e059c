"""Resources' migrations build exactly the tables the code declares, and 0002 keeps the needs
the old consumer opened, as open needs from their incidents that load as today's `Need`."""

from __future__ import annotations

from functools import partial
from uuid import uuid4

from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.testing import migrations
from lianxin.testing.migrations import schema_drift, sql
from resources.adapters.orm import inbox, metadata, outbox
from resources.domain.needs import NeedSource, NeedStatus
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

migrate = partial(migrations.migrate, "resources")


async def test_the_migrations_build_what_the_code_declares(database: str) -> None:
    await migrate(database, "head")
    assert await schema_drift(database, metadata) == []


async def test_0002_keeps_the_old_escalation_needs_and_goes_back_down(database: str) -> None:
    await migrate(database, "0001")
    need_id, incident_id = uuid4(), uuid4()
    await sql(
        database,
        "INSERT INTO needs (id, community_code, title, status, opened_at, source_incident_id)"
        " VALUES ($1, 'yongxinglu', '[landscaping] 高大树木遮挡采光', 'open', now(), $2)",
        need_id,
        incident_id,
    )
    await migrate(database, "0002")
    engine = make_engine(database)
    uow = ResourcesUnitOfWork(
        make_session_factory(engine), source="/lianxin/resources", outbox=outbox, inbox=inbox
    )
    async with uow:
        need = await uow.needs.get(need_id)
    await engine.dispose()
    assert need is not None
    assert (need.category, need.title, need.source, need.status) == (
        "landscaping",
        "[landscaping] 高大树木遮挡采光",
        NeedSource.INCIDENT,
        NeedStatus.OPEN,
    )
    assert need.source_incident_id == incident_id
    await migrate(database, "0001", down=True)
    [row] = await sql(database, "SELECT title FROM needs")
    assert row["title"] == "[landscaping] 高大树木遮挡采光"
