"""Loading and saving the organisation's aggregates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, fields, is_dataclass
from datetime import date
from functools import cache
from types import UnionType
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from sqlalchemy import ARRAY, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from organisation.adapters import orm
from organisation.domain.base import Aggregate
from organisation.domain.committees import BigCommittee, MemberUnit
from organisation.domain.departments import Department
from organisation.domain.grid import Counts, GridNode, GridTree
from organisation.domain.model import REFERENCES
from organisation.domain.party import PartyOrganisation
from organisation.domain.people import Person, RoleHeld
from organisation.domain.places import Alliance, Community, District, Street

A = TypeVar("A", bound=Aggregate)


class Store(Generic[A]):
    """One aggregate's table: rows in, aggregates out."""

    def __init__(
        self, session: AsyncSession, table: Table, domain: type[A], key: str = "code"
    ) -> None:
        self.session = session
        self.table = table
        self.load = loader(domain)
        self.key = table.c[key]

    async def get(self, key: str, *, for_update: bool = False) -> A | None:
        query = select(self.table).where(self.key == key)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return self.load(row) if row else None

    async def many(self, keys: Iterable[str]) -> dict[str, A]:
        keys = list(set(keys))
        if not keys:
            return {}
        rows = await self.session.execute(select(self.table).where(self.key.in_(keys)))
        return {str(getattr(r, self.key.name)): self.load(r) for r in rows}

    async def exists(self, keys: Iterable[str]) -> set[str]:
        rows = await self.session.execute(select(self.key).where(self.key.in_(list(keys))))
        return {r[0] for r in rows}

    async def list(self, *, include_retired: bool = False, **filters: str | None) -> list[A]:
        """Filter by column (an array column: contains the value); None filters nothing."""
        query = select(self.table).order_by(self.key)
        for name, value in filters.items():
            if value is not None:
                column = self.table.c[name]
                query = query.where(
                    column.contains([value]) if isinstance(column.type, ARRAY) else column == value
                )
        if not include_retired:
            query = query.where(self.table.c.retired_at.is_(None))
        return [self.load(r) for r in await self.session.execute(query)]

    async def add(self, *aggregates: A) -> None:
        if aggregates:
            await self.session.execute(self.table.insert(), [self.dump(a) for a in aggregates])

    async def save(self, *aggregates: A) -> None:
        for aggregate in aggregates:
            await self.session.execute(
                update(self.table).where(self.key == aggregate.key).values(self.dump(aggregate))
            )

    def dump(self, aggregate: A) -> dict[str, Any]:
        return {c.name: _column(getattr(aggregate, c.name)) for c in self.table.c}


class People(Store[Person]):
    """People, with the posts they hold now (the `grid_roles` rows without `until`)."""

    async def get(self, key: str, *, for_update: bool = False) -> Person | None:
        person = await super().get(key, for_update=for_update)
        return (await self._with_roles([person]))[0] if person else None

    async def many(self, keys: Iterable[str]) -> dict[str, Person]:
        found = await super().many(keys)
        await self._with_roles(list(found.values()))
        return found

    async def list(self, *, include_retired: bool = False, **filters: str | None) -> list[Person]:
        found = await super().list(include_retired=include_retired, **filters)
        return await self._with_roles(found)

    async def holding(self, node_code: str, role: str | None = None) -> list[Person]:
        """The people holding a post at the node now (any post, or `role`)."""
        r = orm.grid_roles
        query = select(r.c.person_code).where(r.c.node_code == node_code, r.c.until.is_(None))
        if role:
            query = query.where(r.c.role == role)
        codes = [row[0] for row in await self.session.execute(query)]
        return sorted((await self.many(codes)).values(), key=lambda p: p.code)

    async def holders(self, posts: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(node_code, role) → the code of the person holding that post now."""
        posts = list(posts)
        if not posts:
            return {}
        r = orm.grid_roles
        rows = await self.session.execute(
            select(r.c.node_code, r.c.role, r.c.person_code).where(
                r.c.until.is_(None),
                r.c.node_code.in_({n for n, _ in posts}),
            )
        )
        wanted = set(posts)
        return {(n, role): p for n, role, p in rows if (n, role) in wanted}

    async def add(self, *people: Person) -> None:
        await super().add(*people)
        await self._hold([(p.code, role) for p in people for role in p.roles])

    async def save(self, *people: Person) -> None:
        """Save the people; vacate the posts they left, take the ones they gained."""
        await super().save(*people)
        r = orm.grid_roles
        for person in people:
            held = await self.session.execute(
                select(r.c.id, r.c.node_code, r.c.role).where(
                    r.c.person_code == person.code, r.c.until.is_(None)
                )
            )
            now_held = {(h.node_code, h.role): h.id for h in held}
            wanted = {(role.node_code, role.role) for role in person.roles}
            left = [i for post, i in now_held.items() if post not in wanted]
            if left:
                await self.session.execute(
                    update(r).where(r.c.id.in_(left)).values(until=func.now())
                )
            gained = [role for role in person.roles if (role.node_code, role.role) not in now_held]
            await self._hold([(person.code, role) for role in gained])

    async def _hold(self, posts: list[tuple[str, RoleHeld]]) -> None:
        if posts:
            await self.session.execute(
                orm.grid_roles.insert(),
                [{"person_code": p, "node_code": r.node_code, "role": r.role} for p, r in posts],
            )

    async def _with_roles(self, people: list[Person]) -> list[Person]:
        if not people:
            return people
        r = orm.grid_roles
        rows = await self.session.execute(
            select(r.c.person_code, r.c.role, r.c.node_code)
            .where(r.c.person_code.in_([p.code for p in people]), r.c.until.is_(None))
            .order_by(r.c.id)
        )
        roles: dict[str, list[RoleHeld]] = {}
        for row in rows:
            roles.setdefault(row.person_code, []).append(RoleHeld(row.role, row.node_code))
        for person in people:
            person.roles = roles.get(person.code, [])
        return people


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.districts = Store(session, orm.districts, District)
        self.streets = Store(session, orm.streets, Street)
        self.communities = Store(session, orm.communities, Community)
        self.alliances = Store(session, orm.alliances, Alliance)
        self.member_units = Store(session, orm.member_units, MemberUnit)
        self.big_committees = Store(session, orm.big_committees, BigCommittee, "community_code")
        self.departments = Store(session, orm.departments, Department)
        self.grid_nodes = Store(session, orm.grid_nodes, GridNode)
        self.party_organisations = Store(session, orm.party_organisations, PartyOrganisation)
        self.people = People(session, orm.people, Person)
        self.stores: dict[str, Store] = {
            "district": self.districts,
            "street": self.streets,
            "community": self.communities,
            "alliance": self.alliances,
            "member_unit": self.member_units,
            "big_committee": self.big_committees,
            "department": self.departments,
            "grid_node": self.grid_nodes,
            "party_organisation": self.party_organisations,
            "person": self.people,
        }

    async def grid_tree(self, community: Community, *, for_update: bool = False) -> GridTree:
        """The community's whole tree, retired nodes included, locked for a move if asked."""
        query = select(orm.grid_nodes).where(orm.grid_nodes.c.community_code == community.code)
        if for_update:
            query = query.with_for_update()
        rows = await self.session.execute(query.order_by(orm.grid_nodes.c.path))
        load = self.grid_nodes.load
        return GridTree(community, [load(r) for r in rows])

    async def community_totals(self, community_code: str | None = None) -> dict[str, Counts]:
        """Each community's totals over its active grid nodes."""
        g = orm.grid_nodes
        query = (
            select(
                g.c.community_code,
                func.sum(g.c.households),
                func.sum(g.c.residents),
                func.sum(g.c.merchants),
            )
            .where(g.c.retired_at.is_(None))
            .group_by(g.c.community_code)
        )
        if community_code:
            query = query.where(g.c.community_code == community_code)
        rows = await self.session.execute(query)
        return {c: Counts(int(h), int(r), int(m)) for c, h, r, m in rows}

    async def in_use(self, aggregate: str, code: str) -> list[str]:
        """What active things still refer to `code`, e.g. ["street dunren"]: retiring it waits."""
        found = []
        for referred, referrer, field, what in REFERENCES:
            if referred != aggregate:
                continue
            store = self.stores[referrer]
            c = store.table.c[field]
            match = c.contains([code]) if isinstance(c.type, ARRAY) else c == code
            rows = await self.session.execute(
                select(store.key)
                .where(match, store.table.c.retired_at.is_(None))
                .order_by(store.key)
                .limit(5)
            )
            found += [f"{what} {r[0]}" for r in rows]
        if aggregate == "grid_node":
            r = orm.grid_roles
            rows = await self.session.execute(
                select(r.c.person_code, r.c.role)
                .where(r.c.node_code == code, r.c.until.is_(None))
                .limit(5)
            )
            found += [f"{role} {person}" for person, role in rows]
        return found


def _column(value: Any) -> Any:
    """Nested value objects become JSON; plain values and lists of codes stay as they are."""
    if is_dataclass(value):
        return _json(asdict(value))
    if isinstance(value, list) and value and is_dataclass(value[0]):
        return [_json(asdict(v)) for v in value]
    return value


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache  # a Store is made per unit of work; resolving the type hints each time was most of it
def loader(cls: type[A]) -> Callable[[Any], A]:
    """Rows to aggregates for any aggregate class: each field from its column, value objects
    (JSONB) rebuilt from their type hints, dates from ISO text; no column, the field's default."""
    hints = get_type_hints(cls)
    wanted = [f.name for f in fields(cls) if f.name != "events"]

    def load(row: Any) -> A:
        columns = row._mapping
        return cls(**{n: _value(hints[n], columns[n]) for n in wanted if n in columns})

    return load


_hints = cache(get_type_hints)


def _value(hint: Any, raw: Any) -> Any:
    if get_origin(hint) in (Union, UnionType):
        inner = next(a for a in get_args(hint) if a is not type(None))
        return None if raw is None else _value(inner, raw)
    if get_origin(hint) is list:
        return [_value(get_args(hint)[0], v) for v in raw]
    if is_dataclass(hint):
        if raw is None:  # a nullable column for a value with defaults (a department's SLA)
            return hint()  # type: ignore[operator]
        types = _hints(hint)
        return hint(**{k: _value(types[k], v) for k, v in raw.items()})  # type: ignore[operator]
    if hint is date and isinstance(raw, str):
        return date.fromisoformat(raw)
    return raw
