"""The missing steps of the loop on real PostgreSQL: what a withdrawal, a request for more time
and the resident's link leave in the database, and the migration that makes room for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incidents.adapters.orm import metadata, timers
from incidents.domain.rating_links import LIFETIME, link_key
from incidents.service_layer import commands, department_actions, resident_rating
from incidents.service_layer.read_models import apply_org_event
from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import org
from lianxin.errors import Conflict, NotFound
from lianxin.testing.migrations import migrate, schema_drift, sql

from .test_deadline_timers import T0, seed, whistled

KEY = link_key("test-secret")
COORDINATOR = Principal(
    "coordinator-1", Role.COMMUNITY_COORDINATOR, Scope(communities={"taipingjie"})
)


async def _whistled(uow, *codes: str):
    await seed(uow)
    await apply_org_event(
        uow, org.DepartmentRegistered(code="property", name="物业", categories=["property"])
    )
    return await whistled(uow, *codes)


def _department(code: str) -> Principal:
    return Principal(f"department:{code}", Role.DEPARTMENT_OPERATOR, Scope(department=code))


async def test_more_time_granted_is_stored_and_the_timers_follow_the_new_deadline(uow) -> None:
    incident = await _whistled(uow, "power_supply")
    [part] = incident.assignments
    power = _department("power_supply")
    await department_actions.take(uow, power, part.id, "acknowledge", "", lambda: T0)
    later = part.resolve_by + timedelta(days=2)
    await department_actions.take(
        uow,
        power,
        part.id,
        "request_extension",
        "等待配件",
        lambda: T0 + timedelta(hours=1),
        resolve_by=later,
    )
    await commands.run(
        uow,
        COORDINATOR,
        incident.id,
        "decide_extension",
        clock=lambda: T0 + timedelta(hours=2),
        assignment_id=part.id,
        granted=True,
        note="同意",
    )
    async with uow:
        stored = await uow.incidents.get(incident.id)
        due = {row.due_at for row in await uow.session.execute(select(timers))}
    [again] = stored.assignments
    assert again.resolve_by == later and again.extensions_granted == 1
    assert again.extensions[0].reason == "等待配件" and again.extensions[0].decided_by
    assert later in due  # the ladder now waits for the new deadline
    assert [t.action for t in stored.timeline][-2:] == ["extension_requested", "extension_granted"]


async def test_withdrawing_the_idle_co_handler_closes_the_stuck_incident(uow) -> None:
    incident = await _whistled(uow, "power_supply", "property")
    lead, co = incident.assignments
    await department_actions.take(
        uow, _department("power_supply"), lead.id, "report_result", "换了变压器", lambda: T0
    )
    incident = await commands.run(
        uow,
        COORDINATOR,
        incident.id,
        "withdraw",
        clock=lambda: T0,
        assignment_id=co.id,
        reason="物业无人响应",
    )
    async with uow:
        stored = await uow.incidents.get(incident.id)
    assert stored.status == "resolved"
    assert [a.status for a in stored.assignments] == ["resolved", "withdrawn"]


async def test_the_residents_link_rates_once_and_not_after_it_expires(uow) -> None:
    incident = await _whistled(uow, "power_supply")
    [part] = incident.assignments
    await department_actions.take(
        uow, _department("power_supply"), part.id, "report_result", "已恢复供电", lambda: T0
    )
    token, expires_at = await resident_rating.link_of(uow, COORDINATOR, KEY, incident.id)
    assert expires_at == T0 + LIFETIME
    # Before it is used: the page shows what was done; after expiry, it is refused.
    view = await resident_rating.what_was_done(uow, KEY, token, lambda: T0)
    assert view.results == ["已恢复供电"] and view.closed_because is None
    with pytest.raises(Conflict):
        await resident_rating.rate(
            uow, KEY, token, "satisfied", "", lambda: expires_at + timedelta(seconds=1)
        )
    late = await resident_rating.what_was_done(uow, KEY, token, lambda: expires_at + timedelta(1))
    assert late.closed_because == "expired"

    rated = await resident_rating.rate(uow, KEY, token, "satisfied", "很快", lambda: T0)
    assert rated.status == "closed" and rated.feedback[-1].actor == "resident"
    with pytest.raises(Conflict, match="used"):
        await resident_rating.rate(uow, KEY, token, "unsatisfied", "再评", lambda: T0)
    used = await resident_rating.what_was_done(uow, KEY, token, lambda: T0)
    assert used.closed_because == "used"
    with pytest.raises(NotFound):
        await resident_rating.what_was_done(uow, link_key("another"), token, lambda: T0)


async def test_the_migration_builds_what_the_code_declares_and_goes_back_down(
    database: str,
) -> None:
    await migrate("incidents", database, "head")
    mine = ("rating_link_uses", "extensions")
    assert [
        c for c in await schema_drift(database, metadata) if any(m in str(c) for m in mine)
    ] == []
    await migrate("incidents", database, "0006", down=True)
    tables = await sql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert "rating_link_uses" not in {r["tablename"] for r in tables}
    columns = await sql(
        database,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'assignments'",
    )
    assert "extensions" not in {r["column_name"] for r in columns}
