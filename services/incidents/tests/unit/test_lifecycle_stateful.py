"""Random command sequences over a few incidents: no impossible state is ever reached, every
accepted command leaves exactly one audit line, and every refused one leaves no trace at all."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID, uuid4

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from incidents.domain.assignments import Assignment
from incidents.domain.deadlines import DeadlineKind
from incidents.domain.incident import Incident
from incidents.domain.values import HELD, AssignmentStatus, IncidentStatus, Rating
from lianxin.errors import ApplicationError

START = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
DEPARTMENTS = ("power_supply", "property", "housing", "city_management", "police")
COMMUNITY = "taipingjie"
MAX_INCIDENTS = 4

# Mostly valid input, so that runs get far into the lifecycle; blanks and strangers now and then.
texts = st.sampled_from(["", "why", "换了变压器", "a property dispute, not ours"])
# Cancelling and rejecting end an incident: let them succeed rarely, or little else is explored.
final_reasons = st.sampled_from(["", " ", "", "why"])
picks = st.integers(min_value=0, max_value=7)
own = st.sampled_from([True, True, True, False])
# Steps of time chosen to land around the deadlines: 30 min to sign for, 24 h for utilities.
steps = st.sampled_from(
    [
        *(timedelta(minutes=m) for m in (0, 1, 29, 31)),
        *(timedelta(hours=h) for h in (2, 25)),
        *(timedelta(days=d) for d in (8, 16)),
    ]
)
# How many automatic lines a command may add besides its own, given the incident before and after.
Lines = Callable[[Incident, Incident], int]


def _no_automatic_line(before: Incident, after: Incident) -> int:
    return 0


def _resolved_now(before: Incident, after: Incident) -> int:
    """The documented exception: the last required result adds the automatic 'resolved' line."""
    became = after.status is IncidentStatus.RESOLVED
    return int(became and before.status is not IncidentStatus.RESOLVED)


RESOLVED_LIKE = {IncidentStatus.RESOLVED, IncidentStatus.VERIFIED, IncidentStatus.CLOSED}


class IncidentLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.incidents: list[Incident] = []
        # Households as first reported, to check that merging adds them up and loses none.
        self.reported_households: dict[UUID, int] = {}

    # Picking what to act on: any index is valid, so every command can be drawn at any time.

    def _incident(self, pick: int) -> Incident:
        return self.incidents[pick % len(self.incidents)]

    def _on(self, pick: int, step: Callable[[Incident], object]) -> None:
        """Run one command (`step`) on the incident `pick` draws, checked by `_run`."""
        incident = self._incident(pick)
        self._run(incident, lambda: step(incident))

    def _assignment_id(self, incident: Incident, pick: int) -> UUID:
        if not incident.assignments or pick == 7:
            return uuid4()  # an assignment this incident does not have
        return incident.assignments[pick % len(incident.assignments)].id

    def _department_of(self, incident: Incident, assignment_id: UUID, own: bool) -> str:
        for a in incident.assignments:
            if a.id == assignment_id:
                return a.department_code if own else "police_other"
        return DEPARTMENTS[0]

    def _department_step(
        self,
        step: Callable[..., object],
        pick: int,
        which: int,
        own: bool,
        text: str,
        *,
        automatic: Lines = _no_automatic_line,
    ) -> None:
        """One of a department's steps on an assignment (acknowledge, return, handle, report the
        result), by its own department (`own`) or another."""
        incident = self._incident(pick)
        a = self._assignment_id(incident, which)
        code = self._department_of(incident, a, own)
        self._run(incident, lambda: step(incident, a, code, text, self.now), automatic=automatic)

    def _run(
        self,
        incident: Incident,
        command: Callable[[], object],
        *,
        automatic: Lines = _no_automatic_line,
        also: Incident | None = None,
    ) -> None:
        """Run one command and check its audit trail: exactly one new line (plus a documented
        automatic one), appended; or, refused, the incident exactly as it was."""
        before, events_before = deepcopy(incident), list(incident.events)
        also_before = deepcopy(also)
        try:
            command()
        except ApplicationError:
            assert incident == before
            assert incident.events == events_before
            assert also == also_before
            return
        event(f"line: {incident.timeline[-1].action}")  # what the runs reach, for the statistics
        assert incident.timeline[: len(before.timeline)] == before.timeline
        assert len(incident.timeline) == len(before.timeline) + 1 + automatic(before, incident)
        assert len(incident.events) > len(events_before)
        if also is not None and also_before is not None:
            assert len(also.timeline) == len(also_before.timeline) + 1

    def _report(self, households: int) -> None:
        incident = Incident.report(
            community_code=COMMUNITY,
            micro_grid_code="tpj-g01-m01",
            grid_path=["tpj-g01", "tpj-g01-m01"],
            category="power_supply",
            urgency="utilities",
            description="变压器故障",
            affected_households=households,
            reporter="micro_grid_leader",
            now=self.now,
        )
        assert [t.action for t in incident.timeline] == ["reported"]
        self.incidents.append(incident)
        self.reported_households[incident.id] = households

    # Commands

    @initialize(households=st.integers(min_value=0, max_value=700))
    def first_report(self, households: int) -> None:
        self._report(households)

    @precondition(lambda self: len(self.incidents) < MAX_INCIDENTS)
    @rule(households=st.integers(min_value=0, max_value=700))
    def another_report(self, households: int) -> None:
        self._report(households)

    @rule(step=steps)
    def time_passes(self, step: timedelta) -> None:
        self.now += step

    @rule(pick=picks, accepted=st.booleans(), reason=final_reasons)
    def triage(self, pick: int, accepted: bool, reason: str) -> None:
        self._on(pick, lambda incident: incident.triage(accepted, reason, "coordinator", self.now))

    @rule(pick=picks, result=texts)
    def resolve_locally(self, pick: int, result: str) -> None:
        self._on(pick, lambda incident: incident.resolve_locally(result, "mediator", self.now))

    @rule(pick=picks, codes=st.lists(st.sampled_from(DEPARTMENTS), max_size=3), lead=picks)
    def escalate(self, pick: int, codes: list[str], lead: int) -> None:
        lead_code = codes[lead % len(codes)] if codes and lead != 7 else "nobody"
        self._on(
            pick, lambda incident: incident.escalate(codes, lead_code, "coordinator", self.now)
        )

    @rule(pick=picks, which=picks, own=own)
    def acknowledge(self, pick: int, which: int, own: bool) -> None:
        self._department_step(Incident.acknowledge, pick, which, own, "已接单")

    @rule(pick=picks, which=picks, own=own, reason=texts)
    def return_assignment(self, pick: int, which: int, own: bool, reason: str) -> None:
        self._department_step(Incident.return_assignment, pick, which, own, reason)

    @rule(pick=picks, which=picks, to=st.sampled_from((*DEPARTMENTS, "")))
    def reroute(self, pick: int, which: int, to: str) -> None:
        incident = self._incident(pick)
        a = self._assignment_id(incident, which)
        self._run(incident, lambda: incident.reroute(a, to, "coordinator", self.now))

    @rule(pick=picks, which=picks, own=own)
    def handle(self, pick: int, which: int, own: bool) -> None:
        self._department_step(Incident.handle, pick, which, own, "on site")

    @rule(pick=picks, which=picks, own=own, result=texts)
    def report_result(self, pick: int, which: int, own: bool, result: str) -> None:
        self._department_step(
            Incident.report_result, pick, which, own, result, automatic=_resolved_now
        )

    @rule(pick=picks)
    def verify(self, pick: int) -> None:
        self._on(pick, lambda incident: incident.verify("grid_leader", "", self.now))

    @rule(pick=picks, rating=st.sampled_from([*Rating, "meh"]), comment=texts)
    def follow_up(self, pick: int, rating: str, comment: str) -> None:
        self._on(pick, lambda incident: incident.follow_up(rating, comment, "resident", self.now))

    @rule(pick=picks, reason=final_reasons)
    def cancel(self, pick: int, reason: str) -> None:
        self._on(pick, lambda incident: incident.cancel(reason, "coordinator", self.now))

    @rule(
        pick=picks,
        codes=st.lists(
            st.sampled_from([COMMUNITY, "nanmenshan-2", "nanmenshan-3", ""]), max_size=2
        ),
    )
    def share_with_alliance(self, pick: int, codes: list[str]) -> None:
        self._on(pick, lambda incident: incident.share_with_alliance(codes, "", "c", self.now))

    @rule(pick=picks, other=picks)
    def merge(self, pick: int, other: int) -> None:
        primary, duplicate = self._incident(pick), self._incident(other)
        if primary is duplicate:
            self._run(primary, lambda: primary.merge(duplicate, "coordinator", self.now))
        else:
            self._run(
                primary, lambda: primary.merge(duplicate, "coordinator", self.now), also=duplicate
            )

    @rule(pick=picks, which=picks, choice=st.integers(min_value=0, max_value=5))
    def next_step(self, pick: int, which: int, choice: int) -> None:
        """Take a step the incident's state invites, or one just out of order, so that runs reach
        deep into the lifecycle and knock on its walls there (the other rules alone rarely line
        up a whole loop). It still goes through `_run`: whether a step is allowed is the
        model's call, not this rule's."""
        incident = self._incident(pick)
        steps = self._steps(incident, which)
        if steps:
            incident_step, automatic = steps[choice % len(steps)]
            self._run(incident, incident_step, automatic=automatic)

    def _steps(self, incident: Incident, which: int) -> list[tuple[Callable[[], object], Lines]]:
        now, none = self.now, _no_automatic_line
        status = incident.status
        if status in (IncidentStatus.REPORTED, IncidentStatus.ACCEPTED):
            codes = list(DEPARTMENTS[which % 4 : which % 4 + 2])
            return [
                (partial(incident.resolve_locally, "mediated", "mediator", now), none),
                (partial(incident.escalate, codes, codes[-1], "coordinator", now), none),
                (partial(incident.escalate, codes, codes[0], "coordinator", now), none),
                (partial(incident.escalate, codes[:1], codes[0], "coordinator", now), none),
                (partial(incident.verify, "grid_leader", "", now), none),
            ]
        if status is IncidentStatus.RESOLVED:
            return [(partial(incident.verify, "grid_leader", "", now), none)]
        if status is IncidentStatus.VERIFIED:
            return [
                (partial(incident.follow_up, r, "still broken", "resident", now), none)
                for r in (*Rating, Rating.UNSATISFIED)
            ]
        if status is not IncidentStatus.ESCALATED:
            return []
        open_ = [
            a for a in incident.required_assignments if a.status is not AssignmentStatus.RESOLVED
        ]
        a = open_[which % len(open_)]
        code = a.department_code
        ack = (partial(incident.acknowledge, a.id, code, "", now), none)
        ret = (partial(incident.return_assignment, a.id, code, "not ours", now), none)
        start = (partial(incident.handle, a.id, code, "", now), none)
        resolve = (partial(incident.report_result, a.id, code, "done", now), _resolved_now)
        # A department that has no part yet: reroute never runs out of them.
        other = f"department_{len(incident.assignments)}"
        reroute = (partial(incident.reroute, a.id, other, "coordinator", now), none)
        verify = (partial(incident.verify, "grid_leader", "", now), none)
        return {
            AssignmentStatus.DISPATCHED: [ret, ack, ack, start, resolve, reroute],
            AssignmentStatus.ACKNOWLEDGED: [ret, start, start, resolve, ack, verify],
            AssignmentStatus.IN_PROGRESS: [resolve, resolve, resolve, ret, start, verify],
            AssignmentStatus.RETURNED: [resolve, ack, reroute, reroute, reroute, start],
        }[a.status]

    def _timer_row(
        self, incident: Incident, which: int, kind: DeadlineKind, rung: int
    ) -> tuple[UUID, DeadlineKind, int]:
        """Mostly one of the rows persistence would hold for this incident, fired when it falls
        due (the clock jumps there if it has not got there yet); now and then an arbitrary one
        (a row left over, an assignment that is not there)."""
        rows = incident.timers()
        if rows and which < 6:
            row = rows[which % len(rows)]
            self.now = max(self.now, row.due_at)
            return row.assignment_id, row.kind, int(row.rung)
        return self._assignment_id(incident, which), kind, rung

    @rule(pick=picks, which=picks, kind=st.sampled_from(DeadlineKind))
    def timer_fires(self, pick: int, which: int, kind: DeadlineKind) -> None:
        """A durable timer row fires (maybe twice, maybe late): one line per ladder step taken."""
        incident = self._incident(pick)
        a, kind, _ = self._timer_row(incident, which, kind, 1)
        before, events_before = deepcopy(incident), list(incident.events)
        try:
            taken = incident.on_timer(a, kind, self.now)
        except ApplicationError:
            assert incident == before and incident.events == events_before
            return
        assert len(incident.timeline) == len(before.timeline) + taken
        event(f"timer: {taken} ladder steps")
        if taken == 0:
            assert incident == before and incident.events == events_before
        # Firing again at the same moment finds nothing more to do.
        assert incident.on_timer(a, kind, self.now) == 0

    @rule(pick=picks, which=picks, kind=st.sampled_from(DeadlineKind), rung=st.integers(1, 3))
    def ladder_by_hand(self, pick: int, which: int, kind: DeadlineKind, rung: int) -> None:
        incident = self._incident(pick)
        a, kind, rung = self._timer_row(incident, which, kind, rung)
        before, events_before = deepcopy(incident), list(incident.events)
        try:
            if rung == 1:
                done = incident.record_breach(a, kind, self.now)
            else:
                done = incident.climb_ladder(a, kind, rung, self.now)
        except ApplicationError:
            done = False
        assert len(incident.timeline) == len(before.timeline) + int(done)
        if not done:
            assert incident == before and incident.events == events_before
            return
        event(f"ladder by hand: rung {rung}")
        # The same breach and rung again is nothing new.
        again = deepcopy(incident)
        if rung == 1:
            assert not incident.record_breach(a, kind, self.now)
        else:
            assert not incident.climb_ladder(a, kind, rung, self.now)
        assert incident == again

    # What must hold after any sequence

    @invariant()
    def no_impossible_state(self) -> None:
        ids = {i.id: i for i in self.incidents}
        for incident in self.incidents:
            required = incident.required_assignments
            held = [a for a in incident.assignments if a.status in HELD]
            if incident.status in RESOLVED_LIKE:
                assert incident.resolved_locally or (
                    required and all(a.status is AssignmentStatus.RESOLVED for a in required)
                ), "resolved with an unresolved required assignment"
                assert incident.resolved_at is not None
            if incident.status is IncidentStatus.ESCALATED:
                assert required
                assert any(a.status is not AssignmentStatus.RESOLVED for a in required)
            if held:
                assert incident.status is IncidentStatus.ESCALATED
            if incident.status is IncidentStatus.CLOSED:
                assert incident.feedback, "closed without feedback"
                assert incident.feedback[-1].rating.closes
            if incident.status in (IncidentStatus.REJECTED, IncidentStatus.CANCELLED):
                assert incident.status_reason.strip()
            if incident.resolved_locally:
                assert incident.assignments == [] and incident.status in RESOLVED_LIKE
            if required and incident.status is not IncidentStatus.CANCELLED:
                assert sum(a.lead for a in required) == 1, "one lead department"
            codes = [a.department_code for a in required]
            assert len(codes) == len(set(codes)), "one part per department"
            assert COMMUNITY not in incident.shared_with
            if incident.status is IncidentStatus.MERGED:
                assert incident.merged_into is not None
                primary = ids[incident.merged_into]
                assert incident.id in primary.merged_ids and not incident.assignments
            assert incident.affected_households == self.reported_households[incident.id] + sum(
                self.reported_households[m] for m in incident.merged_ids
            )
            times = [t.at for t in incident.timeline]
            assert times == sorted(times)
            for a in incident.assignments:
                self._assignment_is_possible(incident, a)

    @staticmethod
    def _assignment_is_possible(incident: Incident, a: Assignment) -> None:
        if a.status is AssignmentStatus.RESOLVED:
            assert a.resolved_at is not None and a.result.strip() and a.acknowledged_at
        else:
            assert a.resolved_at is None and a.result == ""
        if a.status is AssignmentStatus.RETURNED or a.return_reason:
            # Returned, then possibly rerouted or cancelled: never resolved.
            assert a.status in (
                AssignmentStatus.RETURNED,
                AssignmentStatus.REROUTED,
                AssignmentStatus.CANCELLED,
            ), "an assignment both returned and resolved"
            assert a.returned_at is not None and a.return_reason.strip()
        if a.status is AssignmentStatus.REROUTED or a.rerouted_to is not None:
            assert a.status is AssignmentStatus.REROUTED
            assert a.rerouted_to in {other.id for other in incident.assignments}
        if a.status is AssignmentStatus.IN_PROGRESS:
            assert a.acknowledged_at is not None
        # The ladder: each deadline's breaches are rungs 1..k, each once, reached in order.
        by_deadline: dict[tuple[str, datetime], list[int]] = {}
        for breach in a.breaches:
            by_deadline.setdefault((breach.kind, breach.due_at), []).append(breach.rung)
        for rungs in by_deadline.values():
            assert rungs == list(range(1, len(rungs) + 1))


IncidentLifecycle.TestCase.settings = settings(
    # how many examples: the run's profile (lianxin.testing.hypothesis_profiles)
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_incident_lifecycle = IncidentLifecycle.TestCase
