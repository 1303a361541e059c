"""What a department's system does over REST (the webhook channel's way back): sign for, return,
start and resolve its own assignments, with a department-scoped token."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from incidents.domain.model import Incident
from incidents.entrypoints.api import NoteIn, ReasonIn, uow
from incidents.entrypoints.schemas import IncidentOut, out
from incidents.service_layer import handlers
from incidents.service_layer.handlers import utcnow
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, require

router = APIRouter()
department = require(Role.DEPARTMENT_OPERATOR)


class ResolutionIn(BaseModel):
    result: str = Field(min_length=1, max_length=4000)


async def _act(uow, principal, assignment_id: UUID, name: str, command) -> IncidentOut:
    incident = await handlers.department_command(uow, principal, assignment_id, name, command)
    return out(incident, principal, utcnow())


@router.post("/assignments/{assignment_id}/acknowledgement", response_model=IncidentOut)
async def acknowledge(
    assignment_id: UUID,
    body: NoteIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(department),
):
    """Sign for the whistle (接单)."""

    def command(incident: Incident, code: str, now: datetime) -> None:
        incident.acknowledge(assignment_id, code, body.note, now)

    return await _act(uow, principal, assignment_id, "acknowledge", command)


@router.post("/assignments/{assignment_id}/return", response_model=IncidentOut)
async def return_assignment(
    assignment_id: UUID,
    body: ReasonIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(department),
):
    """Send it back, not signed for: not this department's matter, and why (退单)."""

    def command(incident: Incident, code: str, now: datetime) -> None:
        incident.return_assignment(assignment_id, code, body.reason, now)

    return await _act(uow, principal, assignment_id, "return", command)


@router.post("/assignments/{assignment_id}/start", response_model=IncidentOut)
async def start(
    assignment_id: UUID,
    body: NoteIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(department),
):
    def command(incident: Incident, code: str, now: datetime) -> None:
        incident.start(assignment_id, code, body.note, now)

    return await _act(uow, principal, assignment_id, "start", command)


@router.post("/assignments/{assignment_id}/resolution", response_model=IncidentOut)
async def resolve(
    assignment_id: UUID,
    body: ResolutionIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(department),
):
    """Report the result (反馈)."""

    def command(incident: Incident, code: str, now: datetime) -> None:
        incident.resolve_assignment(assignment_id, code, body.result, now)

    return await _act(uow, principal, assignment_id, "resolve", command)
