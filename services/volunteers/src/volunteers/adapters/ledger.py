"""The points ledger in PostgreSQL.

A command that moves points: `ensure` the accounts exist, `lock` them (SELECT … FOR UPDATE, one
at a time in the domain's `lock_order`, so two transfers over the same accounts queue instead of
deadlocking), post on a `Ledger` built over the locked rows, then `save` the new transfers, their
two entries each and the accounts' cached balances in the same transaction. The passbook's
balance is read and checked under its lock; the CHECK constraint is the last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from volunteers.adapters.orm import (
    accounts,
    entries,
    services_done,
    transfers,
)
from volunteers.domain.accounts import Account, AccountKind, Transfer
from volunteers.domain.ledger import Discrepancy, Ledger, lock_order
from volunteers.domain.records import ServiceDone


def _account(r: Any) -> Account:
    return Account(r.id, AccountKind(r.kind), r.community_code, r.owner, r.balance, r.lifetime)


def _transfer(r: Any) -> Transfer:
    return Transfer(
        r.id,
        r.kind,
        r.from_account,
        r.to_account,
        r.amount,
        r.actor,
        r.reason,
        r.source_key,
        r.at,
        r.reverses,
        r.lifetime_delta,
    )


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, wanted: Iterable[Account]) -> None:
        """Open the accounts not open yet (a community's first earn opens its issuing account)."""
        rows = [
            {
                "id": a.id,
                "kind": str(a.kind),
                "community_code": a.community_code,
                "owner": a.owner,
                "balance": 0,
                "lifetime": 0,
            }
            for a in wanted
        ]
        if rows:
            await self.session.execute(insert(accounts).values(rows).on_conflict_do_nothing())

    async def lock(self, ids: Iterable[str]) -> dict[str, Account]:
        locked = {}
        for account_id in lock_order(ids):
            query = select(accounts).where(accounts.c.id == account_id).with_for_update()
            row = (await self.session.execute(query)).first()
            if row is not None:
                locked[account_id] = _account(row)
        return locked

    async def account(self, account_id: str) -> Account | None:
        row = (
            await self.session.execute(select(accounts).where(accounts.c.id == account_id))
        ).first()
        return _account(row) if row else None

    async def transfer(self, transfer_id: UUID) -> Transfer | None:
        query = select(transfers).where(transfers.c.id == transfer_id)
        row = (await self.session.execute(query)).first()
        return _transfer(row) if row else None

    async def by_source_key(self, source_key: str) -> Transfer | None:
        query = select(transfers).where(transfers.c.source_key == source_key)
        row = (await self.session.execute(query)).first()
        return _transfer(row) if row else None

    async def save(self, ledger: Ledger, made: Iterable[Transfer]) -> None:
        """The new transfers and their entries (appended), then every cached balance."""
        made = list(made)
        if made:
            await self.session.execute(
                transfers.insert(),
                [{c.name: getattr(t, c.name) for c in transfers.columns} for t in made],
            )
            await self.session.execute(
                entries.insert(),
                [vars(e) for t in made for e in t.entries],
            )
        for a in ledger.accounts.values():
            await self.session.execute(
                update(accounts)
                .where(accounts.c.id == a.id)
                .values(balance=a.balance, lifetime=a.lifetime)
            )

    async def earned_between(self, account_id: str, start: datetime, end: datetime) -> int:
        """Points earned into a passbook in [start, end), for the daily cap."""
        query = select(func.coalesce(func.sum(transfers.c.amount), 0)).where(
            transfers.c.to_account == account_id,
            transfers.c.kind == "earn",
            transfers.c.at >= start,
            transfers.c.at < end,
        )
        return int(await self.session.scalar(query) or 0)

    async def history(self, account_id: str) -> list[Transfer]:
        query = select(transfers).where(
            (transfers.c.from_account == account_id) | (transfers.c.to_account == account_id)
        )
        return [_transfer(r) for r in await self.session.execute(query.order_by(transfers.c.at))]

    async def passbooks(self, community_code: str) -> list[Account]:
        query = select(accounts).where(
            accounts.c.community_code == community_code, accounts.c.kind == "passbook"
        )
        return [_account(r) for r in await self.session.execute(query)]

    async def earning_transfers(self, community_code: str) -> list[Transfer]:
        """Every transfer that changed a community passbook's lifetime points (leaderboards)."""
        books = select(accounts.c.id).where(
            accounts.c.community_code == community_code, accounts.c.kind == "passbook"
        )
        query = select(transfers).where(
            transfers.c.lifetime_delta != 0,
            transfers.c.from_account.in_(books) | transfers.c.to_account.in_(books),
        )
        return [_transfer(r) for r in await self.session.execute(query)]

    async def reconcile(self) -> list[Discrepancy]:
        """Every cached balance against the sum of its entries, in one query (no lock: run it
        at REPEATABLE READ or on a quiet ledger for an exact answer; a transfer commits its
        entries and balances together, so a committed snapshot always agrees)."""
        rows = await self.session.execute(
            text(
                "SELECT coalesce(a.id, e.account_id) AS id, a.balance AS cached,"
                " coalesce(e.total, 0) AS computed"
                " FROM accounts a FULL JOIN (SELECT account_id, sum(amount) AS total"
                " FROM entries GROUP BY account_id) e ON e.account_id = a.id"
                " WHERE a.balance IS DISTINCT FROM coalesce(e.total, 0)"
                " ORDER BY 1"
            )
        )
        found = [Discrepancy(r.id, r.cached, int(r.computed)) for r in rows]
        # Lifetime points too: a passbook's is the sum of the lifetime changes of its transfers.
        lifetimes = await self.session.execute(
            text(
                "SELECT a.id || '#lifetime' AS id, a.lifetime AS cached,"
                " coalesce(sum(t.lifetime_delta), 0) AS computed"
                " FROM accounts a LEFT JOIN transfers t"
                " ON a.id IN (t.from_account, t.to_account)"
                " WHERE a.kind = 'passbook' GROUP BY a.id, a.lifetime"
                " HAVING a.lifetime <> coalesce(sum(t.lifetime_delta), 0) ORDER BY 1"
            )
        )
        return found + [Discrepancy(r.id, r.cached, int(r.computed)) for r in lifetimes]

    async def unbalanced_transfers(self) -> list[UUID]:
        """Transfers whose entries are not exactly two summing to zero (never, by construction)."""
        query = (
            select(entries.c.transfer_id)
            .group_by(entries.c.transfer_id)
            .having((func.sum(entries.c.amount) != 0) | (func.count() != 2))
        )
        return list((await self.session.scalars(query)).all())

    async def record_service(self, done: ServiceDone, source_key: str) -> bool:
        """The service a credit was for; False if that source key was recorded already."""
        row = vars(done) | {"source_key": source_key}
        stmt = insert(services_done).values(row).on_conflict_do_nothing()
        return bool(
            (await self.session.execute(stmt.returning(services_done.c.source_key))).first()
        )

    async def service_totals(
        self, community_code: str, start: datetime, end: datetime
    ) -> tuple[int, Decimal, int]:
        """(volunteers who served, hours, points) of the community's services in [start, end)."""
        c = services_done.c
        query = select(
            func.count(func.distinct(c.volunteer_id)),
            func.coalesce(func.sum(c.hours), 0),
            func.coalesce(func.sum(c.points), 0),
        ).where(c.community_code == community_code, c.at >= start, c.at < end)
        served, hours, points = (await self.session.execute(query)).one()
        return int(served), Decimal(hours), int(points)

    async def services_of(self, volunteer_id: UUID) -> list[ServiceDone]:
        query = select(services_done).where(services_done.c.volunteer_id == volunteer_id)
        return [_service(r) for r in await self.session.execute(query.order_by(services_done.c.at))]

    async def services_from(self, volunteer_id: UUID, source: str) -> list[tuple[str, ServiceDone]]:
        """The volunteer's services whose source key starts `<source>:`, newest first, each
        with the rest of its key (a care visit's id, say)."""
        c = services_done.c
        query = select(services_done).where(
            c.volunteer_id == volunteer_id, c.source_key.startswith(f"{source}:", autoescape=True)
        )
        rows = await self.session.execute(query.order_by(c.at.desc(), c.source_key))
        return [(r.source_key.split(":", 1)[1], _service(r)) for r in rows]


def _service(r: Any) -> ServiceDone:
    hours = Decimal(r.hours) if r.hours is not None else None
    return ServiceDone(
        r.volunteer_id, r.at, r.kind, r.description, r.community_code, hours, r.points
    )
