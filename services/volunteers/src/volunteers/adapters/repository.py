"""Repositories over the volunteers' tables: volunteers, teams, activities and shifts, rules,
mobilisations, the shop. The ledger is in `ledger.py`.

`get(..., for_update=True)` is the pipeline's "load under lock"; `save` writes what changed,
one statement per table (rows of children upserted: a sign-up or a membership is never deleted,
leaving is a `left_at`, cancelling a status).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from uuid import UUID

from sqlalchemy import Table, bindparam, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.persistence.tables import inbox_mark
from lianxin.persistence.writes import TableWrite, Writes
from volunteers.adapters.orm import (
    activities,
    inbox,
    items,
    mobilisations,
    points_rules,
    redemptions,
    shifts,
    sign_ups,
    team_memberships,
    teams,
    volunteers,
)
from volunteers.domain.activities import Activity, Attendance, Shift, SignUp
from volunteers.domain.mobilisation import CallUp, Mobilisation, Squad, Tier
from volunteers.domain.rules import PointsRules
from volunteers.domain.shop import Item, Redemption, RedemptionStatus
from volunteers.domain.volunteers import Membership, Team, Volunteer


def _row(obj: object, table: Table) -> dict[str, Any]:
    return {c.name: getattr(obj, c.name) for c in table.columns if hasattr(obj, c.name)}


_UPSERTS: dict[Table, Any] = {}


def _upsert_of(table: Table) -> Any:
    """`INSERT … ON CONFLICT (key) DO UPDATE` of every column, built once per table: executed
    with its rows as parameters (one statement still, the engine's insertmanyvalues), SQLAlchemy
    compiles it once; with the rows written in (`.values(rows)`) it compiled it at every call."""
    if table not in _UPSERTS:
        stmt = insert(table)
        keys = [c.name for c in table.primary_key.columns]
        update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
        _UPSERTS[table] = stmt.on_conflict_do_update(index_elements=keys, set_=update)
    return _UPSERTS[table]


async def _upsert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_upsert_of(table), rows)


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, table: Table, id: UUID, for_update: bool) -> Any:
        query = select(table).where(table.c.id == id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).first()


class VolunteerRepository(_Repository):
    async def get(self, id: UUID, *, for_update: bool = False) -> Volunteer | None:
        row = await self._one(volunteers, id, for_update)
        return _volunteer(row) if row else None

    async def save(self, v: Volunteer) -> None:
        row = _row(v, volunteers)
        row["home_node_path"], row["skills"] = list(v.home_node_path), list(v.skills)
        await _upsert(self.session, volunteers, [row])

    async def by_account(self, account: str) -> Volunteer | None:
        query = select(volunteers).where(volunteers.c.account == account)
        row = (await self.session.execute(query)).first()
        return _volunteer(row) if row else None

    async def in_community(self, community_code: str) -> list[Volunteer]:
        query = select(volunteers).where(volunteers.c.community_code == community_code)
        rows = await self.session.execute(query.order_by(volunteers.c.name))
        return [_volunteer(r) for r in rows]


def _volunteer(r: Any) -> Volunteer:
    values = dict(r._mapping)
    values["home_node_path"], values["skills"] = tuple(r.home_node_path), tuple(r.skills)
    return Volunteer(**values)


class TeamRepository(_Repository):
    async def get(self, id: UUID, *, for_update: bool = False) -> Team | None:
        row = await self._one(teams, id, for_update)
        if row is None:
            return None
        query = select(team_memberships).where(team_memberships.c.team_id == id)
        periods = await self.session.execute(query.order_by(team_memberships.c.joined_at))
        kept = [Membership(p.volunteer_id, p.role, p.joined_at, p.left_at) for p in periods]
        return Team(row.id, row.community_code, row.name, row.kind, kept)

    async def save(self, team: Team) -> None:
        await _upsert(self.session, teams, [_row(team, teams)])
        rows = [{"team_id": team.id, **_row(m, team_memberships)} for m in team.memberships]
        await _upsert(self.session, team_memberships, rows)

    async def in_community(self, community_code: str) -> list[Team]:
        query = select(teams.c.id).where(teams.c.community_code == community_code)
        found = [await self.get(i) for i in (await self.session.scalars(query)).all()]
        return [t for t in found if t is not None]


class ActivityRepository(_Repository):
    async def get(self, id: UUID, *, for_update: bool = False) -> Activity | None:
        row = await self._one(activities, id, for_update)
        return Activity(**dict(row._mapping)) if row else None

    async def save(self, activity: Activity) -> None:
        await _upsert(self.session, activities, [_row(activity, activities)])

    async def in_community(self, community_code: str) -> list[Activity]:
        query = select(activities).where(activities.c.community_code == community_code)
        return [Activity(**dict(r._mapping)) for r in await self.session.execute(query)]


class ShiftRepository(_Repository):
    async def get(self, id: UUID, *, for_update: bool = False) -> Shift | None:
        row = await self._one(shifts, id, for_update)
        if row is None:
            return None
        shift = Shift(**dict(row._mapping))
        query = select(sign_ups).where(sign_ups.c.shift_id == id)
        for s in await self.session.execute(query):
            shift.sign_ups[s.volunteer_id] = SignUp(
                s.volunteer_id,
                s.signed_up_at,
                Attendance(s.status),
                s.checked_in_at,
                s.checked_out_at,
            )
        return shift

    async def save(self, shift: Shift) -> None:
        await _upsert(self.session, shifts, [_row(shift, shifts)])
        rows = [
            {"shift_id": shift.id, **_row(s, sign_ups), "status": str(s.status)}
            for s in shift.sign_ups.values()
        ]
        await _upsert(self.session, sign_ups, rows)

    async def of_activity(self, activity_id: UUID) -> list[Shift]:
        query = select(shifts.c.id).where(shifts.c.activity_id == activity_id)
        found = [await self.get(i) for i in (await self.session.scalars(query)).all()]
        return sorted((s for s in found if s), key=lambda s: s.starts_at)

    async def of_volunteer(self, volunteer_id: UUID) -> list[Shift]:
        query = select(sign_ups.c.shift_id).where(sign_ups.c.volunteer_id == volunteer_id)
        found = [await self.get(i) for i in (await self.session.scalars(query)).all()]
        return sorted((s for s in found if s), key=lambda s: s.starts_at)


class RulesRepository(_Repository):
    async def get(self, community_code: str) -> PointsRules | None:
        query = select(points_rules).where(points_rules.c.community_code == community_code)
        r = (await self.session.execute(query)).first()
        if r is None:
            return None
        return PointsRules(
            r.community_code,
            MappingProxyType(dict(r.per_hour)),
            r.default_per_hour,
            Decimal(r.night_multiplier),
            Decimal(r.emergency_multiplier),
            r.daily_cap,
        )

    async def save(self, rules: PointsRules, actor: str, now: datetime) -> None:
        row = _row(rules, points_rules) | {"per_hour": dict(rules.per_hour)}
        await _upsert(self.session, points_rules, [row | {"updated_by": actor, "updated_at": now}])


# The escalation's inbox mark, and the incident's mobilisation if any, in one round trip: the mark
# as a data-modifying CTE, the mobilisation outer-joined to a single row, so that the answer is
# one row whether a mobilisation exists or not (`first_time`: the mark was new).
_MARK, _FIRST_TIME = inbox_mark(inbox)
_ONE = select(literal(1).label("one")).subquery("one")
_BY_INCIDENT_ONCE = (
    select(_FIRST_TIME, mobilisations)
    .select_from(
        _ONE.outerjoin(mobilisations, mobilisations.c.incident_id == bindparam("incident_id"))
    )
    .add_cte(_MARK)
)
# A new mobilisation goes with the transaction's outbox rows, in its one write at commit.
_NEW_MOBILISATION = TableWrite(mobilisations, tuple(c.name for c in mobilisations.columns))


class MobilisationRepository(_Repository):
    def __init__(self, session: AsyncSession, writes: Writes) -> None:
        super().__init__(session)
        self._writes = writes

    async def get(self, id: UUID, *, for_update: bool = False) -> Mobilisation | None:
        row = await self._one(mobilisations, id, for_update)
        return _mobilisation(row) if row else None

    async def add(self, m: Mobilisation) -> None:
        """Written at commit (nothing in the transaction reads it back)."""
        self._writes.add(_NEW_MOBILISATION, [_mobilisation_row(m)])

    async def by_incident_once(
        self, incident_id: UUID, consumer: str, event_id: str
    ) -> tuple[bool, Mobilisation | None]:
        """The event marked in the inbox as handled by `consumer` — False when it was already
        (a redelivery) — and the incident's mobilisation, if one was started."""
        params = {"incident_id": incident_id, "consumer": consumer, "event_id": event_id}
        row = (await self.session.execute(_BY_INCIDENT_ONCE, params)).one()
        return row.first_time, _mobilisation(row) if row.id is not None else None

    async def by_incident(self, incident_id: UUID) -> Mobilisation | None:
        query = select(mobilisations).where(mobilisations.c.incident_id == incident_id)
        row = (await self.session.execute(query)).first()
        return _mobilisation(row) if row else None

    async def save(self, m: Mobilisation) -> None:
        await _upsert(self.session, mobilisations, [_mobilisation_row(m)])

    async def list(self, community_code: str | None) -> list[Mobilisation]:
        query = select(mobilisations).order_by(mobilisations.c.started_at.desc())
        if community_code:
            query = query.where(mobilisations.c.community_code == community_code)
        return [_mobilisation(r) for r in await self.session.execute(query)]


def _mobilisation_row(m: Mobilisation) -> dict[str, Any]:
    return _row(m, mobilisations) | {
        "node_path": list(m.node_path),
        "squads": [
            {
                "number": s.number,
                "member_ids": [str(i) for i in s.member_ids],
                "leader_id": str(s.leader_id) if s.leader_id else None,
            }
            for s in m.squads
        ],
        "call_ups": [
            {
                "volunteer_id": str(c.volunteer_id),
                "squad": c.squad,
                "tier": int(c.tier),
                "accepted": c.accepted,
                "answered_at": _iso(c.answered_at),
                "arrived_at": _iso(c.arrived_at),
                "left_at": _iso(c.left_at),
            }
            for c in m.call_ups.values()
        ],
    }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _when(at: str | None) -> datetime | None:
    return datetime.fromisoformat(at) if at else None


def _mobilisation(r: Any) -> Mobilisation:
    squads = [
        Squad(
            s["number"],
            [UUID(i) for i in s["member_ids"]],
            UUID(s["leader_id"]) if s["leader_id"] else None,
        )
        for s in r.squads
    ]
    call_ups = {
        UUID(c["volunteer_id"]): CallUp(
            UUID(c["volunteer_id"]),
            c["squad"],
            Tier(c["tier"]),
            c["accepted"],
            _when(c["answered_at"]),
            _when(c["arrived_at"]),
            _when(c["left_at"]),
        )
        for c in r.call_ups
    }
    return Mobilisation(
        r.id,
        r.community_code,
        r.grid_code,
        r.incident_id,
        r.status,
        r.started_at,
        tuple(r.node_path),
        squads,
        call_ups,
        r.closed_at,
    )


class ShopRepository(_Repository):
    """The shop's items and their redemptions. Only an item's stock and a redemption's
    cancellation ever change; the rest is written once."""

    async def item(self, item_id: UUID, *, for_update: bool = False) -> Item | None:
        row = await self._one(items, item_id, for_update)
        return Item(**dict(row._mapping)) if row else None

    async def save_item(self, item: Item) -> None:
        await _upsert(self.session, items, [_row(item, items)])

    async def items(self, community_code: str) -> list[Item]:
        """The shelf: the goods still offered (a retired one is off it)."""
        query = (
            select(items)
            .where(items.c.community_code == community_code, items.c.retired_at.is_(None))
            .order_by(items.c.name)
        )
        return [Item(**dict(r._mapping)) for r in await self.session.execute(query)]

    async def redemption(
        self, redemption_id: UUID, *, for_update: bool = False
    ) -> Redemption | None:
        row = await self._one(redemptions, redemption_id, for_update)
        return _redemption(row) if row else None

    async def redemptions(self, community_code: str, limit: int) -> list[Redemption]:
        """The community's latest redemptions, newest first (the shop's counter book)."""
        query = (
            select(redemptions)
            .join(items, items.c.id == redemptions.c.item_id)
            .where(items.c.community_code == community_code)
            .order_by(redemptions.c.redeemed_at.desc())
            .limit(limit)
        )
        return [_redemption(r) for r in await self.session.execute(query)]

    async def save_redemption(self, r: Redemption) -> None:
        row = _row(r, redemptions) | {"status": str(r.status)}
        await _upsert(self.session, redemptions, [row])


def _redemption(row: Any) -> Redemption:
    return Redemption(**dict(row._mapping) | {"status": RedemptionStatus(row.status)})
