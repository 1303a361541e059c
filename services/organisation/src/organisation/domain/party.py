"""Party organisations on the grid tree: the four levels below the community's big committee."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lianxin.errors import require
from organisation.domain.base import Aggregate, not_retired, require_text, unique

# Which grid nodes each kind of party organisation covers.
COVERS: dict[str, set[str]] = {
    "grid_party_branch": {"grid", "compound"},  # 网格党支部 / 小区党支部
    "building_party_group": {"building", "unit"},  # 楼栋党小组 (Changshan: 24 in 11 buildings)
    "party_household": {"micro_grid", "building", "unit"},  # 党员中心户, one place
}
# A party household links 20–30 neighbouring households (Taipingjie's standard).
LINKED_HOUSEHOLDS = range(20, 31)


@dataclass
class PartyOrganisation(Aggregate):
    AGGREGATE = "party_organisation"

    code: str
    name: str
    kind: str
    community_code: str
    node_codes: list[str] = field(default_factory=list)
    linked_households: int | None = None
    leader_person_code: str | None = None

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        kind: str,
        community,
        nodes: list,
        linked_households: int | None = None,
        leader=None,
    ) -> PartyOrganisation:
        """`nodes` are the GridNodes it covers; `leader` a Person or None."""
        require(kind in COVERS, "kind", f"unknown party organisation kind {kind!r}")
        not_retired(community, "community_code")
        return cls._new(
            code,
            require_text(name, "name"),
            kind,
            community.code,
            _nodes(kind, nodes, community.code),
            _linked(kind, linked_households),
            _leader(leader, community.code),
        )

    def update(self, changes: dict[str, Any], nodes=None, leader=None) -> list[str]:
        self.ensure_active()
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        if "node_codes" in changes:
            wanted["node_codes"] = _nodes(self.kind, nodes or [], self.community_code)
        if "linked_households" in changes:
            wanted["linked_households"] = _linked(self.kind, changes["linked_households"])
        if "leader_person_code" in changes:
            wanted["leader_person_code"] = _leader(leader, self.community_code)
        return self._apply(wanted)


def _nodes(kind: str, nodes: list, community_code: str) -> list[str]:
    require(nodes, "node_codes", "a party organisation covers at least one grid node")
    require(
        kind != "party_household" or len(nodes) == 1,
        "node_codes",
        "a party household sits at one place",
    )
    for node in nodes:
        not_retired(node, "node_codes")
        require(
            node.community_code == community_code, "node_codes", f"{node.code}: other community's"
        )
        require(
            node.kind in COVERS[kind],
            "node_codes",
            f"a {kind} covers a {' or '.join(sorted(COVERS[kind]))}, not a {node.kind}",
        )
    return unique([n.code for n in nodes], "node_codes")


def _linked(kind: str, linked: int | None) -> int | None:
    if kind != "party_household":
        require(linked is None, "linked_households", "only a party household links households")
        return None
    require(
        linked in LINKED_HOUSEHOLDS, "linked_households", "a party household links 20–30 households"
    )
    return linked


def _leader(leader, community_code: str) -> str | None:
    if leader is None:
        return None
    not_retired(leader, "leader_person_code")
    require(
        leader.community_code == community_code,
        "leader_person_code",
        f"person {leader.code} is another community's",
    )
    require(leader.party_member_kind, "leader_person_code", "the leader is a party member")
    return leader.code
