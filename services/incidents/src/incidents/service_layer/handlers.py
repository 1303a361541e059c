"""Commands on incidents, and what incidents does with the events it consumes.

Each command is one transaction: the incident's new state, its timeline lines and the events it
causes (through the outbox) commit together or not at all. Every step after the report runs inside
the incident's own trace, so one trace shows the whole whistle-and-report loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from uuid import UUID

from opentelemetry import trace
from opentelemetry.trace import Link

from incidents.domain import events
from incidents.domain.model import Incident, RuleBroken
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Forbidden, Principal, Role
from lianxin.contracts import CloudEvent, EventData, org
from lianxin.contracts import departments as reports
from lianxin.contracts import incidents as contracts
from lianxin.messaging.subscriber import Rejected
from lianxin.problems import Conflict, Invalid, NotFound
from lianxin.telemetry import context_from, current_trace_headers, current_trace_id, tracer

Clock = Callable[[], datetime]

CONTRACTS: dict[type, type[EventData]] = {
    events.IncidentReported: contracts.IncidentReported,
    events.IncidentEscalated: contracts.IncidentEscalated,
    events.AssignmentDispatched: contracts.AssignmentDispatched,
    events.IncidentResolved: contracts.IncidentResolved,
}


def sees(principal: Principal, incident: Incident) -> bool:
    """Object-level scope: the incident's grid or community, or an assignment of one's own."""
    if principal.role is Role.DEPARTMENT_OPERATOR:
        return any(principal.is_department(a.department_code) for a in incident.assignments)
    return principal.sees_grid_node(incident.grid_path, incident.community_code)


def utcnow() -> datetime:
    return datetime.now(UTC)


@contextmanager
def in_incident_trace(incident: Incident, name: str) -> Iterator[None]:
    """Run a step inside the incident's trace, linked to whatever span called it."""
    caller = trace.get_current_span().get_span_context()
    parent = context_from({"traceparent": incident.traceparent}) if incident.traceparent else None
    links = [Link(caller)] if caller.is_valid else []
    with tracer.start_as_current_span(name, context=parent, links=links) as span:
        span.set_attribute("lianxin.incident.id", str(incident.id))
        yield


async def _save(uow: IncidentsUnitOfWork, incident: Incident) -> None:
    await uow.incidents.save(incident, current_trace_id())
    for event in incident.events:
        await uow.emit(
            CONTRACTS[type(event)](**asdict(event)),
            community=incident.community_code,
            correlation_id=str(incident.id),
        )
    incident.events.clear()
    await uow.commit()


async def report_incident(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    *,
    micro_grid_code: str,
    category: str,
    urgency: str,
    description: str,
    affected_households: int,
    reporter: str,
    clock: Clock = utcnow,
) -> Incident:
    async with uow:
        node = await uow.org.grid_node(micro_grid_code)
        if node is None or node.kind != "micro_grid" or node.retired_at is not None:
            raise Invalid("micro_grid_code", f"{micro_grid_code} is not a known micro-grid")
        if not principal.sees_grid_node(node.path, node.community_code):
            raise Forbidden(f"{micro_grid_code} is outside your grids")
        try:
            incident = Incident.report(
                community_code=node.community_code,
                micro_grid_code=node.code,
                grid_path=list(node.path),
                category=category,
                urgency=urgency,
                description=description,
                affected_households=affected_households,
                reporter=reporter,
                now=clock(),
            )
        except RuleBroken as broken:
            raise Invalid(broken.field, str(broken)) from broken
        with tracer.start_as_current_span("incident report"):
            incident.traceparent = current_trace_headers().get("traceparent")
            await _save(uow, incident)
    return incident


async def escalate(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    *,
    department_codes: list[str],
    lead_department_code: str | None,
    actor: str,
    clock: Clock = utcnow,
) -> Incident:
    async with uow:
        incident = await uow.incidents.get(incident_id, for_update=True)
        if incident is None or not sees(principal, incident):
            raise NotFound("incident", incident_id)
        unknown = sorted(set(department_codes) - await uow.org.known_departments(department_codes))
        if unknown:
            raise Invalid("department_codes", f"unknown departments: {', '.join(unknown)}")
        with in_incident_trace(incident, "incident escalate"):
            try:
                lead = lead_department_code or (department_codes[0] if department_codes else "")
                incident.escalate(department_codes, lead, actor, clock())
            except RuleBroken as broken:
                if broken.field == "status":
                    raise Conflict(str(broken)) from broken
                raise Invalid(broken.field, str(broken)) from broken
            await _save(uow, incident)
    return incident


async def apply_department_report(
    uow: IncidentsUnitOfWork,
    event: CloudEvent,
    data: EventData,
    subject: str,
    consumer: str,
    clock: Clock = utcnow,
) -> None:
    """A department reported in over NATS: acknowledged or resolved, applied once."""
    if not isinstance(data, reports.AssignmentAcknowledged | reports.AssignmentResolved):
        raise Rejected(f"{event.type} is not a department report")
    if subject.split(".")[1] != data.department_code:
        raise Rejected(f"{subject} carries department {data.department_code}'s report")
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return
        incident = await uow.incidents.by_assignment(data.assignment_id)
        if incident is None:
            raise Rejected(f"no assignment {data.assignment_id}")
        try:
            if isinstance(data, reports.AssignmentAcknowledged):
                incident.acknowledge(data.assignment_id, data.department_code, data.note, clock())
            else:
                incident.resolve_assignment(
                    data.assignment_id, data.department_code, data.result, clock()
                )
        except RuleBroken as broken:
            raise Rejected(str(broken)) from broken
        await _save(uow, incident)


# The ORG aggregates incidents keeps a read model of.
READ_MODELS = {
    org.CommunityState: "community",
    org.DepartmentState: "department",
    org.GridNodeState: "grid_node",
}


async def apply_org_event(uow: IncidentsUnitOfWork, data: EventData) -> str | None:
    """Keep the read models of communities, departments and grid nodes, from ORG events alone.

    Registered, updated (a moved node's subtree arrives as one update per node, each with its new
    path) and retired all carry the aggregate's whole state: one upsert, newer versions only.
    Returns a newly registered department's code. Other ORG events are not incidents' concern.
    """
    aggregate = next((a for state, a in READ_MODELS.items() if isinstance(data, state)), None)
    if aggregate is None:
        return None
    async with uow:
        await uow.org.apply(aggregate, data.model_dump())
        await uow.commit()
    return data.code if isinstance(data, org.DepartmentRegistered) else None
