"""The alliance's organisation: communities, the typed grid tree, functional departments."""

from __future__ import annotations

from dataclasses import dataclass, field

from organisation.domain import events

# Which kind of grid node may sit directly under which (None: at the community's root).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    "grid": {None},
    "compound": {"grid"},
    "micro_grid": {"grid", "compound"},
    "building": {"micro_grid", "compound"},
    "unit": {"building"},
}


class RuleBroken(ValueError):
    """A domain rule was broken; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Community:
    code: str
    name: str
    street: str
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(cls, code: str, name: str, street: str) -> Community:
        community = cls(code, name, street)
        community.events.append(events.CommunityRegistered(code, name, street))
        return community


@dataclass
class GridNode:
    code: str
    name: str
    kind: str
    community_code: str
    parent_code: str | None
    path: list[str]
    households: int = 0
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        kind: str,
        community: Community,
        parent: GridNode | None,
        households: int = 0,
    ) -> GridNode:
        if kind not in ALLOWED_PARENTS:
            raise RuleBroken("kind", f"unknown grid node kind {kind!r}")
        parent_kind = parent.kind if parent else None
        if parent_kind not in ALLOWED_PARENTS[kind]:
            where = f"under a {parent_kind}" if parent_kind else "at the root of a community"
            raise RuleBroken("parent_code", f"a {kind} cannot sit {where}")
        if parent and parent.community_code != community.code:
            raise RuleBroken("parent_code", f"{parent.code} belongs to another community")
        path = [*parent.path, code] if parent else [code]
        node = cls(
            code, name, kind, community.code, parent.code if parent else None, path, households
        )
        node.events.append(
            events.GridNodeRegistered(
                code, name, kind, community.code, node.parent_code, path, households
            )
        )
        return node


@dataclass
class Department:
    """A functional department that can be whistled to (城管, 供电, 派出所…)."""

    code: str
    name: str
    categories: list[str]
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(cls, code: str, name: str, categories: list[str]) -> Department:
        if not categories:
            raise RuleBroken("categories", "a department handles at least one category")
        unique = sorted(set(categories))
        department = cls(code, name, unique)
        department.events.append(events.DepartmentRegistered(code, name, unique))
        return department
