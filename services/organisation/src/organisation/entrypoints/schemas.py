"""What the organisation's HTTP API takes and gives.

Responses reuse the ORG contracts' state models (the same fields the events carry) and add what
only this API shows: phone numbers (personal data, never in an event) and computed totals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lianxin.contracts import org
from lianxin.contracts.org import (
    Agreement,
    Area,
    Channel,
    GridNodeKind,
    GridType,
    Mechanism,
    MemberUnitKind,
    PartyMemberKind,
    PartyOrganisationKind,
    Relation,
    RoleHeld,
    personal,
)

CODE = r"^[a-z0-9][a-z0-9_-]*$"
MECHANISMS: list[Mechanism] = list(Mechanism.__args__)  # type: ignore[attr-defined]


def CodeField(**kwargs: Any) -> Any:
    return Field(pattern=CODE, max_length=64, **kwargs)


def NameField(**kwargs: Any) -> Any:
    return Field(min_length=1, max_length=200, **kwargs)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Patch(In):
    """Only the fields sent change (PATCH); the others stay as they are."""


# Places


class DistrictIn(In):
    code: str = CodeField()
    name: str = NameField()
    city: str = NameField()


class DistrictPatch(Patch):
    name: str | None = NameField(default=None)
    city: str | None = NameField(default=None)


class StreetIn(In):
    code: str = CodeField()
    name: str = NameField()
    district_code: str = CodeField()


class StreetPatch(Patch):
    name: str | None = NameField(default=None)


class CommunityIn(In):
    code: str = CodeField()
    name: str = NameField()
    street_code: str = CodeField()
    area_km2: float | None = Field(default=None, ge=0)


class CommunityPatch(Patch):
    name: str | None = NameField(default=None)
    street_code: str | None = CodeField(default=None)
    area_km2: float | None = Field(default=None, ge=0)


class Counts(BaseModel):
    households: int
    residents: int
    merchants: int


class CommunityOut(org.CommunityState):
    totals: Counts = Field(description="Over the community's grid tree (nodes not retired)")


class AllianceIn(In):
    code: str = CodeField()
    name: str = NameField()
    community_codes: list[str] = Field(min_length=1, max_length=200)
    branch_unit_codes: list[str] = Field(default=[], max_length=200)
    mechanisms: list[Mechanism] = Field(default=MECHANISMS, min_length=1)


class AlliancePatch(Patch):
    name: str | None = NameField(default=None)
    community_codes: list[str] | None = Field(default=None, min_length=1, max_length=200)
    branch_unit_codes: list[str] | None = Field(default=None, max_length=200)
    mechanisms: list[Mechanism] | None = Field(default=None, min_length=1)


# Member units and the big committee


class LiaisonIn(In):
    name: str = personal("the member unit's liaison", min_length=1, max_length=100)
    phone: str | None = personal("the liaison's phone: never in an event", default=None)
    post: str = Field(default="", max_length=100)


class MemberUnitFields(In):
    code: str = CodeField()
    name: str = NameField()
    kind: MemberUnitKind
    relation: Relation
    agreement: Agreement | None = None
    liaisons: list[LiaisonIn] = Field(default=[], max_length=10)


class MemberUnitIn(MemberUnitFields):
    community_code: str = CodeField()


class MemberUnitPatch(Patch):
    name: str | None = NameField(default=None)
    kind: MemberUnitKind | None = None
    relation: Relation | None = None
    agreement: Agreement | None = None
    liaisons: list[LiaisonIn] | None = Field(default=None, max_length=10)


class MemberUnitOut(org.MemberUnitState):
    liaisons: list[LiaisonIn] = Field(default=[])


class OfficerIn(In):
    name: str = personal("a big committee officer", min_length=1, max_length=100)
    post: str = Field(default="", max_length=100)


class CommitteeMemberIn(In):
    member_unit_code: str = CodeField()
    name: str = personal("the member unit's party leader", min_length=1, max_length=100)
    post: str = Field(default="", max_length=100)


class BigCommitteeIn(In):
    secretary: OfficerIn | None = Field(default=None, description="A street leader (街道领导)")
    deputy: OfficerIn | None = Field(default=None, description="The community party secretary")
    members: list[CommitteeMemberIn] = Field(default=[], max_length=200)


class BigCommitteePatch(Patch):
    secretary: OfficerIn | None = None
    deputy: OfficerIn | None = None
    members: list[CommitteeMemberIn] | None = Field(default=None, max_length=200)


class ChairTermIn(In):
    member_unit_code: str = CodeField()
    starts_on: date
    ends_on: date


class BigCommitteeOut(org.BigCommitteeState):
    current_chair: org.ChairTerm | None = Field(description="The term that includes today")


# Departments


class ResolveHoursIn(In):
    emergency: int | None = Field(default=None, ge=1)
    utilities: int | None = Field(default=None, ge=1)
    general: int | None = Field(default=None, ge=1)
    complex: int | None = Field(default=None, ge=1)


class ServiceLevelIn(In):
    """Whatever is left out takes the default: acknowledge 30 min; resolve 2/24/168/360 h."""

    acknowledge_minutes: int | None = Field(default=None, ge=1)
    resolve_hours: ResolveHoursIn | None = None


class DepartmentIn(In):
    code: str = CodeField()
    name: str = NameField()
    name_en: str = Field(default="", max_length=200)
    categories: list[str] = Field(min_length=1, max_length=50)
    areas: list[Area] = Field(default=[], description="None: serves every area")
    channels: list[Channel] | None = Field(default=None, description="None: NATS only")
    sla: ServiceLevelIn | None = None


class DepartmentPatch(Patch):
    name: str | None = NameField(default=None)
    name_en: str | None = Field(default=None, max_length=200)
    categories: list[str] | None = Field(default=None, min_length=1, max_length=50)
    areas: list[Area] | None = None
    channels: list[Channel] | None = Field(default=None, min_length=1)
    sla: ServiceLevelIn | None = Field(default=None, description="Replaces the targets")


# The grid tree


class GridNodeFields(In):
    code: str = CodeField()
    name: str = NameField()
    kind: GridNodeKind
    parent_code: str | None = CodeField(default=None)
    households: int = Field(default=0, ge=0, le=1_000_000)
    residents: int = Field(default=0, ge=0, le=1_000_000)
    merchants: int = Field(default=0, ge=0, le=1_000_000)
    grid_type: GridType | None = Field(default=None, description="Grids only; default residential")
    addresses: list[str] = Field(default=[], max_length=500)


class GridNodeIn(GridNodeFields):
    community_code: str = CodeField()


class GridNodeRow(GridNodeFields):
    """One line of a tree import. `kind` is checked by the domain, to name it with its line."""

    kind: str = Field(min_length=1, max_length=64)  # type: ignore[assignment]


class GridNodePatch(Patch):
    name: str | None = NameField(default=None)
    households: int | None = Field(default=None, ge=0, le=1_000_000)
    residents: int | None = Field(default=None, ge=0, le=1_000_000)
    merchants: int | None = Field(default=None, ge=0, le=1_000_000)
    grid_type: GridType | None = None
    addresses: list[str] | None = Field(default=None, max_length=500)


class MoveIn(In):
    parent_code: str = CodeField()


class GridNodeOut(org.GridNodeState):
    totals: Counts = Field(description="The node's own counts plus its active subtree's")


class Imported(BaseModel):
    community_code: str
    created: int
    codes: list[str]


# Party organisations and people


class PartyOrganisationFields(In):
    code: str = CodeField()
    name: str = NameField()
    kind: PartyOrganisationKind
    node_codes: list[str] = Field(min_length=1, max_length=100)
    linked_households: int | None = Field(default=None, ge=20, le=30)
    leader_person_code: str | None = CodeField(default=None)


class PartyOrganisationIn(PartyOrganisationFields):
    community_code: str = CodeField()


class PartyOrganisationPatch(Patch):
    name: str | None = NameField(default=None)
    node_codes: list[str] | None = Field(default=None, min_length=1, max_length=100)
    linked_households: int | None = Field(default=None, ge=20, le=30)
    leader_person_code: str | None = CodeField(default=None)


class PersonFields(In):
    code: str = CodeField()
    name: str = personal("the person's name", min_length=1, max_length=100)
    phone: str | None = personal("the person's phone: never in an event", default=None)
    node_code: str | None = CodeField(default=None, description="Where the person lives or serves")
    party_member_kind: PartyMemberKind | None = None
    employer_unit_code: str | None = CodeField(default=None, description="In-service members only")
    double_report: org.DoubleReport | None = None
    roles: list[RoleHeld] = Field(default=[], max_length=50)


class PersonIn(PersonFields):
    community_code: str = CodeField()


class PersonPatch(Patch):
    name: str | None = personal("the person's name", default=None, min_length=1, max_length=100)
    phone: str | None = personal("the person's phone", default=None)
    node_code: str | None = CodeField(default=None)
    party_member_kind: PartyMemberKind | None = None
    employer_unit_code: str | None = CodeField(default=None)
    double_report: org.DoubleReport | None = None
    roles: list[RoleHeld] | None = Field(default=None, max_length=50)


class PersonOut(org.PersonState):
    phone: str | None = personal("the person's phone: never in an event", default=None)
