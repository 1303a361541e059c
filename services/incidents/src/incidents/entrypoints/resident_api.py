"""The resident's rating link (回访), public: the token is the credential. The console serves
the resident's page and calls these; nothing here needs an account."""

import re
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from incidents.domain.rating_links import link_key
from incidents.entrypoints.api import FeedbackIn, uow
from incidents.service_layer import resident_rating
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts.incidents import Urgency
from lianxin.errors import NotFound
from lianxin.service import Runtime, runtime

router = APIRouter()
TOKEN = r"^[A-Za-z0-9_-]{20,100}$"


class LinkOut(BaseModel):
    """What the resident sees: the problem and what was done; nothing about who reported it."""

    incident_id: UUID
    category: str
    urgency: Urgency
    description: str
    results: list[str]
    resolved_at: datetime
    expires_at: datetime
    # Why a rating is no longer taken ("used", "expired", "spent"), or null when it is.
    closed_because: str | None


class RatedOut(BaseModel):
    incident_id: UUID
    status: str


async def key(rt: Runtime = Depends(runtime)) -> bytes:
    configured = rt.settings.lianxin_rating_link_key
    if not configured:
        raise NotFound("rating link", "-")
    return link_key(configured)


@router.get("/rating-links/{token}", response_model=LinkOut)
async def what_was_done(
    token: str,
    uow: IncidentsUnitOfWork = Depends(uow),
    signing_key: bytes = Depends(key),
):
    view = await resident_rating.what_was_done(uow, signing_key, _checked(token))
    return LinkOut(
        incident_id=view.incident.id,
        category=view.incident.category,
        urgency=view.incident.urgency,  # type: ignore[arg-type]
        description=view.incident.description,
        results=view.results,
        resolved_at=view.link.resolved_at,
        expires_at=view.link.expires_at,
        closed_because=view.closed_because,
    )


@router.post("/rating-links/{token}", response_model=RatedOut)
async def rate(
    token: str,
    body: FeedbackIn,
    uow: IncidentsUnitOfWork = Depends(uow),
    signing_key: bytes = Depends(key),
):
    """The resident's rating: counts like one a coordinator records (satisfied or basically
    satisfied closes the incident, unsatisfied reopens it)."""
    incident = await resident_rating.rate(
        uow, signing_key, _checked(token), body.rating, body.comment.strip()
    )
    return RatedOut(incident_id=incident.id, status=incident.status.value)


def _checked(token: str) -> str:
    """A token of the wrong shape is no link of ours: 404, like one with a bad signature."""
    if not re.fullmatch(TOKEN, token):
        raise NotFound("rating link", token)
    return token
