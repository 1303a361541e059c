"""The migrations build exactly the tables the code declares, and the ledger's last lines of
defence hold in the database itself."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from lianxin.testing.migrations import schema_drift
from volunteers.adapters.orm import metadata
from volunteers.domain.accounts import Account, AccountKind
from volunteers.domain.ledger import Ledger

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def test_the_migrations_build_what_the_code_declares(uows, database: str) -> None:
    # `uows` has migrated `database` to head.
    assert await schema_drift(database, metadata) == []


async def test_transfers_are_append_only_and_a_passbook_cannot_go_negative(uows) -> None:
    issuing = Account.of(AccountKind.ISSUING, "changshan")
    passbook = Account.passbook(uuid4(), "changshan")
    async with uows() as uow:
        await uow.ledger.ensure([issuing, passbook])
        ledger = Ledger(accounts=await uow.ledger.lock([issuing.id, passbook.id]))
        t = ledger.transfer(
            "earn", issuing.id, passbook.id, 30, actor="t", reason="r", source_key="k1", now=NOW
        )
        await uow.ledger.save(ledger, [t])
        await uow.commit()
    for statement in ("UPDATE transfers SET amount = 1", "DELETE FROM entries"):
        async with uows() as uow:
            with pytest.raises(DBAPIError, match="append-only"):
                await uow.session.execute(text(statement))
    async with uows() as uow:
        with pytest.raises(IntegrityError, match="passbook_not_negative"):
            await uow.session.execute(
                text("UPDATE accounts SET balance = -1 WHERE id = :id"), {"id": passbook.id}
            )
    async with uows() as uow:
        assert (await uow.ledger.account(passbook.id)).balance == 30
        assert await uow.ledger.reconcile() == []
        assert await uow.ledger.unbalanced_transfers() == []
    # A cached balance or lifetime changed behind the ledger's back is found.
    async with uows() as uow:
        await uow.session.execute(
            text("UPDATE accounts SET balance = 25, lifetime = 31 WHERE id = :id"),
            {"id": passbook.id},
        )
        await uow.commit()
    async with uows() as uow:
        found = {(d.account_id, d.cached, d.computed) for d in await uow.ledger.reconcile()}
    assert found == {(passbook.id, 25, 30), (f"{passbook.id}#lifetime", 31, 30)}
