"""The needs list (需求清单): what residents, merchants and units need, gathered by the grids.

    open ──match──▶ matched ──take_into_project──▶ in_project ──meet──▶ met        (final)
    open ──take_into_project──▶ in_project
    matched ──match──▶ matched                          the suggestion changed
    matched ──meet──▶ met                               a unit met it directly, no project needed
    open|matched ──decline(reason)──▶ declined          (final)

A need from an incident is recorded by a command (`Need.record(source=INCIDENT, ...)`), when the
community judges it cannot meet it alone; an escalation alone never makes one.

Every command checks everything before it changes anything: a refusal leaves the need as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from resources.domain import events
from resources.domain.common import Aggregate, choice, require_aware, require_text


class NeedSource(StrEnum):
    RESIDENT = "resident"
    MERCHANT = "merchant"
    UNIT = "unit"
    INCIDENT = "incident"


class NeedStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    IN_PROJECT = "in_project"
    MET = "met"
    DECLINED = "declined"


class Urgency(StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


# Still waiting for the meeting: what the agenda and matching look at.
UNDECIDED = frozenset({NeedStatus.OPEN, NeedStatus.MATCHED})
FINAL = frozenset({NeedStatus.MET, NeedStatus.DECLINED})


@dataclass(kw_only=True)
class Need(Aggregate):
    id: UUID
    community_code: str
    grid_node_code: str
    category: str
    title: str
    description: str
    # Who is affected ("elderly residents of buildings 3–5") and how many people.
    affected: str
    affected_count: int
    urgency: Urgency
    source: NeedSource
    source_incident_id: UUID | None
    recorded_by: str
    recorded_at: datetime
    # When it is needed, if it is for a date: matching checks availability then.
    needed_at: datetime | None = None
    skills: tuple[str, ...] = ()
    # What it came out of, when not an incident: a bench meeting's item, a care visit's note.
    origin_ref: str = ""
    status: NeedStatus = NeedStatus.OPEN
    matched_offer_ids: tuple[UUID, ...] = ()
    project_id: UUID | None = None
    outcome: str = ""
    closed_at: datetime | None = None

    @classmethod
    def record(
        cls,
        *,
        community_code: str,
        grid_node_code: str,
        category: str,
        title: str,
        affected: str,
        affected_count: int,
        urgency: str,
        source: str,
        recorded_by: str,
        now: datetime,
        description: str = "",
        source_incident_id: UUID | None = None,
        needed_at: datetime | None = None,
        skills: Iterable[str] = (),
        origin_ref: str = "",
        need_id: UUID | None = None,
    ) -> Need:
        kind = choice(NeedSource, source, "source")
        if kind is NeedSource.INCIDENT:
            require(source_incident_id, "source_incident_id", "a need from an incident names it")
        else:
            require(
                source_incident_id is None,
                "source_incident_id",
                "only a need from an incident names one",
            )
        require(
            isinstance(affected_count, int) and 1 <= affected_count <= 1_000_000,
            "affected_count",
            "affected_count must be a number of people from 1",
        )
        if needed_at is not None:
            require_aware(needed_at, "needed_at")
        need = cls(
            id=need_id or uuid4(),
            community_code=require_text(community_code, "community_code", 64),
            grid_node_code=require_text(grid_node_code, "grid_node_code", 64),
            category=require_text(category, "category", 64),
            title=require_text(title, "title", 200),
            description=description.strip(),
            affected=require_text(affected, "affected", 200),
            affected_count=affected_count,
            urgency=choice(Urgency, urgency, "urgency"),
            source=kind,
            source_incident_id=source_incident_id,
            recorded_by=require_text(recorded_by, "recorded_by", 64),
            recorded_at=require_aware(now, "now"),
            needed_at=needed_at,
            skills=tuple(sorted({require_text(s, "skills", 64) for s in skills})),
            origin_ref=origin_ref.strip()[:200],
        )
        need.events.append(
            events.NeedRecorded(
                need.id,
                need.community_code,
                need.grid_node_code,
                need.category,
                need.title,
                need.affected,
                need.affected_count,
                need.urgency.value,
                need.source.value,
                need.source_incident_id,
                need.origin_ref,
                now,
            )
        )
        return need

    @property
    def undecided(self) -> bool:
        return self.status in UNDECIDED

    def _expect(self, allowed: Iterable[NeedStatus], action: str) -> None:
        if self.status not in allowed:
            raise Conflict(f"need {self.id} is {self.status.value}: it cannot be {action}")

    def match(self, offer_ids: Iterable[UUID], now: datetime) -> None:
        """The resources the secretary proposes for the meeting (a suggestion, not a decision)."""
        offers = tuple(dict.fromkeys(offer_ids))
        require(offers, "resource_offer_ids", "match a need to at least one resource offer")
        self._expect(UNDECIDED, "matched")
        self.status = NeedStatus.MATCHED
        self.matched_offer_ids = offers
        self.events.append(events.NeedMatched(self.id, self.community_code, offers, now))

    def take_into_project(self, project_id: UUID, now: datetime) -> None:
        if self.status is NeedStatus.IN_PROJECT and self.project_id == project_id:
            return  # the meeting's decision arriving twice changes nothing
        self._expect(UNDECIDED, "taken into a project")
        self.status = NeedStatus.IN_PROJECT
        self.project_id = project_id
        self.events.append(
            events.NeedTakenIntoProject(self.id, self.community_code, project_id, now)
        )

    def meet(self, note: str, now: datetime) -> None:
        text = require_text(note, "note")
        self._expect({NeedStatus.MATCHED, NeedStatus.IN_PROJECT}, "met")
        self.status = NeedStatus.MET
        self.outcome = text
        self.closed_at = now
        self.events.append(events.NeedMet(self.id, self.community_code, text, now))

    def decline(self, reason: str, now: datetime) -> None:
        """Residents hear why: a need is never dropped without its reason."""
        text = require_text(reason, "reason")
        self._expect(UNDECIDED, "declined")
        self.status = NeedStatus.DECLINED
        self.outcome = text
        self.closed_at = now
        self.events.append(events.NeedDeclined(self.id, self.community_code, text, now))
