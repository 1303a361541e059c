"""People with a place in the organisation: party members, grid officers, building and unit leaders.

Personal data is kept to a name and an optional phone; the phone never leaves this service in an
event (`UNPUBLISHED`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from lianxin.errors import require
from organisation.domain.base import Aggregate, not_retired, require_text, unique

PARTY_MEMBER_KINDS = ("registered", "transferred_retiree", "in_service", "mobile")
DOUBLE_REPORT = ("not_reported", "reported")
# The posts of the grid (一长六员 per micro-grid; 楼栋长, 单元长), and where each may be held.
ROLE_NODE_KINDS: dict[str, set[str]] = {
    "grid_leader": {"grid"},
    "micro_grid_leader": {"micro_grid"},
    "party_building_instructor": {"micro_grid"},
    "safety_hygiene_supervisor": {"micro_grid"},
    "civil_mediator": {"micro_grid"},
    "fire_warden": {"micro_grid"},
    "police_officer": {"micro_grid"},
    "grid_inspector": {"micro_grid"},
    "building_leader": {"building"},
    "unit_leader": {"unit"},
}
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


@dataclass(frozen=True)
class RoleHeld:
    role: str
    node_code: str


@dataclass
class Person(Aggregate):
    AGGREGATE = "person"
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name", "phone"})
    UNPUBLISHED: ClassVar[frozenset[str]] = frozenset({"phone"})

    code: str
    community_code: str
    name: str
    phone: str | None = None
    node_code: str | None = None
    party_member_kind: str | None = None
    employer_unit_code: str | None = None
    double_report: str | None = None
    roles: list[RoleHeld] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        code: str,
        community,
        name: str,
        phone: str | None = None,
        node=None,
        party_member_kind: str | None = None,
        employer=None,
        double_report: str | None = None,
        roles: list[tuple[str, Any]] | None = None,
    ) -> Person:
        """`node` is a GridNode, `employer` a MemberUnit, `roles` (role, GridNode) pairs."""
        not_retired(community, "community_code")
        return cls._new(
            code,
            community.code,
            require_text(name, "name"),
            _phone(phone),
            _node(node, community.code, "node_code"),
            **_membership(party_member_kind, employer, double_report),
            roles=_roles(roles or [], community.code),
        )

    def update(self, changes: dict[str, Any], node=None, employer=None, roles=None) -> list[str]:
        """`changes` are the fields asked for; `node`, `employer` (the employer the person will
        have: named in `changes` or kept) and `roles` are the objects they name."""
        self.ensure_active()
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        if "phone" in changes:
            wanted["phone"] = _phone(changes["phone"])
        if "node_code" in changes:
            wanted["node_code"] = _node(node, self.community_code, "node_code")
        if {"party_member_kind", "employer_unit_code", "double_report"} & set(changes):
            kind = changes.get("party_member_kind", self.party_member_kind)
            # Leaving in-service drops the employer and the double report, unless named again.
            keep = kind == "in_service"
            named = "employer_unit_code" in changes
            report = changes.get("double_report", self.double_report if keep else None)
            wanted.update(_membership(kind, employer if keep or named else None, report))
        if "roles" in changes:
            wanted["roles"] = _roles(roles or [], self.community_code)
        return self._apply(wanted)

    def retire(self, now: datetime) -> None:
        # A person who leaves holds no post any more; the retired event says so.
        self.roles = []
        super().retire(now)


def _phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    require(PHONE.match(phone.strip()), "phone", "a phone number is digits, spaces, - and +")
    return phone.strip()


def _node(node, community_code: str, field_name: str) -> str | None:
    if node is None:
        return None
    not_retired(node, field_name)
    require(
        node.community_code == community_code,
        field_name,
        f"grid node {node.code} is another community's",
    )
    return node.code


def _membership(kind: str | None, employer, double_report: str | None) -> dict[str, Any]:
    """In-service members name their employer member unit and their double report (双报到)."""
    if kind is None:
        require(not employer, "employer_unit_code", "only in-service party members have one")
        require(double_report is None, "double_report", "only in-service party members report")
        return {"party_member_kind": None, "employer_unit_code": None, "double_report": None}
    require(kind in PARTY_MEMBER_KINDS, "party_member_kind", f"unknown kind {kind!r}")
    if kind != "in_service":
        require(not employer, "employer_unit_code", "only in-service party members have one")
        require(double_report is None, "double_report", "only in-service party members report")
        return {"party_member_kind": kind, "employer_unit_code": None, "double_report": None}
    require(employer, "employer_unit_code", "an in-service party member names the employer")
    not_retired(employer, "employer_unit_code")
    double_report = double_report or "not_reported"
    require(double_report in DOUBLE_REPORT, "double_report", f"unknown status {double_report!r}")
    return {
        "party_member_kind": kind,
        "employer_unit_code": employer.code,
        "double_report": double_report,
    }


def _roles(roles: list[tuple[str, Any]], community_code: str) -> list[RoleHeld]:
    held = []
    for role, node in roles:
        require(role in ROLE_NODE_KINDS, "roles.role", f"unknown role {role!r}")
        require(node is not None, "roles.node_code", f"no such grid node for {role}")
        _node(node, community_code, "roles.node_code")
        require(
            node.kind in ROLE_NODE_KINDS[role],
            "roles.node_code",
            f"a {role} serves a {' or '.join(sorted(ROLE_NODE_KINDS[role]))}, not a {node.kind}",
        )
        held.append(RoleHeld(role, node.code))
    unique([f"{r.role}@{r.node_code}" for r in held], "roles")
    return held
