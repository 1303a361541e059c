"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer runs as it does on PostgreSQL, without any I/O. Rows are stored as deep copies, so what a
command changes counts only once it is saved and committed; an exception rolls back."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from lianxin.errors import Conflict
from lianxin.testing import fakes
from lianxin.testing.fakes import stored
from volunteers.domain.accounts import Account, AccountKind, Transfer
from volunteers.domain.ledger import Discrepancy, Ledger, lock_order, reconcile
from volunteers.domain.records import ServiceDone
from volunteers.domain.rules import PointsRules


class FakeTable:
    """get/save by id, the shape every aggregate repository has."""

    def __init__(self, rows: dict[Any, Any]) -> None:
        self.rows = rows

    async def get(self, id: Any, *, for_update: bool = False) -> Any:
        return copy.deepcopy(self.rows.get(id))

    async def save(self, obj: Any) -> None:
        self.rows[obj.id] = stored(obj)

    add = save

    async def in_community(self, community_code: str) -> list[Any]:
        return [copy.deepcopy(r) for r in self.rows.values() if r.community_code == community_code]

    async def list(self, community_code: str | None) -> list[Any]:
        return [
            copy.deepcopy(r)
            for r in self.rows.values()
            if community_code in (None, r.community_code)
        ]


class FakeVolunteers(FakeTable):
    async def by_account(self, account: str) -> Any:
        found = [v for v in self.rows.values() if v.account == account]
        return copy.deepcopy(found[0]) if found else None


class FakeMobilisations(FakeTable):
    def __init__(self, rows: dict[Any, Any], uow: fakes.FakeUnitOfWork) -> None:
        super().__init__(rows)
        self.uow = uow

    async def by_incident(self, incident_id: UUID) -> Any:
        found = [m for m in self.rows.values() if m.incident_id == incident_id]
        return copy.deepcopy(found[0]) if found else None

    async def by_incident_once(self, incident_id: UUID, consumer: str, event_id: str) -> Any:
        return await self.uow.first_time(consumer, event_id), await self.by_incident(incident_id)


class FakeShifts(FakeTable):
    async def of_activity(self, activity_id: UUID) -> list[Any]:
        return [copy.deepcopy(s) for s in self.rows.values() if s.activity_id == activity_id]

    async def of_volunteer(self, volunteer_id: UUID) -> list[Any]:
        return [copy.deepcopy(s) for s in self.rows.values() if volunteer_id in s.sign_ups]


class FakeRules:
    def __init__(self, rows: dict[str, PointsRules]) -> None:
        self.rows = rows

    async def get(self, community_code: str) -> PointsRules | None:
        return self.rows.get(community_code)

    async def save(self, rules: PointsRules, actor: str, now: datetime) -> None:
        # A plain dict: the mapping proxy of the defaults cannot be deep-copied for rollback.
        self.rows[rules.community_code] = replace(rules, per_hour=dict(rules.per_hour))


class FakeLedger:
    def __init__(self, db: dict[str, Any], locked: list[list[str]]) -> None:
        self.db = db
        self.locked = locked  # every transaction's lock order, kept across them

    async def ensure(self, wanted: list[Account]) -> None:
        for a in wanted:
            self.db["accounts"].setdefault(a.id, Account(a.id, a.kind, a.community_code, a.owner))

    async def lock(self, ids: Any) -> dict[str, Account]:
        order = lock_order(ids)
        self.locked.append(order)
        return {i: copy.deepcopy(self.db["accounts"][i]) for i in order if i in self.db["accounts"]}

    async def account(self, account_id: str) -> Account | None:
        return copy.deepcopy(self.db["accounts"].get(account_id))

    async def transfer(self, transfer_id: UUID) -> Transfer | None:
        return self.db["transfers"].get(transfer_id)

    async def by_source_key(self, key: str) -> Transfer | None:
        return next((t for t in self.db["transfers"].values() if t.source_key == key), None)

    async def save(self, ledger: Ledger, made: list[Transfer]) -> None:
        for t in made:
            if await self.by_source_key(t.source_key) is not None:  # the UNIQUE index
                raise Conflict(f"duplicate source key {t.source_key}")
            self.db["transfers"][t.id] = t
        for a in ledger.accounts.values():
            assert a.kind is not AccountKind.PASSBOOK or a.balance >= 0  # the CHECK
            self.db["accounts"][a.id] = copy.deepcopy(a)

    async def earned_between(self, account_id: str, start: datetime, end: datetime) -> int:
        return sum(
            t.amount
            for t in self.db["transfers"].values()
            if t.to_account == account_id and t.kind == "earn" and start <= t.at < end
        )

    async def history(self, account_id: str) -> list[Transfer]:
        return [
            t for t in self.db["transfers"].values() if account_id in (t.from_account, t.to_account)
        ]

    async def passbooks(self, community_code: str) -> list[Account]:
        return [
            copy.deepcopy(a)
            for a in self.db["accounts"].values()
            if a.community_code == community_code and a.kind is AccountKind.PASSBOOK
        ]

    async def earning_transfers(self, community_code: str) -> list[Transfer]:
        return [t for t in self.db["transfers"].values() if t.lifetime_delta]

    async def reconcile(self) -> list[Discrepancy]:
        entries = [e for t in self.db["transfers"].values() for e in t.entries]
        return reconcile({a.id: a.balance for a in self.db["accounts"].values()}, entries)

    async def unbalanced_transfers(self) -> list[UUID]:
        return []

    async def record_service(self, done: ServiceDone, source_key: str) -> bool:
        if source_key in self.db["services"]:
            return False
        self.db["services"][source_key] = done
        return True

    async def services_of(self, volunteer_id: UUID) -> list[ServiceDone]:
        return [s for s in self.db["services"].values() if s.volunteer_id == volunteer_id]

    async def services_from(self, volunteer_id: UUID, source: str) -> list[tuple[str, ServiceDone]]:
        found = [
            (key.split(":", 1)[1], s)
            for key, s in self.db["services"].items()
            if s.volunteer_id == volunteer_id and key.startswith(f"{source}:")
        ]
        return sorted(found, key=lambda pair: pair[1].at, reverse=True)


class FakeShop:
    def __init__(self, db: dict[str, Any]) -> None:
        self.db = db

    async def item(self, item_id: UUID, *, for_update: bool = False) -> Any:
        return copy.deepcopy(self.db["items"].get(item_id))

    async def save_item(self, item: Any) -> None:
        self.db["items"][item.id] = stored(item)

    async def items(self, community_code: str) -> list[Any]:
        return [copy.deepcopy(i) for i in self.db["items"].values()]

    async def redemption(self, redemption_id: UUID, *, for_update: bool = False) -> Any:
        return copy.deepcopy(self.db["redemptions"].get(redemption_id))

    async def save_redemption(self, r: Any) -> None:
        self.db["redemptions"][r.id] = stored(r)


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    TABLES = (
        "volunteers",
        "teams",
        "activities",
        "shifts",
        "rules",
        "accounts",
        "transfers",
        "services",
        "items",
        "redemptions",
        "mobilisations",
    )

    def __init__(self) -> None:
        super().__init__()
        self.locked: list[list[str]] = []

    def open(self) -> None:
        db = self.db
        self.volunteers = FakeVolunteers(db["volunteers"])
        self.teams = FakeTable(db["teams"])
        self.activities = FakeTable(db["activities"])
        self.shifts = FakeShifts(db["shifts"])
        self.mobilisations = FakeMobilisations(db["mobilisations"], self)
        self.rules = FakeRules(db["rules"])
        self.ledger = FakeLedger(db, self.locked)
        self.shop = FakeShop(db)

    def balance(self, account_id: str) -> int:
        account = self.db["accounts"].get(account_id)
        return account.balance if account else 0


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
