"""Route: a volunteer's care services (关爱服务), the care visits credited to her (issue #18).

The visits themselves live in organisation's care register; here only what the volunteer did:
the visit's id (organisation's, so a carer's own page can say what her visit earned), the kind's
words, the hours and the points. Nothing of the person visited.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from lianxin.auth import Caller
from volunteers.entrypoints.people import RT
from volunteers.service_layer.care_visits import care_services_of

router = APIRouter()


class CareServiceOut(BaseModel):
    visit_id: str
    at: datetime
    kind: str  # the activity kind whose points rule paid it
    description: str  # the words the volunteer sees: 关爱送餐, 上门理发…
    hours: Decimal | None
    points: int


@router.get("/volunteers/{volunteer_id}/care-services", response_model=list[CareServiceOut])
async def care_services(volunteer_id: UUID, rt: RT, p: Caller) -> Any:
    """For the volunteer, her coordinators and her grid's leader; newest first."""
    services = await care_services_of(rt.uow(), p, volunteer_id)
    return [{"visit_id": visit, **vars(done)} for visit, done in services]
