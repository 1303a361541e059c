"""Commands on incidents, and what incidents does with the events it consumes.

Each command is one transaction: the incident's new state, its timeline lines, its timer rows
and the events it causes (through the outbox) commit together or not at all. Every step after
the report runs inside the incident's own trace, so one trace shows the whole loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

from opentelemetry import trace
from opentelemetry.trace import Link

from incidents.domain import duplicates, events
from incidents.domain.model import Incident
from incidents.service_layer import routing
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role
from lianxin.contracts import CloudEvent, EventData, org
from lianxin.contracts import departments as reports
from lianxin.contracts import incidents as contracts
from lianxin.errors import Conflict, Forbidden, NotFound, RuleBroken
from lianxin.messaging.subscriber import Rejected
from lianxin.telemetry import context_from, current_trace_headers, current_trace_id, tracer

Clock = Callable[[], datetime]
Command = Callable[[Incident, datetime], object]

# Each domain event, and the contract it travels as (same name, same fields).
CONTRACTS: dict[type, type[EventData]] = {
    getattr(events, name): getattr(contracts, name)
    for name in vars(events)
    if isinstance(getattr(events, name), type) and hasattr(contracts, name)
}


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


@contextmanager
def domain_rules() -> Iterator[None]:
    """The domain's no, as HTTP says it: a state conflict (409) or a bad field (422)."""
    try:
        yield
    except RuleBroken as broken:
        if broken.field == "status":
            raise Conflict(str(broken)) from broken
        raise RuleBroken(broken.field, str(broken)) from broken


async def _stage(uow: IncidentsUnitOfWork, incident: Incident) -> None:
    """Write the incident and queue its events, carrying the current trace (the incident's)."""
    await uow.incidents.save(incident, current_trace_id())
    for event in incident.events:
        uow.emit(
            CONTRACTS[type(event)](**asdict(event)),
            community=incident.community_code,
            correlation_id=str(incident.id),
        )
    incident.events.clear()


async def _save(uow: IncidentsUnitOfWork, *changed: Incident) -> None:
    for incident in changed:
        await _stage(uow, incident)
    await uow.commit()


async def _visible_incident(
    uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID
) -> Incident:
    incident = await uow.incidents.get(incident_id, for_update=True)
    if incident is None or not sees(principal, incident):
        raise NotFound("incident", incident_id)
    return incident


async def act(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    name: str,
    command: Command,
    clock: Clock = utcnow,
) -> Incident:
    """Run one command on a visible incident inside its trace, and save what it caused."""
    async with uow:
        incident = await _visible_incident(uow, principal, incident_id)
        with in_incident_trace(incident, f"incident {name}"):
            with domain_rules():
                command(incident, clock())
            await _save(uow, incident)
    return incident


def actor(principal: Principal) -> str:
    return principal.name or principal.subject


async def report_incident(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    *,
    micro_grid_code: str,
    clock: Clock = utcnow,
    **report: object,
) -> Incident:
    async with uow:
        node = await uow.org.grid_node(micro_grid_code)
        if node is None or node.kind != "micro_grid" or node.retired_at is not None:
            raise RuleBroken("micro_grid_code", f"{micro_grid_code} is not a known micro-grid")
        if not principal.sees_grid_node(node.path, node.community_code):
            raise Forbidden(f"{micro_grid_code} is outside your grids")
        with domain_rules():
            incident = Incident.report(
                community_code=node.community_code,
                micro_grid_code=node.code,
                grid_path=list(node.path),
                now=clock(),
                **report,  # type: ignore[arg-type]
            )
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
    clock: Clock = utcnow,
) -> Incident:
    """Whistle to the departments, each with the service level the rules give it."""
    async with uow:
        incident = await _visible_incident(uow, principal, incident_id)
        await _check_departments(uow, department_codes)
        levels = await routing.service_levels(uow, incident, department_codes)
        with in_incident_trace(incident, "incident escalate"):
            with domain_rules():
                lead = lead_department_code or (department_codes[0] if department_codes else "")
                incident.escalate(
                    department_codes, lead, actor(principal), clock(), service_levels=levels
                )
            await _save(uow, incident)
    return incident


async def reroute(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    assignment_id: UUID,
    department_code: str,
    clock: Clock = utcnow,
) -> Incident:
    """Send a returned assignment to another department."""
    async with uow:
        incident = await _visible_incident(uow, principal, incident_id)
        await _check_departments(uow, [department_code])
        levels = await routing.service_levels(uow, incident, [department_code])
        with in_incident_trace(incident, "incident reroute"):
            with domain_rules():
                incident.reroute(
                    assignment_id,
                    department_code,
                    actor(principal),
                    clock(),
                    service_level=levels[department_code],
                )
            await _save(uow, incident)
    return incident


async def _check_departments(uow: IncidentsUnitOfWork, codes: list[str]) -> None:
    unknown = sorted(set(codes) - await uow.org.known_departments(codes))
    if unknown:
        raise RuleBroken("department_codes", f"unknown departments: {', '.join(unknown)}")


async def share_with_alliance(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    community_codes: list[str],
    reason: str,
    clock: Clock = utcnow,
) -> Incident:
    """Raise an incident to the alliance: only communities that share an alliance with its own
    may be named, so a typo cannot hand it to no one (or to a stranger)."""
    async with uow:
        incident = await _visible_incident(uow, principal, incident_id)
        partners = {row.code for row in await uow.org.alliance_partners(incident.community_code)}
        strangers = sorted(set(community_codes) - partners - {incident.community_code})
        if strangers:
            raise RuleBroken(
                "community_codes",
                f"not in an alliance with {incident.community_code}: {', '.join(strangers)}",
            )
        with in_incident_trace(incident, "incident share"):
            with domain_rules():
                incident.share_with_alliance(community_codes, reason, actor(principal), clock())
            await _save(uow, incident)
    return incident


async def merge(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    duplicate_id: UUID,
    clock: Clock = utcnow,
) -> Incident:
    """Take a duplicate report into this incident: both change in one transaction."""
    async with uow:
        # Lock in a fixed order, so two merges of the same pair cannot deadlock.
        first, second = sorted([incident_id, duplicate_id])
        locked = {
            i.id: i for i in [await uow.incidents.get(first, for_update=True)] if i is not None
        }
        if second != first:
            found = await uow.incidents.get(second, for_update=True)
            if found is not None:
                locked[found.id] = found
        incident, duplicate = locked.get(incident_id), locked.get(duplicate_id)
        if incident is None or not sees(principal, incident):
            raise NotFound("incident", incident_id)
        if duplicate is None or not sees(principal, duplicate):
            raise RuleBroken("duplicate_id", f"no incident {duplicate_id} that you may see")
        with in_incident_trace(incident, "incident merge"):
            with domain_rules():
                incident.merge(duplicate, actor(principal), clock())
            await _save(uow, incident, duplicate)
    return incident


async def possible_duplicates(
    uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID
) -> list[Incident]:
    """Earlier open reports of the same category in the same micro-grid, within the window."""
    async with uow:
        incident = await _visible_incident(uow, principal, incident_id)
        since = incident.reported_at - duplicates.DEFAULT_WINDOW
        recent = await uow.incidents.recent_in_community(
            incident.community_code, incident.category, since
        )
    found = duplicates.candidates(incident, recent)
    return [i for i in found if sees(principal, i)]


async def department_command(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    assignment_id: UUID,
    name: str,
    command: Callable[[Incident, str, datetime], object],
    clock: Clock = utcnow,
) -> Incident:
    """A department acts on its own assignment over REST (webhook and Open311 channels)."""
    async with uow:
        incident = await uow.incidents.by_assignment(assignment_id)
        own = incident is not None and any(
            a.id == assignment_id and principal.is_department(a.department_code)
            for a in incident.assignments
        )
        if incident is None or not (own or principal.is_platform):
            raise NotFound("assignment", assignment_id)
        department = next(a for a in incident.assignments if a.id == assignment_id)
        with in_incident_trace(incident, f"assignment {name}"):
            with domain_rules():
                command(incident, department.department_code, clock())
            await _save(uow, incident)
    return incident


# What a department's report over NATS does to its assignment.
REPORTS: dict[type[EventData], Callable[[Incident, EventData, datetime], object]] = {
    reports.AssignmentAcknowledged: lambda i, d, now: i.acknowledge(
        d.assignment_id, d.department_code, d.note, now
    ),
    reports.AssignmentReturned: lambda i, d, now: i.return_assignment(
        d.assignment_id, d.department_code, d.reason, now
    ),
    reports.AssignmentStarted: lambda i, d, now: i.start(
        d.assignment_id, d.department_code, d.note, now
    ),
    reports.AssignmentResolved: lambda i, d, now: i.resolve_assignment(
        d.assignment_id, d.department_code, d.result, now
    ),
}


async def apply_department_report(
    uow: IncidentsUnitOfWork,
    event: CloudEvent,
    data: EventData,
    subject: str,
    consumer: str,
    clock: Clock = utcnow,
) -> None:
    """A department reported in over NATS: signed for, returned, started or resolved, once."""
    apply = REPORTS.get(type(data))
    if apply is None:
        raise Rejected(f"{event.type} is not a department report")
    if subject.split(".")[1] != data.department_code:  # type: ignore[attr-defined]
        raise Rejected(f"{subject} carries department {data.department_code}'s report")  # type: ignore[attr-defined]
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return
        incident = await uow.incidents.by_assignment(data.assignment_id)  # type: ignore[attr-defined]
        if incident is None:
            raise Rejected(f"no assignment {data.assignment_id}")  # type: ignore[attr-defined]
        with in_incident_trace(incident, f"report {type(data).__name__}"):
            try:
                apply(incident, data, clock())
            except RuleBroken as broken:
                raise Rejected(str(broken)) from broken
            await _save(uow, incident)


async def fire_due_timers(uow: IncidentsUnitOfWork, now: datetime, limit: int = 50) -> int:
    """Claim the due deadline timers (SKIP LOCKED: each fires on one replica, once) and let each
    incident take the ladder steps due. Returns how many steps were taken."""
    taken = 0
    async with uow:
        claimed = await uow.incidents.claim_due_timers(now, limit)
        touched: dict[UUID, Incident] = {}
        for timer in claimed:
            incident = touched.get(timer.incident_id) or await uow.incidents.get(
                timer.incident_id, for_update=True
            )
            if incident is None:
                continue
            touched[incident.id] = incident
            with in_incident_trace(incident, "deadline fired"):
                taken += incident.on_timer(timer.assignment_id, timer.kind, now)
                await _stage(uow, incident)
        await uow.commit()
    return taken


async def next_timer_in(uow: IncidentsUnitOfWork, now: datetime) -> timedelta | None:
    async with uow:
        due = await uow.incidents.next_timer_due()
    return None if due is None else max(due - now, timedelta(0))


# The ORG aggregates incidents keeps a read model of.
READ_MODELS = {
    org.AllianceState: "alliance",
    org.CommunityState: "community",
    org.DepartmentState: "department",
    org.GridNodeState: "grid_node",
}


async def apply_org_event(uow: IncidentsUnitOfWork, data: EventData) -> str | None:
    """Keep the read models of alliances, communities, departments and grid nodes, from ORG
    events alone.

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
