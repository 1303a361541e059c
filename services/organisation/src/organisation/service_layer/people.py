"""People, the posts they hold on the grid, and the party organisations on the tree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lianxin.errors import Conflict
from organisation.domain.grid import GridNode
from organisation.domain.party import PartyOrganisation
from organisation.domain.people import Person
from organisation.service_layer.handlers import (
    absent,
    all_named,
    found,
    named,
    publish,
    retire,
    rules,
    save,
    utcnow,
)
from organisation.service_layer.imports import Line, LineErrors, valid
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def _roles(uow: UoW, roles: list[dict[str, Any]], person_code: str) -> list[tuple]:
    """The (role, node) pairs asked for, refusing a post someone else holds now (409)."""
    nodes = await all_named(
        uow.org.grid_nodes, [r["node_code"] for r in roles], "grid node", "roles.node_code"
    )
    posts = [(r["node_code"], r["role"]) for r in roles]
    for (node_code, role), holder in (await uow.org.people.holders(posts)).items():
        if holder != person_code:
            raise Conflict(f"{role} of {node_code} is held by {holder}: vacate it first")
    return [(r["role"], node) for r, node in zip(roles, nodes, strict=True)]


async def register_person(
    uow: UoW,
    code: str,
    community_code: str,
    name: str,
    phone: str | None = None,
    node_code: str | None = None,
    party_member_kind: str | None = None,
    employer_unit_code: str | None = None,
    double_report: str | None = None,
    roles: list[dict[str, Any]] | None = None,
) -> Person:
    async with uow:
        await absent(uow.org.people, code, "person")
        community = await named(uow.org.communities, community_code, "community", "community_code")
        node = await named(uow.org.grid_nodes, node_code, "grid node", "node_code")
        employer = await named(
            uow.org.member_units, employer_unit_code, "member unit", "employer_unit_code"
        )
        held = await _roles(uow, roles or [], code)
        with rules():
            person = Person.register(
                code, community, name, phone, node, party_member_kind, employer, double_report, held
            )
        await uow.org.people.add(person)
        await publish(uow, person)
        await uow.commit()
    return person


async def update_person(uow: UoW, code: str, changes: dict[str, Any]) -> Person:
    async with uow:
        person = await found(uow.org.people, code, "person")
        with rules():
            person.ensure_active()
        node = await named(uow.org.grid_nodes, changes.get("node_code"), "grid node", "node_code")
        employer_code = changes.get("employer_unit_code", person.employer_unit_code)
        employer = await named(
            uow.org.member_units, employer_code, "member unit", "employer_unit_code"
        )
        held = await _roles(uow, changes["roles"] or [], code) if "roles" in changes else None
        with rules():
            person.update(changes, node, employer, held)
        await save(uow, uow.org.people, person)
    return person


async def retire_person(uow: UoW, code: str, now: datetime | None = None) -> Person:
    """The person leaves every post they held; not while leading a party organisation."""
    async with uow:
        return await retire(uow, uow.org.people, code, "person", now or utcnow())


async def import_people(uow: UoW, community_code: str, lines: list[Line]) -> list[Person]:
    """A community's people and their posts in one transaction, all or nothing."""
    async with uow:
        community = await found(uow.org.communities, community_code, "community")
        with rules():
            community.ensure_active()
        nodes = (await uow.org.grid_tree(community)).nodes
        errors = LineErrors(lines)
        rows = list(valid(lines))
        taken = await uow.org.people.exists(f["code"] for _, f in rows)
        employers = await uow.org.member_units.many(
            f["employer_unit_code"] for _, f in rows if f.get("employer_unit_code")
        )
        posts = [(r["node_code"], r["role"]) for _, f in rows for r in f.get("roles") or []]
        holders = await uow.org.people.holders(posts)
        seen: dict[str, int] = {}
        added: list[Person] = []
        for line, f in rows:
            code = f["code"]
            if code in seen or code in taken:
                where = f"line {seen[code]}" if code in seen else "registered"
                errors.add(line, "code", f"duplicate code {code}: already {where}", failed=False)
                continue
            seen[code] = line.number
            before = len(errors.errors)
            node = _node(errors, line, nodes, f.get("node_code"), "node_code")
            employer = employers.get(f.get("employer_unit_code") or "")
            if f.get("employer_unit_code") and employer is None:
                errors.add(line, "employer_unit_code", f"no member unit {f['employer_unit_code']}")
            held = []
            for role in f.get("roles") or []:
                post = (role["node_code"], role["role"])
                if post in holders:
                    errors.add(line, "roles", f"{post[1]} of {post[0]} is held by {holders[post]}")
                holders.setdefault(post, code)
                held.append((role["role"], _node(errors, line, nodes, post[0], "roles.node_code")))
            if len(errors.errors) > before:
                continue  # the domain would only repeat what is already said
            with errors.checking(line):
                added.append(
                    Person.register(
                        code,
                        community,
                        f["name"],
                        f.get("phone"),
                        node,
                        f.get("party_member_kind"),
                        employer,
                        f.get("double_report"),
                        held,
                    )
                )
        errors.raise_any()
        await uow.org.people.add(*added)
        await publish(uow, *added)
        await uow.commit()
    return added


def _node(
    errors: LineErrors, line: Line, nodes: dict[str, GridNode], code: str | None, field: str
) -> GridNode | None:
    if code is None:
        return None
    node = nodes.get(code)
    if node is None:
        errors.add(line, field, f"no grid node {code} in this community")
    return node


async def register_party_organisation(
    uow: UoW,
    code: str,
    name: str,
    kind: str,
    community_code: str,
    node_codes: list[str],
    linked_households: int | None = None,
    leader_person_code: str | None = None,
) -> PartyOrganisation:
    async with uow:
        await absent(uow.org.party_organisations, code, "party organisation")
        community = await named(uow.org.communities, community_code, "community", "community_code")
        nodes = await all_named(uow.org.grid_nodes, node_codes, "grid node", "node_codes")
        leader = await named(uow.org.people, leader_person_code, "person", "leader_person_code")
        with rules():
            organisation = PartyOrganisation.register(
                code, name, kind, community, nodes, linked_households, leader
            )
        await uow.org.party_organisations.add(organisation)
        await publish(uow, organisation)
        await uow.commit()
    return organisation


async def update_party_organisation(
    uow: UoW, code: str, changes: dict[str, Any]
) -> PartyOrganisation:
    async with uow:
        organisation = await found(uow.org.party_organisations, code, "party organisation")
        with rules():
            organisation.ensure_active()
        nodes = None
        if "node_codes" in changes:
            nodes = await all_named(
                uow.org.grid_nodes, changes["node_codes"] or [], "grid node", "node_codes"
            )
        leader = await named(
            uow.org.people, changes.get("leader_person_code"), "person", "leader_person_code"
        )
        with rules():
            organisation.update(changes, nodes, leader)
        await save(uow, uow.org.party_organisations, organisation)
    return organisation


async def retire_party_organisation(
    uow: UoW, code: str, now: datetime | None = None
) -> PartyOrganisation:
    async with uow:
        return await retire(
            uow, uow.org.party_organisations, code, "party organisation", now or utcnow()
        )


async def import_party_organisations(
    uow: UoW, community_code: str, lines: list[Line]
) -> list[PartyOrganisation]:
    """A community's party organisations in one transaction, all or nothing."""
    async with uow:
        community = await found(uow.org.communities, community_code, "community")
        with rules():
            community.ensure_active()
        nodes = (await uow.org.grid_tree(community)).nodes
        errors = LineErrors(lines)
        rows = list(valid(lines))
        taken = await uow.org.party_organisations.exists(f["code"] for _, f in rows)
        leaders = await uow.org.people.many(
            f["leader_person_code"] for _, f in rows if f.get("leader_person_code")
        )
        seen: dict[str, int] = {}
        added: list[PartyOrganisation] = []
        for line, f in rows:
            code = f["code"]
            if code in seen or code in taken:
                where = f"line {seen[code]}" if code in seen else "registered"
                errors.add(line, "code", f"duplicate code {code}: already {where}", failed=False)
                continue
            seen[code] = line.number
            before = len(errors.errors)
            covered = [_node(errors, line, nodes, c, "node_codes") for c in f["node_codes"]]
            leader = leaders.get(f.get("leader_person_code") or "")
            if f.get("leader_person_code") and leader is None:
                errors.add(line, "leader_person_code", f"no person {f['leader_person_code']}")
            if len(errors.errors) > before:
                continue
            with errors.checking(line):
                added.append(
                    PartyOrganisation.register(
                        code,
                        f["name"],
                        f["kind"],
                        community,
                        covered,
                        f.get("linked_households"),
                        leader,
                    )
                )
        errors.raise_any()
        await uow.org.party_organisations.add(*added)
        await publish(uow, *added)
        await uow.commit()
    return added
