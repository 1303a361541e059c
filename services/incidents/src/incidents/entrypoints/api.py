"""The incidents HTTP API: reporting, handling and closing incidents, for the grid's people."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from incidents.adapters.incident_search import IncidentFilter
from incidents.domain.incident import Incident
from incidents.domain.rating_links import link_key
from incidents.entrypoints.schemas import IncidentOut, out
from incidents.service_layer import commands, resident_rating, routing
from incidents.service_layer.pipeline import utcnow, visible
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated, require
from lianxin.contracts.incidents import Rating, ReporterKind, Urgency
from lianxin.errors import NotFound
from lianxin.listings import MAX_OFFSET, Day
from lianxin.openapi import problem_response
from lianxin.service import Runtime, runtime

router = APIRouter()

Status = Literal[
    "reported",
    "accepted",
    "rejected",
    "escalated",
    "resolved",
    "verified",
    "closed",
    "cancelled",
    "merged",
]
# Who handles incidents in the grid: the grid leader in its grids, coordinators in their areas.
GRID_STAFF = (
    Role.GRID_LEADER,
    Role.COMMUNITY_COORDINATOR,
    Role.STREET_COORDINATOR,
    Role.ALLIANCE_ADMIN,
)
COORDINATORS = (Role.COMMUNITY_COORDINATOR, Role.STREET_COORDINATOR, Role.ALLIANCE_ADMIN)


# async: a plain `def` dependency would run in a worker thread, a thread hop per request.
async def uow(rt: Runtime = Depends(runtime)) -> IncidentsUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


class IncidentIn(BaseModel):
    micro_grid_code: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    urgency: Urgency
    description: str = Field(min_length=1, max_length=4000)
    affected_households: int = Field(default=0, ge=0, le=1_000_000)
    affected_merchants: int = Field(default=0, ge=0, le=1_000_000)
    photos: list[str] = Field(default=[], max_length=20)
    reporter: str = Field(default="grid", min_length=1, max_length=200)
    reporter_kind: ReporterKind | None = None
    reporter_contact: str = Field(default="", max_length=200)
    contact_consent: bool = False
    # Where in the micro-grid: a building and unit of the grid tree's, a map pin (WGS-84).
    building: str = Field(default="", max_length=64)
    unit: str = Field(default="", max_length=64)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class EscalationIn(BaseModel):
    department_codes: list[str] = Field(min_length=1, max_length=20)
    lead_department_code: str | None = None


class TriageIn(BaseModel):
    accepted: bool
    reason: str = Field(default="", max_length=2000)


class ResultIn(BaseModel):
    result: str = Field(min_length=1, max_length=4000)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class FeedbackIn(BaseModel):
    rating: Rating
    comment: str = Field(default="", max_length=2000)


class SharingIn(BaseModel):
    community_codes: list[str] = Field(min_length=1, max_length=50)
    reason: str = Field(default="", max_length=2000)


class ReassignIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=2000)


class DecisionIn(BaseModel):
    granted: bool
    note: str = Field(default="", max_length=2000)


class RatingLinkOut(BaseModel):
    # The console serves the resident's page at /rate/<token>.
    token: str
    expires_at: datetime


class MergeIn(BaseModel):
    duplicate_id: UUID


class SuggestionOut(BaseModel):
    lead_department_code: str | None
    co_handler_codes: list[str]
    acknowledge_within_minutes: int
    resolve_within_hours: float


def answer(incident: Incident, principal: Principal) -> IncidentOut:
    return out(incident, principal, utcnow())


@router.post("/incidents", status_code=status.HTTP_201_CREATED, response_model=IncidentOut)
async def report(
    body: IncidentIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    return answer(await commands.report(uow, principal, **body.model_dump()), principal)


@router.get("/incidents", response_model=list[IncidentOut])
async def list_incidents(
    response: Response,
    community_code: str | None = None,
    status: Status | Literal["open"] | None = Query(
        default=None, description="a status, or `open`: any not finished"
    ),
    overdue: bool = False,
    q: str = Query(
        default="",
        max_length=200,
        description="words, each in the ticket number, the description or the grid's name",
    ),
    category: str | None = None,
    grid: str | None = Query(default=None, description="a grid node: incidents under it"),
    department: str | None = Query(
        default=None, description="a department code: incidents with an assignment for it"
    ),
    holding: bool = Query(
        default=False, description="with `department`: only those it still holds"
    ),
    reported_from: Day | None = Query(default=None, description="first day (China's time)"),
    reported_to: Day | None = Query(default=None, description="last day (China's time)"),
    order: Literal["newest", "deadline"] = Query(
        default="newest", description="newest report first, or the nearest open deadline first"
    ),
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(
        default=0, ge=0, le=MAX_OFFSET, description="how many matching incidents to skip"
    ),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
):
    """The incidents the caller may see that match, one page of them: newest first (or by
    deadline); `overdue` keeps those past a deadline. The `X-Total-Count` header tells how many
    match in all, for paging with `limit` and `offset`."""
    found = IncidentFilter(
        community_code=community_code,
        status=status,
        words=q,
        category=category or None,
        grid=grid or None,
        department=department or None,
        holding=holding,
        reported_from=reported_from,
        reported_to=reported_to,
        overdue_at=utcnow() if overdue else None,
        by_deadline=order == "deadline",
        limit=limit,
        offset=offset,
    )
    async with uow:
        page, total = await uow.search.page(found, principal)
    response.headers["X-Total-Count"] = str(total)
    return [answer(i, principal) for i in page]


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
async def get_incident(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
):
    async with uow.reading():  # one statement
        incident = await visible(uow, principal, incident_id)
    return answer(incident, principal)


@router.get("/incidents/{incident_id}/routing-suggestion", response_model=SuggestionOut)
async def routing_suggestion(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    """Whom the rules would whistle to, and how long they would have: to pre-fill the form."""
    async with uow:
        incident = await visible(uow, principal, incident_id)
        suggestion = await routing.suggest(uow, incident)
        codes = [suggestion.lead, *suggestion.co_handlers] if suggestion else []
        levels = await routing.service_levels(uow, incident, codes or ["-"])
    level = levels[codes[0] if codes else "-"]
    return SuggestionOut(
        lead_department_code=suggestion.lead if suggestion else None,
        co_handler_codes=list(suggestion.co_handlers) if suggestion else [],
        acknowledge_within_minutes=int(level.acknowledge_within.total_seconds() // 60),
        resolve_within_hours=level.resolve_within.total_seconds() / 3600,
    )


@router.get("/incidents/{incident_id}/duplicates", response_model=list[IncidentOut])
async def duplicates(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    """Earlier reports that may be the same problem: same micro-grid and category, 24 hours."""
    found = await commands.possible_duplicates(uow, principal, incident_id)
    return [answer(i, principal) for i in found]


@router.post("/incidents/{incident_id}/escalation", response_model=IncidentOut)
async def escalate(
    incident_id: UUID,
    body: EscalationIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    incident = await commands.escalate(uow, principal, incident_id, **body.model_dump())
    return answer(incident, principal)


# The grid's commands on one incident that take the body's fields as they are: the path under
# /incidents/{id}/, the command (`commands.ON_THE_INCIDENT`), its body, and what it is.
SIMPLE_COMMANDS = [
    ("triage", "triage", TriageIn, "Accept the report for handling, or reject it with a reason."),
    ("local-resolution", "resolve_locally", ResultIn, "Settled in the compound (小事不出小区)."),
    ("verification", "verify", NoteIn, "The grid checked the result on the spot."),
    # The path keeps its first word; the glossary's is follow_up (回访).
    ("feedback", "follow_up", FeedbackIn, "The resident's rating, from the return visit (回访)."),
    ("cancellation", "cancel", ReasonIn, "Withdrawn before it was resolved."),
]


def _simple(name: str, body_model: type[BaseModel]):
    async def command(
        incident_id: UUID,
        body: body_model,  # type: ignore[valid-type]
        uow: IncidentsUnitOfWork = Depends(uow),
        principal: Principal = Depends(require(*GRID_STAFF)),
    ) -> IncidentOut:
        incident = await commands.run(uow, principal, incident_id, name, **body.model_dump())
        return answer(incident, principal)

    return command


@router.post("/incidents/{incident_id}/anonymisation", response_model=IncidentOut)
async def anonymise(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*COORDINATORS)),
):
    """Forget the reporter's name and contact, at the resident's request."""
    return answer(await commands.run(uow, principal, incident_id, "anonymise"), principal)


@router.post("/incidents/{incident_id}/sharing", response_model=IncidentOut)
async def share_with_alliance(
    incident_id: UUID,
    body: SharingIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*COORDINATORS)),
):
    """Raise a problem that crosses communities to the alliance for joint handling."""
    incident = await commands.share_with_alliance(
        uow, principal, incident_id, body.community_codes, body.reason
    )
    return answer(incident, principal)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut)
async def merge(
    incident_id: UUID,
    body: MergeIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    incident = await commands.merge(uow, principal, incident_id, body.duplicate_id)
    return answer(incident, principal)


# `reroute`, the first word, was for a returned part only; reassigning does that too.
@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/reroute", response_model=IncidentOut
)
@router.post(
    "/incidents/{incident_id}/assignments/{assignment_id}/reassignment",
    response_model=IncidentOut,
)
async def reassign(
    incident_id: UUID,
    assignment_id: UUID,
    body: ReassignIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    """Give one department's part to another department (改派): one it returned (rerouted),
    or one it still holds (it is told to stop)."""
    incident = await commands.reassign(
        uow, principal, incident_id, assignment_id, body.department_code, body.reason
    )
    return answer(incident, principal)


# The coordinator's steps on one assignment that take the body's fields as they are: the path
# under /incidents/{id}/assignments/{assignment_id}/, the command (`commands.ON_THE_INCIDENT`,
# given the assignment's id), its body, and what it is.
ASSIGNMENT_COMMANDS = [
    ("withdrawal", "withdraw", ReasonIn, "Withdraw one department's part (撤回)."),
    ("urging", "urge", NoteIn, "Urge the department on its part (催办)."),
    (
        "extension-decision",
        "decide_extension",
        DecisionIn,
        "Grant or refuse the department's request for more time (延期).",
    ),
]


def _on_assignment(name: str, body_model: type[BaseModel]):
    async def command(
        incident_id: UUID,
        assignment_id: UUID,
        body: body_model,  # type: ignore[valid-type]
        uow: IncidentsUnitOfWork = Depends(uow),
        principal: Principal = Depends(require(*GRID_STAFF)),
    ) -> IncidentOut:
        inputs = body.model_dump()
        incident = await commands.run(
            uow, principal, incident_id, name, assignment_id=assignment_id, **inputs
        )
        return answer(incident, principal)

    return command


# Both tables' routes, under /incidents/{incident_id}/.
for factory, table, under in (
    (_simple, SIMPLE_COMMANDS, ""),
    (_on_assignment, ASSIGNMENT_COMMANDS, "assignments/{assignment_id}/"),
):
    for path, name, body_model, summary in table:
        router.add_api_route(
            f"/incidents/{{incident_id}}/{under}{path}",
            factory(name, body_model),
            methods=["POST"],
            response_model=IncidentOut,
            name=name,
            description=summary,
        )


@router.get(
    "/incidents/{incident_id}/rating-link",
    response_model=RatingLinkOut,
    responses={409: problem_response(409, "the incident waits for no rating")},
)
async def rating_link(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    rt: Runtime = Depends(runtime),
    principal: Principal = Depends(require(*GRID_STAFF)),
):
    """The resident's rating link of a resolved incident, to send them by SMS (回访): no
    account, 14 days, once. 409 while the incident waits for no rating."""
    configured = rt.settings.lianxin_rating_link_key
    if not configured:
        raise NotFound("rating link", incident_id)
    key = link_key(configured)
    token, expires_at = await resident_rating.link_of(uow, principal, key, incident_id)
    return RatingLinkOut(token=token, expires_at=expires_at)
