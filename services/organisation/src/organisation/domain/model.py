"""The alliance's organisation, one import away: every aggregate and its rules.

- places: districts and streets above communities; alliances of communities and branches
- committees: member units, each community's big committee and its rotating chair
- departments: whom problems are whistled to, where, through which channels, how fast
- grid: the typed grid tree (`ALLOWED_PARENTS`), its counts, moves and addresses
- party: party organisations on the tree; people: party members and the grid's posts
"""

from lianxin.errors import Conflict, RuleBroken
from organisation.domain.base import Aggregate
from organisation.domain.committees import (
    MEMBER_UNIT_KINDS,
    RELATIONS,
    BigCommittee,
    ChairTerm,
    MemberUnit,
)
from organisation.domain.departments import AREA_LEVELS, CHANNEL_KINDS, Department
from organisation.domain.grid import ALLOWED_PARENTS, GRID_TYPES, Counts, GridNode, GridTree
from organisation.domain.party import COVERS, PartyOrganisation
from organisation.domain.people import DOUBLE_REPORT, PARTY_MEMBER_KINDS, ROLE_NODE_KINDS, Person
from organisation.domain.places import MECHANISMS, Alliance, Community, District, Street

__all__ = [
    "ALLOWED_PARENTS",
    "AREA_LEVELS",
    "CHANNEL_KINDS",
    "COVERS",
    "DOUBLE_REPORT",
    "GRID_TYPES",
    "MECHANISMS",
    "MEMBER_UNIT_KINDS",
    "PARTY_MEMBER_KINDS",
    "RELATIONS",
    "ROLE_NODE_KINDS",
    "Aggregate",
    "Alliance",
    "BigCommittee",
    "ChairTerm",
    "Community",
    "Conflict",
    "Counts",
    "Department",
    "District",
    "GridNode",
    "GridTree",
    "MemberUnit",
    "PartyOrganisation",
    "Person",
    "RuleBroken",
    "Street",
]
