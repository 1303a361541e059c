"""The care register (重点人群关爱): who in a grid receives care, who cares for them, and visits.

The entries hold the most sensitive personal data on the platform (name, phone, address, birth
date, health notes), so the rule of who may read one lives here, next to the data, as plain code:
the entry's named carers (party household, grid member, family contact), the grid leader whose
subtree holds the entry's node, and the coordinators of its community. Nobody else reads names;
the rest of the platform sees counts per grid (`GridCounts`), never a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lianxin.errors import Conflict, RuleBroken, require

# The glossary's `care_group`: elderly (60+), living alone, disabled, low-income.
CARE_GROUPS = ("elderly", "living_alone", "disabled", "low_income")
CARER_KINDS = ("party_household", "grid_member", "family_contact")
# 走访, 送餐, 送医, 义诊, 理发
VISIT_KINDS = ("home_visit", "meal_delivery", "escort_to_doctor", "free_clinic", "haircut")
OUTCOME_MAX = 200
MINUTES_MAX = 720  # a working day: a hospital escort can take one, a longer visit is a typo


@dataclass(frozen=True)
class Reader:
    """Who asks to read an entry: the caller's account name, role and scope, as plain values."""

    subject: str
    role: str
    communities: frozenset[str] = frozenset()
    grid_nodes: frozenset[str] = frozenset()

    def keeps(self, node_path: list[str], community_code: str) -> bool:
        """Whether the reader looks after a whole grid: its grid leader (of it or a node above
        it) or a coordinator of its community. A carer sees only their own people."""
        if self.role == "grid_leader":
            return not self.grid_nodes.isdisjoint(node_path)
        return self.role == "community_coordinator" and community_code in self.communities


@dataclass(frozen=True)
class Carer:
    kind: str
    username: str  # the carer's account: how the register knows a carer who asks
    name: str


@dataclass(frozen=True)
class Consent:
    """Who agreed to the register keeping the entry, when, and for what."""

    given_by: str
    at: datetime
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class VisitPlan:
    kind: str
    every_days: int


@dataclass
class CareEntry:
    code: str
    community_code: str
    grid_code: str
    node_code: str
    node_path: list[str]
    name: str
    birth_date: date
    care_groups: list[str]
    carers: list[Carer]
    consent: Consent
    plans: list[VisitPlan]
    registered_at: datetime
    phone: str | None = None
    address: str = ""
    health_notes: str = ""

    @classmethod
    def register(cls, code: str, node, grid_code: str, fields: dict, now: datetime) -> CareEntry:
        """`node` is the GridNode the person lives under; `grid_code` the grid above (or it)."""
        require(node.retired_at is None, "node_code", f"grid node {node.code} is retired")
        require(fields.get("name", "").strip(), "name", "a care entry names the person")
        groups = list(dict.fromkeys(fields.get("care_groups") or []))
        require(groups, "care_groups", "an entry is in at least one care group")
        for group in groups:
            require(group in CARE_GROUPS, "care_groups", f"unknown care group {group!r}")
        birth = fields["birth_date"]
        require(birth <= now.date(), "birth_date", "a birth date is not in the future")
        consent = fields.get("consent") or {}
        require(
            consent.get("given_by", "").strip(), "consent.given_by", "consent names who gave it"
        )
        require(consent.get("purposes"), "consent.purposes", "consent says what it is for")
        return cls(
            code=code,
            community_code=node.community_code,
            grid_code=grid_code,
            node_code=node.code,
            node_path=list(node.path),
            name=fields["name"].strip(),
            birth_date=birth,
            care_groups=groups,
            carers=_carers(fields.get("carers") or []),
            consent=Consent(
                consent["given_by"].strip(), consent.get("at") or now, tuple(consent["purposes"])
            ),
            plans=_plans(fields.get("plans") or []),
            registered_at=now,
            phone=fields.get("phone") or None,
            address=fields.get("address") or "",
            health_notes=fields.get("health_notes") or "",
        )

    def readable_by(self, reader: Reader) -> bool:
        return self.cared_for_by(reader.subject) or reader.keeps(
            self.node_path, self.community_code
        )

    def cared_for_by(self, subject: str) -> bool:
        return subject in {c.username for c in self.carers}

    def overdue(self, last_visits: dict[str, datetime], now: datetime) -> list[Due]:
        """The plans whose period has passed since the last visit of their kind (or, never
        visited, since the entry was registered)."""
        return [d for d in self.due(last_visits) if d.due_at < now]

    def due(self, last_visits: dict[str, datetime]) -> list[Due]:
        dues = []
        for plan in self.plans:
            since = last_visits.get(plan.kind, self.registered_at)
            dues.append(Due(self.code, plan.kind, since + timedelta(days=plan.every_days)))
        return sorted(dues, key=lambda d: d.due_at)


@dataclass(frozen=True)
class Due:
    entry_code: str
    kind: str
    due_at: datetime


@dataclass
class Visit:
    """A visit or service done for an entry, with a short outcome; a need may follow from it."""

    id: str
    entry_code: str
    community_code: str
    grid_code: str
    kind: str
    at: datetime
    by: str
    outcome: str
    needs_follow_up: bool = False
    need_id: str | None = None
    minutes: int | None = None  # how long it took: a volunteer's service hours come from it

    @classmethod
    def record(cls, id: str, entry: CareEntry, fields: dict, by: str, now: datetime) -> Visit:
        kind = fields.get("kind", "")
        require(kind in VISIT_KINDS, "kind", f"unknown visit kind {kind!r}")
        at = fields.get("at") or now
        require(at <= now, "at", "a visit is recorded after it happened")
        outcome = (fields.get("outcome") or "").strip()
        require(outcome, "outcome", "a visit says briefly how it went")
        require(len(outcome) <= OUTCOME_MAX, "outcome", f"at most {OUTCOME_MAX} characters")
        follow = bool(fields.get("needs_follow_up"))
        minutes = fields.get("minutes")
        require(
            minutes is None or (isinstance(minutes, int) and 1 <= minutes <= MINUTES_MAX),
            "minutes",
            f"a visit takes 1 to {MINUTES_MAX} minutes",
        )
        return cls(
            id,
            entry.code,
            entry.community_code,
            entry.grid_code,
            kind,
            at,
            by,
            outcome,
            follow,
            minutes=minutes,
        )

    def visitor(self, entry: CareEntry) -> str | None:
        """Who did it, as the rest of the platform may know (volunteers credits its volunteers
        by it): the carer's account, unless the entry names them as the person's family contact,
        whose account could point at the person."""
        family = {c.username for c in entry.carers if c.kind == "family_contact"}
        return None if self.by in family else self.by

    def link_need(self, need_id: str) -> None:
        if not self.needs_follow_up:
            raise Conflict("this visit asked for no follow-up need")
        if self.need_id is not None and self.need_id != need_id:
            raise Conflict(f"this visit's need is already {self.need_id}")
        self.need_id = need_id


@dataclass
class GridCounts:
    """What the rest of the platform may know of a grid's register: figures, no person."""

    grid_code: str
    people: int = 0
    by_group: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CARE_GROUPS, 0))
    overdue: int = 0


def grid_counts(
    entries: Iterable[CareEntry], last: dict[str, dict[str, datetime]], now: datetime
) -> list[GridCounts]:
    grids: dict[str, GridCounts] = {}
    for entry in entries:
        counts = grids.setdefault(entry.grid_code, GridCounts(entry.grid_code))
        counts.people += 1
        for group in entry.care_groups:
            counts.by_group[group] += 1
        counts.overdue += bool(entry.overdue(last.get(entry.code, {}), now))
    return [grids[g] for g in sorted(grids)]


def birthdays(entries: Iterable[CareEntry], month: int) -> list[CareEntry]:
    """This month's collective birthday (集体生日): the register's people born in `month`."""
    if not 1 <= month <= 12:
        raise RuleBroken("month", "a month is 1 to 12")
    return sorted(
        (e for e in entries if e.birth_date.month == month),
        key=lambda e: (e.birth_date.day, e.code),
    )


def _carers(carers: list[dict]) -> list[Carer]:
    out = []
    for carer in carers:
        require(carer.get("kind") in CARER_KINDS, "carers.kind", f"unknown {carer.get('kind')!r}")
        require((carer.get("username") or "").strip(), "carers.username", "a carer's account")
        out.append(Carer(carer["kind"], carer["username"].strip(), carer.get("name") or ""))
    require(len({c.username for c in out}) == len(out), "carers", "a carer is named once")
    return out


def _plans(plans: list[dict]) -> list[VisitPlan]:
    out = []
    for plan in plans:
        require(plan.get("kind") in VISIT_KINDS, "plans.kind", f"unknown {plan.get('kind')!r}")
        every = plan.get("every_days")
        require(isinstance(every, int) and 1 <= every <= 366, "plans.every_days", "1 to 366 days")
        out.append(VisitPlan(plan["kind"], every))
    require(len({p.kind for p in out}) == len(out), "plans", "one plan per kind of visit")
    return out
