"""Routes of residents' deliberation (议事): the record step by step, then each agreed item's
outcome; the deliberations an incident went through; the month's figures per community."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import AwareDatetime, Field

from lianxin.auth import Caller
from lianxin.contracts.incidents import Urgency
from lianxin.inputs import Body
from lianxin.listings import Listing, add_listings
from lianxin.steps import Step
from resources.adapters.incidents_api import IncidentsApi
from resources.domain.deliberations import Deliberation, Outcome
from resources.domain.needs import Need
from resources.entrypoints.answers import answer, answer_schema, described
from resources.entrypoints.schemas import (
    RT,
    Code,
    Codes,
    Title,
    add_step_routes,
    each,
    out,
)
from resources.service_layer import deliberations

router = APIRouter(tags=["deliberation"])
DeliberationAnswer = answer(Deliberation)
TurnedIntoNeed = described(
    {
        "type": "object",
        "required": ["deliberation", "need"],
        "properties": {
            "deliberation": answer_schema(Deliberation),
            "need": answer_schema(Need),
        },
    }
)
COUNTS = ("held", *(o.value for o in Outcome), "pending")
Figures = described(
    {
        "type": "object",
        "required": ["community_code", "month", *COUNTS],
        "properties": {
            "community_code": {"type": "string"},
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            **{count: {"type": "integer", "minimum": 0} for count in COUNTS},
        },
    }
)

Line = Annotated[str, Field(min_length=1, max_length=500)]
Number = Annotated[int, Path(ge=1, le=1000, description="the agreed item's number, from 1")]


class DeliberationIn(Body):
    community_code: Code
    kind: Literal["bench_meeting", "yard_meeting", "residents_council", "mediation"]
    level: Literal["building", "area", "community"] | None = Field(
        None, description="fixed by the kind, except a mediation's"
    )
    grid_node_code: Code
    topic: Title
    held_at: AwareDatetime
    incident_ids: list[UUID] = Field([], max_length=20)


class AgendaIn(Body):
    agenda: list[Title] = Field(min_length=1, max_length=50)


class AttendanceIn(Body):
    households: list[Code] = Field([], max_length=500)
    member_unit_codes: Codes = Field([], max_length=200)
    mediators: list[Code] = Field([], max_length=50)


class ItemIn(Body):
    text: Line


class MinutesIn(Body):
    minutes: Annotated[str, Field(min_length=1, max_length=20_000)]


class NeedItemIn(Body):
    category: Code
    affected: Title
    affected_count: int = Field(ge=1, le=1_000_000)
    title: str = Field("", max_length=200, description="the item's text when blank")
    urgency: Literal["high", "normal", "low"] = "normal"
    grid_node_code: Code | None = None
    description: str = Field("", max_length=2000)


class IncidentItemIn(Body):
    """Either the incident the meeting talked through (`incident_id`), or a new report."""

    incident_id: UUID | None = None
    micro_grid_code: Code | None = None
    category: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    urgency: Urgency = "general"
    description: str = Field("", max_length=4000)
    affected_households: int | None = Field(None, ge=0, le=1_000_000)


class ResolutionIn(Body):
    settlement: Line


def _incidents(request: Request, rt: RT) -> IncidentsApi:
    """Incidents' API as the caller (the caller's own bearer token, already verified)."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return IncidentsApi(rt.settings.service_url("incidents"), token)


AsCaller = Annotated[IncidentsApi, Depends(_incidents)]

add_listings(
    router,
    [
        Listing(
            "/deliberations",
            "list_deliberations",
            each(deliberations.list_deliberations),
            list[DeliberationAnswer],
        )
    ],
    community_required=False,
)


@router.get("/deliberations/figures")
async def deliberation_figures(
    rt: RT,
    p: Caller,
    month: str | None = None,
    community_code: str | None = None,
) -> list[Figures]:
    """The month's (China time, `2026-11`; this month if left out) deliberations held per
    community and what their agreed items became: needs, incidents, resolved locally, pending."""
    return await deliberations.figures(rt.uow(), p, month, community_code)


@router.post("/deliberations", status_code=201)
async def hold_deliberation(
    body: DeliberationIn, rt: RT, p: Caller, incidents: AsCaller
) -> DeliberationAnswer:
    return out(await deliberations.hold_deliberation(rt.uow(), p, body.model_dump(), incidents))


@router.get("/deliberations/{deliberation_id}")
async def get_deliberation(deliberation_id: UUID, rt: RT, p: Caller) -> DeliberationAnswer:
    return out(await deliberations.get_deliberation(rt.uow(), p, deliberation_id))


# The record, step by step, until it closes.
STEPS = [
    Step("agenda", "deliberation_agenda", "agenda", AgendaIn, method="PUT"),
    Step("attendance", "deliberation_attendance", "attendance", AttendanceIn, method="PUT"),
    Step("items", "agree_item", "item", ItemIn, doc="An agreed item, numbered in order."),
    Step("minutes", "deliberation_minutes", "minutes", MinutesIn, method="PUT"),
    Step("close", "close_deliberation", "close", doc="Final: minutes, who came, items agreed."),
]
add_step_routes(
    router,
    "/deliberations",
    "deliberation_id",
    deliberations.update_deliberation,
    STEPS,
    DeliberationAnswer,
)


@router.post("/deliberations/{deliberation_id}/items/{number}/need", status_code=201)
async def item_need(
    deliberation_id: UUID, number: Number, body: NeedItemIn, rt: RT, p: Caller
) -> TurnedIntoNeed:
    """The item becomes a need on the needs list (`origin_ref` `deliberation:<id>#<number>`)."""
    found, need = await deliberations.turn_into_need(
        rt.uow(), p, deliberation_id, number, body.model_dump()
    )
    return {"deliberation": out(found), "need": out(need)}


@router.post("/deliberations/{deliberation_id}/items/{number}/incident", status_code=201)
async def item_incident(
    deliberation_id: UUID,
    number: Number,
    body: IncidentItemIn,
    rt: RT,
    p: Caller,
    incidents: AsCaller,
) -> DeliberationAnswer:
    """The item becomes an incident reported to incidents as the caller, or is linked to the
    incident the meeting talked through (`incident_id`)."""
    found = await deliberations.turn_into_incident(
        rt.uow(), p, deliberation_id, number, body.model_dump(), incidents
    )
    return out(found)


@router.post("/deliberations/{deliberation_id}/items/{number}/resolution")
async def item_resolution(
    deliberation_id: UUID, number: Number, body: ResolutionIn, rt: RT, p: Caller
) -> DeliberationAnswer:
    """The residents settle the item themselves: a local resolution, with what was settled."""
    fields = {"number": number, "settlement": body.settlement}
    return out(
        await deliberations.update_deliberation(rt.uow(), p, deliberation_id, "resolution", fields)
    )


@router.get("/incidents/{incident_id}/deliberations")
async def incident_deliberations(incident_id: UUID, rt: RT, p: Caller) -> list[DeliberationAnswer]:
    """The deliberations an incident went through (talked through there, or raised by one)."""
    return [out(d) for d in await deliberations.for_incident(rt.uow(), p, incident_id)]
