"""Durable deadlines on real PostgreSQL, with a clock the test moves: each breach fires once, the
ladder climbs community → street → district in order, and nothing is lost when the service
restarts (a new engine and unit of work on the same database) or runs as two replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from incidents.adapters.orm import metadata
from incidents.service_layer import commands, department_actions
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.timers import fire_due_timers
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role
from lianxin.contracts import org
from lianxin.persistence.db import make_engine

from ..conftest import make_uow

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
PLATFORM = Principal("platform", Role.SERVICE)


async def seed(uow: IncidentsUnitOfWork) -> None:
    events = [
        org.CommunityRegistered(
            code="taipingjie", name="太平街社区", street_code="xinglong", district_code="kuancheng"
        ),
        org.GridNodeRegistered(
            code="tpj-g01",
            name="一网格",
            kind="grid",
            community_code="taipingjie",
            path=["tpj-g01"],
        ),
        org.GridNodeRegistered(
            code="tpj-g01-m01",
            name="一号微网格",
            kind="micro_grid",
            community_code="taipingjie",
            parent_code="tpj-g01",
            path=["tpj-g01", "tpj-g01-m01"],
        ),
        org.DepartmentRegistered(code="power_supply", name="供电公司", categories=["power_supply"]),
    ]
    for event in events:
        await apply_org_event(uow, event)


async def whistle(uow: IncidentsUnitOfWork):
    return (await whistled(uow)).assignments[0]


async def whistled(uow: IncidentsUnitOfWork, *codes: str):
    """The transformer, reported and whistled to `codes` (the power company), the first leading."""
    codes = codes or ("power_supply",)
    incident = await commands.report(
        uow,
        PLATFORM,
        micro_grid_code="tpj-g01-m01",
        category="power_supply",
        urgency="utilities",
        description="变压器故障",
        affected_households=288,
        reporter="grid",
        clock=lambda: T0,
    )
    incident = await commands.escalate(
        uow,
        PLATFORM,
        incident.id,
        department_codes=list(codes),
        lead_department_code=codes[0],
        clock=lambda: T0,
    )
    return incident


async def steps(uow: IncidentsUnitOfWork, incident_id) -> list[tuple[str, str]]:
    async with uow:
        incident = await uow.incidents.get(incident_id)
    ladder = ("overdue", "ladder_climbed")
    return [(t.action, t.detail.split("→ ")[-1]) for t in incident.timeline if t.action in ladder]


async def emitted(uow: IncidentsUnitOfWork) -> list[str]:
    outbox = metadata.tables["outbox"]
    async with uow:
        rows = await uow.session.execute(select(outbox.c.subject).order_by(outbox.c.id))
    return [r.subject.split(".")[-1] for r in rows if r.subject.startswith("incidents.assignment")]


async def test_breaches_fire_once_each_and_climb_the_ladder_in_order(uow, database) -> None:
    await seed(uow)
    assignment = await whistle(uow)
    assert assignment.acknowledge_by == T0 + timedelta(minutes=30)
    minutes = lambda m: T0 + timedelta(minutes=m)  # noqa: E731

    assert await fire_due_timers(uow, minutes(29)) == 0
    assert await fire_due_timers(uow, minutes(31)) == 1
    assert await fire_due_timers(uow, minutes(31)) == 0  # once, not again

    # The service restarts: a new engine, a new unit of work, the same database.
    engine = make_engine(database)
    restarted = make_uow(engine)
    assert await fire_due_timers(restarted, minutes(59)) == 0
    assert await fire_due_timers(restarted, minutes(61)) == 1
    assert await fire_due_timers(restarted, minutes(200)) == 1
    assert await fire_due_timers(restarted, minutes(300)) == 0

    async with restarted:
        incident = await restarted.incidents.by_assignment(assignment.id)
    assert await steps(restarted, incident.id) == [
        ("overdue", "community"),
        ("ladder_climbed", "street"),
        ("ladder_climbed", "district_supervision"),
    ]
    # The overdue fact once, and one ladder event per rung.
    assert (await emitted(restarted)).count("overdue") == 1
    assert (await emitted(restarted)).count("ladder_climbed") == 3
    await engine.dispose()


async def test_a_met_deadline_never_fires_and_the_resolve_deadline_still_does(uow) -> None:
    await seed(uow)
    assignment = await whistle(uow)

    await department_actions.take(
        uow, PLATFORM, assignment.id, "acknowledge", "已接单", clock=lambda: T0
    )
    assert await fire_due_timers(uow, T0 + timedelta(hours=23)) == 0
    # Resolve within 24 hours (utilities): missed at 25 hours, the community is told once.
    assert await fire_due_timers(uow, T0 + timedelta(hours=25)) == 1
    async with uow:
        incident = await uow.incidents.by_assignment(assignment.id)
    breaches = incident.assignments[0].breaches
    assert [(b.kind.value, b.rung.label) for b in breaches] == [("resolve", "community")]


async def test_two_replicas_fire_each_step_once(uow, database) -> None:
    await seed(uow)
    assignment = await whistle(uow)
    engines = [make_engine(database) for _ in range(2)]
    replicas = [make_uow(engine) for engine in engines]
    late = T0 + timedelta(hours=3)  # all three acknowledge rungs are due
    taken = await asyncio.gather(*(fire_due_timers(r, late) for r in replicas))
    assert sum(taken) == 3
    async with uow:
        incident = await uow.incidents.by_assignment(assignment.id)
    assert [b.rung.label for b in incident.assignments[0].breaches] == [
        "community",
        "street",
        "district_supervision",
    ]
    for engine in engines:
        await engine.dispose()


async def test_overdue_lists_only_incidents_past_an_open_deadline(uow) -> None:
    await seed(uow)
    late = await whistle(uow)

    async with uow:
        at_20 = await uow.incidents.list(
            None, None, 10, PLATFORM, overdue_at=T0 + timedelta(minutes=20)
        )
        at_40 = await uow.incidents.list(
            None, None, 10, PLATFORM, overdue_at=T0 + timedelta(minutes=40)
        )
    assert at_20 == []
    assert [i.id for i in at_40] == [(await _incident_of(uow, late.id)).id]


async def _incident_of(uow: IncidentsUnitOfWork, assignment_id):
    async with uow:
        return await uow.incidents.by_assignment(assignment_id)
