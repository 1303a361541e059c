"""Which departments an incident should go to, and how long each has: the alliance's routing
table (its rules and service levels, the 12345 defaults where it set none) and the departments'
own declared targets, the stricter of the two winning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from incidents.domain.incident import Incident
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, RoutingTable, ServiceLevel, Suggestion
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork


async def table_for(uow: IncidentsUnitOfWork, community_code: str) -> RoutingTable:
    alliance = await uow.org.alliance_of(community_code)
    if alliance is None:
        return RoutingTable(alliance_code="")
    return await uow.routing.table(alliance)


async def suggest(uow: IncidentsUnitOfWork, incident: Incident) -> Suggestion | None:
    """The alliance's rule for the category and place; without one, the departments registered
    for the category whose areas cover the community, in code order."""
    community = await uow.org.community(incident.community_code)
    street = community.street_code if community else ""
    table = await table_for(uow, incident.community_code)
    suggestion = table.suggest(incident.category, incident.community_code, street)
    if suggestion is not None:
        return suggestion
    serving = [
        d.code
        for d in await uow.org.live_departments()
        if incident.category in d.categories and _covers(d.areas, community)
    ]
    return Suggestion(serving[0], tuple(serving[1:])) if serving else None


def _covers(areas: list[dict[str, Any]], community: Any) -> bool:
    """A department without areas serves everywhere; else its community, street or district."""
    if not areas:
        return True
    if community is None:
        return False
    place = {
        "community": community.code,
        "street": community.street_code,
        "district": community.district_code,
    }
    return any(place.get(area["level"]) == area["code"] for area in areas)


async def service_levels(
    uow: IncidentsUnitOfWork, incident: Incident, department_codes: list[str]
) -> dict[str, ServiceLevel]:
    """Each department's level for this urgency: the alliance's, tightened by the department's
    own declared targets (a power company that signs for whistles in 15 minutes is held to 15)."""
    table = await table_for(uow, incident.community_code)
    alliance_level = table.service_level(incident.urgency)
    live = await uow.org.live_departments()
    declared = {d.code: d.sla for d in live if d.code in department_codes}
    return {
        code: _stricter(alliance_level, _declared(declared.get(code), incident.urgency))
        for code in department_codes
    }


def _declared(sla: dict[str, Any] | None, urgency: str) -> ServiceLevel:
    if not sla:
        return DEFAULT_SERVICE_LEVELS[urgency]
    default = DEFAULT_SERVICE_LEVELS[urgency]
    hours = (sla.get("resolve_hours") or {}).get(urgency)
    return ServiceLevel(
        timedelta(minutes=sla.get("acknowledge_minutes") or 30),
        timedelta(hours=hours) if hours else default.resolve_within,
    )


def _stricter(a: ServiceLevel, b: ServiceLevel) -> ServiceLevel:
    acknowledge = min(a.acknowledge_within, b.acknowledge_within)
    return ServiceLevel(acknowledge, max(min(a.resolve_within, b.resolve_within), acknowledge))
