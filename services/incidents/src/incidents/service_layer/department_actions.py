"""The one table of what a department does with its assignment, whatever the channel: its REST
API, Open311's service request updates, or a report-in (报到) over NATS. Asking for more time
(延期申请) takes a deadline besides its text (`more`).

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

Step = Callable[..., None]


@dataclass(frozen=True)
class DepartmentAction:
    name: str
    summary: str
    # The domain step: (incident, assignment id, department code, text, now, **more).
    step: Step
    # The text it takes: a note, a reason or a result (the domain step says if it may be empty).
    text: str
    # What it leaves: one timeline line, one domain event (and that event's contract).
    timeline_action: str
    event: type
    # How a department's system says it over NATS.
    report_in: type[EventData]
    # The inputs it takes besides its text, by name (the same in the REST body and report-in).
    more: tuple[str, ...] = ()

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
        DepartmentAction(
            "request_extension",
            "Ask for more time, until `resolve_by`, and why (延期申请).",
            Incident.request_extension,
            "reason",
            "extension_requested",
            events.ExtensionRequested,
            report_in.ExtensionRequestReportedIn,
            more=("resolve_by",),
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
    **more: object,
) -> Incident | None:
    """The department (or the platform for it) takes one step on its own assignment; `more`
    are the inputs the action names besides its text."""
    action = ACTIONS[action_name]

    def command(incident: Incident, now: datetime) -> None:
        code = next(a.department_code for a in incident.assignments if a.id == assignment_id)
        action.step(incident, assignment_id, code, text, now, **more)

    return await act_on_assignment(
        uow, principal, assignment_id, action.name, command, clock, once=once
    )


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
    if action is None:
        raise Rejected(f"{event.type} is not a department's report-in")
    if data.nats_subject() != subject:
        raise Rejected(f"{subject} carries a report-in for {data.nats_subject()}")
    code = data.department_code  # type: ignore[attr-defined]
    department = Principal(f"department:{code}", Role.DEPARTMENT_OPERATOR, Scope(department=code))
    try:
        await take(
            uow,
            department,
            data.assignment_id,  # type: ignore[attr-defined]
            action.name,
            getattr(data, action.text),
            clock,
            once=(consumer, event.id),
            **{name: getattr(data, name) for name in action.more},
        )
    except NotFound as missing:
        held = f"{code} holds no assignment {data.assignment_id}"  # type: ignore[attr-defined]
        raise Rejected(f"{held}: another department's, or none") from missing
    except ApplicationError as refused:
        raise Rejected(str(refused)) from refused
