"""Events of the incidents context (stream INCIDENTS) and the whistles it sends (DISPATCH)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData

# Beijing 12345 practice: emergencies 2 h, water/power/gas/heating 24 h, general 7 d, complex 15 d.
Urgency = Literal["emergency", "utilities", "general", "complex"]


class IncidentReported(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.incidents.incident.reported.v1"
    SUBJECT: ClassVar[str] = "incidents.incident.reported"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str
    micro_grid_code: str
    category: str
    urgency: Urgency
    description: str
    affected_households: int = Field(ge=0)


class IncidentEscalated(EventData):
    """The whistle blew: what resources (a community need) and volunteers (wartime) act on."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.incident.escalated.v1"
    SUBJECT: ClassVar[str] = "incidents.incident.escalated"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str
    micro_grid_code: str
    # The micro-grid's ancestors from the community root down, so a grid can be mobilised.
    grid_path: list[str]
    category: str
    urgency: Urgency
    wartime: bool
    description: str
    affected_households: int = Field(ge=0)
    department_codes: list[str] = Field(min_length=1)


class IncidentResolved(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.incidents.incident.resolved.v1"
    SUBJECT: ClassVar[str] = "incidents.incident.resolved"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str


class AssignmentDispatched(EventData):
    """The whistle as one department receives it, on `dispatch.<department_code>.…`."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.dispatched.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_dispatched"
    AGGREGATE_ID: ClassVar[str] = "assignment_id"

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    lead: bool
    community_code: str
    micro_grid_code: str
    category: str
    urgency: Urgency
    description: str
    affected_households: int = Field(ge=0)
    dispatched_at: datetime
