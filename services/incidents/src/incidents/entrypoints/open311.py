"""Open311 GeoReport v2 at `/open311/v2`, so existing 311 front-ends and back-offices plug in.

- `GET  discovery.{xml,json}`, `services.{xml,json}`, `services/{code}.{xml,json}`: public;
- `POST requests.{xml,json}` (form-encoded): a new incident in a micro-grid (`address_id`);
- `GET  requests.{xml,json}`, `GET requests/{id}.{xml,json}`: incidents, open or closed;
- `GET  servicerequestupdates.{xml,json}`, `POST servicerequestupdates.{xml,json}` (mySociety's
  extension): each timeline line as an update; a department's back-office posts its progress.

Formats, errors and the key: see `open311_wire`. Requests need a key: incidents are not public,
and a token sees what it sees in the rest of the API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from incidents.adapters.open311 import Open311View, RequestView, Service
from incidents.domain.open311 import (
    URGENCIES,
    Line,
    action_for,
    coordinate,
    definition,
    note,
    status_of,
    updates,
)
from incidents.entrypoints.api import GRID_STAFF
from incidents.entrypoints.open311_wire import (
    REQUEST_FORM,
    UPDATE_FORM,
    Open311Route,
    csv,
    open311_caller,
    parse_w3c,
    respond,
    served,
    w3c,
)
from incidents.service_layer import commands, department_actions
from incidents.service_layer.department_actions import ACTIONS
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal
from lianxin.errors import Forbidden, NotFound, RuleBroken
from lianxin.problems import Problem
from lianxin.service import Runtime, runtime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_SPAN = timedelta(days=90)  # the spec's default query: 90 days or 1000 requests
MAX_SPAN = timedelta(days=90)  # and the longest range a query may ask for
DEFAULT_LIMIT = 1000
CHANGESET = "2026-11-29T00:00:00Z"

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)


async def uow(rt: Runtime = Depends(runtime)) -> IncidentsUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


@router.get("/discovery.{fmt}")
async def discovery(fmt: str, request: Request) -> Response:
    """Service discovery: where this endpoint is and what it speaks. Public."""
    served(fmt)
    body = {
        "changeset": CHANGESET,
        "contact": "the alliance's platform operators",
        "key_service": "an organisation token (client credentials) as api_key",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": str(request.url_for("services", fmt="json")).rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, body, "discovery", "")


async def _known(uow: IncidentsUnitOfWork, service_code: str) -> Service:
    """The service of that code, or the spec's 404."""
    async with uow:
        found = {s.code: s for s in await Open311View(uow.session).services()}
    if service_code not in found:
        raise NotFound("service", f"{service_code} (see services.json)")
    return found[service_code]


@router.get("/services.{fmt}", name="services")
async def services(fmt: str, uow: IncidentsUnitOfWork = Depends(uow)) -> Response:
    """One service per category some department handles. Public."""
    served(fmt)
    async with uow:
        found = await Open311View(uow.session).services()
    body = [
        {
            "service_code": s.code,
            "service_name": s.code.replace("_", " "),
            "description": "Handled by " + ", ".join(name for _, name in s.departments),
            "metadata": True,  # its attributes: services/{code}
            "type": "realtime",
            "keywords": ",".join(code for code, _ in s.departments),
            "group": s.departments[0][1],
        }
        for s in found
    ]
    return respond(fmt, body, "services", "service")


@router.get("/services/{service_code}.{fmt}")
async def service_definition(
    service_code: str, fmt: str, uow: IncidentsUnitOfWork = Depends(uow)
) -> Response:
    """The attributes a request for this service may carry. Public."""
    served(fmt)
    await _known(uow, service_code)
    return respond(fmt, definition(service_code), "service_definition", "")


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
        "lat": view.latitude,
        "long": view.longitude,
        "media_url": view.photos[0] if view.photos else "",
    }


@router.post("/requests.{fmt}", openapi_extra=REQUEST_FORM)
async def create_request(
    fmt: str,
    request: Request,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> Response:
    """A resident's report from a 311 front-end: an incident in the micro-grid `address_id`
    names (or whose code or name `address_string` is)."""
    served(fmt)
    if not caller.has_role(*GRID_STAFF):
        raise Forbidden(f"{caller.role} may not report incidents")
    form = await request.form()
    service_code = _text(form, "service_code")
    if not service_code:
        raise RuleBroken("service_code", "service_code is required")
    await _known(uow, service_code)
    latitude, longitude = _point(form)
    micro_grid = await _micro_grid(uow, form, pinned=latitude is not None)
    description = _text(form, "description")
    if not description:
        raise RuleBroken("description", "describe the problem")
    if len(description) > 4000:
        raise RuleBroken("description", "at most 4000 characters")
    media_url = _text(form, "media_url")
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
            affected_households=_households(form),
            reporter=_reporter(form) or caller.subject,
            reporter_kind="resident",
            reporter_contact=_contact(form),
            contact_consent=str(form.get("attribute[contact_consent]") or "") == "true",
            photos=[media_url] if media_url else [],
            latitude=latitude,
            longitude=longitude,
        )
    except RuleBroken as broken:
        # The spec's names for our fields.
        theirs = {
            "micro_grid_code": "address_id",
            "affected_households": "attribute[affected_households]",
            "latitude": "lat",
            "longitude": "long",
        }
        if broken.field in theirs:
            raise RuleBroken(theirs[broken.field], broken.detail) from broken
        raise
    body = [
        {
            "service_request_id": str(incident.id),
            "service_notice": "",
            "account_id": form.get("account_id") or None,
        }
    ]
    return respond(fmt, body, "service_requests", "request")


def _text(form, name: str) -> str:
    """A form field as text, trimmed: a field not sent is empty."""
    return str(form.get(name) or "").strip()


def _households(form) -> int:
    value = str(form.get("attribute[affected_households]") or "0").strip()
    if not value.isdigit():
        raise RuleBroken("attribute[affected_households]", f"{value!r} is not a whole number")
    return int(value)


def _reporter(form) -> str:
    """The resident's name, as the 311 front-end gave it."""
    names = [_text(form, k) for k in ("first_name", "last_name")]
    return " ".join(n for n in names if n)


def _contact(form) -> str:
    """Phone and email: personal, kept as the reporter's contact, masked unless consented."""
    parts = [_text(form, k) for k in ("phone", "email")]
    return " ".join(p for p in parts if p)[:200]


def _point(form) -> tuple[float | None, float | None]:
    """`lat` and `long` (WGS-84 decimal degrees): both or neither. Kept as the incident's map pin
    beside the micro-grid its address names."""
    lat, long = (_text(form, k) for k in ("lat", "long"))
    if not (lat or long):
        return None, None
    if not (lat and long):
        raise RuleBroken("long" if lat else "lat", "lat and long go together")
    return coordinate("lat", lat, 90), coordinate("long", long, 180)


async def _micro_grid(uow: IncidentsUnitOfWork, form, *, pinned: bool) -> str:
    address_id = _text(form, "address_id")
    address = _text(form, "address_string")
    if address_id:
        return address_id  # commands.report checks it is a micro-grid the caller may report in
    if address:
        async with uow:
            nodes = await uow.org.grid_nodes(None)
        for node in nodes:
            if node.kind == "micro_grid" and address in (node.code, node.name):
                return node.code
        raise RuleBroken("address_string", f"no micro-grid is called {address!r}")
    if pinned:
        # A point alone is never dropped in silence, nor guessed at: it is refused, saying why.
        raise RuleBroken(
            "address_id",
            "a point alone cannot be placed in a micro-grid here (grid nodes carry no "
            "coordinates): send address_id (a micro-grid code) or address_string (its code or "
            "name) with lat and long",
        )
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
) -> Response:
    """Requests the caller may see. By id (the other filters are then ignored, as the spec
    says; an id that is no request's finds nothing), else by service, date range (the last 90
    days by default, at most 90 days) and status, newest first."""
    served(fmt)
    statuses = csv(status)
    if bad := [s for s in statuses if s not in ("open", "closed")]:
        raise RuleBroken("status", f"open or closed, not {', '.join(bad)}")
    view_args: dict[str, Any]
    if service_request_id:
        view_args = {"ids": [i for v in csv(service_request_id) if (i := _uuid(v))]}
    else:
        start, end = parse_w3c("start_date", start_date), parse_w3c("end_date", end_date)
        if start and end and end < start:
            raise RuleBroken("end_date", "the range ends before it starts")
        if start and end and end - start > MAX_SPAN:
            raise RuleBroken("end_date", "a range may span at most 90 days")
        if start is None:
            start = (end or datetime.now(UTC)) - DEFAULT_SPAN
        view_args = {
            "service_codes": csv(service_code),
            "start": start,
            "end": end,
            "statuses": statuses,
            "limit": DEFAULT_LIMIT,
        }
    async with uow:
        found = await Open311View(uow.session).requests(caller, **view_args)
    return respond(fmt, [_request(v) for v in found], "service_requests", "request")


def _uuid(value: str) -> UUID | None:
    """A request id, or None: a string that is no UUID names no request (the spec's 404)."""
    try:
        return UUID(value)
    except ValueError:
        return None


@router.get("/requests/{service_request_id}.{fmt}")
async def get_request(
    service_request_id: str,
    fmt: str,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> Response:
    """One request, as a list of one (the spec's shape)."""
    served(fmt)
    found = []
    if (incident_id := _uuid(service_request_id)) is not None:
        async with uow:
            found = await Open311View(uow.session).requests(caller, ids=[incident_id])
    if not found:
        raise NotFound("service request", service_request_id)
    return respond(fmt, [_request(found[0])], "service_requests", "request")


@router.get("/servicerequestupdates.{fmt}")
async def list_updates(
    fmt: str,
    start_date: str | None = None,
    end_date: str | None = None,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> Response:
    """Every timeline line of the visible requests between the dates, as an update, oldest
    first: what a back-office polls to follow the requests it holds."""
    served(fmt)
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
    body = [
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
    return respond(fmt, body, "service_request_updates", "request_update")


@router.post("/servicerequestupdates.{fmt}", openapi_extra=UPDATE_FORM)
async def post_update(
    fmt: str,
    request: Request,
    uow: IncidentsUnitOfWork = Depends(uow),
    caller: Principal = Depends(open311_caller),
) -> Response:
    """A department's back-office reports on its own assignment of the request: the status
    says which step (see `UPDATE_STATUSES`), `description` is the note, result or reason."""
    served(fmt)
    if caller.scope.department is None or not caller.is_department(caller.scope.department):
        raise Forbidden("only a department reports on its assignments")
    form = await request.form()
    request_id = str(form.get("service_request_id") or "")
    status = str(form.get("status") or "")
    action = action_for(status)
    if action is None:
        raise RuleBroken("status", f"{status!r} is not an update status we know")
    description = _text(form, "description")
    assignment_id = await _own_assignment(uow, caller, request_id)
    code = caller.scope.department

    try:
        incident = await department_actions.take(uow, caller, assignment_id, action, description)
    except RuleBroken as broken:
        if broken.field == ACTIONS[action].text:  # Open311 calls every text `description`
            raise RuleBroken("description", broken.detail) from broken
        raise
    assert incident is not None
    mine = [n for n, line in enumerate(incident.timeline) if line.actor == f"department:{code}"]
    body = [{"update_id": f"{incident.id}.{mine[-1]}"}]
    return respond(fmt, body, "service_request_updates", "request_update")


async def _own_assignment(uow: IncidentsUnitOfWork, caller: Principal, request_id: str) -> UUID:
    """The caller's department's live assignment of the incident (a rerouted or cancelled one
    is history)."""
    incident = None
    if (incident_id := _uuid(request_id)) is not None:
        async with uow:
            incident = await uow.incidents.get(incident_id)
    own = [
        a
        for a in (incident.assignments if incident else [])
        if caller.is_department(a.department_code) and a.status not in ("rerouted", "cancelled")
    ]
    if not own:
        raise NotFound("service request", request_id)
    return max(own, key=lambda a: a.dispatched_at).id


@router.api_route(
    "/{resource:path}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
async def unserved(resource: str, request: Request) -> Response:
    """Anything else under /open311/v2 is answered in the spec's error form too: 405 (with
    `Allow`) for a resource we serve with other methods, else 404."""
    allowed = sorted(
        method
        for route in router.routes
        if route.endpoint is not unserved  # type: ignore[attr-defined]
        and route.path_regex.match(request.url.path)  # type: ignore[attr-defined]
        for method in route.methods  # type: ignore[attr-defined]
    )
    if allowed:
        raise Problem(
            405,
            "Method Not Allowed",
            f"{request.method} {resource}: use " + " or ".join(allowed),
            headers={"Allow": ", ".join(allowed)},
        )
    raise Problem(404, "Not Found", f"{resource} is no Open311 resource here")
