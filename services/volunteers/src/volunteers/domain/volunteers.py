"""Volunteers (志愿者) and their teams (服务队: red-vest specialists, the patrol team, 帮帮团).

A volunteer is linked to organisation's person where there is one (`person_code`), and to the
organisation account she signs in with (`account`: its username, a VOLUNTEER token's subject);
this service keeps its own copy of what it needs (party member kind, employer) because it never
reads another service's database. Team membership is history: joining opens a period, leaving
closes it, and nothing is deleted, so "who was in the patrol team in 2019" has an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from lianxin.privacy import mask
from volunteers.domain import events

# The same kinds as organisation's party members (registered, transferred retiree, in-service
# "double report" members, mobile members).
PARTY_MEMBER_KINDS = ("registered", "transferred_retiree", "in_service", "mobile")
TEAM_KINDS = ("red_vest", "patrol", "helping", "emergency", "other")
TEAM_ROLES = ("leader", "member")


def text(value: str | None, name: str) -> str:
    require(value is not None and value.strip(), name, f"{name} must not be blank")
    return value.strip()  # type: ignore[union-attr]


def _skills(skills: Iterable[str]) -> tuple[str, ...]:
    cleaned = [text(s, "skills").lower() for s in skills]
    return tuple(sorted(set(cleaned)))


def _path(path: Iterable[str]) -> tuple[str, ...]:
    nodes = tuple(text(p, "home_node_path") for p in path)
    require(nodes, "home_node_path", "a volunteer lives in a grid: give at least the grid")
    return nodes


@dataclass
class Volunteer:
    id: UUID
    community_code: str
    name: str
    contact: str
    home_node_path: tuple[str, ...]  # grid → micro-grid → … as organisation's tree has it
    skills: tuple[str, ...] = ()
    person_code: str | None = None
    party_member_kind: str | None = None
    employer_unit_code: str | None = None
    employer_branch_code: str | None = None  # the employer's party branch, for 双报到 records
    consent_to_contact: bool = False
    registered_at: datetime | None = None
    account: str | None = None  # the organisation account (username) that speaks for her
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        community_code: str,
        name: str,
        contact: str,
        home_node_path: Iterable[str],
        now: datetime,
        *,
        skills: Iterable[str] = (),
        person_code: str | None = None,
        party_member_kind: str | None = None,
        employer_unit_code: str | None = None,
        employer_branch_code: str | None = None,
        consent_to_contact: bool = False,
        account: str | None = None,
        id: UUID | None = None,
    ) -> Volunteer:
        kind, unit, branch = _membership(
            party_member_kind, employer_unit_code, employer_branch_code
        )
        volunteer = cls(
            id or uuid4(),
            text(community_code, "community_code"),
            text(name, "name"),
            text(contact, "contact"),
            _path(home_node_path),
            _skills(skills),
            person_code.strip() if person_code and person_code.strip() else None,
            kind,
            unit,
            branch,
            consent_to_contact,
            now,
            account.strip() if account and account.strip() else None,
        )
        volunteer.events.append(
            events.VolunteerRegistered(
                volunteer.id,
                volunteer.community_code,
                volunteer.person_code,
                kind,
                branch,
                volunteer.home_node_path,
                volunteer.skills,
                now,
            )
        )
        return volunteer

    @property
    def in_service(self) -> bool:
        return self.party_member_kind == "in_service"

    @property
    def party_member(self) -> bool:
        return self.party_member_kind is not None

    @property
    def grid_code(self) -> str:
        return self.home_node_path[0]

    def contact_for(self, may_see_personal_data: bool) -> str:
        """Their own coordinators see it; anyone else only if the volunteer consented."""
        if may_see_personal_data or self.consent_to_contact:
            return self.contact
        return mask(self.contact)

    def change_skills(self, skills: Iterable[str], now: datetime) -> None:
        self._set({"skills": _skills(skills)}, now)

    def move_home(self, home_node_path: Iterable[str], now: datetime) -> None:
        self._set({"home_node_path": _path(home_node_path)}, now)

    def set_consent(self, consent: bool, now: datetime) -> None:
        self._set({"consent_to_contact": consent}, now)

    def change_membership(
        self,
        party_member_kind: str | None,
        employer_unit_code: str | None,
        employer_branch_code: str | None,
        now: datetime,
    ) -> None:
        kind, unit, branch = _membership(
            party_member_kind, employer_unit_code, employer_branch_code
        )
        self._set(
            {
                "party_member_kind": kind,
                "employer_unit_code": unit,
                "employer_branch_code": branch,
            },
            now,
        )

    def _set(self, changes: dict[str, object], now: datetime) -> None:
        changed = tuple(k for k, v in changes.items() if getattr(self, k) != v)
        for name in changed:
            setattr(self, name, changes[name])
        if changed:  # nothing happened, nothing to tell
            self.events.append(events.VolunteerUpdated(self.id, changed, now))


def _membership(
    kind: str | None, unit: str | None, branch: str | None
) -> tuple[str | None, str | None, str | None]:
    """In-service members (双报到) name their employer and its party branch; others neither."""
    if kind is None:
        require(not unit, "employer_unit_code", "only in-service party members have an employer")
        require(not branch, "employer_branch_code", "only in-service party members have one")
        return None, None, None
    require(kind in PARTY_MEMBER_KINDS, "party_member_kind", f"unknown kind {kind!r}")
    if kind != "in_service":
        require(not unit, "employer_unit_code", "only in-service party members have an employer")
        require(not branch, "employer_branch_code", "only in-service party members have one")
        return kind, None, None
    return kind, text(unit, "employer_unit_code"), text(branch, "employer_branch_code")


@dataclass(frozen=True)
class Membership:
    """One period in a team: [joined_at, left_at)."""

    volunteer_id: UUID
    role: str
    joined_at: datetime
    left_at: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.joined_at <= at and (self.left_at is None or at < self.left_at)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.joined_at < end and (self.left_at is None or start < self.left_at)


@dataclass
class Team:
    id: UUID
    community_code: str
    name: str
    kind: str
    memberships: list[Membership] = field(default_factory=list)
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def form(
        cls, community_code: str, name: str, kind: str, now: datetime, *, id: UUID | None = None
    ) -> Team:
        require(kind in TEAM_KINDS, "kind", f"unknown team kind {kind!r}")
        team = cls(id or uuid4(), text(community_code, "community_code"), text(name, "name"), kind)
        team.events.append(events.TeamFormed(team.id, team.community_code, team.name, kind, now))
        return team

    def join(self, volunteer: Volunteer, now: datetime, role: str = "member") -> None:
        require(role in TEAM_ROLES, "role", f"unknown role {role!r}")
        require(
            volunteer.community_code == self.community_code,
            "volunteer_id",
            "a team takes its own community's volunteers",
        )
        if self._current(volunteer.id) is not None:
            raise Conflict(f"volunteer {volunteer.id} is already in team {self.name}")
        self.memberships.append(Membership(volunteer.id, role, now))
        self.events.append(events.TeamJoined(self.id, volunteer.id, role, now))

    def leave(self, volunteer_id: UUID, now: datetime) -> None:
        current = self._current(volunteer_id)
        if current is None:
            raise Conflict(f"volunteer {volunteer_id} is not in team {self.name}")
        require(now >= current.joined_at, "now", "one cannot leave before joining")
        # The period is closed, never removed: the history is what leaderboards and records read.
        index = self.memberships.index(current)
        self.memberships[index] = Membership(volunteer_id, current.role, current.joined_at, now)
        self.events.append(events.TeamLeft(self.id, volunteer_id, now))

    def change_role(self, volunteer_id: UUID, role: str, now: datetime) -> None:
        """A new role is a new period, so who led when stays known."""
        require(role in TEAM_ROLES, "role", f"unknown role {role!r}")
        current = self._current(volunteer_id)
        if current is None:
            raise Conflict(f"volunteer {volunteer_id} is not in team {self.name}")
        if current.role == role:
            return
        self.leave(volunteer_id, now)
        self.memberships.append(Membership(volunteer_id, role, now))
        self.events.append(events.TeamJoined(self.id, volunteer_id, role, now))

    def members(self, at: datetime) -> list[UUID]:
        return [m.volunteer_id for m in self.memberships if m.covers(at)]

    def leaders(self, at: datetime) -> list[UUID]:
        return [m.volunteer_id for m in self.memberships if m.covers(at) and m.role == "leader"]

    def is_leader(self, volunteer_id: UUID | str, at: datetime) -> bool:
        return any(str(v) == str(volunteer_id) for v in self.leaders(at))

    def members_during(self, start: datetime, end: datetime) -> set[UUID]:
        return {m.volunteer_id for m in self.memberships if m.overlaps(start, end)}

    def _current(self, volunteer_id: UUID) -> Membership | None:
        return next(
            (m for m in self.memberships if m.volunteer_id == volunteer_id and m.left_at is None),
            None,
        )


__all__ = ["PARTY_MEMBER_KINDS", "Membership", "Team", "Volunteer", "mask"]
