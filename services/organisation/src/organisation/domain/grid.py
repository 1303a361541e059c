"""The grid tree: a typed tree of grids, compounds, micro-grids, buildings and units.

Communities differ in their levels (Taipingjie: grid → compound → micro-grid; Changshan: grid →
building → unit), so the tree is typed by `ALLOWED_PARENTS`, not four fixed tables.

Counts (households, residents, merchants) are each node's own, usually given on the lowest nodes;
a node's totals are computed over its subtree, so moving or retiring a node keeps every ancestor's
totals right without rewriting them.

Addresses: a node may declare address keys such as "5栋" (a building) or "5栋2单元" (a unit); the
node serving an address is the active node whose key is the longest prefix of it, compared after
NFKC normalisation, lower case and without spaces ("５ 栋 2 单元 301" → "5栋2单元301").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lianxin.errors import Conflict, RuleBroken, require
from organisation.domain import events
from organisation.domain.base import Aggregate, not_retired, require_text, unique

# Which kind of grid node may sit directly under which (None: at the community's root).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    "grid": {None},
    "compound": {"grid"},
    "micro_grid": {"grid", "compound"},
    "building": {"grid", "compound", "micro_grid"},
    "unit": {"building"},
}
GRID_TYPES = ("residential", "business_district")
COUNTS = ("households", "residents", "merchants")


@dataclass(frozen=True)
class Counts:
    households: int = 0
    residents: int = 0
    merchants: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.households + other.households,
            self.residents + other.residents,
            self.merchants + other.merchants,
        )


def normalise_address(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass
class GridNode(Aggregate):
    AGGREGATE = "grid_node"

    code: str
    name: str
    kind: str
    community_code: str
    parent_code: str | None
    path: list[str]
    households: int = 0
    residents: int = 0
    merchants: int = 0
    grid_type: str | None = None
    addresses: list[str] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        kind: str,
        community,
        parent: GridNode | None,
        households: int = 0,
        residents: int = 0,
        merchants: int = 0,
        grid_type: str | None = None,
        addresses: list[str] | None = None,
    ) -> GridNode:
        if kind not in ALLOWED_PARENTS:
            raise RuleBroken("kind", f"unknown grid node kind {kind!r}")
        not_retired(community, "community_code")
        _check_parent(kind, parent, community.code)
        counts = _counts({"households": households, "residents": residents, "merchants": merchants})
        return cls._new(
            code,
            require_text(name, "name"),
            kind,
            community.code,
            parent.code if parent else None,
            [*parent.path, code] if parent else [code],
            grid_type=_grid_type(kind, grid_type),
            addresses=_addresses(addresses or []),
            **counts,
        )

    @property
    def own(self) -> Counts:
        return Counts(self.households, self.residents, self.merchants)

    def update(self, changes: dict[str, Any]) -> list[str]:
        """Name, counts, grid type and addresses; the parent changes only by `GridTree.move`."""
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        wanted.update(_counts({k: changes[k] for k in COUNTS if k in changes}))
        if "grid_type" in changes:
            wanted["grid_type"] = _grid_type(self.kind, changes["grid_type"])
        if "addresses" in changes:
            wanted["addresses"] = _addresses(changes["addresses"] or [])
        return self._apply(wanted)


def _check_parent(kind: str, parent: GridNode | None, community_code: str) -> None:
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        where = f"under a {parent_kind}" if parent_kind else "at the root of a community"
        raise RuleBroken("parent_code", f"a {kind} cannot sit {where}")
    if parent is not None:
        not_retired(parent, "parent_code")
        require(
            parent.community_code == community_code,
            "parent_code",
            f"{parent.code} belongs to another community",
        )


def _counts(counts: dict[str, Any]) -> dict[str, int]:
    for name, value in counts.items():
        require(isinstance(value, int) and value >= 0, name, f"{name} is a count, 0 or more")
    return counts


def _grid_type(kind: str, grid_type: str | None) -> str | None:
    if kind != "grid":
        require(grid_type is None, "grid_type", "only a grid has a grid type")
        return None
    grid_type = grid_type or "residential"
    require(grid_type in GRID_TYPES, "grid_type", f"grid type is one of {', '.join(GRID_TYPES)}")
    return grid_type


def _addresses(addresses: list[str]) -> list[str]:
    keys = [normalise_address(a) for a in addresses]
    require(all(keys), "addresses", "an address key must not be blank")
    return unique(keys, "addresses")


class GridTree:
    """One community's grid tree, for the rules that concern more than one node."""

    def __init__(self, community, nodes: list[GridNode]) -> None:
        self.community = community
        self.nodes: dict[str, GridNode] = {n.code: n for n in nodes}

    def node(self, code: str) -> GridNode | None:
        return self.nodes.get(code)

    def add(self, code: str, name: str, kind: str, parent_code: str | None, **details) -> GridNode:
        """Register a node under a parent of this tree (a code new to the tree)."""
        require(code not in self.nodes, "code", f"duplicate code {code}")
        parent = self.nodes.get(parent_code) if parent_code else None
        require(
            parent is not None or parent_code is None,
            "parent_code",
            f"unknown parent {parent_code}: not a node of community {self.community.code}",
        )
        node = GridNode.register(code, name, kind, self.community, parent, **details)
        self.nodes[code] = node
        return node

    def subtree(self, code: str) -> list[GridNode]:
        """The node and everything under it, retired ones included, parents before children."""
        found = [n for n in self.nodes.values() if code in n.path]
        return sorted(found, key=lambda n: n.path)

    def path(self, code: str) -> list[GridNode]:
        """From the community's root down to the node."""
        return [self.nodes[c] for c in self.nodes[code].path]

    def children(self, code: str) -> list[GridNode]:
        return [n for n in self.nodes.values() if n.parent_code == code and n.active]

    def totals(self) -> dict[str, Counts]:
        """Every node's subtree totals, over the nodes that are not retired."""
        totals = {code: Counts() for code in self.nodes}
        for node in self.nodes.values():
            if node.active:
                for code in node.path:
                    totals[code] = totals[code] + node.own
        return totals

    def move(self, code: str, parent_code: str) -> list[GridNode]:
        """Put a node (and its subtree) under another parent. Returns the nodes whose path changed.

        Every moved node gets an updated event with its new path, so read models need no tree
        logic of their own; totals are computed, so the old and new ancestors stay right.
        """
        node = self.nodes[code]
        node.ensure_active()
        parent = self.nodes.get(parent_code)
        require(
            parent is not None,
            "parent_code",
            f"unknown parent {parent_code}: not a node of community {self.community.code}",
        )
        require(
            code not in parent.path,  # type: ignore[union-attr]
            "parent_code",
            f"{parent_code} is {code} or under it: the move would make a cycle",
        )
        _check_parent(node.kind, parent, self.community.code)
        if node.parent_code == parent_code:
            return []
        old, new = node.path, [*parent.path, code]  # type: ignore[union-attr]
        moved = self.subtree(code)
        for each in moved:
            each.version += 1
            each.path = new + each.path[len(old) :]
            changed = ("path",)
            if each is node:
                each.parent_code = parent_code
                changed = ("parent_code", "path")
            # Retired nodes of the subtree move too: their history stays readable where it is.
            each.events.append(events.Updated(each.AGGREGATE, each.snapshot(), changed))
        return moved

    def retire(self, code: str, now: datetime) -> GridNode:
        """Only a node with no active children: retire or move them first."""
        node = self.nodes[code]
        node.ensure_active()
        under = self.children(code)
        if under:
            raise Conflict(f"grid node {code} still has {len(under)} active node(s) under it")
        node.retire(now)
        return node

    def serving(self, address: str) -> GridNode | None:
        """The active node whose address key is the longest prefix of the address."""
        wanted = normalise_address(address)
        best: tuple[int, int, GridNode] | None = None
        for node in self.nodes.values():
            if not node.active:
                continue
            for key in node.addresses:
                if _prefixes(key, wanted) and (
                    best is None or (len(key), len(node.path)) > best[:2]
                ):
                    best = (len(key), len(node.path), node)
        return best[2] if best else None


def _prefixes(key: str, address: str) -> bool:
    # "1栋" prefixes "1栋302", but a key ending in a digit must not cut a number: "1" ≠ "15栋".
    if not address.startswith(key):
        return False
    rest = address[len(key) :]
    return not (key[-1].isdigit() and rest[:1].isdigit())
