"""Repositories: aggregates in and out of their tables.

`get(id, for_update=True)` locks the row and keeps the aggregate in `seen`; `add` keeps a new one
there; `save_all` writes everything seen in one statement per table (an upsert of many rows), so
a meeting closing with ten decisions is still one write to `projects` and one to `needs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from resources.adapters import orm
from resources.adapters.codec import dump, load
from resources.domain.claims import Claim
from resources.domain.deliberations import Deliberation
from resources.domain.meetings import JointMeeting
from resources.domain.needs import Need
from resources.domain.projects import Project
from resources.domain.resources import ResourceOffer
from resources.domain.wishes import MicroWish

A = TypeVar("A")


class Repository(Generic[A]):
    """Each aggregate's repository declares its class, its table and the fields the table keeps
    in columns of their own (to query them, or to keep them out of the state); the rest of the
    aggregate is its state (`codec`)."""

    kind: ClassVar[type]
    table: ClassVar[Table]
    order: ClassVar[str] = "id"
    # Fields copied into their own columns beside the state (an enum as its value).
    columns: ClassVar[tuple[str, ...]] = ("community_code",)
    # Fields kept only in their own columns or tables, never in the state.
    private: ClassVar[frozenset[str]] = frozenset()
    elsewhere: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.seen: dict[UUID, A] = {}

    def _row(self, aggregate: A) -> dict[str, Any]:
        fields = {c: _column(getattr(aggregate, c)) for c in (*self.columns, *self.private)}
        state = dump(aggregate, skip=self.private | self.elsewhere)
        return {"id": aggregate.id, **fields, "state": state}  # type: ignore[attr-defined]

    def _aggregate(self, row: Row) -> A:
        return load(self.kind, row.state, **{f: getattr(row, f) for f in self.private})

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


def _column(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class NeedRepository(Repository[Need]):
    kind, table, order = Need, orm.needs, "recorded_at"
    columns = ("community_code", "grid_node_code", "status", "recorded_at", "source_incident_id")

    async def from_incident(self, incident_id: UUID) -> Need | None:
        found = await self.where(orm.needs.c.source_incident_id == incident_id)
        return found[0] if found else None


class OfferRepository(Repository[ResourceOffer]):
    kind, table = ResourceOffer, orm.offers
    columns = ("community_code", "member_unit_code", "emergency_available", "withdrawn_at")


class MeetingRepository(Repository[JointMeeting]):
    kind, table, order = JointMeeting, orm.meetings, "scheduled_at"
    columns = ("community_code", "status", "scheduled_at", "closed_at")

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
    kind, table, order = Project, orm.projects, "due_at"
    columns = ("community_code", "status", "due_at")
    elsewhere = frozenset({"claims"})  # in project_claims, whose key keeps one unit one slot

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
    kind, table, order = MicroWish, orm.wishes, "recorded_at"
    columns = ("community_code", "grid_node_code", "status", "recorded_at", "closed_at")
    private = frozenset({"resident_name", "resident_contact"})

    def _row(self, w: MicroWish) -> dict[str, Any]:
        claimant = {  # the claimant is in the state too; its columns answer "who claimed what"
            "claimant_kind": w.claimant.kind.value if w.claimant else None,
            "claimant_id": w.claimant.id if w.claimant else None,
        }
        return {**super()._row(w), **claimant}


class DeliberationRepository(Repository[Deliberation]):
    kind, table, order = Deliberation, orm.deliberations, "held_at"
    columns = ("community_code", "status", "held_at")

    async def save_all(self) -> Sequence[Deliberation]:
        saved = await super().save_all()
        links = [
            {"deliberation_id": d.id, "incident_id": i} for d in saved for i in d.all_incident_ids
        ]
        if links:  # a link, once made, stays: new ones are inserted, the rest kept
            await self.session.execute(
                insert(orm.deliberation_incidents).values(links).on_conflict_do_nothing()
            )
        return saved

    async def for_incident(self, incident_id: UUID) -> list[Deliberation]:
        link = orm.deliberation_incidents
        went = select(link.c.deliberation_id).where(link.c.incident_id == incident_id)
        return await self.where(orm.deliberations.c.id.in_(went))

    async def held_between(
        self, communities: Iterable[str] | None, since: datetime, until: datetime
    ) -> list[Deliberation]:
        t = orm.deliberations
        return await self.in_communities(communities, t.c.held_at >= since, t.c.held_at < until)


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
