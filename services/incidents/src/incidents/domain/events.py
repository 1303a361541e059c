"""What happens to an incident, as plain facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class IncidentReported:
    incident_id: UUID
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int


@dataclass(frozen=True)
class IncidentEscalated:
    incident_id: UUID
    community_code: str
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    wartime: bool
    description: str
    affected_households: int
    department_codes: list[str]


@dataclass(frozen=True)
class AssignmentDispatched:
    assignment_id: UUID
    incident_id: UUID
    department_code: str
    lead: bool
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int
    dispatched_at: datetime


@dataclass(frozen=True)
class IncidentResolved:
    incident_id: UUID
    community_code: str
