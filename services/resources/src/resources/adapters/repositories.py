"""Repositories: aggregates in and out of their tables.

`get(id, for_update=True)` locks the row and keeps the aggregate in `seen`; `add` keeps a new one
there; `save_all` writes everything seen in one statement per table (an upsert of many rows), so
a meeting closing with ten decisions is still one write to `projects` and one to `needs`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from resources.adapters import orm
from resources.adapters.codec import dump, load
from resources.domain.claims import Claim
from resources.domain.meetings import JointMeeting
from resources.domain.needs import Need
from resources.domain.projects import Project
from resources.domain.resources import ResourceOffer
from resources.domain.wishes import MicroWish

A = TypeVar("A")


class Repository(ABC, Generic[A]):
    """Each aggregate's repository says its table and how a row and the aggregate map."""

    table: ClassVar[Table]
    order: ClassVar[str] = "id"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.seen: dict[UUID, A] = {}

    @abstractmethod
    def _row(self, aggregate: A) -> dict[str, Any]: ...

    @abstractmethod
    def _aggregate(self, row: Row) -> A: ...

    async def _complete(self, found: list[A]) -> list[A]:
        """Hook: fill in what lives in other tables."""
        return found

    def add(self, aggregate: A) -> None:
        self.seen[aggregate.id] = aggregate  # type: ignore[attr-defined]

    async def get(self, key: UUID, *, for_update: bool = False) -> A | None:
        if key in self.seen:
            return self.seen[key]
        query = select(self.table).where(self.table.c.id == key)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        [aggregate] = await self._complete([self._aggregate(row)])
        if for_update:
            self.seen[key] = aggregate
        return aggregate

    async def lock(self, keys: Iterable[UUID]) -> list[A]:
        """Several, locked in the order of their ids so two commands cannot deadlock."""
        wanted = sorted(set(keys) - self.seen.keys())
        if wanted:
            query = (
                select(self.table)
                .where(self.table.c.id.in_(wanted))
                .order_by(self.table.c.id)
                .with_for_update()
            )
            rows = (await self.session.execute(query)).all()
            for aggregate in await self._complete([self._aggregate(r) for r in rows]):
                self.seen[aggregate.id] = aggregate  # type: ignore[attr-defined]
        return [self.seen[k] for k in keys if k in self.seen]

    async def where(self, *conditions: ColumnElement[bool]) -> list[A]:
        """Every row that meets the conditions: a list is never cut short here (the lists are a
        community's, and the API answers them whole, as its description says)."""
        query = select(self.table).where(*conditions).order_by(self.table.c[self.order])
        rows = (await self.session.execute(query)).all()
        return await self._complete([self._aggregate(r) for r in rows])

    async def many(self, keys: Iterable[UUID]) -> list[A]:
        wanted = sorted(set(keys))
        return await self.where(self.table.c.id.in_(wanted)) if wanted else []

    async def in_communities(
        self, communities: Iterable[str] | None, *conditions: ColumnElement[bool]
    ) -> list[A]:
        """`None`: every community (the platform itself asking)."""
        if communities is not None:
            conditions += (self.table.c.community_code.in_(sorted(communities)),)
        return await self.where(*conditions)

    async def save_all(self) -> Sequence[A]:
        saved = list(self.seen.values())
        if saved:
            rows = [self._row(a) for a in saved]
            statement = insert(self.table).values(rows)
            columns = {c: statement.excluded[c] for c in rows[0] if c != "id"}
            await self.session.execute(
                statement.on_conflict_do_update(index_elements=["id"], set_=columns)
            )
        return saved


class NeedRepository(Repository[Need]):
    table = orm.needs
    order = "recorded_at"

    def _row(self, n: Need) -> dict[str, Any]:
        return {
            "id": n.id,
            "community_code": n.community_code,
            "grid_node_code": n.grid_node_code,
            "status": n.status.value,
            "recorded_at": n.recorded_at,
            "source_incident_id": n.source_incident_id,
            "state": dump(n),
        }

    def _aggregate(self, row: Row) -> Need:
        return load(Need, row.state)

    async def from_incident(self, incident_id: UUID) -> Need | None:
        found = await self.where(orm.needs.c.source_incident_id == incident_id)
        return found[0] if found else None


class OfferRepository(Repository[ResourceOffer]):
    table = orm.offers

    def _row(self, o: ResourceOffer) -> dict[str, Any]:
        return {
            "id": o.id,
            "community_code": o.community_code,
            "member_unit_code": o.member_unit_code,
            "emergency_available": o.emergency_available,
            "withdrawn_at": o.withdrawn_at,
            "state": dump(o),
        }

    def _aggregate(self, row: Row) -> ResourceOffer:
        return load(ResourceOffer, row.state)


class MeetingRepository(Repository[JointMeeting]):
    table = orm.meetings
    order = "scheduled_at"

    def _row(self, m: JointMeeting) -> dict[str, Any]:
        return {
            "id": m.id,
            "community_code": m.community_code,
            "status": m.status.value,
            "scheduled_at": m.scheduled_at,
            "closed_at": m.closed_at,
            "state": dump(m),
        }

    def _aggregate(self, row: Row) -> JointMeeting:
        return load(JointMeeting, row.state)

    async def last_closed(self, community_code: str, before: datetime) -> JointMeeting | None:
        t = orm.meetings
        query = (
            select(t)
            .where(t.c.community_code == community_code, t.c.status == "closed")
            .where(t.c.scheduled_at < before)
            .order_by(t.c.scheduled_at.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).first()
        return self._aggregate(row) if row else None


class ProjectRepository(Repository[Project]):
    table = orm.projects
    order = "due_at"

    def _row(self, p: Project) -> dict[str, Any]:
        return {
            "id": p.id,
            "community_code": p.community_code,
            "status": p.status.value,
            "due_at": p.due_at,
            "state": dump(p, skip=frozenset({"claims"})),
        }

    def _aggregate(self, row: Row) -> Project:
        return load(Project, row.state)

    async def _complete(self, found: list[Project]) -> list[Project]:
        if found:
            c = orm.project_claims
            query = (
                select(c)
                .where(c.c.project_id.in_([p.id for p in found]))
                .order_by(c.c.claimed_at, c.c.member_unit_code)
            )
            by_id = {p.id: p for p in found}
            for row in await self.session.execute(query):
                by_id[row.project_id].claims.append(Claim(row.member_unit_code, row.claimed_at))
        return found

    async def save_all(self) -> Sequence[Project]:
        saved = await super().save_all()
        claims = [
            {"project_id": p.id, "member_unit_code": c.member_unit_code, "claimed_at": c.claimed_at}
            for p in saved
            for c in p.claims
        ]
        if claims:  # a claim, once made, never changes: new ones are inserted, the rest kept
            await self.session.execute(
                insert(orm.project_claims).values(claims).on_conflict_do_nothing()
            )
        return saved

    async def under_way(self) -> list[Project]:
        return await self.where(orm.projects.c.status == "under_way")

    async def claims_by(self, member_unit_code: str, since: datetime, until: datetime) -> int:
        c = orm.project_claims
        query = select(c.c.project_id).where(
            c.c.member_unit_code == member_unit_code,
            c.c.claimed_at >= since,
            c.c.claimed_at < until,
        )
        return len((await self.session.execute(query)).all())


class WishRepository(Repository[MicroWish]):
    table = orm.wishes
    order = "recorded_at"
    PRIVATE = frozenset({"resident_name", "resident_contact"})

    def _row(self, w: MicroWish) -> dict[str, Any]:
        return {
            "id": w.id,
            "community_code": w.community_code,
            "grid_node_code": w.grid_node_code,
            "status": w.status.value,
            "claimant_kind": w.claimant.kind.value if w.claimant else None,
            "claimant_id": w.claimant.id if w.claimant else None,
            "recorded_at": w.recorded_at,
            "closed_at": w.closed_at,
            "resident_name": w.resident_name,
            "resident_contact": w.resident_contact,
            "state": dump(w, skip=self.PRIVATE),
        }

    def _aggregate(self, row: Row) -> MicroWish:
        return load(
            MicroWish,
            row.state,
            resident_name=row.resident_name,
            resident_contact=row.resident_contact,
        )


class EmergencyOfferRepository:
    """Which offers were put before the coordinator for which incident, and how much was used."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, incident_id: UUID, community_code: str, offer_ids: Sequence[UUID], at: datetime
    ) -> None:
        if offer_ids:
            rows = [
                {
                    "incident_id": incident_id,
                    "offer_id": o,
                    "community_code": community_code,
                    "offered_at": at,
                }
                for o in offer_ids
            ]
            await self.session.execute(
                insert(orm.emergency_offers).values(rows).on_conflict_do_nothing()
            )

    async def for_incident(self, incident_id: UUID) -> list[Row]:
        t = orm.emergency_offers
        query = select(t).where(t.c.incident_id == incident_id).order_by(t.c.offered_at)
        return list((await self.session.execute(query)).all())

    async def add_use(self, incident_id: UUID, offer_id: UUID, quantity: int) -> bool:
        t = orm.emergency_offers
        done = await self.session.execute(
            t.update()
            .where(t.c.incident_id == incident_id, t.c.offer_id == offer_id)
            .values(used=t.c.used + quantity)
            .returning(t.c.offer_id)
        )
        return done.first() is not None
