"""Loading and saving the organisation's aggregates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from organisation.adapters import orm
from organisation.domain.base import Aggregate
from organisation.domain.committees import (
    Agreement,
    BigCommittee,
    ChairTerm,
    CommitteeMember,
    Liaison,
    MemberUnit,
    Officer,
)
from organisation.domain.departments import Area, Channel, Department, ResolveHours, ServiceLevel
from organisation.domain.grid import Counts, GridNode, GridTree
from organisation.domain.party import PartyOrganisation
from organisation.domain.people import Person, RoleHeld
from organisation.domain.places import Alliance, Community, District, Street

A = TypeVar("A", bound=Aggregate)


class Store(Generic[A]):
    """One aggregate's table: rows in, aggregates out."""

    def __init__(
        self, session: AsyncSession, table: Table, load: Callable[[Any], A], key: str = "code"
    ) -> None:
        self.session = session
        self.table = table
        self.load = load
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
        self.districts = Store(session, orm.districts, _district)
        self.streets = Store(session, orm.streets, _street)
        self.communities = Store(session, orm.communities, _community)
        self.alliances = Store(session, orm.alliances, _alliance)
        self.member_units = Store(session, orm.member_units, _member_unit)
        self.big_committees = Store(session, orm.big_committees, _big_committee, "community_code")
        self.departments = Store(session, orm.departments, _department)
        self.grid_nodes = Store(session, orm.grid_nodes, _grid_node)
        self.party_organisations = Store(session, orm.party_organisations, _party_organisation)
        self.people = People(session, orm.people, _person)

    async def grid_tree(self, community: Community, *, for_update: bool = False) -> GridTree:
        """The community's whole tree, retired nodes included, locked for a move if asked."""
        query = select(orm.grid_nodes).where(orm.grid_nodes.c.community_code == community.code)
        if for_update:
            query = query.with_for_update()
        rows = await self.session.execute(query.order_by(orm.grid_nodes.c.path))
        return GridTree(community, [_grid_node(r) for r in rows])

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
        for table, column, what in USES.get(aggregate, ()):
            c = table.c[column]
            match = c.contains([code]) if isinstance(c.type, ARRAY) else c == code
            key = table.c[table.primary_key.columns.keys()[0]]
            rows = await self.session.execute(
                select(key).where(match, table.c.retired_at.is_(None)).order_by(key).limit(5)
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


# Who refers to whom, for retiring: (table, column, what to call the referrer).
USES: dict[str, tuple[tuple[Table, str, str], ...]] = {
    "district": ((orm.streets, "district_code", "street"),),
    "street": ((orm.communities, "street_code", "community"),),
    "community": (
        (orm.alliances, "community_codes", "alliance"),
        (orm.big_committees, "community_code", "big committee"),
        (orm.member_units, "community_code", "member unit"),
        (orm.grid_nodes, "community_code", "grid node"),
        (orm.party_organisations, "community_code", "party organisation"),
        (orm.people, "community_code", "person"),
    ),
    "member_unit": (
        (orm.alliances, "branch_unit_codes", "alliance"),
        (orm.people, "employer_unit_code", "in-service party member"),
    ),
    "grid_node": (
        (orm.party_organisations, "node_codes", "party organisation"),
        (orm.people, "node_code", "person"),
    ),
    "person": ((orm.party_organisations, "leader_person_code", "party organisation"),),
}


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


def _life(row) -> dict[str, Any]:
    return {"version": row.version, "retired_at": row.retired_at}


def _district(row) -> District:
    return District(row.code, row.name, row.city, **_life(row))


def _street(row) -> Street:
    return Street(row.code, row.name, row.district_code, **_life(row))


def _community(row) -> Community:
    return Community(
        row.code, row.name, row.street_code, row.district_code, row.area_km2, **_life(row)
    )


def _alliance(row) -> Alliance:
    return Alliance(
        row.code,
        row.name,
        list(row.community_codes),
        list(row.branch_unit_codes),
        list(row.mechanisms),
        **_life(row),
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _member_unit(row) -> MemberUnit:
    agreement = row.agreement
    return MemberUnit(
        row.code,
        row.name,
        row.kind,
        row.community_code,
        row.relation,
        Agreement(_date(agreement["signed_on"]), _date(agreement.get("expires_on")))  # type: ignore[arg-type]
        if agreement
        else None,
        [Liaison(**liaison) for liaison in row.liaisons],
        **_life(row),
    )


def _big_committee(row) -> BigCommittee:
    return BigCommittee(
        row.community_code,
        Officer(**row.secretary) if row.secretary else None,
        Officer(**row.deputy) if row.deputy else None,
        [CommitteeMember(**m) for m in row.members],
        [
            ChairTerm(t["member_unit_code"], _date(t["starts_on"]), _date(t["ends_on"]))  # type: ignore[arg-type]
            for t in row.chair_terms
        ],
        **_life(row),
    )


def _department(row) -> Department:
    sla = row.sla or {}
    return Department(
        row.code,
        row.name,
        list(row.categories),
        row.name_en,
        [Area(**a) for a in row.areas],
        [Channel(**c) for c in row.channels],
        ServiceLevel(
            sla.get("acknowledge_minutes", 30), ResolveHours(**sla.get("resolve_hours", {}))
        ),
        **_life(row),
    )


def _grid_node(row) -> GridNode:
    return GridNode(
        row.code,
        row.name,
        row.kind,
        row.community_code,
        row.parent_code,
        list(row.path),
        row.households,
        row.residents,
        row.merchants,
        row.grid_type,
        list(row.addresses),
        **_life(row),
    )


def _party_organisation(row) -> PartyOrganisation:
    return PartyOrganisation(
        row.code,
        row.name,
        row.kind,
        row.community_code,
        list(row.node_codes),
        row.linked_households,
        row.leader_person_code,
        **_life(row),
    )


def _person(row) -> Person:
    return Person(
        row.code,
        row.community_code,
        row.name,
        row.phone,
        row.node_code,
        row.party_member_kind,
        row.employer_unit_code,
        row.double_report,
        **_life(row),
    )
