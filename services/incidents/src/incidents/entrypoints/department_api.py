"""What a department's system does over REST (the webhook channel's way back): the department
actions on its own assignments, with a department-scoped token. One route per action of
`department_actions.ACTIONS`; the paths keep their first words."""

from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime

from incidents.entrypoints.api import NoteIn, ReasonIn, ResultIn, uow
from incidents.entrypoints.schemas import IncidentOut, out
from incidents.service_layer import department_actions
from incidents.service_layer.department_actions import ACTIONS, DepartmentAction
from incidents.service_layer.pipeline import utcnow
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, require

router = APIRouter()
department = require(Role.DEPARTMENT_OPERATOR)

# The path under /assignments/{id}/ → the action; the body is the text the action takes.
PATHS = {
    "acknowledgement": "acknowledge",
    "return": "return",
    "start": "handle",
    "resolution": "report_result",
    "extension-request": "request_extension",
}


class ExtensionIn(ReasonIn):
    # The deadline asked for, with its offset (e.g. 2026-12-01T18:00:00+08:00).
    resolve_by: AwareDatetime


# The body of each action: by its name where it takes more than its text, else by its text.
BODIES = {"request_extension": ExtensionIn, "note": NoteIn, "reason": ReasonIn, "result": ResultIn}


def _route(action: DepartmentAction):
    body_model = BODIES.get(action.name) or BODIES[action.text]

    async def take(
        assignment_id: UUID,
        body: body_model,  # type: ignore[valid-type]
        uow: IncidentsUnitOfWork = Depends(uow),
        principal: Principal = Depends(department),
    ) -> IncidentOut:
        text = getattr(body, action.text)
        more = {name: getattr(body, name) for name in action.more}
        incident = await department_actions.take(
            uow, principal, assignment_id, action.name, text, **more
        )
        return out(incident, principal, utcnow())  # type: ignore[arg-type]

    return take


for path, name in PATHS.items():
    router.add_api_route(
        f"/assignments/{{assignment_id}}/{path}",
        _route(ACTIONS[name]),
        methods=["POST"],
        response_model=IncidentOut,
        name=name,
        description=ACTIONS[name].summary,
    )
