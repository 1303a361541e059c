"""Emergency mobilisation (应急动员): wartime call-up of the affected grid's volunteers.

    start ──form_squads (ranked candidates, squads of N, a leader each; call-ups sent)──▶
    answer (accept / decline) ──check_in (on site)──▶ … ──close──▶ hours per person

Priority (Taipingjie's "by priority", Longze's "by grid"): people living in the same micro-grid
as the emergency first, then the rest of the grid, then the rest of the community; within a
tier, those with more of the wanted skills first. In-service party members are volunteers like
anyone else here (they registered with their home community), so they are ranked, not added.
Arriving on site counts as accepting, whatever was answered before: the snow does not wait.
Closing turns each arrival into hours (`round_hours`), keyed for the ledger so replaying the
incident's close credits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from volunteers.domain import events
from volunteers.domain.activities import round_hours
from volunteers.domain.events import MobilisationStarted
from volunteers.domain.volunteers import Volunteer

ACTIVE, CLOSED = "active", "closed"


class Tier(IntEnum):
    MICRO_GRID = 0
    GRID = 1
    COMMUNITY = 2


@dataclass(frozen=True)
class Candidate:
    volunteer_id: UUID
    tier: Tier
    skills_matched: int
    party_member: bool


def rank_candidates(
    volunteers: Iterable[Volunteer],
    community_code: str,
    node_path: Sequence[str],
    skills: Iterable[str] = (),
) -> list[Candidate]:
    """The community's volunteers in call-up order; other communities' are not called."""
    wanted = {s.lower() for s in skills}
    ranked = []
    for v in volunteers:
        if v.community_code != community_code:
            continue
        shared = 0
        for theirs, ours in zip(v.home_node_path, node_path, strict=False):
            if theirs != ours:
                break
            shared += 1
        tier = Tier.MICRO_GRID if shared >= 2 else Tier.GRID if shared == 1 else Tier.COMMUNITY
        ranked.append(Candidate(v.id, tier, len(wanted & set(v.skills)), v.party_member))
    # The id last only to make the order the same every time.
    return sorted(ranked, key=lambda c: (c.tier, -c.skills_matched, str(c.volunteer_id)))


@dataclass
class CallUp:
    volunteer_id: UUID
    squad: int
    tier: Tier
    accepted: bool | None = None
    answered_at: datetime | None = None
    arrived_at: datetime | None = None
    left_at: datetime | None = None


@dataclass
class Squad:
    number: int
    member_ids: list[UUID]
    leader_id: UUID | None


def mobilisation_key(mobilisation_id: UUID, volunteer_id: UUID) -> str:
    return f"mobilisation:{mobilisation_id}:{volunteer_id}"


@dataclass
class Mobilisation:
    id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID
    status: str
    started_at: datetime
    node_path: tuple[str, ...] = ()
    squads: list[Squad] = field(default_factory=list)
    call_ups: dict[UUID, CallUp] = field(default_factory=dict)
    closed_at: datetime | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def start(
        cls, incident_id: UUID, community_code: str, grid_path: list[str], now: datetime
    ) -> Mobilisation:
        """Mobilise the grid (the top of the path) that the emergency's micro-grid sits in."""
        require(grid_path, "grid_path", "an emergency happens somewhere on the grid")
        grid_code = grid_path[0]
        mobilisation = cls(
            uuid4(), community_code, grid_code, incident_id, ACTIVE, now, tuple(grid_path)
        )
        mobilisation.events.append(
            MobilisationStarted(mobilisation.id, community_code, grid_code, incident_id)
        )
        return mobilisation

    def form_squads(
        self, candidates: Sequence[Candidate], squad_size: int, now: datetime
    ) -> list[Squad]:
        """Squads of `squad_size` in priority order, each led by its first party member (else
        its first person), and the call-up sent to everyone. Calling again adds a new wave of
        squads from those not yet called."""
        self._active()
        require(isinstance(squad_size, int) and squad_size >= 1, "squad_size", "at least 1")
        fresh = [c for c in candidates if c.volunteer_id not in self.call_ups]
        require(fresh, "candidates", "nobody left to call up")
        formed = []
        for start in range(0, len(fresh), squad_size):
            group = fresh[start : start + squad_size]
            leader = next((c for c in group if c.party_member), group[0]).volunteer_id
            squad = Squad(len(self.squads) + 1, [c.volunteer_id for c in group], leader)
            self.squads.append(squad)
            formed.append(squad)
            self.events.append(
                events.SquadFormed(self.id, squad.number, leader, tuple(squad.member_ids))
            )
            for c in group:
                self.call_ups[c.volunteer_id] = CallUp(c.volunteer_id, squad.number, c.tier)
                self.events.append(
                    events.MobilisationCalled(
                        self.id,
                        self.incident_id,
                        c.volunteer_id,
                        squad.number,
                        c.volunteer_id == leader,
                        c.tier.name.lower(),
                        now,
                    )
                )
        return formed

    def answer(self, volunteer_id: UUID, accepted: bool, now: datetime) -> None:
        self._active()
        call_up = self._called(volunteer_id)
        if call_up.arrived_at is not None:
            raise Conflict(f"volunteer {volunteer_id} is on site already")
        call_up.accepted, call_up.answered_at = accepted, now
        self.events.append(events.CallUpAnswered(self.id, volunteer_id, accepted, now))
        squad = self.squads[call_up.squad - 1]
        if not accepted and squad.leader_id == volunteer_id:
            self._new_leader(squad)

    def check_in(self, volunteer_id: UUID, now: datetime) -> None:
        self._active()
        call_up = self._called(volunteer_id)
        if call_up.arrived_at is not None:
            raise Conflict(f"volunteer {volunteer_id} is checked in already")
        call_up.accepted, call_up.arrived_at = True, now
        self.events.append(events.ArrivedOnSite(self.id, volunteer_id, now))
        squad = self.squads[call_up.squad - 1]
        if squad.leader_id is None:
            self._new_leader(squad)

    def check_out(self, volunteer_id: UUID, now: datetime) -> None:
        self._active()
        call_up = self._called(volunteer_id)
        if call_up.arrived_at is None or call_up.left_at is not None:
            raise Conflict(f"volunteer {volunteer_id} is not on site")
        require(now >= call_up.arrived_at, "now", "one leaves after arriving")
        call_up.left_at = now

    def close(self, now: datetime) -> list[tuple[UUID, Decimal, str]]:
        """Everyone still on site leaves now; each arrival becomes hours for the ledger."""
        self._active()
        hours = []
        for call_up in self.call_ups.values():
            if call_up.arrived_at is None:
                continue
            if call_up.left_at is None:
                call_up.left_at = max(now, call_up.arrived_at)
            worked = round_hours(call_up.arrived_at, call_up.left_at)
            hours.append(
                (call_up.volunteer_id, worked, mobilisation_key(self.id, call_up.volunteer_id))
            )
        self.status, self.closed_at = CLOSED, now
        self.events.append(events.MobilisationClosed(self.id, self.incident_id, tuple(hours), now))
        return hours

    def _new_leader(self, squad: Squad) -> None:
        """The next member who has not declined leads; none left: the squad has no leader."""
        leader = next((m for m in squad.member_ids if self.call_ups[m].accepted is not False), None)
        if leader != squad.leader_id:
            squad.leader_id = leader
            self.events.append(events.SquadLeaderChanged(self.id, squad.number, leader))

    def _called(self, volunteer_id: UUID) -> CallUp:
        call_up = self.call_ups.get(volunteer_id)
        require(call_up is not None, "volunteer_id", f"{volunteer_id} was not called up")
        assert call_up is not None
        return call_up

    def _active(self) -> None:
        if self.status != ACTIVE:
            raise Conflict(f"mobilisation {self.id} is {self.status}")


__all__ = ["Candidate", "Mobilisation", "MobilisationStarted", "Tier", "rank_candidates"]
