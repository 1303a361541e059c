"""What every command on the organisation shares.

Each command is one transaction: the aggregates' new state and one event per change (into the
outbox, through `uow.emit`) commit together or not at all. The commands themselves live beside
this module, one module per part of the model: places, committees, departments, grid, people.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from lianxin.contracts import EVENT_TYPES
from lianxin.errors import Conflict, NotFound, RuleBroken
from lianxin.problems import Problem
from organisation.adapters.repository import Store
from organisation.domain import events
from organisation.domain.base import Aggregate
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

A = TypeVar("A", bound=Aggregate)


def utcnow() -> datetime:
    return datetime.now(UTC)


@contextmanager
def rules() -> Iterator[None]:
    """Domain refusals as problems: a broken rule names its field (422), a state conflict 409."""
    yield


class InvalidRows(Problem):
    """A bulk import with bad lines: every error names its line and field; nothing is written."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        lines = sorted({e["line"] for e in errors})
        super().__init__(
            422,
            "Unprocessable Content",
            f"{len(errors)} error(s) on line(s) {', '.join(map(str, lines[:20]))}; nothing saved",
            errors=errors,
        )


def org_event(event: object):
    """The ORG contract for a domain event, e.g. Updated('grid_node') → GridNodeUpdated."""
    change = type(event).__name__.lower()
    contract = EVENT_TYPES[f"cn.lianxin.org.{event.aggregate}.{change}.v1"]  # type: ignore[attr-defined]
    extra = {"changed": list(event.changed)} if isinstance(event, events.Updated) else {}
    return contract(**event.state, **extra)  # type: ignore[attr-defined]


async def publish(uow: OrganisationUnitOfWork, *aggregates: Aggregate) -> None:
    for aggregate in aggregates:
        for event in aggregate.events:
            state = event.state  # type: ignore[attr-defined]
            community = state.get("community_code") or (
                state["code"] if aggregate.AGGREGATE == "community" else None
            )
            uow.emit(org_event(event), community=community)
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


async def save(uow: OrganisationUnitOfWork, store: Store[A], *aggregates: A) -> None:
    """Save what changed (an update that changed nothing writes nothing), publish, commit."""
    changed = [a for a in aggregates if a.events]
    await store.save(*changed)
    await publish(uow, *changed)
    await uow.commit()


async def retire(
    uow: OrganisationUnitOfWork, store: Store[A], key: str, what: str, now: datetime
) -> A:
    """Retire what nothing active refers to any more; it stays readable with `retired_at`."""
    aggregate = await found(store, key, what)
    with rules():
        aggregate.ensure_active()
    uses = await uow.org.in_use(aggregate.AGGREGATE, key)
    if uses:
        raise Conflict(f"{what} {key} is still in use: {', '.join(uses)}")
    aggregate.retire(now)
    await save(uow, store, aggregate)
    return aggregate
