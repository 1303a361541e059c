"""Events of the organisation context (stream ORG): the alliance, its grids and departments."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from lianxin.contracts.envelope import EventData

Code = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
GridNodeKind = Literal["grid", "compound", "micro_grid", "building", "unit"]


class CommunityRegistered(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.org.community.registered.v1"
    SUBJECT: ClassVar[str] = "org.community.registered"
    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    street: str


class GridNodeRegistered(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.org.grid_node.registered.v1"
    SUBJECT: ClassVar[str] = "org.grid_node.registered"
    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    kind: GridNodeKind
    community_code: str = Code
    parent_code: str | None = None
    # Codes from the community's root down to this node, itself included.
    path: list[str]
    households: int = Field(ge=0)


class DepartmentRegistered(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.org.department.registered.v1"
    SUBJECT: ClassVar[str] = "org.department.registered"
    AGGREGATE_ID: ClassVar[str] = "code"

    code: str = Code
    name: str
    categories: list[str] = Field(min_length=1)
