"""An incident found in a micro-grid: the aggregate, and its state machine.

    reported ──triage(accept)──▶ accepted
    reported ──triage(reject)──▶ rejected                                       (final)
    reported|accepted ──resolve_locally──▶ resolved     "small matters do not leave the compound"
    reported|accepted ──escalate──▶ escalated           one assignment per department, lead first
    escalated ──(last required assignment resolved)──▶ resolved                 (automatic)
    resolved ──verify──▶ verified                       the grid checks the result on the spot
    verified ──follow_up(satisfied|basically_satisfied)──▶ closed               (final)
    verified ──follow_up(unsatisfied)──▶ escalated, or accepted if it had been resolved locally
    resolved|verified ──rate_by_link──▶ as follow_up      the resident's own link (no account)
    reported|accepted|escalated ──cancel──▶ cancelled                           (final)
    reported|accepted ──merge into another──▶ merged                            (final)
    any open state ──share_with_alliance──▶ same state, more communities see it

Triage is optional: escalating or resolving locally a report nobody triaged accepts it. The
department's steps on its assignment are in `assignments` (`DepartmentSteps`), the deadlines'
ladder in `ladder` (`SupervisionLadder`), sharing and merging in `across` (`AcrossReports`),
the coordinator's reassigning, withdrawing, urging and deciding on more time in `coordination`
(`CoordinatorSteps`): all are parts of this one aggregate.

Nobody checks their own work (issue #15, defect 3): whoever resolved an incident locally may
neither verify it nor record the resident's rating of it; someone else of the grid does, or the
resident through their own link (`rate_by_link`). The person is the actor as the commands name
them (the account's name, else its subject).

Reopening sends the resolved assignments back to in_progress rather than re-dispatching: the
departments signed for the case already and keep their reference to it (the assignment id);
they get a fresh resolve deadline from the reopening.

Every accepted command appends exactly one timeline line, except that the automatic
'resolved' line follows the 'assignment_resolved' line of the last required assignment; the
ladder (`on_timer`) appends one line per step it takes. A command that is refused (Conflict
when the state forbids it, RuleBroken when an input breaks a rule) has changed nothing: each
checks everything before it touches anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from incidents.domain import events
from incidents.domain.across import AcrossReports
from incidents.domain.assignments import Assignment, DepartmentSteps
from incidents.domain.coordination import CoordinatorSteps
from incidents.domain.deadlines import resolve_deadline
from incidents.domain.ladder import SupervisionLadder
from incidents.domain.location import check_location
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, ServiceLevel, check_urgency
from incidents.domain.values import (
    ANONYMOUS,
    BEFORE_HANDLING,
    RESIDENT,
    AssignmentStatus,
    Feedback,
    IncidentStatus,
    Rating,
    ReporterKind,
    TimelineEntry,
    enum_value,
    require_status,
    require_text,
)
from lianxin.errors import Conflict, RuleBroken
from lianxin.privacy import mask


def check_households(affected: int, grid_code: str, grid_households: int) -> None:
    """An incident cannot affect more households than the grid it is reported in holds (0: the
    grid's count is not known, nothing to check). The grid, not the micro-grid: one micro-grid's
    leader reports an outage of the whole compound (朝华新城's 288 households, in five
    micro-grids of about 95)."""
    if grid_households and affected > grid_households:
        raise RuleBroken(
            "affected_households",
            f"{affected} households is more than the {grid_households} of grid {grid_code}",
            type_="households_above_grid",
            ctx={"households": grid_households},
        )


@dataclass
class Incident(DepartmentSteps, CoordinatorSteps, SupervisionLadder, AcrossReports):
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
    # Where in the micro-grid (`location`): building and unit names, and a map pin.
    building: str = ""
    unit: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # What people read and search for instead of the id (incidents.domain.tickets).
    ticket_no: str = ""
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

    def contact_for(self, calls_back: bool) -> str:
        """The reporter's contact for one reader: whole only to those who call the resident back
        (the grid leader, the community's coordinators), and only if the resident consented;
        masked for everyone else."""
        return self.public_contact if calls_back else mask(self.reporter_contact)

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
        grid_households: int = 0,
        building: str = "",
        unit: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
        buildings: Mapping[str, list[str]] | None = None,
    ) -> Incident:
        check_urgency(urgency)
        building, unit = check_location(building, unit, latitude, longitude, buildings or {})
        if affected_households < 0:
            raise RuleBroken("affected_households", "affected households cannot be negative")
        check_households(affected_households, grid_path[0], grid_households)
        if affected_merchants < 0:
            raise RuleBroken("affected_merchants", "affected merchants cannot be negative")
        photo_refs = list(photos)
        if any(not ref.strip() for ref in photo_refs):
            raise RuleBroken("photos", "a photo reference cannot be blank")
        kind = enum_value(ReporterKind, reporter_kind, "reporter_kind") if reporter_kind else None
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
            building=building,
            unit=unit,
            latitude=latitude,
            longitude=longitude,
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
                building,
                unit,
                latitude,
                longitude,
            )
        )
        return incident

    def triage(self, accepted: bool, reason: str, actor: str, now: datetime) -> None:
        """Accept the report for handling, or reject it (not the grid's matter) with a reason."""
        self._require_status({IncidentStatus.REPORTED}, "triaged")
        if not accepted:
            require_text(reason, "reason", "say why the report is rejected")
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
        require_text(result, "result", "say how it was settled")
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
        self._require_status(BEFORE_HANDLING, "escalated")
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

    # Closing the loop

    @property
    def local_resolver(self) -> str | None:
        """Who settled it locally, while that is how it stands (None otherwise)."""
        if not self.resolved_locally:
            return None
        lines = [line for line in self.timeline if line.action == "resolved_locally"]
        return lines[-1].actor if lines else None

    def _not_own_work(self, actor: str, doing: str) -> None:
        if actor == self.local_resolver:
            raise Conflict(f"{actor} resolved it locally: someone else must {doing} it")

    def verify(self, actor: str, note: str, now: datetime) -> None:
        """The grid checks on the spot that the problem is gone: not whoever settled it."""
        self._require_status({IncidentStatus.RESOLVED}, "verified")
        self._not_own_work(actor, "verify")
        self.status = IncidentStatus.VERIFIED
        self.verified_at = now
        self._log(now, "verified", actor, note)
        self.events.append(events.IncidentVerified(self.id, self.community_code, note, actor, now))

    def follow_up(self, rating: str, comment: str, actor: str, now: datetime) -> None:
        """The resident's word (回访): satisfied or basically satisfied closes the incident;
        unsatisfied reopens it, back to the departments (or to the grid, if settled locally)."""
        self._require_status({IncidentStatus.VERIFIED}, "given feedback")
        self._not_own_work(actor, "record the rating of")
        self._record_rating(rating, comment, actor, now)

    def rate_by_link(
        self, rating: str, comment: str, resolved_at: datetime, expires_at: datetime, now: datetime
    ) -> None:
        """The resident's own rating, through the link made when it was resolved (回访). The
        link names the resolution it is for (`resolved_at`): once the incident is rated,
        reopened or resolved again, that link is spent. Counts as any rating does; from
        `resolved` it stands for the check on the spot too (the resident is who knows)."""
        self._require_status({IncidentStatus.RESOLVED, IncidentStatus.VERIFIED}, "rated")
        if self.resolved_at != resolved_at:
            raise Conflict("this link is for an earlier resolution of the incident")
        if now > expires_at:
            raise Conflict("this link has expired")
        self._record_rating(rating, comment, RESIDENT, now)

    def _record_rating(self, rating: str, comment: str, actor: str, now: datetime) -> None:
        given = enum_value(Rating, rating, "rating")
        if not given.closes:
            require_text(comment, "comment", "say what is still wrong, for those who reopen it")
        self.feedback.append(Feedback(given, comment, actor, now))
        self.events.append(
            events.FollowedUp(self.id, self.community_code, given.value, comment, actor, now)
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
        require_text(reason, "reason", "say why it is cancelled")
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

    def _require_status(self, allowed: frozenset | set, doing: str) -> None:
        require_status("an incident", self.status, allowed, doing)
