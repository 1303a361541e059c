"""The organisation's aggregates, declared once: each one's domain class, the codes its requests
name (handed to the domain as the aggregates themselves) and what it needs beyond the common
pipeline in `handlers`. The HTTP side declares its paths and schemas in `entrypoints.resources`."""

from __future__ import annotations

from typing import Any

from lianxin.errors import RuleBroken
from organisation.domain.committees import BigCommittee, MemberUnit
from organisation.domain.departments import Department
from organisation.domain.grid import GridNode
from organisation.domain.model import AGGREGATES
from organisation.domain.party import PartyOrganisation
from organisation.domain.people import Person
from organisation.domain.places import Alliance, Community, District, Street
from organisation.service_layer import committees, keys, people
from organisation.service_layer.handlers import Kind, Ref
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def _areas_known(uow: UoW, fields: dict[str, Any], code: str) -> dict[str, Any]:
    """Every area a department serves is a district, street or community we know."""
    for level in ("district", "street", "community"):
        codes = [a["code"] for a in fields.get("areas") or [] if a["level"] == level]
        missing = sorted(set(codes) - await uow.org.stores[level].exists(codes)) if codes else []
        if missing:
            raise RuleBroken("areas", f"no {level} {', '.join(missing)}")
    return {}


COMMUNITY = Ref("community_code", "community", "community")

DISTRICTS = Kind(District)
STREETS = Kind(Street, refs=(Ref("district_code", "district", "district"),))
COMMUNITIES = Kind(Community, refs=(Ref("street_code", "street", "street"),))
ALLIANCES = Kind(
    Alliance,
    refs=(
        Ref("community_codes", "community", "communities", many=True),
        Ref("branch_unit_codes", "member_unit", "branch_units", many=True),
    ),
)
MEMBER_UNITS = Kind(MemberUnit, refs=(COMMUNITY,), before_retire=committees.unit_off_committee)
BIG_COMMITTEES = Kind(BigCommittee, extra=committees.units, what="big committee of")
DEPARTMENTS = Kind(Department, extra=_areas_known, before_retire=keys.revoke_on_retirement)
GRID_NODES = Kind(GridNode)  # registered, moved and retired through its tree: see `grid`
PARTY_ORGANISATIONS = Kind(
    PartyOrganisation,
    refs=(
        COMMUNITY,
        Ref("node_codes", "grid_node", "nodes", many=True),
        Ref("leader_person_code", "person", "leader"),
    ),
    rows=people.party_organisation_rows,
)
PEOPLE = Kind(
    Person,
    refs=(
        COMMUNITY,
        Ref("node_code", "grid_node", "node"),
        # Staying in service keeps the employer: the domain checks it again.
        Ref("employer_unit_code", "member_unit", "employer", kept=True),
    ),
    extra=people.posts,
    rows=people.person_rows,
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        DISTRICTS,
        STREETS,
        COMMUNITIES,
        ALLIANCES,
        MEMBER_UNITS,
        BIG_COMMITTEES,
        DEPARTMENTS,
        GRID_NODES,
        PARTY_ORGANISATIONS,
        PEOPLE,
    )
}
if set(KINDS) != {a.AGGREGATE for a in AGGREGATES}:
    raise TypeError(f"declare a Kind for each aggregate: {sorted(KINDS)}")
