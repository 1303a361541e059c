"""Emergency mobilisation (应急动员): wartime call-up of an affected grid's volunteers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True)
class MobilisationStarted:
    mobilisation_id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID


@dataclass
class Mobilisation:
    id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID
    status: str
    started_at: datetime
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def start(
        cls, incident_id: UUID, community_code: str, grid_path: list[str], now: datetime
    ) -> Mobilisation:
        """Mobilise the grid (the top of the path) that the emergency's micro-grid sits in."""
        grid_code = grid_path[0]
        mobilisation = cls(uuid4(), community_code, grid_code, incident_id, "active", now)
        mobilisation.events.append(
            MobilisationStarted(mobilisation.id, community_code, grid_code, incident_id)
        )
        return mobilisation
