"""Activities (elder care, errands 帮办代办, patrols, snow clearing, tutoring…) and their shifts.

A shift is its own aggregate, not a part of the activity: its places are the only thing
concurrent sign-ups contend for, so the database locks one shift row, not the whole activity.

    signed_up ──check_in──▶ checked_in ──check_out──▶ checked_out     (hours counted)
    signed_up ──cancel (before the start)──▶ cancelled ──sign_up──▶ signed_up
    signed_up ──mark_no_show (after the end)──▶ no_show
    signed_up ──the shift called off (before the start)──▶ released

A coordinator calls off a whole shift before it starts (`call_off`, with a reason): those
signed up are released, and a called-off shift takes no sign-up and no check-in. No points
move: nobody served.

Hours are check-out − check-in, rounded DOWN to whole quarter hours (`round_hours`): a minute
more or less at the door never changes points, and nobody gains by lingering a minute.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, RuleBroken, require
from volunteers.domain import events
from volunteers.domain.volunteers import Team, text

ACTIVITY_KINDS = (
    "elder_care",
    "errand_service",
    "patrol",
    "snow_clearing",
    "tutoring",
    "legal_aid",
    "mediation",
    "health",
    "repair",
    "cleaning",
    "emergency",
)
# Check-in opens this long before the start: people arrive early.
CHECK_IN_OPENS = timedelta(minutes=30)
QUARTER = 15 * 60  # seconds


def round_hours(start: datetime, end: datetime) -> Decimal:
    """Whole quarter hours between the two, rounded down: 59 minutes → 0.75."""
    seconds = max(0, int((end - start).total_seconds()))
    return Decimal(seconds // QUARTER) / 4


def service_key(shift_id: UUID, volunteer_id: UUID) -> str:
    """The ledger's source key for one person's service on one shift: credited once, ever."""
    return f"shift:{shift_id}:{volunteer_id}"


@dataclass
class Activity:
    id: UUID
    community_code: str
    node_code: str
    kind: str
    title: str
    team_id: UUID | None = None
    emergency: bool = False
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def plan(
        cls,
        community_code: str,
        node_code: str,
        kind: str,
        title: str,
        now: datetime,
        *,
        team_id: UUID | None = None,
        emergency: bool = False,
        id: UUID | None = None,
    ) -> Activity:
        require(kind in ACTIVITY_KINDS, "kind", f"unknown activity kind {kind!r}")
        activity = cls(
            id or uuid4(),
            text(community_code, "community_code"),
            text(node_code, "node_code"),
            kind,
            text(title, "title"),
            team_id,
            emergency,
        )
        activity.events.append(
            events.ActivityPlanned(
                activity.id, activity.community_code, activity.node_code, kind, activity.title, now
            )
        )
        return activity

    def schedule(
        self,
        starts_at: datetime,
        ends_at: datetime,
        place: str,
        places: int,
        now: datetime,
        *,
        id: UUID | None = None,
    ) -> Shift:
        # The rules are named (`type`) so that the console words them in Chinese beside the field.
        if not ends_at > starts_at:
            raise RuleBroken("ends_at", "a shift ends after it starts", type_="ends_before_start")
        if not starts_at > now:
            raise RuleBroken("starts_at", "a shift is scheduled ahead of time", type_="not_ahead")
        require(isinstance(places, int) and places >= 1, "places", "a shift has at least 1 place")
        shift = Shift(
            id or uuid4(),
            self.id,
            self.community_code,
            self.node_code,
            self.kind,
            starts_at,
            ends_at,
            text(place, "place"),
            places,
            self.team_id,
            self.emergency,
        )
        shift.events.append(
            events.ShiftScheduled(shift.id, self.id, starts_at, ends_at, shift.place, places)
        )
        return shift


class Attendance(StrEnum):
    SIGNED_UP = "signed_up"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    NO_SHOW = "no_show"
    RELEASED = "released"  # the shift was called off: not her doing, so not "cancelled"


@dataclass
class SignUp:
    volunteer_id: UUID
    signed_up_at: datetime
    status: Attendance = Attendance.SIGNED_UP
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None

    @property
    def hours(self) -> Decimal:
        if self.checked_in_at is None or self.checked_out_at is None:
            return Decimal(0)
        return round_hours(self.checked_in_at, self.checked_out_at)


@dataclass
class Shift:
    id: UUID
    activity_id: UUID
    community_code: str
    node_code: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    places: int
    team_id: UUID | None = None
    emergency: bool = False
    code: str | None = None  # the per-shift check-in code the volunteer shows on a phone
    called_off_at: datetime | None = None
    called_off_reason: str | None = None
    sign_ups: dict[UUID, SignUp] = field(default_factory=dict)
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @property
    def taken(self) -> int:
        free = (Attendance.CANCELLED, Attendance.RELEASED)
        return sum(1 for s in self.sign_ups.values() if s.status not in free)

    @property
    def places_open(self) -> int:
        return self.places - self.taken

    @property
    def called_off(self) -> bool:
        return self.called_off_at is not None

    def call_off(self, reason: str, by: str, now: datetime) -> list[UUID]:
        """The whole shift is off (weather, the site closed…): whoever was signed up is
        released, and told why through the event. Returns those released."""
        self._not_called_off("reason")
        if now >= self.starts_at:
            raise Conflict(
                "the shift has started: it can no longer be called off",
                field="reason",
                type_="shift_started",
            )
        if any(su.status is Attendance.CHECKED_IN for su in self.sign_ups.values()):
            raise Conflict(
                "volunteers have checked in: the shift is under way",
                field="reason",
                type_="shift_under_way",
            )
        reason = text(reason, "reason")
        released = [
            su.volunteer_id for su in self.sign_ups.values() if su.status is Attendance.SIGNED_UP
        ]
        for volunteer_id in released:
            self.sign_ups[volunteer_id].status = Attendance.RELEASED
        self.called_off_at = now
        self.called_off_reason = reason
        self.events.append(events.ShiftCalledOff(self.id, reason, by, tuple(released), now))
        return released

    def _not_called_off(self, field: str = "shift_id") -> None:
        if self.called_off:
            raise Conflict(
                f"the shift was called off: {self.called_off_reason}",
                field=field,
                type_="shift_called_off",
            )

    def sign_up(self, volunteer_id: UUID, now: datetime) -> None:
        self._not_called_off()
        if now >= self.starts_at:
            raise Conflict("the shift has started: sign-up is closed")
        existing = self.sign_ups.get(volunteer_id)
        if existing is not None and existing.status is not Attendance.CANCELLED:
            raise Conflict(f"volunteer {volunteer_id} is already signed up")
        if self.places_open <= 0:
            raise Conflict("the shift is full")
        self.sign_ups[volunteer_id] = SignUp(volunteer_id, now)
        self.events.append(events.ShiftSignedUp(self.id, volunteer_id, now))

    def cancel(self, volunteer_id: UUID, now: datetime) -> None:
        self._not_called_off()
        sign_up = self._signed_up(volunteer_id)
        if now >= self.starts_at:
            raise Conflict("the shift has started: it can no longer be cancelled")
        sign_up.status = Attendance.CANCELLED
        self.events.append(events.ShiftCancelled(self.id, volunteer_id, now))

    def issue_code(self, generate: Callable[[], str]) -> str:
        """`generate` is injected (a CSPRNG in production, a fixed one in tests)."""
        code = text(generate(), "code")
        self.code = code
        return code

    def check_in(self, volunteer_id: UUID, now: datetime, *, leader: UUID, team: Team) -> None:
        self._by_leader(leader, team, now)
        self._check_in(volunteer_id, now, str(leader))

    def check_in_with_code(self, volunteer_id: UUID, code: str, now: datetime) -> None:
        self._code_matches(code)
        self._check_in(volunteer_id, now, "code")

    def check_out(self, volunteer_id: UUID, now: datetime, *, leader: UUID, team: Team) -> Decimal:
        self._by_leader(leader, team, now)
        return self._check_out(volunteer_id, now, str(leader))

    def check_out_with_code(self, volunteer_id: UUID, code: str, now: datetime) -> Decimal:
        self._code_matches(code)
        return self._check_out(volunteer_id, now, "code")

    def mark_no_show(self, volunteer_id: UUID, now: datetime, *, leader: UUID, team: Team) -> None:
        self._by_leader(leader, team, now)
        sign_up = self._signed_up(volunteer_id)
        if now < self.ends_at:
            raise Conflict("a no-show is marked once the shift has ended")
        if sign_up.status is not Attendance.SIGNED_UP:
            raise Conflict(f"volunteer {volunteer_id} is {sign_up.status}, not a no-show")
        sign_up.status = Attendance.NO_SHOW
        self.events.append(events.NoShowMarked(self.id, volunteer_id, str(leader), now))

    def _check_in(self, volunteer_id: UUID, now: datetime, by: str) -> None:
        self._not_called_off()
        sign_up = self._signed_up(volunteer_id)
        if sign_up.status is not Attendance.SIGNED_UP:
            raise Conflict(f"volunteer {volunteer_id} is {sign_up.status}")
        if not self.starts_at - CHECK_IN_OPENS <= now < self.ends_at:
            raise Conflict("check-in is open from 30 minutes before the start to the end")
        sign_up.status = Attendance.CHECKED_IN
        sign_up.checked_in_at = now
        self.events.append(events.CheckedIn(self.id, volunteer_id, by, now))

    def _check_out(self, volunteer_id: UUID, now: datetime, by: str) -> Decimal:
        sign_up = self._signed_up(volunteer_id)
        if sign_up.status is not Attendance.CHECKED_IN:
            raise Conflict(f"volunteer {volunteer_id} is {sign_up.status}, not checked in")
        assert sign_up.checked_in_at is not None
        require(now >= sign_up.checked_in_at, "now", "check-out comes after check-in")
        sign_up.status = Attendance.CHECKED_OUT
        sign_up.checked_out_at = now
        key = service_key(self.id, volunteer_id)
        self.events.append(events.CheckedOut(self.id, volunteer_id, by, sign_up.hours, key, now))
        return sign_up.hours

    def _signed_up(self, volunteer_id: UUID) -> SignUp:
        sign_up = self.sign_ups.get(volunteer_id)
        require(
            sign_up is not None and sign_up.status is not Attendance.CANCELLED,
            "volunteer_id",
            f"volunteer {volunteer_id} is not signed up for this shift",
        )
        assert sign_up is not None
        return sign_up

    def _by_leader(self, leader: UUID, team: Team, now: datetime) -> None:
        require(
            self.team_id is not None and team.id == self.team_id,
            "team_id",
            "only the leader of the shift's own team checks people in",
        )
        require(team.is_leader(leader, now), "leader", f"{leader} does not lead {team.name}")

    def _code_matches(self, code: str) -> None:
        # Constant time, so the code cannot be guessed a character at a time from response times.
        expected = (self.code or "").encode()
        given = (code or "").encode()
        require(
            self.code is not None and hmac.compare_digest(expected, given),
            "code",
            "the check-in code does not match this shift's",
        )
