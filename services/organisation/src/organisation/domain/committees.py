"""A community's big party committee (大党委), its member units and their rotating chair."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from lianxin.errors import RuleBroken, require
from organisation.domain.base import Aggregate, not_retired, require_text, unique

MEMBER_UNIT_KINDS = (
    "party_government_organ",
    "public_institution",
    "mass_organisation",
    "social_organisation",
    "enterprise",
    "merchant",
    "school",
    "hospital",
    "non_public_party_branch",
)
# resident: inside the community (驻区单位); co_building: outside it, bound by an agreement (共建).
RELATIONS = ("resident", "co_building")
MAX_LIAISONS = 10


@dataclass(frozen=True)
class Agreement:
    """A co-building agreement (共建协议)."""

    signed_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class Liaison:
    """The member unit's contact person. The phone stays in this service."""

    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name", "phone"})
    UNPUBLISHED: ClassVar[frozenset[str]] = frozenset({"phone"})

    name: str
    phone: str | None = None
    post: str = ""


@dataclass
class MemberUnit(Aggregate):
    """An organisation on a community's big committee (成员单位 / 共建单位)."""

    AGGREGATE = "member_unit"

    code: str
    name: str
    kind: str
    community_code: str
    relation: str
    agreement: Agreement | None = None
    liaisons: list[Liaison] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        kind: str,
        community,
        relation: str,
        agreement: dict[str, Any] | None = None,
        liaisons: list[dict[str, Any]] | None = None,
    ) -> MemberUnit:
        not_retired(community, "community_code")
        require(kind in MEMBER_UNIT_KINDS, "kind", f"unknown member unit kind {kind!r}")
        name, relation = require_text(name, "name"), _relation(relation)
        terms, contacts = _agreement(agreement), _liaisons(liaisons or [])
        _check_agreement(relation, terms)
        return cls._new(code, name, kind, community.code, relation, terms, contacts)

    def update(self, changes: dict[str, Any]) -> list[str]:
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        if "kind" in changes:
            require(changes["kind"] in MEMBER_UNIT_KINDS, "kind", "unknown member unit kind")
            wanted["kind"] = changes["kind"]
        if "relation" in changes:
            wanted["relation"] = _relation(changes["relation"])
        if "agreement" in changes:
            wanted["agreement"] = _agreement(changes["agreement"])
        if "liaisons" in changes:
            wanted["liaisons"] = _liaisons(changes["liaisons"] or [])
        _check_agreement(
            wanted.get("relation", self.relation), wanted.get("agreement", self.agreement)
        )
        return self._apply(wanted)


def _check_agreement(relation: str, agreement: Agreement | None) -> None:
    if relation == "co_building":
        require(agreement, "agreement", "a co-building unit has a co-building agreement")


def _relation(relation: str) -> str:
    require(relation in RELATIONS, "relation", f"relation is one of {', '.join(RELATIONS)}")
    return relation


def _agreement(agreement: dict[str, Any] | None) -> Agreement | None:
    if agreement is None:
        return None
    made = Agreement(agreement["signed_on"], agreement.get("expires_on"))
    require(
        made.expires_on is None or made.expires_on >= made.signed_on,
        "agreement.expires_on",
        "an agreement expires after it is signed",
    )
    return made


def _liaisons(liaisons: list[dict[str, Any]]) -> list[Liaison]:
    require(len(liaisons) <= MAX_LIAISONS, "liaisons", f"at most {MAX_LIAISONS} liaisons")
    return [
        Liaison(require_text(p.get("name"), "liaisons.name"), p.get("phone"), p.get("post") or "")
        for p in liaisons
    ]


@dataclass(frozen=True)
class Officer:
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name"})

    name: str
    post: str = ""


@dataclass(frozen=True)
class CommitteeMember:
    """A part-time member (兼职委员): a member unit's party leader."""

    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"name"})

    member_unit_code: str
    name: str
    post: str = ""


@dataclass(frozen=True)
class ChairTerm:
    """A member unit chairs the joint meetings from `starts_on` to `ends_on`, both included."""

    member_unit_code: str
    starts_on: date
    ends_on: date

    def overlaps(self, other: ChairTerm) -> bool:
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


@dataclass
class BigCommittee(Aggregate):
    """A community's big party committee: secretary (a street leader), deputy (the community
    party secretary), part-time members from member units, and rotating chair terms."""

    AGGREGATE = "big_committee"
    KEY = "community_code"

    community_code: str
    secretary: Officer | None = None
    deputy: Officer | None = None
    members: list[CommitteeMember] = field(default_factory=list)
    chair_terms: list[ChairTerm] = field(default_factory=list)

    @classmethod
    def register(
        cls,
        community,
        units: dict[str, MemberUnit],
        secretary: dict[str, Any] | None = None,
        deputy: dict[str, Any] | None = None,
        members: list[dict[str, Any]] | None = None,
    ) -> BigCommittee:
        """`units` are the community's member units by code, to check the members against."""
        not_retired(community, "community_code")
        return cls._new(
            community.code,
            _officer(secretary, "secretary"),
            _officer(deputy, "deputy"),
            _members(members or [], units, community.code),
        )

    def update(self, changes: dict[str, Any], units: dict[str, MemberUnit]) -> list[str]:
        wanted: dict[str, Any] = {}
        for role in ("secretary", "deputy"):
            if role in changes:
                wanted[role] = _officer(changes[role], role)
        if "members" in changes:
            wanted["members"] = _members(changes["members"] or [], units, self.community_code)
        return self._apply(wanted)

    def add_chair_term(
        self, member_unit: MemberUnit | None, starts_on: date, ends_on: date
    ) -> ChairTerm:
        self.ensure_active()
        require(member_unit, "member_unit_code", "no such member unit")
        _member_of(member_unit, self.community_code, "member_unit_code")  # type: ignore[arg-type]
        require(ends_on >= starts_on, "ends_on", "a term ends on or after the day it starts")
        term = ChairTerm(member_unit.code, starts_on, ends_on)  # type: ignore[union-attr]
        for other in self.chair_terms:
            if term.overlaps(other):
                raise RuleBroken(
                    "starts_on",
                    f"overlaps {other.member_unit_code}'s term {other.starts_on}–{other.ends_on}",
                )
        terms = sorted([*self.chair_terms, term], key=lambda t: t.starts_on)
        self._apply({"chair_terms": terms})
        return term

    def chair_on(self, day: date) -> ChairTerm | None:
        return next((t for t in self.chair_terms if t.starts_on <= day <= t.ends_on), None)

    def uses(self, member_unit_code: str, today: date) -> bool:
        """Whether the unit sits on the committee or chairs now or later."""
        return any(m.member_unit_code == member_unit_code for m in self.members) or any(
            t.member_unit_code == member_unit_code and t.ends_on >= today for t in self.chair_terms
        )


def _officer(officer: dict[str, Any] | None, field_name: str) -> Officer | None:
    if officer is None:
        return None
    name = require_text(officer.get("name"), f"{field_name}.name")
    return Officer(name, officer.get("post") or "")


def _member_of(unit: MemberUnit, community_code: str, field_name: str) -> None:
    not_retired(unit, field_name)
    require(
        unit.community_code == community_code,
        field_name,
        f"member unit {unit.code} is another community's",
    )


def _members(
    members: list[dict[str, Any]], units: dict[str, MemberUnit], community_code: str
) -> list[CommitteeMember]:
    made = []
    for member in members:
        code = member["member_unit_code"]
        require(code in units, "members.member_unit_code", f"no member unit {code}")
        _member_of(units[code], community_code, "members.member_unit_code")
        made.append(
            CommitteeMember(
                code, require_text(member.get("name"), "members.name"), member.get("post") or ""
            )
        )
    unique([m.member_unit_code for m in made], "members.member_unit_code")
    return made
