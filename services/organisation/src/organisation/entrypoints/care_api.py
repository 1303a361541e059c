"""Routes of the care register (重点人群关爱). Each checks its own reader (service_layer/care.py):
every route that shows a person asks for a `purpose` and writes it to the access log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lianxin.auth import Caller
from lianxin.contracts.care import MINUTES_MAX, CareGroup, VisitKind
from organisation.domain.care import CareEntry, Visit
from organisation.entrypoints.deps import uow
from organisation.entrypoints.schemas import CODE
from organisation.service_layer import care
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter(prefix="/care", tags=["care"])
U = Annotated[UoW, Depends(uow)]
Purpose = Annotated[str | None, Query(max_length=200, description="why you read (logged)")]
# Every care route checks its caller itself (access.py lists them as own_checks).
ROUTES = (
    ("POST", "/care/entries"),
    ("GET", "/care/entries/{code}"),
    ("GET", "/care/entries/{code}/access-log"),
    ("POST", "/care/entries/{code}/visits"),
    ("POST", "/care/visits/{visit_id}/need"),
    ("POST", "/care/exports"),
    ("GET", "/care/grids/{grid_code}"),
    ("GET", "/care/mine"),
    ("GET", "/care/counts"),
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CarerIn(Body):
    kind: str = Field(description="party_household, grid_member or family_contact")
    username: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=100)


class ConsentIn(Body):
    given_by: str = Field(min_length=1, max_length=100)
    at: AwareDatetime | None = None
    purposes: list[str] = Field(min_length=1, max_length=10)


class PlanIn(Body):
    kind: VisitKind
    every_days: int = Field(ge=1, le=366)


class EntryIn(Body):
    code: str = Field(pattern=CODE, max_length=64)
    node_code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    birth_date: date
    care_groups: list[CareGroup] = Field(min_length=1)
    carers: list[CarerIn] = []
    consent: ConsentIn
    plans: list[PlanIn] = []
    phone: str | None = Field(None, max_length=20)
    address: str = Field("", max_length=200)
    health_notes: str = Field("", max_length=1000)


class VisitIn(Body):
    kind: VisitKind
    outcome: str = Field(min_length=1, max_length=200)
    at: AwareDatetime | None = None
    needs_follow_up: bool = False
    minutes: int | None = Field(None, ge=1, le=MINUTES_MAX, description="how long it took")


class NeedLinkIn(Body):
    need_id: str = Field(min_length=1, max_length=64)


class ExportIn(Body):
    entry_codes: list[str] = Field(min_length=1, max_length=500)
    purpose: str = Field(min_length=1, max_length=200)


def _now() -> datetime:
    return datetime.now(UTC)


def entry_out(entry: CareEntry) -> dict[str, Any]:
    return asdict(entry)


def visit_out(visit: Visit) -> dict[str, Any]:
    return asdict(visit)


@router.post("/entries", status_code=201)
async def register(body: EntryIn, u: U, p: Caller) -> dict[str, Any]:
    return entry_out(await care.register(u, p, body.model_dump(), _now()))


@router.get("/entries/{code}")
async def read(code: str, u: U, p: Caller, purpose: Purpose = None) -> dict[str, Any]:
    entry, visits, due = await care.read(u, p, code, purpose, _now())
    return {
        **entry_out(entry),
        "visits": [visit_out(v) for v in visits],
        "due": [asdict(d) for d in due],
    }


@router.get("/entries/{code}/access-log")
async def access_log(code: str, u: U, p: Caller) -> list[dict[str, Any]]:
    return await care.access_log(u, p, code)


@router.post("/entries/{code}/visits", status_code=201)
async def record_visit(code: str, body: VisitIn, u: U, p: Caller) -> dict[str, Any]:
    return visit_out(await care.record_visit(u, p, code, body.model_dump(), _now()))


@router.post("/visits/{visit_id}/need")
async def link_need(visit_id: str, body: NeedLinkIn, u: U, p: Caller) -> dict[str, Any]:
    return visit_out(await care.link_need(u, p, visit_id, body.need_id))


@router.post("/exports", response_class=PlainTextResponse)
async def export(body: ExportIn, u: U, p: Caller) -> PlainTextResponse:
    text = await care.export_csv(u, p, body.entry_codes, body.purpose, _now())
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8")


@router.get("/grids/{grid_code}")
async def grid_page(
    grid_code: str, u: U, p: Caller, purpose: Purpose = None, as_of: AwareDatetime | None = None
) -> dict[str, Any]:
    page = await care.grid_page(u, p, grid_code, purpose, _now(), as_of)
    return {
        "grid_code": grid_code,
        "grid_name": page["grid_name"],
        "entries": [entry_out(e) for e in page["entries"]],
        "follow_ups": [visit_out(v) for v in page["follow_ups"]],
        "overdue": [asdict(d) for d in page["overdue"]],
        "birthdays": [
            {"code": e.code, "name": e.name, "birth_date": e.birth_date} for e in page["birthdays"]
        ],
    }


@router.get("/mine")
async def mine(u: U, p: Caller, purpose: Purpose = None) -> list[dict[str, Any]]:
    rows = await care.my_people(u, p, purpose, _now())
    return [{**entry_out(r["entry"]), "due": [asdict(d) for d in r["due"]]} for r in rows]


@router.get("/counts")
async def counts(u: U, p: Caller, community_code: str = Query(..., max_length=64)) -> list[dict]:
    return [asdict(c) for c in await care.counts(u, p, community_code, _now())]
