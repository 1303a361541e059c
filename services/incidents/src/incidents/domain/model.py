"""An incident found in a micro-grid, and the assignments it whistles out to departments.

The incident (one aggregate: its assignments change only through it):

    reported ──triage(accept)──▶ accepted
    reported ──triage(reject)──▶ rejected                                       (final)
    reported|accepted ──resolve_locally──▶ resolved     "small matters do not leave the compound"
    reported|accepted ──escalate──▶ escalated           one assignment per department, lead first
    escalated ──(last required assignment resolved)──▶ resolved                 (automatic)
    resolved ──verify──▶ verified                       the grid checks the result on the spot
    verified ──give_feedback(satisfied|basically_satisfied)──▶ closed           (final)
    verified ──give_feedback(unsatisfied)──▶ escalated, or accepted if it had been resolved locally
    reported|accepted|escalated ──cancel──▶ cancelled                           (final)
    reported|accepted ──merge into another──▶ merged                            (final)
    any open state ──share_with_alliance──▶ same state, more communities see it

Triage is optional: escalating or resolving locally a report nobody triaged accepts it.

An assignment (one department's part):

    dispatched ──acknowledge──▶ acknowledged ──start──▶ in_progress ──resolve──▶ resolved
    dispatched ──return_assignment(reason)──▶ returned ──reroute──▶ rerouted (final; a new
                                              assignment goes to the other department)
    dispatched|acknowledged ──resolve──▶ resolved       a result implies it was signed for
    resolved ──(incident reopened)──▶ in_progress       same department, fresh resolve deadline
    any but resolved|rerouted ──(incident cancelled)──▶ cancelled

Required assignments are those not rerouted or cancelled: the incident is resolved when every
required one is. A returned assignment is still required until it is rerouted, so a return
holds the incident open.

Reopening sends the resolved assignments back to in_progress rather than re-dispatching: the
departments signed for the case already and keep their reference to it (the assignment id);
they get a fresh resolve deadline from the reopening.

Every accepted command appends exactly one timeline line, except that the automatic
'resolved' line follows the 'assignment_resolved' line of the last required assignment; the
ladder (`on_timer`) appends one line per step it takes. A command that raises RuleBroken has
changed nothing: each checks everything before it touches anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import TypeVar
from uuid import UUID, uuid4

from incidents.domain import events
from incidents.domain.deadlines import (
    Deadline,
    DeadlineKind,
    Rung,
    Timer,
    acknowledge_deadline,
    resolve_deadline,
    timers,
)
from incidents.domain.privacy import mask
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, URGENCIES, ServiceLevel, check_urgency
from lianxin.errors import RuleBroken

__all__ = [
    "URGENCIES",
    "Assignment",
    "AssignmentStatus",
    "Breach",
    "Feedback",
    "Incident",
    "IncidentStatus",
    "Rating",
    "ReporterKind",
    "RuleBroken",
    "TimelineEntry",
]


ANONYMOUS = "anonymous"


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


# Not yet whistled out nor settled: where triage, local handling and escalation happen.
BEFORE_HANDLING = frozenset({IncidentStatus.REPORTED, IncidentStatus.ACCEPTED})
OPEN = BEFORE_HANDLING | {
    IncidentStatus.ESCALATED,
    IncidentStatus.RESOLVED,
    IncidentStatus.VERIFIED,
}


class AssignmentStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    REROUTED = "rerouted"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


# A department holds the assignment, so its clock runs.
HELD = frozenset(
    {AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.IN_PROGRESS}
)


class ReporterKind(StrEnum):
    GRID_LEADER = "grid_leader"
    PARTY_HOUSEHOLD = "party_household"
    OFFICER = "officer"
    # A resident reports through their grid, never straight to a department.
    RESIDENT = "resident"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def closes(self) -> bool:
        return self is not Rating.UNSATISFIED


@dataclass
class TimelineEntry:
    """One line of the incident's audit timeline: who did what, when, why."""

    at: datetime
    action: str
    actor: str
    detail: str = ""


@dataclass(frozen=True)
class Feedback:
    rating: Rating
    comment: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class Breach:
    """A rung of the ladder reached by one deadline of an assignment: recorded once, ever."""

    kind: DeadlineKind
    due_at: datetime
    rung: Rung
    at: datetime


@dataclass
class Assignment:
    id: UUID
    department_code: str
    lead: bool
    status: AssignmentStatus
    dispatched_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    result: str = ""
    # The service level as it was at dispatch: editing the alliance's rules later does not move
    # a deadline already promised. None for assignments stored before deadlines existed.
    service_level: ServiceLevel | None = None
    acknowledge_by: datetime | None = None
    resolve_by: datetime | None = None
    started_at: datetime | None = None
    returned_at: datetime | None = None
    return_reason: str = ""
    rerouted_to: UUID | None = None
    breaches: list[Breach] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.status not in (AssignmentStatus.REROUTED, AssignmentStatus.CANCELLED)

    @property
    def held(self) -> bool:
        return self.status in HELD

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        """The deadline of this kind still to be met, if any."""
        if self.service_level is None:
            return None
        if kind is DeadlineKind.ACKNOWLEDGE:
            if self.status is AssignmentStatus.DISPATCHED and self.acknowledge_by is not None:
                return Deadline(kind, self.acknowledge_by, self.service_level.acknowledge_within)
            return None
        if self.held and self.resolve_by is not None:
            return Deadline(kind, self.resolve_by, self.service_level.resolve_within)
        return None

    def open_deadlines(self) -> list[Deadline]:
        return [d for kind in DeadlineKind if (d := self.deadline(kind)) is not None]

    def rung_reached(self, deadline: Deadline) -> int:
        """How far up the ladder this deadline's breach has gone; 0 if not yet breached."""
        return max(
            (
                b.rung
                for b in self.breaches
                if (b.kind, b.due_at) == (deadline.kind, deadline.due_at)
            ),
            default=0,
        )


@dataclass
class Incident:
    id: UUID
    community_code: str
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    description: str
    affected_households: int
    reported_at: datetime
    status: IncidentStatus = IncidentStatus.REPORTED
    assignments: list[Assignment] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    traceparent: str | None = None
    affected_merchants: int = 0
    # References (object keys, URLs) to photos kept elsewhere; the domain never holds the bytes.
    photos: list[str] = field(default_factory=list)
    reporter: str = ""
    reporter_kind: ReporterKind | None = None
    # Personal data: shown beyond the grid only if the resident consented to be contacted.
    reporter_contact: str = ""
    contact_consent: bool = False
    resolved_locally: bool = False
    local_result: str = ""
    resolved_at: datetime | None = None
    verified_at: datetime | None = None
    closed_at: datetime | None = None
    feedback: list[Feedback] = field(default_factory=list)
    # Why it was rejected or cancelled.
    status_reason: str = ""
    # Other communities of the alliance that see the incident and may take part.
    shared_with: set[str] = field(default_factory=set)
    merged_into: UUID | None = None
    merged_ids: list[UUID] = field(default_factory=list)
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @property
    def trace_id(self) -> str | None:
        return self.traceparent.split("-")[1] if self.traceparent else None

    @property
    def wartime(self) -> bool:
        """Emergencies (fire, flood, sudden events) switch the grid to wartime."""
        return self.urgency == "emergency"

    @property
    def public_contact(self) -> str:
        """The reporter's contact as departments and events see it: masked without consent."""
        return self.reporter_contact if self.contact_consent else mask(self.reporter_contact)

    @property
    def required_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.required]

    def may_coordinate(self, community_code: str) -> bool:
        """Its own community, and those it was shared with, take part in handling it."""
        return community_code == self.community_code or community_code in self.shared_with

    # Reporting and triage

    @classmethod
    def report(
        cls,
        *,
        community_code: str,
        micro_grid_code: str,
        grid_path: list[str],
        category: str,
        urgency: str,
        description: str,
        affected_households: int,
        reporter: str,
        now: datetime,
        affected_merchants: int = 0,
        photos: Iterable[str] = (),
        reporter_kind: str | None = None,
        reporter_contact: str = "",
        contact_consent: bool = False,
    ) -> Incident:
        check_urgency(urgency)
        if affected_households < 0:
            raise RuleBroken("affected_households", "affected households cannot be negative")
        if affected_merchants < 0:
            raise RuleBroken("affected_merchants", "affected merchants cannot be negative")
        photo_refs = list(photos)
        if any(not ref.strip() for ref in photo_refs):
            raise RuleBroken("photos", "a photo reference cannot be blank")
        kind = _enum(ReporterKind, reporter_kind, "reporter_kind") if reporter_kind else None
        incident = cls(
            id=uuid4(),
            community_code=community_code,
            micro_grid_code=micro_grid_code,
            grid_path=grid_path,
            category=category,
            urgency=urgency,
            description=description,
            affected_households=affected_households,
            reported_at=now,
            affected_merchants=affected_merchants,
            photos=photo_refs,
            reporter=reporter,
            reporter_kind=kind,
            reporter_contact=reporter_contact.strip(),
            contact_consent=contact_consent,
        )
        incident._log(now, "reported", reporter, description)
        incident.events.append(
            events.IncidentReported(
                incident.id,
                community_code,
                micro_grid_code,
                category,
                urgency,
                description,
                affected_households,
                incident.reporter_kind.value if incident.reporter_kind else None,
                incident.public_contact,
            )
        )
        return incident

    def triage(self, accepted: bool, reason: str, actor: str, now: datetime) -> None:
        """Accept the report for handling, or reject it (not the grid's matter) with a reason."""
        self._require_status({IncidentStatus.REPORTED}, "triaged")
        if not accepted:
            _require_text(reason, "reason", "say why the report is rejected")
        self.status = IncidentStatus.ACCEPTED if accepted else IncidentStatus.REJECTED
        if not accepted:
            self.status_reason = reason
        self._log(now, "accepted" if accepted else "rejected", actor, reason)
        self.events.append(
            events.IncidentTriaged(self.id, self.community_code, accepted, reason, actor, now)
        )

    def resolve_locally(self, result: str, actor: str, now: datetime) -> None:
        """Settled inside the compound (小事不出小区): no department, still counted in the rates."""
        self._require_status(BEFORE_HANDLING, "resolved locally")
        _require_text(result, "result", "say how it was settled")
        self.status = IncidentStatus.RESOLVED
        self.resolved_locally = True
        self.local_result = result
        self.resolved_at = now
        self._log(now, "resolved_locally", actor, result)
        self.events.append(
            events.IncidentResolvedLocally(self.id, self.community_code, result, actor, now)
        )

    def anonymise(self, actor: str, now: datetime) -> None:
        """Forget who reported it: the name and contact go, the problem stays."""
        if self.reporter == ANONYMOUS and not self.reporter_contact:
            raise RuleBroken("reporter", "the reporter is anonymous already")
        named = self.reporter
        self.reporter = ANONYMOUS
        self.reporter_contact = ""
        self.contact_consent = False
        for line in self.timeline:
            if line.actor == named:
                line.actor = ANONYMOUS
        self._log(now, "anonymised", actor)
        self.events.append(events.ReporterAnonymised(self.id, self.community_code, actor, now))

    # Whistle and report

    def escalate(
        self,
        department_codes: list[str],
        lead: str,
        actor: str,
        now: datetime,
        *,
        service_level: ServiceLevel | None = None,
        service_levels: Mapping[str, ServiceLevel] | None = None,
    ) -> None:
        """Whistle: one assignment per department, the lead first, each with its deadlines.

        A department's own level (`service_levels`, by code) comes first, then `service_level`,
        the alliance's for this urgency; without either, the 12345 defaults.
        """
        if self.status not in BEFORE_HANDLING:
            raise RuleBroken("status", f"an incident that is {self.status} cannot be escalated")
        codes = department_codes
        if not codes or any(not c.strip() for c in codes) or len(set(codes)) != len(codes):
            raise RuleBroken("department_codes", "name each department once, at least one")
        if lead not in department_codes:
            raise RuleBroken("lead_department_code", "the lead must be one of the departments")
        level = service_level or DEFAULT_SERVICE_LEVELS[self.urgency]
        self.status = IncidentStatus.ESCALATED
        ordered = [lead, *(code for code in department_codes if code != lead)]
        wartime = " (wartime)" if self.wartime else ""
        self._log(now, "escalated", actor, "→ " + ", ".join(ordered) + wartime)
        self.events.append(
            events.IncidentEscalated(
                self.id,
                self.community_code,
                self.micro_grid_code,
                self.grid_path,
                self.category,
                self.urgency,
                self.wartime,
                self.description,
                self.affected_households,
                ordered,
            )
        )
        for code in ordered:
            self._dispatch(code, code == lead, (service_levels or {}).get(code, level), now)

    def acknowledge(
        self, assignment_id: UUID, department_code: str, note: str, now: datetime
    ) -> None:
        """The department signs for the whistle (接单); after `acknowledge_by` it is late."""
        assignment = self._department_assignment(assignment_id, department_code)
        self._require_assignment_status(assignment, {AssignmentStatus.DISPATCHED}, "signed for")
        late = _late(assignment.deadline(DeadlineKind.ACKNOWLEDGE), now)
        assignment.status = AssignmentStatus.ACKNOWLEDGED
        assignment.acknowledged_at = now
        self._log(now, "acknowledged", _department(department_code), _late_note(note, late))
        self.events.append(
            events.AssignmentAcknowledged(assignment.id, self.id, department_code, note, late, now)
        )

    def return_assignment(
        self, assignment_id: UUID, department_code: str, reason: str, now: datetime
    ) -> None:
        """The department sends the whistle back, not signed for: "not ours", and why."""
        assignment = self._department_assignment(assignment_id, department_code)
        self._require_assignment_status(assignment, {AssignmentStatus.DISPATCHED}, "returned")
        _require_text(reason, "reason", "say why the assignment is returned")
        assignment.status = AssignmentStatus.RETURNED
        assignment.returned_at = now
        assignment.return_reason = reason
        self._log(now, "returned", _department(department_code), reason)
        self.events.append(
            events.AssignmentReturned(assignment.id, self.id, department_code, reason, now)
        )

    def reroute(
        self,
        assignment_id: UUID,
        department_code: str,
        actor: str,
        now: datetime,
        *,
        service_level: ServiceLevel | None = None,
    ) -> Assignment:
        """The coordinator sends a returned assignment to another department.

        The new department gets a new assignment with its own deadlines from now: it answers
        only for the time it holds the case. The returned one is kept, rerouted, for the record.
        """
        self._require_status({IncidentStatus.ESCALATED}, "re-routed")
        returned = self._find(assignment_id)
        self._require_assignment_status(returned, {AssignmentStatus.RETURNED}, "re-routed")
        _require_text(department_code, "department_code", "name the department")
        if department_code == returned.department_code:
            raise RuleBroken("department_code", "pick another department than the one returning it")
        if any(a.department_code == department_code and a.required for a in self.assignments):
            raise RuleBroken("department_code", f"{department_code} already has a part in this")
        level = service_level or returned.service_level or DEFAULT_SERVICE_LEVELS[self.urgency]
        new_id = uuid4()
        returned.status = AssignmentStatus.REROUTED
        returned.rerouted_to = new_id
        self._log(now, "rerouted", actor, f"{returned.department_code} → {department_code}")
        self.events.append(
            events.AssignmentRerouted(
                returned.id,
                self.id,
                self.community_code,
                returned.department_code,
                department_code,
                new_id,
                actor,
                now,
            )
        )
        return self._dispatch(department_code, returned.lead, level, now, new_id)

    def start(self, assignment_id: UUID, department_code: str, note: str, now: datetime) -> None:
        """The department is on it (办理)."""
        assignment = self._department_assignment(assignment_id, department_code)
        self._require_assignment_status(assignment, {AssignmentStatus.ACKNOWLEDGED}, "started")
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = now
        self._log(now, "started", _department(department_code), note)
        self.events.append(
            events.AssignmentStarted(assignment.id, self.id, department_code, note, now)
        )

    def resolve_assignment(
        self, assignment_id: UUID, department_code: str, result: str, now: datetime
    ) -> None:
        """The department reports its result (反馈); the last required one resolves the incident.

        A result straight from dispatched counts as signing for it too: the department plainly
        had the case, and its acknowledged_at is set to the same moment.
        """
        assignment = self._department_assignment(assignment_id, department_code)
        if assignment.status is AssignmentStatus.RESOLVED:
            raise RuleBroken("status", "assignment is already resolved")
        self._require_assignment_status(assignment, HELD, "resolved")
        _require_text(result, "result", "report the result")
        late = _late(assignment.deadline(DeadlineKind.RESOLVE), now)
        assignment.status = AssignmentStatus.RESOLVED
        assignment.acknowledged_at = assignment.acknowledged_at or now
        assignment.resolved_at = now
        assignment.result = result
        self._log(
            now, "assignment_resolved", _department(department_code), _late_note(result, late)
        )
        self.events.append(
            events.AssignmentResolved(assignment.id, self.id, department_code, result, late, now)
        )
        if all(a.status is AssignmentStatus.RESOLVED for a in self.required_assignments):
            self.status = IncidentStatus.RESOLVED
            self.resolved_at = now
            self._log(now, "resolved", "platform", "every assignment resolved")
            self.events.append(events.IncidentResolved(self.id, self.community_code))

    # Closing the loop

    def verify(self, actor: str, note: str, now: datetime) -> None:
        """The grid checks on the spot that the problem is gone."""
        self._require_status({IncidentStatus.RESOLVED}, "verified")
        self.status = IncidentStatus.VERIFIED
        self.verified_at = now
        self._log(now, "verified", actor, note)
        self.events.append(events.IncidentVerified(self.id, self.community_code, note, actor, now))

    def give_feedback(self, rating: str, comment: str, actor: str, now: datetime) -> None:
        """The resident's word (回访): satisfied or basically satisfied closes the incident;
        unsatisfied reopens it, back to the departments (or to the grid, if settled locally)."""
        self._require_status({IncidentStatus.VERIFIED}, "given feedback")
        given = _enum(Rating, rating, "rating")
        if not given.closes:
            _require_text(comment, "comment", "say what is still wrong, for those who reopen it")
        self.feedback.append(Feedback(given, comment, actor, now))
        self.events.append(
            events.FeedbackGiven(self.id, self.community_code, given.value, comment, actor, now)
        )
        detail = f"{given.value}: {comment}" if comment else given.value
        if given.closes:
            self.status = IncidentStatus.CLOSED
            self.closed_at = now
            self._log(now, "closed", actor, detail)
            self.events.append(
                events.IncidentClosed(
                    self.id, self.community_code, given.value, list(self.merged_ids), now
                )
            )
        else:
            self._reopen(comment, actor, now)
            self._log(now, "reopened", actor, detail)

    def _reopen(self, reason: str, actor: str, now: datetime) -> None:
        self.resolved_at = None
        self.verified_at = None
        if self.resolved_locally:
            self.status = IncidentStatus.ACCEPTED
            self.resolved_locally = False
            self.local_result = ""
            self.events.append(
                events.IncidentReopened(self.id, self.community_code, reason, [], actor, now)
            )
            return
        self.status = IncidentStatus.ESCALATED
        reopened = [a for a in self.assignments if a.status is AssignmentStatus.RESOLVED]
        self.events.append(
            events.IncidentReopened(
                self.id, self.community_code, reason, [a.id for a in reopened], actor, now
            )
        )
        for assignment in reopened:
            level = assignment.service_level or DEFAULT_SERVICE_LEVELS[self.urgency]
            assignment.status = AssignmentStatus.IN_PROGRESS
            assignment.service_level = level
            assignment.resolve_by = resolve_deadline(now, level).due_at
            assignment.resolved_at = None
            assignment.result = ""
            self.events.append(
                events.AssignmentReopened(
                    assignment.id,
                    self.id,
                    assignment.department_code,
                    reason,
                    assignment.resolve_by,
                    now,
                )
            )

    def cancel(self, reason: str, actor: str, now: datetime) -> None:
        """Withdrawn before it was resolved; the departments still holding a part are told."""
        self._require_status(BEFORE_HANDLING | {IncidentStatus.ESCALATED}, "cancelled")
        _require_text(reason, "reason", "say why it is cancelled")
        self.status = IncidentStatus.CANCELLED
        self.status_reason = reason
        self._log(now, "cancelled", actor, reason)
        self.events.append(
            events.IncidentCancelled(self.id, self.community_code, reason, actor, now)
        )
        for assignment in self.assignments:
            if assignment.held or assignment.status is AssignmentStatus.RETURNED:
                assignment.status = AssignmentStatus.CANCELLED
                self.events.append(
                    events.AssignmentCancelled(
                        assignment.id, self.id, assignment.department_code, reason, now
                    )
                )

    # Across reports and communities

    def share_with_alliance(
        self, community_codes: Iterable[str], reason: str, actor: str, now: datetime
    ) -> None:
        """Raise a problem that crosses communities to the alliance: joint risk assessment
        (风险联判) and joint handling; the other communities' coordinators see it and take part."""
        self._require_status(OPEN, "shared")
        codes = set(community_codes)
        if not codes or any(not code.strip() for code in codes):
            raise RuleBroken("community_codes", "name the communities to share it with")
        if self.community_code in codes:
            raise RuleBroken("community_codes", "an incident is its own community's already")
        added = codes - self.shared_with
        if not added:
            raise RuleBroken("community_codes", "it is shared with these communities already")
        self.shared_with |= added
        self._log(now, "shared", actor, "+ " + ", ".join(sorted(added)) + _colon(reason))
        self.events.append(
            events.IncidentShared(
                self.id,
                self.community_code,
                sorted(self.shared_with),
                sorted(added),
                reason,
                actor,
                now,
            )
        )

    def merge(self, duplicate: Incident, actor: str, now: datetime) -> None:
        """Take a duplicate report in: it shares this incident's outcome from now on, and its
        households and merchants add up to this one's. Each incident gets one timeline line."""
        if duplicate.id == self.id:
            raise RuleBroken("duplicate_id", "an incident cannot be merged into itself")
        self._require_status(OPEN, "merged into")
        if duplicate.status not in BEFORE_HANDLING:
            raise RuleBroken(
                "duplicate_id", f"a duplicate that is {duplicate.status} cannot be merged"
            )
        if (duplicate.community_code, duplicate.category) != (self.community_code, self.category):
            raise RuleBroken("duplicate_id", "a duplicate is of the same community and category")
        if duplicate.merged_ids:
            raise RuleBroken("duplicate_id", "it has duplicates of its own: merge into it instead")
        duplicate.status = IncidentStatus.MERGED
        duplicate.merged_into = self.id
        duplicate._log(now, "merged_into", actor, str(self.id))
        self.affected_households += duplicate.affected_households
        self.affected_merchants += duplicate.affected_merchants
        self.photos.extend(ref for ref in duplicate.photos if ref not in self.photos)
        self.merged_ids.append(duplicate.id)
        self._log(
            now,
            "merged",
            actor,
            f"{duplicate.id}: +{duplicate.affected_households} households, "
            f"+{duplicate.affected_merchants} merchants",
        )
        # One fact about both: told once, on the incident that goes on.
        self.events.append(
            events.IncidentMerged(
                self.id,
                duplicate.id,
                self.community_code,
                self.affected_households,
                self.affected_merchants,
                actor,
                now,
            )
        )

    # Time limits and the supervision ladder

    def timers(self) -> list[Timer]:
        """The timer rows for every deadline still open: what persistence should have stored."""
        return [timer for a in self.assignments for timer in timers(a.id, a.open_deadlines())]

    def on_timer(self, assignment_id: UUID, kind: str, now: datetime) -> int:
        """A timer row fired: take every ladder step due by `now` and not yet taken, in order,
        one timeline line each. Returns how many; 0 when the deadline was met or moved."""
        assignment = self._find(assignment_id)
        deadline = assignment.deadline(_enum(DeadlineKind, kind, "kind"))
        if deadline is None:
            return 0
        taken = 0
        for rung in deadline.rungs_due(now, assignment.rung_reached(deadline)):
            if rung is Rung.COMMUNITY:
                taken += self.record_breach(assignment_id, deadline.kind, now)
            else:
                taken += self.climb_ladder(assignment_id, deadline.kind, rung, now)
        return taken

    def record_breach(self, assignment_id: UUID, kind: str, now: datetime) -> bool:
        """The deadline passed unmet: overdue, and the community's supervision is told (rung 1).
        Once per deadline: False, and nothing, if not due, met, or recorded already."""
        assignment = self._find(assignment_id)
        deadline = assignment.deadline(_enum(DeadlineKind, kind, "kind"))
        if deadline is None or now < deadline.due_at or assignment.rung_reached(deadline) > 0:
            return False
        self.events.append(
            events.AssignmentOverdue(
                assignment.id,
                self.id,
                self.community_code,
                assignment.department_code,
                deadline.kind.value,
                deadline.due_at,
                now,
            )
        )
        self._breach(assignment, deadline, Rung.COMMUNITY, now)
        return True

    def climb_ladder(self, assignment_id: UUID, kind: str, rung: int, now: datetime) -> bool:
        """Still unmet one more period on: up to the street, then district supervision.
        Once per deadline and rung: False, and nothing, if not due or reached already."""
        target = _enum(Rung, rung, "rung")
        if target is Rung.COMMUNITY:
            raise RuleBroken("rung", "the community rung is reached by recording the breach")
        assignment = self._find(assignment_id)
        deadline = assignment.deadline(_enum(DeadlineKind, kind, "kind"))
        if deadline is None or now < deadline.rung_due_at(target):
            return False
        reached = assignment.rung_reached(deadline)
        if reached >= target:
            return False
        if reached < target - 1:
            raise RuleBroken("rung", f"reach {Rung(target - 1).label} before {target.label}")
        self._breach(assignment, deadline, target, now)
        return True

    def _breach(
        self, assignment: Assignment, deadline: Deadline, rung: Rung, now: datetime
    ) -> None:
        assignment.breaches.append(Breach(deadline.kind, deadline.due_at, rung, now))
        action = "overdue" if rung is Rung.COMMUNITY else "ladder_climbed"
        self._log(
            now,
            action,
            "platform",
            f"{assignment.department_code}: {deadline.kind.value} by "
            f"{deadline.due_at.isoformat()} missed → {rung.label}",
        )
        self.events.append(
            events.LadderClimbed(
                assignment.id,
                self.id,
                self.community_code,
                assignment.department_code,
                deadline.kind.value,
                deadline.due_at,
                rung.label,
                self.wartime,
                now,
            )
        )

    # Helpers

    def _dispatch(
        self,
        code: str,
        lead: bool,
        level: ServiceLevel,
        now: datetime,
        assignment_id: UUID | None = None,
    ) -> Assignment:
        assignment = Assignment(
            assignment_id or uuid4(),
            code,
            lead,
            AssignmentStatus.DISPATCHED,
            now,
            service_level=level,
            acknowledge_by=acknowledge_deadline(now, level).due_at,
            resolve_by=resolve_deadline(now, level).due_at,
        )
        self.assignments.append(assignment)
        self.events.append(
            events.AssignmentDispatched(
                assignment.id,
                self.id,
                code,
                lead,
                self.community_code,
                self.micro_grid_code,
                self.category,
                self.urgency,
                self.description,
                self.affected_households,
                now,
                assignment.acknowledge_by,
                assignment.resolve_by,
            )
        )
        return assignment

    def _find(self, assignment_id: UUID) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise RuleBroken("assignment_id", f"no assignment {assignment_id} on this incident")

    def _department_assignment(self, assignment_id: UUID, department_code: str) -> Assignment:
        """A department acts only on its own assignment, and only while the incident is out."""
        assignment = self._find(assignment_id)
        if assignment.department_code != department_code:
            raise RuleBroken("department_code", "the assignment is another department's")
        if self.status is not IncidentStatus.ESCALATED:
            raise RuleBroken("status", f"the incident is {self.status}, not escalated")
        return assignment

    def _require_status(self, allowed: Iterable[IncidentStatus], doing: str) -> None:
        if self.status not in allowed:
            raise RuleBroken("status", f"an incident that is {self.status} cannot be {doing}")

    @staticmethod
    def _require_assignment_status(
        assignment: Assignment, allowed: Iterable[AssignmentStatus], doing: str
    ) -> None:
        if assignment.status not in allowed:
            raise RuleBroken(
                "status", f"an assignment that is {assignment.status} cannot be {doing}"
            )

    def _log(self, now: datetime, action: str, actor: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(now, action, actor, detail))


E = TypeVar("E", bound=Enum)


def _enum(kind: type[E], value: object, field_name: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise RuleBroken(field_name, f"{field_name} must be one of {allowed}") from None


def _require_text(value: str, field_name: str, message: str) -> None:
    if not value.strip():
        raise RuleBroken(field_name, message)


def _late(deadline: Deadline | None, at: datetime) -> bool:
    return deadline is not None and deadline.is_late(at)


def _late_note(text: str, late: bool) -> str:
    return f"{text} (late)" if late else text


def _department(code: str) -> str:
    return f"department:{code}"


def _colon(reason: str) -> str:
    return f": {reason}" if reason else ""
