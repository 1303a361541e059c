"""The needs list (需求清单): what residents, merchants and units need, gathered by the grids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(frozen=True)
class NeedOpened:
    need_id: UUID
    community_code: str
    title: str
    source_incident_id: UUID | None


@dataclass
class Need:
    id: UUID
    community_code: str
    title: str
    status: str
    opened_at: datetime
    source_incident_id: UUID | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def from_escalation(
        cls, incident_id: UUID, community_code: str, category: str, description: str, now: datetime
    ) -> Need:
        """A whistle means the community could not meet this need alone: it joins the list."""
        title = f"[{category}] {description}"[:200]
        need = cls(uuid4(), community_code, title, "open", now, incident_id)
        need.events.append(NeedOpened(need.id, community_code, title, incident_id))
        return need
