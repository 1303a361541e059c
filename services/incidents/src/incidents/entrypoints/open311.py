"""Open311 GeoReport v2 at `/open311/v2`, so existing 311 front-ends and back-offices plug in.

- `GET  services.json`: one service per category some department handles;
- `POST requests.json` (form-encoded): a new incident in a micro-grid (`address_id`);
- `GET  requests.json`, `GET requests/{id}.json`: incidents, with our statuses as open/closed;
- `GET  servicerequestupdates.json`, `POST servicerequestupdates.json` (mySociety's extension):
  each timeline line as an update; a department's back-office posts its progress.

JSON only: any other format is a 404. Credentials: an organisation token, as a bearer header or
as the spec's `api_key` (query or form field). Errors take the spec's form, a JSON array of
`{code, description}`, unless the client asks for `application/problem+json`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from incidents.adapters.open311 import Open311View, RequestView
from incidents.domain.open311 import Line, action_for, note, status_of, updates
from incidents.entrypoints.api import GRID_STAFF
from incidents.service_layer import commands, department_actions
from incidents.service_layer.department_actions import ACTIONS
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Unauthorized
from lianxin.errors import ApplicationError, Forbidden, NotFound, RuleBroken
from lianxin.problems import PROBLEM_JSON, Problem, as_problem
from lianxin.service import Runtime, runtime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_SPAN = timedelta(days=90)  # the spec's default query: 90 days or 1000 requests
DEFAULT_LIMIT = 1000
URGENCIES = ("emergency", "utilities", "general", "complex")


def _open311_errors(status: int, descriptions: list[str]) -> JSONResponse:
    body = [{"code": status, "description": d} for d in descriptions]
    return JSONResponse(body, status_code=status)


class Open311Route(APIRoute):
    """Errors in the spec's array form; problem+json for a client that asks for it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except (ApplicationError, Problem, RequestValidationError, HTTPException) as exc:
                if PROBLEM_JSON in request.headers.get("accept", ""):
                    raise
                return _as_open311(as_problem(exc) if isinstance(exc, ApplicationError) else exc)

        return route


def _as_open311(exc: Exception) -> JSONResponse:
    if isinstance(exc, RequestValidationError):
        return _open311_errors(
            400, [f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors()]
        )
    if isinstance(exc, Problem):
        # Open311 clients know 400 for bad input; 422 is ours.
        status = 400 if exc.status == 422 else exc.status
        details = [f"{e['field']}: {e['detail']}" for e in exc.errors] or [exc.detail or exc.title]
        response = _open311_errors(status, details)
        response.headers.update(exc.headers or {})
        return response
    assert isinstance(exc, HTTPException)
    return _open311_errors(exc.status_code, [str(exc.detail)])


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)
_bearer = HTTPBearer(auto_error=False)


async def open311_caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """A bearer token, or the same token as `api_key` in the query or the form."""
    token = credentials.credentials if credentials else request.query_params.get("api_key")
    if token is None and request.method == "POST":
        with contextlib.suppress(Exception):
            token = (await request.form()).get("api_key")  # type: ignore[assignment]
    if not token:
        raise Unauthorized("an api_key (an organisation token) or a bearer token is required")
    request.state.principal = await request.app.state.token_verifier.verify(str(token))
    return request.state.principal


def json_only(fmt: str) -> None:
    if fmt != "json":
        raise Problem(404, "Not Found", f"format {fmt} is not served: use .json")


async def uow(rt: Runtime = Depends(runtime)) -> IncidentsUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


def w3c(value: datetime | None) -> str | None:
    """The spec's date format: ISO 8601 with the zone, seconds precision."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_w3c(field: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RuleBroken(field, f"{value!r} is not a W3C date-time") from exc
    if parsed.tzinfo is None:
        raise RuleBroken(field, "a date-time needs its zone (Z or ±hh:mm)")
    return parsed


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@router.get("/discovery.json")
async def discovery(request: Request, caller: Principal = Depends(open311_caller)) -> dict:
    """Service discovery: where this endpoint is and what it speaks."""
    return {
        "changeset": "2026-11-22T00:00:00Z",
        "contact": "the alliance's platform operators",
        "key_service": "an organisation token (client credentials) as api_key",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": str(request.url_for("services", fmt="json")).rsplit("/", 1)[0],
                "changeset": "2026-11-22T00:00:00Z",
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    }


@router.get("/services.{fmt}", name="services")
async def services(
    fmt: str, uow: IncidentsUnitOfWork = Depends(uow), caller: Principal = Depends(open311_caller)
) -> list[dict]:
    json_only(fmt)
    async with uow:
        found = await Open311View(uow.session).services()
    return [
        {
            "service_code": s.code,
            "service_name": s.code.replace("_", " "),
            "description": "Handled by " + ", ".join(name for _, name in s.departments),
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join(code for code, _ in s.departments),
            "group": s.departments[0][1],
        }
        for s in found
    ]


def _request(view: RequestView) -> dict:
    last: Line | None = view.lines[-1] if view.lines else None
    return {
        "service_request_id": str(view.id),
        "status": status_of(view.status),
        "status_notes": note(last) if last else "",
        "service_name": view.category.replace("_", " "),
        "service_code": view.category,
        "description": view.description,
        "agency_responsible": view.lead_department or "",
        "service_notice": "",
        "requested_datetime": w3c(view.reported_at),
        "updated_datetime": w3c(last.at if last else view.reported_at),
        "expected_datetime": w3c(view.expected_at),
        "address": view.micro_grid_name,
        "address_id": view.micro_grid_code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": view.photos[0] if view.photos else "",
    }


def _form_body(required: list[str], *optional: str) -> dict[str, Any]:
    """The OpenAPI request body of a POST that reads its form itself (the spec's field names).
    Not `required`: the route names what is missing, in the spec's error form."""
    fields = {name: {"type": "string"} for name in (*required, *optional)}
    schema = {"type": "object", "required": required, "properties": fields}
    form = {"application/x-www-form-urlencoded": {"schema": schema}}
    return {"requestBody": {"content": form}}


REQUEST_FORM = _form_body(
    ["service_code", "description"],
    *("api_key", "address_id", "address_string", "lat", "long", "media_url"),
    *("first_name", "last_name", "phone", "email", "account_id"),
    *("attribute[urgency]", "attribute[contact_consent]"),
)
UPDATE_FORM = _form_body(["service_request_id", "status"], "description", "api_key")


@router.post("/requests.{fmt}", openapi_extra=REQUEST_FORM)
async def create_request(
    fmt: str,
    request: Request,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> list[dict]:
    """A resident's report from a 311 front-end: an incident in the micro-grid `address_id`
    names (or whose code or name `address_string` is). We do not geocode: lat/long alone is not
    enough to find a micro-grid."""
    json_only(fmt)
    if not caller.has_role(*GRID_STAFF):
        raise Forbidden(f"{caller.role} may not report incidents")
    form = await request.form()
    service_code = str(form.get("service_code") or "").strip()
    if not service_code:
        raise RuleBroken("service_code", "service_code is required")
    async with uow:
        known = {s.code for s in await Open311View(uow.session).services()}
    if service_code not in known:
        raise RuleBroken(
            "service_code", f"{service_code} is not a service here (see services.json)"
        )
    micro_grid = await _micro_grid(uow, form)
    description = str(form.get("description") or "").strip()
    if not description:
        raise RuleBroken("description", "describe the problem")
    if len(description) > 4000:
        raise RuleBroken("description", "at most 4000 characters")
    media_url = str(form.get("media_url") or "").strip()
    urgency = str(form.get("attribute[urgency]") or "general")
    if urgency not in URGENCIES:
        raise RuleBroken("attribute[urgency]", f"one of {', '.join(URGENCIES)}")
    try:
        incident = await commands.report(
            uow,
            caller,
            micro_grid_code=micro_grid,
            category=service_code,
            urgency=urgency,
            description=description,
            affected_households=0,
            reporter=_reporter(form) or caller.subject,
            reporter_kind="resident",
            reporter_contact=_contact(form),
            contact_consent=str(form.get("attribute[contact_consent]") or "") == "true",
            photos=[media_url] if media_url else [],
        )
    except RuleBroken as broken:
        if broken.field == "micro_grid_code":
            raise RuleBroken("address_id", broken.detail) from broken  # the spec's name for it
        raise
    return [
        {
            "service_request_id": str(incident.id),
            "service_notice": "",
            "account_id": form.get("account_id") or None,
        }
    ]


def _reporter(form) -> str:
    """The resident's name, as the 311 front-end gave it."""
    names = [str(form.get(k) or "").strip() for k in ("first_name", "last_name")]
    return " ".join(n for n in names if n)


def _contact(form) -> str:
    """Phone and email: personal, kept as the reporter's contact, masked unless consented."""
    parts = [str(form.get(k) or "").strip() for k in ("phone", "email")]
    return " ".join(p for p in parts if p)[:200]


async def _micro_grid(uow: IncidentsUnitOfWork, form) -> str:
    address_id = str(form.get("address_id") or "").strip()
    address = str(form.get("address_string") or "").strip()
    if address_id:
        return address_id  # commands.report checks it is a micro-grid the caller may report in
    if address:
        async with uow:
            nodes = await uow.org.grid_nodes(None)
        for node in nodes:
            if node.kind == "micro_grid" and address in (node.code, node.name):
                return node.code
        raise RuleBroken("address_string", f"no micro-grid is called {address!r}")
    if form.get("lat") or form.get("long"):
        raise RuleBroken("address_id", "lat/long cannot be placed: give address_id (a micro-grid)")
    raise RuleBroken("address_id", "give a location: address_id (a micro-grid) or address_string")


@router.get("/requests.{fmt}")
async def list_requests(
    fmt: str,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> list[dict]:
    """Requests the caller may see. By id (the other filters are then ignored, as the spec
    says), else by service, date span (90 days by default) and status, newest first."""
    json_only(fmt)
    statuses = _csv(status)
    if bad := [s for s in statuses if s not in ("open", "closed")]:
        raise RuleBroken("status", f"open or closed, not {', '.join(bad)}")
    view_args: dict[str, Any]
    if service_request_id:
        view_args = {"ids": [_uuid(v) for v in _csv(service_request_id)]}
    else:
        start, end = parse_w3c("start_date", start_date), parse_w3c("end_date", end_date)
        if start is None:
            start = (end or datetime.now(UTC)) - DEFAULT_SPAN
        view_args = {
            "service_codes": _csv(service_code),
            "start": start,
            "end": end,
            "statuses": statuses,
            "limit": DEFAULT_LIMIT,
        }
    async with uow:
        found = await Open311View(uow.session).requests(caller, **view_args)
    return [_request(v) for v in found]


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as exc:
        raise RuleBroken("service_request_id", f"{value!r} is not a service request id") from exc


@router.get("/requests/{service_request_id}.{fmt}")
async def get_request(
    service_request_id: str,
    fmt: str,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> list[dict]:
    """One request, as a list of one (the spec's shape)."""
    json_only(fmt)
    async with uow:
        found = await Open311View(uow.session).requests(caller, ids=[_uuid(service_request_id)])
    if not found:
        raise NotFound("service request", service_request_id)
    return [_request(found[0])]


@router.get("/servicerequestupdates.{fmt}")
async def list_updates(
    fmt: str,
    start_date: str | None = None,
    end_date: str | None = None,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> list[dict]:
    """Every timeline line of the visible requests between the dates, as an update, oldest
    first: what a back-office polls to follow the requests it holds."""
    json_only(fmt)
    start, end = parse_w3c("start_date", start_date), parse_w3c("end_date", end_date)
    async with uow:
        found = await Open311View(uow.session).updated_between(caller, start, end, DEFAULT_LIMIT)
    lines = [
        u
        for view in found
        for u in updates(str(view.id), view.lines)
        if (start is None or u.updated_datetime >= start)
        and (end is None or u.updated_datetime <= end)
    ]
    lines.sort(key=lambda u: (u.updated_datetime, u.update_id))
    return [
        {
            "update_id": u.update_id,
            "service_request_id": u.service_request_id,
            "status": u.status,
            "updated_datetime": w3c(u.updated_datetime),
            "description": u.description,
            "media_url": "",
        }
        for u in lines
    ]


@router.post("/servicerequestupdates.{fmt}", openapi_extra=UPDATE_FORM)
async def post_update(
    fmt: str,
    request: Request,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> list[dict]:
    """A department's back-office reports on its own assignment of the request: the status
    says which step (see `UPDATE_STATUSES`), `description` is the note, result or reason."""
    json_only(fmt)
    if caller.scope.department is None or not caller.is_department(caller.scope.department):
        raise Forbidden("only a department reports on its assignments")
    form = await request.form()
    incident_id = _uuid(str(form.get("service_request_id") or ""))
    status = str(form.get("status") or "")
    action = action_for(status)
    if action is None:
        raise RuleBroken("status", f"{status!r} is not an update status we know")
    description = str(form.get("description") or "").strip()
    assignment_id = await _own_assignment(uow, caller, incident_id)
    code = caller.scope.department

    try:
        incident = await department_actions.take(uow, caller, assignment_id, action, description)
    except RuleBroken as broken:
        if broken.field == ACTIONS[action].text:  # Open311 calls every text `description`
            raise RuleBroken("description", broken.detail) from broken
        raise
    assert incident is not None
    mine = [n for n, line in enumerate(incident.timeline) if line.actor == f"department:{code}"]
    return [{"update_id": f"{incident.id}.{mine[-1]}"}]


async def _own_assignment(uow: IncidentsUnitOfWork, caller: Principal, incident_id: UUID) -> UUID:
    """The caller's department's live assignment of the incident (a rerouted or cancelled one
    is history)."""
    async with uow:
        incident = await uow.incidents.get(incident_id)
    own = [
        a
        for a in (incident.assignments if incident else [])
        if caller.is_department(a.department_code) and a.status not in ("rerouted", "cancelled")
    ]
    if not own:
        raise NotFound("service request", incident_id)
    return max(own, key=lambda a: a.dispatched_at).id
