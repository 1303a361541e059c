"""The incidents HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from incidents.domain.model import Incident
from incidents.service_layer import handlers
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated, require
from lianxin.contracts.incidents import Urgency
from lianxin.problems import NotFound
from lianxin.service import Runtime, runtime

router = APIRouter()


def uow(rt: Runtime = Depends(runtime)) -> IncidentsUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


class IncidentIn(BaseModel):
    micro_grid_code: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    urgency: Urgency
    description: str = Field(min_length=1, max_length=4000)
    affected_households: int = Field(default=0, ge=0, le=1_000_000)
    reporter: str = Field(default="grid", min_length=1, max_length=200)


class EscalationIn(BaseModel):
    department_codes: list[str] = Field(min_length=1, max_length=20)
    lead_department_code: str | None = None
    actor: str = Field(default="community_coordinator", min_length=1, max_length=200)


class AssignmentOut(BaseModel):
    id: UUID
    department_code: str
    lead: bool
    status: str
    dispatched_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    result: str


class TimelineOut(BaseModel):
    at: datetime
    action: str
    actor: str
    detail: str


class IncidentOut(BaseModel):
    id: UUID
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    wartime: bool
    description: str
    affected_households: int
    status: str
    reported_at: datetime
    trace_id: str | None
    assignments: list[AssignmentOut] = []
    timeline: list[TimelineOut] = []


def out(incident: Incident) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        community_code=incident.community_code,
        micro_grid_code=incident.micro_grid_code,
        category=incident.category,
        urgency=incident.urgency,
        wartime=incident.wartime,
        description=incident.description,
        affected_households=incident.affected_households,
        status=incident.status.value,
        reported_at=incident.reported_at,
        trace_id=incident.trace_id,
        assignments=[AssignmentOut(**vars(a)) for a in incident.assignments],
        timeline=[TimelineOut(**vars(t)) for t in incident.timeline],
    )


REPORTERS = (
    Role.GRID_LEADER,
    Role.COMMUNITY_COORDINATOR,
    Role.STREET_COORDINATOR,
    Role.ALLIANCE_ADMIN,
)
COORDINATORS = (Role.COMMUNITY_COORDINATOR, Role.STREET_COORDINATOR, Role.ALLIANCE_ADMIN)


@router.post("/incidents", status_code=status.HTTP_201_CREATED, response_model=IncidentOut)
async def report_incident(
    body: IncidentIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*REPORTERS)),
):
    return out(await handlers.report_incident(uow, principal, **body.model_dump()))


@router.get("/incidents", response_model=list[IncidentOut])
async def list_incidents(
    community_code: str | None = None,
    status: Literal["reported", "escalated", "resolved"] | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
):
    """The incidents the caller may see, newest first."""
    async with uow:
        found = await uow.incidents.list(community_code, status, limit, visible_to=principal)
    return [out(i) for i in found]


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
async def get_incident(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
):
    async with uow:
        incident = await uow.incidents.get(incident_id)
    if incident is None or not handlers.sees(principal, incident):
        raise NotFound("incident", incident_id)
    return out(incident)


@router.post("/incidents/{incident_id}/escalation", response_model=IncidentOut)
async def escalate(
    incident_id: UUID,
    body: EscalationIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*COORDINATORS)),
):
    return out(await handlers.escalate(uow, principal, incident_id, **body.model_dump()))


@router.get("/departments")
async def departments(
    include_retired: bool = False,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[dict]:
    """The departments one may whistle to (incidents' read model of ORG): what each handles,
    where, through which channels, and its targets. A department's operator sees only its own."""
    async with uow:
        found = await uow.org.departments(include_retired)
    return [
        {
            "code": d.code,
            "name": d.name,
            "name_en": d.name_en,
            "categories": list(d.categories),
            "areas": d.areas,
            "channels": d.channels,
            "sla": d.sla,
            "version": d.version,
            "retired_at": d.retired_at,
        }
        for d in found
        if principal.role is not Role.DEPARTMENT_OPERATOR or principal.is_department(d.code)
    ]


@router.get("/grid-nodes")
async def grid_nodes(
    community_code: str | None = None,
    include_retired: bool = False,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[dict]:
    """The grid nodes the caller may report against (incidents' read model of ORG)."""
    async with uow:
        found = await uow.org.grid_nodes(community_code, include_retired)
    return [
        {
            "code": n.code,
            "name": n.name,
            "kind": n.kind,
            "community_code": n.community_code,
            "parent_code": n.parent_code,
            "path": list(n.path),
            "version": n.version,
            "retired_at": n.retired_at,
        }
        for n in found
        if principal.sees_grid_node(n.path, n.community_code)
    ]
