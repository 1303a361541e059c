"""Fixtures: a clock the test moves by hand, incidents from the articles, and a unit of work on
a real, migrated PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from incidents.adapters.orm import metadata
from incidents.domain.incident import Incident
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.persistence.db import make_engine, make_session_factory

START = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


class Clock:
    """What time it is, for the domain: it moves only when the test says so."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


ReportFactory = Callable[..., Incident]


@pytest.fixture
def report(clock: Clock) -> ReportFactory:
    """Report an incident at the clock's time; keyword arguments override the transformer."""

    def _report(**overrides: object) -> Incident:
        fields: dict[str, object] = {
            "community_code": "taipingjie",
            "micro_grid_code": "tpj-g01-m01",
            "grid_path": ["tpj-g01", "tpj-g01-m01"],
            "category": "power_supply",
            "urgency": "utilities",
            "description": "变压器故障",
            "affected_households": 288,
            "affected_merchants": 50,
            "reporter": "micro_grid_leader",
            "now": clock.now,
        }
        fields.update(overrides)
        return Incident.report(**fields)  # type: ignore[arg-type]

    return _report


def make_uow(engine) -> IncidentsUnitOfWork:
    return IncidentsUnitOfWork(
        make_session_factory(engine),
        source="/lianxin/incidents",
        outbox=metadata.tables["outbox"],
        inbox=metadata.tables["inbox"],
    )


@pytest.fixture
async def uow(migrated_database) -> AsyncIterator[IncidentsUnitOfWork]:
    database = await migrated_database("incidents")
    engine = make_engine(database)
    yield make_uow(engine)
    await engine.dispose()
