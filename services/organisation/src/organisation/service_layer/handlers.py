"""The one command pipeline every aggregate of the organisation goes through.

Each command is one transaction: load (under lock) → check → the domain's call → save → one event
per change into the outbox (`uow.emit`); all of it commits together or not at all. What an
aggregate needs beyond that is declared on its `Kind` (see `aggregates`), not written again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from lianxin.errors import Conflict, NotFound, RuleBroken
from organisation.adapters.repository import Store
from organisation.domain.base import Aggregate
from organisation.service_layer.imports import Line, LineErrors, valid
from organisation.service_layer.org_events import org_event
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

A = TypeVar("A", bound=Aggregate)
# (uow, the fields or changes asked for, the aggregate's key) → more objects for the domain call
Extra = Callable[[UoW, dict[str, Any], str], Awaitable[dict[str, Any]]]
# (uow, the community, its valid import rows) → per line: the objects its codes name, or errors
Rows = Callable[
    [UoW, Any, list[tuple[Line, dict[str, Any]]]],
    Awaitable[Callable[[LineErrors, Line, dict[str, Any]], dict[str, Any]]],
]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Ref:
    """A field naming other aggregates by code; the domain gets the aggregates as `param`."""

    field: str
    aggregate: str  # the store it names, e.g. "street"
    param: str
    many: bool = False
    # On update, name the aggregate's present one when the change does not name another.
    kept: bool = False


@dataclass(frozen=True)
class Kind:
    """One aggregate as the commands see it; what it needs beyond the pipeline is declared."""

    domain: type[Aggregate]
    refs: tuple[Ref, ...] = ()
    extra: Extra | None = None  # lookups and checks refs cannot say (posts held, areas)
    before_retire: Callable[[UoW, Any, datetime], Awaitable[None]] | None = None
    rows: Rows | None = None  # an import's lookups, when lines name more than codes
    what: str = ""  # how messages name it; default its aggregate name in words

    @property
    def name(self) -> str:
        return self.domain.AGGREGATE

    @property
    def words(self) -> str:
        return self.what or self.name.replace("_", " ")


async def register(uow: UoW, kind: Kind, fields: dict[str, Any]) -> Aggregate:
    async with uow:
        store = uow.org.stores[kind.name]
        await absent(store, fields[kind.domain.KEY], kind.words)
        objects = await _objects(uow, kind, fields, fields[kind.domain.KEY])
        plain = {k: v for k, v in fields.items() if k not in {r.field for r in kind.refs}}
        aggregate = kind.domain.register(**{**plain, **objects})  # type: ignore[attr-defined]
        await store.add(aggregate)
        await publish(uow, aggregate)
        await uow.commit()
    return aggregate


async def update(uow: UoW, kind: Kind, key: str, changes: dict[str, Any]) -> Aggregate:
    async with uow:
        store = uow.org.stores[kind.name]
        aggregate = await found(store, key, kind.words)
        aggregate.ensure_active()
        wanted = dict(changes)
        for ref in kind.refs:
            if ref.kept and ref.field not in wanted:
                wanted[ref.field] = getattr(aggregate, ref.field)
        objects = await _objects(uow, kind, wanted, key)
        aggregate.update(changes, **objects)  # type: ignore[attr-defined]
        await save(uow, store, aggregate)
    return aggregate


async def retire(uow: UoW, kind: Kind, key: str, now: datetime | None = None) -> Aggregate:
    """Retire what nothing active refers to any more; it stays readable with `retired_at`."""
    now = now or utcnow()
    async with uow:
        store = uow.org.stores[kind.name]
        aggregate = await found(store, key, kind.words)
        aggregate.ensure_active()
        if kind.before_retire:
            await kind.before_retire(uow, aggregate, now)
        uses = await uow.org.in_use(kind.name, key)
        if uses:
            raise Conflict(f"{kind.words} {key} is still in use: {', '.join(uses)}")
        aggregate.retire(now)
        await save(uow, store, aggregate)
    return aggregate


async def import_rows(uow: UoW, kind: Kind, community_code: str, lines: list[Line]) -> list:
    """A community's aggregates in one transaction, all or nothing: every error is named by its
    line and field (`InvalidRows`), and then nothing is written."""
    async with uow:
        community = await found(uow.org.communities, community_code, "community")
        store = uow.org.stores[kind.name]
        errors = LineErrors(lines)
        rows = list(valid(lines))
        taken = await store.exists(f["code"] for _, f in rows)
        objects_of = await kind.rows(uow, community, rows) if kind.rows else None
        named_fields = {r.field for r in kind.refs}
        seen: dict[str, int] = {}
        added: list[Aggregate] = []
        for line, f in rows:
            code = f["code"]
            if code in seen or code in taken:
                where = f"line {seen[code]}" if code in seen else "registered"
                errors.add(line, "code", f"duplicate code {code}: already {where}", failed=False)
                continue
            seen[code] = line.number
            before = len(errors.errors)
            objects = objects_of(errors, line, f) if objects_of else {}
            if len(errors.errors) > before:
                continue  # the domain would only repeat what is already said
            plain = {k: v for k, v in f.items() if k not in named_fields}
            with errors.checking(line):
                made = kind.domain.register(community=community, **{**plain, **objects})  # type: ignore[attr-defined]
                added.append(made)
        errors.raise_any()
        await store.add(*added)
        await publish(uow, *added)
        await uow.commit()
    return added


async def _objects(uow: UoW, kind: Kind, fields: dict[str, Any], key: str) -> dict[str, Any]:
    """The aggregates the fields' codes name (a missing one is a 422 naming the field)."""
    objects: dict[str, Any] = {}
    for ref in kind.refs:
        if ref.field not in fields:
            continue
        store, what = uow.org.stores[ref.aggregate], ref.aggregate.replace("_", " ")
        if ref.many:
            codes = fields[ref.field]
            objects[ref.param] = (
                None if codes is None else await all_named(store, codes, what, ref.field)
            )
        else:
            objects[ref.param] = await named(store, fields[ref.field], what, ref.field)
    if kind.extra:
        objects.update(await kind.extra(uow, fields, key))
    return objects


async def publish(uow: UoW, *aggregates: Aggregate) -> None:
    for aggregate in aggregates:
        for event in aggregate.events:
            state = event.state  # type: ignore[attr-defined]
            # The tenant: the community the aggregate belongs to, or the community itself.
            community = state.get("community_code") or (
                state["code"] if aggregate.AGGREGATE == "community" else None
            )
            uow.emit(org_event(event), community=community)  # type: ignore[arg-type]
        aggregate.events.clear()


async def absent(store: Store, key: str, what: str) -> None:
    if await store.exists([key]):
        raise Conflict(f"{what} {key} already exists")


async def found(store: Store[A], key: str, what: str, *, for_update: bool = True) -> A:
    """The aggregate the request's path names, or 404."""
    aggregate = await store.get(key, for_update=for_update)
    if aggregate is None:
        raise NotFound(what, key)
    return aggregate


async def named(store: Store[A], key: str | None, what: str, field: str) -> A | None:
    """The aggregate a request's field names (None for None), or 422 naming the field."""
    if key is None:
        return None
    aggregate = await store.get(key)
    if aggregate is None:
        raise RuleBroken(field, f"{what} {key} does not exist")
    return aggregate


async def all_named(store: Store[A], keys: list[str], what: str, field: str) -> list[A]:
    existing = await store.many(keys)
    missing = sorted(set(keys) - set(existing))
    if missing:
        raise RuleBroken(field, f"no {what} {', '.join(missing)}")
    return [existing[k] for k in keys]


async def save(uow: UoW, store: Store[A], *aggregates: A) -> None:
    """Save what changed (an update that changed nothing writes nothing), publish, commit."""
    changed = [a for a in aggregates if a.events]
    await store.save(*changed)
    await publish(uow, *changed)
    await uow.commit()
