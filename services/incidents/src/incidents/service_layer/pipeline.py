"""The one way a command reaches an incident.

Load the incident under lock (`FOR UPDATE`) → check the caller's scope (outside it, the incident
does not exist: 404) → the domain call → save → its events through the outbox, in one
transaction and inside the incident's own trace, so one trace shows the whole loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from uuid import UUID

from opentelemetry import trace
from opentelemetry.trace import Link

from incidents.domain.incident import Incident
from incidents.service_layer.published import as_contract
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role
from lianxin.errors import NotFound
from lianxin.telemetry import context_from, current_trace_id, tracer

Clock = Callable[[], datetime]
# The domain call: may await lookups it needs first (routing, the read models).
Command = Callable[[Incident, datetime], object]


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor(principal: Principal) -> str:
    return principal.name or principal.subject


def sees(principal: Principal, incident: Incident) -> bool:
    """Object-level scope: the incident's grid or community, the communities it was shared with,
    or, for a department, an assignment of its own."""
    if principal.role is Role.DEPARTMENT_OPERATOR:
        return any(principal.is_department(a.department_code) for a in incident.assignments)
    if principal.sees_grid_node(incident.grid_path, incident.community_code):
        return True
    return not principal.scope.grid_nodes and any(
        principal.sees_community(code) for code in incident.shared_with
    )


def holds(principal: Principal, incident: Incident, assignment_id: UUID) -> bool:
    """A department acts on its own assignments only; the platform on any."""
    return principal.is_platform or any(
        a.id == assignment_id and principal.is_department(a.department_code)
        for a in incident.assignments
    )


@contextmanager
def in_incident_trace(incident: Incident, name: str) -> Iterator[None]:
    """Run a step inside the incident's trace, linked to whatever span called it, and naming
    the caller's actor (the request's `enduser.id`): the step's span is what the trace shows."""
    calling = trace.get_current_span()
    caller = calling.get_span_context()
    actor = (getattr(calling, "attributes", None) or {}).get("enduser.id")
    parent = context_from({"traceparent": incident.traceparent}) if incident.traceparent else None
    links = [Link(caller)] if caller.is_valid else []
    with tracer.start_as_current_span(name, context=parent, links=links) as span:
        span.set_attribute("lianxin.incident.id", str(incident.id))
        if actor:
            span.set_attribute("enduser.id", actor)
        yield


async def stage(uow: IncidentsUnitOfWork, incident: Incident) -> None:
    """Write the incident and queue its events, carrying the current trace (the incident's)."""
    await uow.incidents.save(incident, current_trace_id())
    for event in incident.events:
        uow.emit(
            as_contract(event), community=incident.community_code, correlation_id=str(incident.id)
        )
    incident.events.clear()


async def act(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    name: str,
    command: Command,
    clock: Clock = utcnow,
    *,
    also_lock: UUID | None = None,
) -> Incident:
    """Run one command on an incident the caller sees. `also_lock`: another incident the command
    changes too (a merged duplicate), locked with it in a fixed order so that two commands on
    the same pair cannot deadlock."""
    async with uow:
        for locked in sorted({incident_id, also_lock or incident_id}):
            await uow.incidents.get(locked, for_update=True)
        incident = await visible(uow, principal, incident_id)
        await _run(uow, incident, f"incident {name}", command, clock)
    return incident


async def visible(uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID) -> Incident:
    """The incident, if the caller sees it: one outside their scope does not exist for them."""
    incident = await uow.incidents.get(incident_id)
    if incident is None or not sees(principal, incident):
        raise NotFound("incident", incident_id)
    return incident


async def act_on_assignment(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    assignment_id: UUID,
    name: str,
    command: Command,
    clock: Clock = utcnow,
    *,
    once: tuple[str, str] | None = None,
) -> Incident | None:
    """Run one command on the incident of an assignment the caller holds. `once`: (consumer,
    event id) marked in the inbox in the same transaction; None when it was applied already."""
    async with uow:
        if once is None:
            incident = await uow.incidents.by_assignment(assignment_id)
        else:  # the inbox mark and the locked load in one round trip
            first_time, incident = await uow.incidents.by_assignment_once(assignment_id, *once)
            if not first_time:
                return None
        if incident is None or not holds(principal, incident, assignment_id):
            raise NotFound("assignment", assignment_id)
        await _run(uow, incident, f"assignment {name}", command, clock)
    return incident


async def _run(
    uow: IncidentsUnitOfWork, incident: Incident, span: str, command: Command, clock: Clock
) -> None:
    with in_incident_trace(incident, span):
        outcome = command(incident, clock())
        if inspect.isawaitable(outcome):
            await outcome
        for changed in uow.incidents.seen.values():
            await stage(uow, changed)
        await uow.commit()
