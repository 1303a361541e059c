"""The one table of what a department does with its assignment, whatever the channel: its REST
API, Open311's service request updates, or a report-in (报到) over NATS. Asking for more time
(`request_extension`, REST or NATS) takes a deadline besides its text, so it stands beside it.

Each channel only names the action (`ACTIONS`) and passes its text; the table says which domain
step runs, what input it needs, and what it leaves behind (timeline line, event, contract).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from incidents.domain import events
from incidents.domain.incident import Incident
from incidents.service_layer.pipeline import Clock, act_on_assignment, utcnow
from incidents.service_layer.published import CONTRACTS
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts import departments as report_in
from lianxin.errors import ApplicationError, NotFound
from lianxin.messaging.subscriber import Rejected

Step = Callable[[Incident, UUID, str, str, datetime], None]


@dataclass(frozen=True)
class DepartmentAction:
    name: str
    summary: str
    # The domain step: (incident, assignment id, department code, text, now).
    step: Step
    # The text it takes: a note, a reason or a result (the domain step says if it may be empty).
    text: str
    # What it leaves: one timeline line, one domain event (and that event's contract).
    timeline_action: str
    event: type
    # How a department's system says it over NATS.
    report_in: type[EventData]

    @property
    def contract(self) -> type[EventData]:
        return CONTRACTS[self.event]


ACTIONS: dict[str, DepartmentAction] = {
    action.name: action
    for action in (
        DepartmentAction(
            "acknowledge",
            "Sign for the whistle (接单).",
            Incident.acknowledge,
            "note",
            "acknowledged",
            events.DepartmentAcknowledged,
            report_in.AcknowledgementReportedIn,
        ),
        DepartmentAction(
            "return",
            "Send it back, not signed for: not this department's matter, and why (退单).",
            Incident.return_assignment,
            "reason",
            "returned",
            events.DepartmentReturned,
            report_in.ReturnReportedIn,
        ),
        # The wire still says `start` (REST path, `assignment.started`, timeline `started`).
        DepartmentAction(
            "handle",
            "Work on it (办理).",
            Incident.handle,
            "note",
            "started",
            events.DepartmentStartedHandling,
            report_in.HandlingReportedIn,
        ),
        # The wire still says `resolve`/`resolution` (`assignment.resolved`).
        DepartmentAction(
            "report_result",
            "Report the result (反馈).",
            Incident.report_result,
            "result",
            "assignment_resolved",
            events.DepartmentReportedResult,
            report_in.ResultReportedIn,
        ),
    )
}
BY_REPORT_IN: dict[type[EventData], DepartmentAction] = {a.report_in: a for a in ACTIONS.values()}


async def take(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    assignment_id: UUID,
    action_name: str,
    text: str,
    clock: Clock = utcnow,
    *,
    once: tuple[str, str] | None = None,
) -> Incident | None:
    """The department (or the platform for it) takes one step on its own assignment."""
    action = ACTIONS[action_name]

    def step(incident: Incident, code: str, now: datetime) -> None:
        action.step(incident, assignment_id, code, text, now)

    return await _on_own(uow, principal, assignment_id, action.name, step, clock, once)


async def request_extension(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    assignment_id: UUID,
    reason: str,
    resolve_by: datetime,
    clock: Clock = utcnow,
    *,
    once: tuple[str, str] | None = None,
) -> Incident | None:
    """The department asks for more time on its own assignment (延期申请)."""

    def step(incident: Incident, code: str, now: datetime) -> None:
        incident.request_extension(assignment_id, code, reason, resolve_by, now)

    return await _on_own(uow, principal, assignment_id, "request_extension", step, clock, once)


async def _on_own(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    assignment_id: UUID,
    name: str,
    step: Callable[[Incident, str, datetime], None],
    clock: Clock,
    once: tuple[str, str] | None,
) -> Incident | None:
    """A step of the department that holds the assignment, as that department."""

    def command(incident: Incident, now: datetime) -> None:
        code = next(a.department_code for a in incident.assignments if a.id == assignment_id)
        step(incident, code, now)

    return await act_on_assignment(uow, principal, assignment_id, name, command, clock, once=once)


async def apply_report_in(
    uow: IncidentsUnitOfWork,
    event: CloudEvent,
    data: EventData,
    subject: str,
    consumer: str,
    clock: Clock = utcnow,
) -> None:
    """A department reported in over NATS: signed for, returned, handling or its result, once.

    The department is the one the payload names, and the subject it came on must be that
    department's (NATS lets a department publish on its own subjects only): a mismatch is a
    forgery, rejected like anything that can never apply.
    """
    action = BY_REPORT_IN.get(type(data))
    extension = isinstance(data, report_in.ExtensionRequestReportedIn)
    if action is None and not extension:
        raise Rejected(f"{event.type} is not a department's report-in")
    if data.nats_subject() != subject:
        raise Rejected(f"{subject} carries a report-in for {data.nats_subject()}")
    code = data.department_code  # type: ignore[attr-defined]
    department = Principal(f"department:{code}", Role.DEPARTMENT_OPERATOR, Scope(department=code))
    assignment_id = data.assignment_id  # type: ignore[attr-defined]
    try:
        if isinstance(data, report_in.ExtensionRequestReportedIn):
            await request_extension(
                uow,
                department,
                assignment_id,
                data.reason,
                data.resolve_by,
                clock,
                once=(consumer, event.id),
            )
        else:
            assert action is not None
            text = getattr(data, action.text)
            await take(
                uow, department, assignment_id, action.name, text, clock, once=(consumer, event.id)
            )
    except NotFound as missing:
        held = f"{code} holds no assignment {data.assignment_id}"  # type: ignore[attr-defined]
        raise Rejected(f"{held}: another department's, or none") from missing
    except ApplicationError as refused:
        raise Rejected(str(refused)) from refused
