"""The alliance's organisation, one import away: every aggregate and its rules.

- places: districts and streets above communities; alliances of communities and branches
- committees: member units, each community's big committee and its rotating chair
- departments: whom problems are whistled to, where, through which channels, how fast
- grid: the typed grid tree (`ALLOWED_PARENTS`), its counts, moves and addresses
- party: party organisations on the tree; people: party members and the grid's posts

Refusals are `lianxin.errors`' (RuleBroken, Conflict…): import them from there.
"""

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

AGGREGATES: tuple[type[Aggregate], ...] = (
    District,
    Street,
    Community,
    Alliance,
    MemberUnit,
    BigCommittee,
    Department,
    GridNode,
    PartyOrganisation,
    Person,
)

# Who refers to whom: an aggregate retires only once no active referrer is left.
# (aggregate referred to, referrer, the referrer's field, what a refusal calls the referrer)
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("district", "street", "district_code", "street"),
    ("street", "community", "street_code", "community"),
    ("community", "alliance", "community_codes", "alliance"),
    ("community", "big_committee", "community_code", "big committee"),
    ("community", "member_unit", "community_code", "member unit"),
    ("community", "grid_node", "community_code", "grid node"),
    ("community", "party_organisation", "community_code", "party organisation"),
    ("community", "person", "community_code", "person"),
    ("member_unit", "alliance", "branch_unit_codes", "alliance"),
    ("member_unit", "person", "employer_unit_code", "in-service party member"),
    ("grid_node", "party_organisation", "node_codes", "party organisation"),
    ("grid_node", "person", "node_code", "person"),
    ("person", "party_organisation", "leader_person_code", "party organisation"),
)

__all__ = [
    "AGGREGATES",
    "ALLOWED_PARENTS",
    "AREA_LEVELS",
    "CHANNEL_KINDS",
    "COVERS",
    "DOUBLE_REPORT",
    "GRID_TYPES",
    "MECHANISMS",
    "MEMBER_UNIT_KINDS",
    "PARTY_MEMBER_KINDS",
    "REFERENCES",
    "RELATIONS",
    "ROLE_NODE_KINDS",
    "Aggregate",
    "Alliance",
    "BigCommittee",
    "ChairTerm",
    "Community",
    "Counts",
    "Department",
    "District",
    "GridNode",
    "GridTree",
    "MemberUnit",
    "PartyOrganisation",
    "Person",
    "Street",
]
