"""What the grid's people do with incidents: report, triage, handle locally, whistle,
reassign (or reroute a returned part), withdraw and urge one department's part, decide on its
request for more time, verify, follow up, cancel, anonymise, share and merge. Each but the
report (which creates the incident) goes through `pipeline.act`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from incidents.domain import duplicates
from incidents.domain.incident import Incident
from incidents.domain.routing import ServiceLevel
from incidents.service_layer import routing
from incidents.service_layer.pipeline import (
    Clock,
    act,
    actor,
    sees,
    stage,
    utcnow,
    visible,
)
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal
from lianxin.errors import Forbidden, RuleBroken
from lianxin.telemetry import current_trace_headers, tracer


async def report(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    *,
    micro_grid_code: str,
    clock: Clock = utcnow,
    **fields: object,
) -> Incident:
    """A new incident in a micro-grid the caller serves: its trace starts here."""
    async with uow:
        node = await uow.org.grid_node(micro_grid_code)
        if node is None or node.kind != "micro_grid" or node.retired_at is not None:
            raise RuleBroken("micro_grid_code", f"{micro_grid_code} is not a known micro-grid")
        if not principal.sees_grid_node(node.path, node.community_code):
            raise Forbidden(f"{micro_grid_code} is outside your grids")
        incident = Incident.report(
            grid_households=await uow.org.households_under(node.path[0]),
            buildings=await uow.org.buildings_of(node),
            community_code=node.community_code,
            micro_grid_code=node.code,
            grid_path=list(node.path),
            now=clock(),
            **fields,  # type: ignore[arg-type]
        )
        # Its number is taken in the commit's one statement, with the incident's rows: with
        # its reads remembered, a report is that one statement (no BEGIN, no COMMIT).
        uow.tickets.number_at_commit(incident)
        with tracer.start_as_current_span("incident report"):
            incident.traceparent = current_trace_headers().get("traceparent")
            await stage(uow, incident)
            await uow.commit()
        incident.ticket_no = uow.tickets.taken(incident)
    return incident


# The grid's commands that need only the incident and the caller's input: the domain method
# each runs, called with the input's fields by name, the actor and the time. The steps on one
# department's part (withdraw, urge, decide on more time) take its `assignment_id` as input.
ON_THE_INCIDENT = {
    "triage": Incident.triage,
    "resolve_locally": Incident.resolve_locally,
    "verify": Incident.verify,
    "follow_up": Incident.follow_up,
    "cancel": Incident.cancel,
    "anonymise": Incident.anonymise,
    "withdraw": Incident.withdraw,
    "urge": Incident.urge,
    "decide_extension": Incident.decide_extension,
}


async def run(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    name: str,
    clock: Clock = utcnow,
    **inputs: object,
) -> Incident:
    """One of `ON_THE_INCIDENT`, e.g. `run(uow, p, id, "cancel", reason="…")`."""
    step = ON_THE_INCIDENT[name]

    def command(incident: Incident, now: datetime) -> None:
        step(incident, **inputs, actor=actor(principal), now=now)  # type: ignore[operator]

    return await act(uow, principal, incident_id, name, command, clock)


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

    async def command(incident: Incident, now: datetime) -> None:
        levels = await _service_levels(uow, incident, department_codes)
        lead = lead_department_code or (department_codes[0] if department_codes else "")
        incident.escalate(department_codes, lead, actor(principal), now, service_levels=levels)

    return await act(uow, principal, incident_id, "escalate", command, clock)


async def reassign(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    assignment_id: UUID,
    department_code: str,
    reason: str = "",
    clock: Clock = utcnow,
) -> Incident:
    """Give one department's part to another (改派), whether it holds it or returned it."""

    async def command(incident: Incident, now: datetime) -> None:
        if not await uow.org.known_departments([department_code]):
            raise RuleBroken("department_code", f"unknown department: {department_code}")
        [level] = (await _service_levels(uow, incident, [department_code])).values()
        incident.reassign(
            assignment_id, department_code, reason, actor(principal), now, service_level=level
        )

    return await act(uow, principal, incident_id, "reassign", command, clock)


async def _service_levels(
    uow: IncidentsUnitOfWork, incident: Incident, codes: list[str]
) -> dict[str, ServiceLevel]:
    """The level each department would be held to; they must be known and not retired."""
    unknown = sorted(set(codes) - await uow.org.known_departments(codes))
    if unknown:
        raise RuleBroken("department_codes", f"unknown departments: {', '.join(unknown)}")
    return await routing.service_levels(uow, incident, codes)


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

    async def command(incident: Incident, now: datetime) -> None:
        partners = {row.code for row in await uow.org.alliance_partners(incident.community_code)}
        strangers = sorted(set(community_codes) - partners - {incident.community_code})
        if strangers:
            raise RuleBroken(
                "community_codes",
                f"not in an alliance with {incident.community_code}: {', '.join(strangers)}",
            )
        incident.share_with_alliance(community_codes, reason, actor(principal), now)

    return await act(uow, principal, incident_id, "share", command, clock)


async def merge(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    duplicate_id: UUID,
    clock: Clock = utcnow,
) -> Incident:
    """Take a duplicate report into this incident: both change in one transaction."""

    async def command(incident: Incident, now: datetime) -> None:
        duplicate = await uow.incidents.get(duplicate_id, for_update=True)
        if duplicate is None or not sees(principal, duplicate):
            raise RuleBroken("duplicate_id", f"no incident {duplicate_id} that you may see")
        incident.merge(duplicate, actor(principal), now)

    return await act(uow, principal, incident_id, "merge", command, clock, also_lock=duplicate_id)


async def possible_duplicates(
    uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID
) -> list[Incident]:
    """Earlier open reports of the same category in the same micro-grid, within the window."""
    async with uow:
        incident = await visible(uow, principal, incident_id)
        since = incident.reported_at - duplicates.DEFAULT_WINDOW
        recent = await uow.incidents.recent_in_community(
            incident.community_code, incident.category, since
        )
    found = duplicates.candidates(incident, recent)
    return [i for i in found if sees(principal, i)]
