"""What the resources API accepts: pydantic bodies with limits, so bad input is a 422 naming the
field before any handler runs. Every text refuses NUL bytes (PostgreSQL cannot store them in
text, and nothing a person types contains one). And what it answers: `out`, `each`; and the
runtime every route takes, `rt: RT`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, Field

from lianxin.auth import Principal
from lianxin.inputs import Body
from lianxin.listings import Read
from lianxin.service import Runtime, runtime
from lianxin.steps import Step, add_steps
from resources.adapters.codec import dump
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

Code = Annotated[str, Field(min_length=1, max_length=64)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Codes = Annotated[list[Code], Field(max_length=200)]


class NeedIn(Body):
    community_code: Code
    grid_node_code: Code
    category: Code
    title: Title
    affected: Title
    affected_count: int = Field(ge=1, le=1_000_000)
    urgency: Literal["high", "normal", "low"] = "normal"
    source: Literal["resident", "merchant", "unit", "incident"] | None = None
    description: str = Field("", max_length=2000)
    # A need from an incident the community cannot meet alone: a coordinator's decision.
    source_incident_id: UUID | None = None
    needed_at: AwareDatetime | None = None
    skills: Codes = []
    origin_ref: str = Field("", max_length=200)


class MatchIn(Body):
    resource_offer_ids: list[UUID] = Field(min_length=1, max_length=50)


class NoteIn(Body):
    note: Text


class ReasonIn(Body):
    reason: Text


class OfferIn(Body):
    community_code: Code
    member_unit_code: Code | None = None
    kind: Literal["venue", "funds", "expertise", "people", "goods", "vehicle"]
    title: Title
    quantity: int = Field(ge=1, le=10**12)
    unit: Annotated[str, Field(min_length=1, max_length=32)]
    available_from: AwareDatetime
    available_until: AwareDatetime | None = None
    emergency_available: bool = False
    categories: Codes = []
    skills: Codes = []
    grid_node_code: Code | None = None


class RefreshIn(Body):
    quantity_left: int | None = Field(None, ge=0, le=10**12)
    available_until: AwareDatetime | None = None
    emergency_available: bool | None = None


class UseIn(Body):
    quantity: int = Field(ge=1, le=10**12)
    purpose: Title
    reference_id: UUID | None = None


class MeetingIn(Body):
    community_code: Code
    chair_unit_code: Code
    scheduled_at: AwareDatetime
    invited_department_codes: Codes = []


class AttendanceIn(Body):
    units_present: Codes = Field(min_length=1)
    departments_present: Codes = []


class ProjectDecisionIn(Body):
    title: Title
    need_ids: list[UUID] = Field(min_length=1, max_length=50)
    due_at: AwareDatetime
    resource_offer_ids: list[UUID] = Field([], max_length=50)
    slots: int = Field(1, ge=1, le=30)


class ResponsibilityDecisionIn(Body):
    project_id: UUID
    holder_code: Code
    task: Annotated[str, Field(min_length=1, max_length=500)]
    due_at: AwareDatetime


class DeclineDecisionIn(Body):
    need_id: UUID
    reason: Text


class MinutesIn(Body):
    minutes: Annotated[str, Field(min_length=1, max_length=20_000)]


class ProjectIn(Body):
    community_code: Code
    title: Title
    due_at: AwareDatetime
    need_ids: list[UUID] = Field([], max_length=50)
    resource_offer_ids: list[UUID] = Field([], max_length=50)
    slots: int = Field(1, ge=1, le=30)


class ClaimIn(Body):
    # A liaison claims for its own unit and may leave this out; a coordinator names the unit.
    member_unit_code: Code | None = None


class ResponsibilityIn(Body):
    holder_code: Code
    task: Annotated[str, Field(min_length=1, max_length=500)]
    due_at: AwareDatetime


class MilestoneIn(Body):
    title: Title
    due_at: AwareDatetime


class ProgressIn(Body):
    note: Text
    percent_done: int | None = Field(None, ge=0, le=100)
    milestones: dict[UUID, Annotated[int, Field(ge=0, le=100)]] | None = None


class RatingIn(Body):
    # An opaque key of the rating household (one rating each); never a name.
    rater_key: Annotated[str, Field(min_length=1, max_length=128)]
    rating: int = Field(ge=1, le=5)


class WishIn(Body):
    community_code: Code
    grid_node_code: Code
    title: Title
    description: str = Field("", max_length=2000)
    resident_name: Code
    resident_contact: Code


class WishClaimIn(Body):
    claimant_kind: Literal["member_unit", "party_member"] | None = None
    claimant_id: Code | None = None


class DeliveryIn(WishClaimIn):
    note: str = Field("", max_length=2000)
    photo_ref: Annotated[str, Field(max_length=500)] | None = None


class PublishListIn(Body):
    community_code: Code
    # The community's member units (organisation knows them): named so that a unit that did
    # nothing is on the list too.
    member_unit_codes: Codes = []


def out(aggregate: Any, **skip: bool) -> dict[str, Any]:
    """An aggregate as the API answers it (its state; `skip` leaves fields out)."""
    return dump(aggregate, skip=frozenset(k for k, v in skip.items() if v))


# The runtime: a route's parameter `rt: RT` is its dependency, a helper's `rt: RT` its type.
RT = Annotated[Runtime[ResourcesUnitOfWork], Depends(runtime)]


def each(
    handler: Callable[[Any, Principal, str | None], Awaitable[list[Any]]],
    shape: Callable[[Any], dict[str, Any]] = out,
) -> Read:
    """A list route's read (`lianxin.listings`): the handler's list for the community asked
    for (or all the caller's), each item shaped as the API answers it."""

    async def read(rt: Runtime[Any], p: Principal, community_code: str | None) -> Any:
        return [shape(x) for x in await handler(rt.uow(), p, community_code)]

    return read


def add_step_routes(
    router: APIRouter,
    prefix: str,
    key: str,
    handler: Callable[[Any, Principal, UUID, str, dict[str, Any]], Awaitable[Any]],
    steps: Iterable[Step],
    returns: Any,
    shape: Callable[[Any], dict[str, Any]] = out,
    *,
    exclude_none: bool = False,
) -> None:
    """One route per step (`lianxin.steps`): each runs the handler's step on one aggregate with
    the body's fields (none for a step without a body) and answers the aggregate shaped as the
    API answers it (`returns`, its `entrypoints.answers` type). `exclude_none`: steps that change
    only what their body names."""

    async def run(rt: Runtime[Any], p: Principal, one: UUID, step: str, body: Any) -> Any:
        fields = body.model_dump(exclude_none=exclude_none) if body is not None else {}
        return shape(await handler(rt.uow(), p, one, step, fields))

    add_steps(router, prefix, key, run, steps, returns=returns)
