"""Events of the organisation context (stream ORG): the alliance and everything in it.

Every aggregate has three events, `org.<aggregate>.registered|updated|retired`, and each carries the
aggregate's whole public state after the change, with `version` (one more on every change). So a
consumer builds its read model from these events alone: upsert by the aggregate's key, ignore an
event whose version is not newer than the one it holds, and a replay of the stream rebuilds it.

Personal data is marked `x-personal` in the schemas. Contact details (phone numbers) stay in the
organisation service: no event carries them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.contracts.envelope import EventData

Code = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")

GridNodeKind = Literal["grid", "compound", "micro_grid", "building", "unit"]
GridType = Literal["residential", "business_district"]
Mechanism = Literal[
    "joint_opinion_collection",  # 民意联采
    "joint_risk_assessment",  # 风险联判
    "joint_dispute_resolution",  # 矛盾联解
    "joint_safety_defence",  # 安全联防
    "joint_hardship_aid",  # 困难联帮
    "joint_activities",  # 活动联办
]
MemberUnitKind = Literal[
    "party_government_organ",
    "public_institution",
    "mass_organisation",
    "social_organisation",
    "enterprise",
    "merchant",
    "school",
    "hospital",
    "non_public_party_branch",
]
# resident: inside the community (驻区); co_building: outside it, bound by an agreement (共建).
Relation = Literal["resident", "co_building"]
AreaLevel = Literal["district", "street", "community"]
ChannelKind = Literal["nats", "webhook", "open311"]
PartyOrganisationKind = Literal["grid_party_branch", "building_party_group", "party_household"]
PartyMemberKind = Literal["registered", "transferred_retiree", "in_service", "mobile"]
DoubleReport = Literal["not_reported", "reported"]
GridRole = Literal[
    "grid_leader",  # 网格长 of a grid
    "micro_grid_leader",  # 微网格长: the 一长 of 一长六员
    "party_building_instructor",  # 党建指导员
    "safety_hygiene_supervisor",  # 安全卫生监督员
    "civil_mediator",  # 民事纠纷调解员
    "fire_warden",  # 消防员
    "police_officer",  # 警员
    "grid_inspector",  # 网格巡查员
    "building_leader",  # 楼栋长
    "unit_leader",  # 单元长
]

PERSONAL: dict[str, Any] = {"x-personal": True}


def personal(description: str, **kwargs: Any) -> Any:
    """A field holding personal data: marked in the JSON Schema, described as such."""
    return Field(description=f"Personal data: {description}", json_schema_extra=PERSONAL, **kwargs)


class Value(BaseModel):
    """A value object inside an aggregate's state."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(Value):
    """Where a department serves: a whole district, a street or one community."""

    level: AreaLevel
    code: str = Code


class Channel(Value):
    """How a department receives its whistles; `url` is the webhook's, `service_code` Open311's."""

    kind: ChannelKind
    url: str | None = None
    service_code: str | None = None


class ResolveHours(Value):
    """Hours to resolve, by urgency (Beijing 12345 practice)."""

    emergency: int = Field(default=2, ge=1)
    utilities: int = Field(default=24, ge=1)
    general: int = Field(default=168, ge=1)
    complex: int = Field(default=360, ge=1)


class ServiceLevel(Value):
    """A department's default targets: sign for a whistle, then resolve it."""

    acknowledge_minutes: int = Field(default=30, ge=1)
    resolve_hours: ResolveHours = ResolveHours()


class Agreement(Value):
    """A co-building agreement (共建协议)."""

    signed_on: date
    expires_on: date | None = None


class Liaison(Value):
    post: str = ""
    name: str = personal("the member unit's liaison")


class Officer(Value):
    post: str = ""
    name: str = personal("a big committee officer")


class CommitteeMember(Value):
    """A part-time member of the big committee, drawn from a member unit (兼职委员)."""

    member_unit_code: str = Code
    post: str = ""
    name: str = personal("the member unit's party leader")


class ChairTerm(Value):
    """A rotating chair's term (轮值主席): terms of one big committee never overlap."""

    member_unit_code: str = Code
    starts_on: date
    ends_on: date


class RoleHeld(Value):
    role: GridRole
    node_code: str = Code


class State(EventData):
    """What every organisation event carries beside the aggregate's own fields."""

    version: int = Field(
        default=1, ge=1, description="One more on every change: ignore events not newer than yours"
    )
    retired_at: datetime | None = Field(
        default=None, description="Set once retired: never deleted, still readable"
    )


CHANGED = Field(default_factory=list, description="The fields this change touched")


Lifecycle = tuple[type[State], type[State], type[State]]

# Each aggregate's (registered, updated, retired) events, by the aggregate's name: filled by
# `lifecycle` below, read by organisation's check that every aggregate has its three.
BY_AGGREGATE: dict[str, Lifecycle] = {}


def lifecycle(state: type[State], aggregate: str, *, updated_doc: str | None = None) -> Lifecycle:
    """The aggregate's three events, `org.<aggregate>.registered|updated|retired`, each carrying
    its whole state: `updated` adds the fields it touched, `retired` when it was retired."""
    name = state.__name__.removesuffix("State")

    def event(change: str, fields: dict[str, Any], doc: str | None = None) -> type[State]:
        namespace: dict[str, Any] = {
            "__module__": __name__,
            "__qualname__": f"{name}{change.title()}",
            "__annotations__": {"TYPE": ClassVar[str], "SUBJECT": ClassVar[str]}
            | {field: kind for field, (kind, _) in fields.items()},
            "TYPE": f"cn.lianxin.org.{aggregate}.{change}.v1",
            "SUBJECT": f"org.{aggregate}.{change}",
            **{field: default for field, (_, default) in fields.items() if default is not ...},
        }
        if doc:
            namespace["__doc__"] = doc
        return type(f"{name}{change.title()}", (state,), namespace)

    BY_AGGREGATE[aggregate] = (
        event("registered", {}),
        event("updated", {"changed": (list[str], CHANGED)}, updated_doc),
        event("retired", {"retired_at": (datetime, ...)}),
    )
    return BY_AGGREGATE[aggregate]


class DistrictState(State):
    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    city: str


DistrictRegistered, DistrictUpdated, DistrictRetired = lifecycle(DistrictState, "district")


class StreetState(State):
    """A street (街道), in one district for good."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    district_code: str = Code


StreetRegistered, StreetUpdated, StreetRetired = lifecycle(StreetState, "street")


class CommunityState(State):
    """A community (社区) with its street and that street's district, to match department areas."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    street_code: str = Code
    district_code: str = Code
    area_km2: float | None = Field(default=None, ge=0)


CommunityRegistered, CommunityUpdated, CommunityRetired = lifecycle(CommunityState, "community")


class AllianceState(State):
    """Communities and non-public party branches acting together through joint mechanisms."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    community_codes: list[str] = Field(min_length=1)
    # Member units of kind non_public_party_branch.
    branch_unit_codes: list[str] = Field(default=[])
    mechanisms: list[Mechanism] = Field(min_length=1)


AllianceRegistered, AllianceUpdated, AllianceRetired = lifecycle(AllianceState, "alliance")


class MemberUnitState(State):
    """An organisation on a community's big committee (成员单位 / 共建单位)."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    kind: MemberUnitKind
    community_code: str = Code
    relation: Relation
    agreement: Agreement | None = None
    liaisons: list[Liaison] = Field(default=[])


MemberUnitRegistered, MemberUnitUpdated, MemberUnitRetired = lifecycle(
    MemberUnitState, "member_unit"
)


class BigCommitteeState(State):
    """A community's big party committee (大党委), one per community, keyed by the community."""

    AGGREGATE_ID: ClassVar[str] = "community_code"

    community_code: str = Code
    secretary: Officer | None = None
    deputy: Officer | None = None
    members: list[CommitteeMember] = Field(default=[])
    chair_terms: list[ChairTerm] = Field(default=[])


BigCommitteeRegistered, BigCommitteeUpdated, BigCommitteeRetired = lifecycle(
    BigCommitteeState, "big_committee"
)


class DepartmentState(State):
    """A functional department that is whistled to. No `areas`: it serves every area."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    categories: list[str] = Field(min_length=1)
    name_en: str = ""
    areas: list[Area] = Field(default=[])
    channels: list[Channel] = Field(default=[])
    sla: ServiceLevel = ServiceLevel()


DepartmentRegistered, DepartmentUpdated, DepartmentRetired = lifecycle(
    DepartmentState, "department"
)


class GridNodeState(State):
    """A node of a community's grid tree. Counts are the node's own: a subtree's total is the sum
    over its nodes that are not retired."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    kind: GridNodeKind
    community_code: str = Code
    parent_code: str | None = None
    # Codes from the community's root down to this node, itself included.
    path: list[str]
    households: int = Field(default=0, ge=0)
    residents: int = Field(default=0, ge=0)
    merchants: int = Field(default=0, ge=0)
    grid_type: GridType | None = Field(default=None, description="Grids only")
    # Address keys this node serves ("5栋", "5栋2单元"); the longest that prefixes an address wins.
    addresses: list[str] = Field(default=[])


GridNodeRegistered, GridNodeUpdated, GridNodeRetired = lifecycle(
    GridNodeState,
    "grid_node",
    updated_doc="Also sent for every node of a moved subtree, with its new path.",
)


class PartyOrganisationState(State):
    """A party organisation on the grid tree: a grid party branch, a building party group, or a
    party household linking 20–30 neighbouring households."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    kind: PartyOrganisationKind
    community_code: str = Code
    node_codes: list[str] = Field(min_length=1)
    linked_households: int | None = Field(default=None, ge=20, le=30)
    leader_person_code: str | None = None


PartyOrganisationRegistered, PartyOrganisationUpdated, PartyOrganisationRetired = lifecycle(
    PartyOrganisationState, "party_organisation"
)


class PersonState(State):
    """A person with a place in the organisation: a party member, a grid officer, a leader.
    Personal data; the phone number is never in an event."""

    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    community_code: str = Code
    name: str = personal("the person's name")
    # The grid node the person lives in or serves, for mobilisation by grid.
    node_code: str | None = None
    party_member_kind: PartyMemberKind | None = None
    # In-service members only: the employer member unit and their double report (双报到).
    employer_unit_code: str | None = None
    double_report: DoubleReport | None = None
    roles: list[RoleHeld] = Field(default=[])


PersonRegistered, PersonUpdated, PersonRetired = lifecycle(PersonState, "person")
