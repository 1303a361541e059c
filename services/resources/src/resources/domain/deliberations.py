"""Residents' deliberation (议事): a building's bench meeting (楼栋板凳会), an area's yard meeting
(片区坝坝会), the community's residents' council (居民议事会), or a mediation session with the
mediation committee (调解议事, Longze's "little wooden house", story 5). Stakeholders talk a
matter through before anyone acts.

    open ──set_agenda / record_attendance / agree / write_minutes──▶ open
    open ──close (minutes, someone came, something agreed)──▶ closed
    closed ──turn an agreed item into a need | an incident | a local resolution──▶ closed

The shape is the joint meeting's (agenda, who came, minutes in brief, what was agreed), smaller:
who comes are residents by household, member units and mediators, and what is agreed is a line
of text until the record is closed. Then each agreed item is turned into exactly one outcome,
once: a need on the needs list, an incident for the grid to handle or whistle out, or a matter
the residents settle themselves (with a line of what was settled). Every outcome keeps the
meeting's id, so each links back to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, NotFound, require
from resources.domain import events
from resources.domain.common import MeetingRecord, choice, require_aware, require_text, unique


class DeliberationKind(StrEnum):
    BENCH_MEETING = "bench_meeting"  # 楼栋板凳会
    YARD_MEETING = "yard_meeting"  # 片区坝坝会
    RESIDENTS_COUNCIL = "residents_council"  # 居民议事会
    MEDIATION = "mediation"  # 调解议事, with the mediation committee


class Level(StrEnum):
    BUILDING = "building"
    AREA = "area"
    COMMUNITY = "community"


# The level each kind meets at; a mediation sits wherever the dispute is.
LEVEL_OF = {
    DeliberationKind.BENCH_MEETING: Level.BUILDING,
    DeliberationKind.YARD_MEETING: Level.AREA,
    DeliberationKind.RESIDENTS_COUNCIL: Level.COMMUNITY,
}


class DeliberationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    NEED = "need"
    INCIDENT = "incident"
    RESOLVED_LOCALLY = "resolved_locally"


@dataclass
class AgreedItem:
    number: int
    text: str
    outcome: Outcome | None = None
    need_id: UUID | None = None
    incident_id: UUID | None = None
    settlement: str = ""
    turned_by: str = ""
    turned_at: datetime | None = None

    def ref(self, deliberation_id: UUID) -> str:
        """How what it became points back at it (a need's `origin_ref`)."""
        return f"deliberation:{deliberation_id}#{self.number}"


@dataclass(kw_only=True)
class Deliberation(MeetingRecord):
    what = "deliberation"

    id: UUID
    community_code: str
    kind: DeliberationKind
    level: Level
    # Where it meets: the building, grid or community node of the grid tree.
    grid_node_code: str
    topic: str
    held_at: datetime
    recorded_by: str
    # The grid a grid leader recorded it for (empty for a coordinator's): who may go on with it.
    held_in: tuple[str, ...] = ()
    # Incidents it talks through (story 5: the dispute reported before the meeting).
    incident_ids: tuple[UUID, ...] = ()
    status: DeliberationStatus = DeliberationStatus.OPEN
    agenda: tuple[str, ...] = ()
    households: tuple[str, ...] = ()  # as the building knows them: "5栋2单元301"
    member_unit_codes: tuple[str, ...] = ()
    mediators: tuple[str, ...] = ()
    minutes: str = ""
    items: list[AgreedItem] = field(default_factory=list)
    closed_at: datetime | None = None

    @classmethod
    def hold(
        cls,
        *,
        community_code: str,
        kind: str,
        level: str | None,
        grid_node_code: str,
        topic: str,
        held_at: datetime,
        recorded_by: str,
        now: datetime,
        held_in: Iterable[str] = (),
        incident_ids: Iterable[UUID] = (),
        deliberation_id: UUID | None = None,
    ) -> Deliberation:
        sort = choice(DeliberationKind, kind, "kind")
        fixed = LEVEL_OF.get(sort)
        at = choice(Level, level, "level") if level else fixed
        require(at is not None, "level", "a mediation names its level")
        require(fixed is None or at is fixed, "level", f"a {sort.value} meets at {fixed} level")
        require_aware(held_at, "held_at")
        require(held_at <= now, "held_at", "held_at is when it took place: not in the future")
        deliberation = cls(
            id=deliberation_id or uuid4(),
            community_code=require_text(community_code, "community_code", 64),
            kind=sort,
            level=at,  # type: ignore[arg-type]
            grid_node_code=require_text(grid_node_code, "grid_node_code", 64),
            topic=require_text(topic, "topic", 200),
            held_at=held_at,
            recorded_by=require_text(recorded_by, "recorded_by", 200),
            held_in=tuple(held_in),
            incident_ids=tuple(dict.fromkeys(incident_ids)),
        )
        deliberation.events.append(
            events.DeliberationRecorded(
                deliberation.id,
                deliberation.community_code,
                sort.value,
                deliberation.level.value,
                deliberation.grid_node_code,
                deliberation.topic,
                held_at,
                deliberation.incident_ids,
                now,
            )
        )
        return deliberation

    def set_agenda(self, points: Iterable[str]) -> None:
        agenda = tuple(require_text(p, "agenda", 200) for p in points)
        require(agenda, "agenda", "an agenda has at least one point")
        self._ensure_open()
        self.agenda = unique(agenda, "agenda")

    def record_attendance(
        self,
        households: Iterable[str] = (),
        member_unit_codes: Iterable[str] = (),
        mediators: Iterable[str] = (),
    ) -> None:
        homes = unique(tuple(require_text(h, "households", 64) for h in households), "households")
        units = unique(
            tuple(require_text(u, "member_unit_codes", 64) for u in member_unit_codes),
            "member_unit_codes",
        )
        people = unique(tuple(require_text(m, "mediators", 64) for m in mediators), "mediators")
        require(
            homes or units or people,
            "households",
            "record who came: households, units or mediators",
        )
        self._ensure_open()
        self.households, self.member_unit_codes, self.mediators = homes, units, people

    def agree(self, text: str) -> AgreedItem:
        line = require_text(text, "text", 500)
        self._ensure_open()
        item = AgreedItem(len(self.items) + 1, line)
        self.items.append(item)
        return item

    def close(self, now: datetime) -> None:
        require(self.minutes, "minutes", "a deliberation closes with its minutes")
        require(
            self.households or self.member_unit_codes or self.mediators,
            "households",
            "record who came before closing",
        )
        require(self.items, "items", "record what was agreed before closing")
        self._ensure_open()
        self.status = DeliberationStatus.CLOSED
        self.closed_at = now
        self.events.append(
            events.DeliberationClosed(
                self.id,
                self.community_code,
                self.kind.value,
                self.level.value,
                len(self.households),
                len(self.member_unit_codes),
                len(self.mediators),
                len(self.items),
                now,
            )
        )

    def item(self, number: int) -> AgreedItem:
        found = next((i for i in self.items if i.number == number), None)
        if found is None:
            raise NotFound("agreed item", number)
        return found

    def pending(self, number: int) -> AgreedItem:
        """The item, if it may be turned now: the record closed, the item not turned yet."""
        found = self.item(number)
        if self.status is not DeliberationStatus.CLOSED:
            raise Conflict("an agreed item is turned into its outcome once the record is closed")
        if found.outcome is not None:
            raise Conflict(f"item {number} is already {found.outcome.value}")
        return found

    def turn(
        self,
        number: int,
        outcome: str,
        by: str,
        now: datetime,
        *,
        need_id: UUID | None = None,
        incident_id: UUID | None = None,
        settlement: str = "",
    ) -> AgreedItem:
        kind = choice(Outcome, outcome, "outcome")
        if kind is Outcome.RESOLVED_LOCALLY:
            settlement = require_text(settlement, "settlement", 500)
        else:
            require(need_id or incident_id, "outcome", f"a {kind.value} outcome names its id")
        found = self.pending(number)
        found.outcome, found.need_id, found.incident_id = kind, need_id, incident_id
        found.settlement, found.turned_by, found.turned_at = settlement, by, now
        self.events.append(
            events.AgreedItemTurned(
                self.id,
                self.community_code,
                number,
                found.text,
                kind.value,
                need_id,
                incident_id,
                found.settlement,
                now,
            )
        )
        return found

    @property
    def all_incident_ids(self) -> tuple[UUID, ...]:
        """The incidents it went through: those it talked about and those it raised."""
        raised = (i.incident_id for i in self.items if i.incident_id is not None)
        return tuple(dict.fromkeys((*self.incident_ids, *raised)))
