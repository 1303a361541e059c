"""The resident's own rating (回访) through the link made when the incident was resolved: no
account, expires after `rating_links.LIFETIME`, used once (see `domain.rating_links`).

The grid's staff read the link of an incident they see (`link_of`) and send it to the resident
by SMS from their own phone (the platform assumes no SMS gateway). The resident's page reads
what was done (`what_was_done`) and rates it (`rate`), which counts like a rating a
coordinator records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from incidents.adapters.rating_links import RatingLinkUses
from incidents.domain.incident import Incident
from incidents.domain.rating_links import RatingLink, make_token, read_token, token_hash
from incidents.domain.values import AssignmentStatus, IncidentStatus
from incidents.service_layer.pipeline import Clock, in_incident_trace, stage, utcnow, visible
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal
from lianxin.errors import Conflict, NotFound, RuleBroken

RATED_FROM = (IncidentStatus.RESOLVED, IncidentStatus.VERIFIED)


@dataclass(frozen=True)
class LinkView:
    """What the resident's page shows: the problem, what was done, and whether it may rate."""

    incident: Incident
    link: RatingLink
    # Why it may not rate any more ("used", "expired", "spent"), or None.
    closed_because: str | None

    @property
    def results(self) -> list[str]:
        if self.incident.local_result:
            return [self.incident.local_result]
        return [
            a.result
            for a in self.incident.assignments
            if a.status is AssignmentStatus.RESOLVED and a.result
        ]


def token_of(key: bytes, incident: Incident) -> str | None:
    """The link of the incident's present resolution, while it waits for a rating."""
    if incident.status not in RATED_FROM or incident.resolved_at is None:
        return None
    return make_token(key, incident.id, incident.resolved_at)


async def link_of(
    uow: IncidentsUnitOfWork, principal: Principal, key: bytes, incident_id: UUID
) -> tuple[str, datetime]:
    """The token and its expiry, for an incident the caller sees that waits for a rating."""
    async with uow.reading():
        incident = await visible(uow, principal, incident_id)
    token = token_of(key, incident)
    if token is None:
        raise Conflict(f"an incident that is {incident.status} has no rating link")
    return token, read_token(key, token).expires_at


async def what_was_done(
    uow: IncidentsUnitOfWork, key: bytes, token: str, clock: Clock = utcnow
) -> LinkView:
    link = _read(key, token)
    async with uow:
        incident = await uow.incidents.get(link.incident_id)
        used = await RatingLinkUses(uow.session).used_at(token_hash(token))
    if incident is None:
        raise NotFound("rating link", token)
    return LinkView(incident, link, _closed_because(incident, link, used, clock()))


def _read(key: bytes, token: str) -> RatingLink:
    """A token we did not sign is no link at all: not found, like any unknown key."""
    try:
        return read_token(key, token)
    except RuleBroken:
        raise NotFound("rating link", token) from None


def _closed_because(
    incident: Incident, link: RatingLink, used: datetime | None, now: datetime
) -> str | None:
    if used is not None:
        return "used"
    if incident.status not in RATED_FROM or incident.resolved_at != link.resolved_at:
        return "spent"
    if now > link.expires_at:
        return "expired"
    return None


async def rate(
    uow: IncidentsUnitOfWork,
    key: bytes,
    token: str,
    rating: str,
    comment: str,
    clock: Clock = utcnow,
) -> Incident:
    """The resident rates: once, before the link expires, for the resolution it names."""
    link = _read(key, token)
    hashed = token_hash(token)
    async with uow:
        uses = RatingLinkUses(uow.session)
        if await uses.used_at(hashed) is not None:
            raise Conflict("this link has been used already")
        incident = await uow.incidents.get(link.incident_id, for_update=True)
        if incident is None:
            raise NotFound("rating link", token)
        with in_incident_trace(incident, "incident rate_by_link"):
            now = clock()
            incident.rate_by_link(rating, comment, link.resolved_at, link.expires_at, now)
            if not await uses.record(hashed, incident.id, rating, now):
                raise Conflict("this link has been used already")
            await stage(uow, incident)
            await uow.commit()
    return incident
