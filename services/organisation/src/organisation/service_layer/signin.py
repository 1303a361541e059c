"""A person's sign-in (the password grant), throttled per account and per client address, and
audited: one line per attempt, whatever its end."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from lianxin.errors import ApplicationError
from organisation.domain.signin import ACCOUNT, ADDRESS, SignInRecord
from organisation.service_layer import identity
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork


class Throttled(ApplicationError):
    """Too many failed sign-ins for the account or from the address: try again later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after} s")
        self.retry_after = retry_after  # whole seconds, at least 1


async def sign_in(
    uow: OrganisationUnitOfWork,
    username: str,
    password: str,
    address: str,
    now: datetime | None = None,
) -> dict:
    """The password grant's tokens, unless the account or the address must wait (`Throttled`:
    the password is then not even checked) or the password is wrong (`InvalidGrant`). The
    throttles' rows stay locked from the check to the count, so parallel guesses queue."""
    now = now or datetime.now(UTC)
    account_key, address_key = f"account:{username}", f"address:{address}"
    async with uow:
        attempts = await uow.signins.attempts([account_key, address_key])
        by_account, by_address = attempts[account_key], attempts[address_key]
        waits = {
            "account_throttled": by_account.retry_after(ACCOUNT, now),
            "address_throttled": by_address.retry_after(ADDRESS, now),
        }
        reason, wait = max(waits.items(), key=lambda item: item[1])
        if wait.total_seconds() > 0:
            await uow.signins.record(SignInRecord(now, username, address, "throttled", reason))
            await uow.commit()
            raise Throttled(max(1, math.ceil(wait.total_seconds())))
        try:
            body = await identity.granted(uow, username, password, "person")
        except identity.InvalidGrant as refused:
            by_account.failed(ACCOUNT, now)
            by_address.failed(ADDRESS, now)
            result, reason = "failed", refused.reason
        else:
            by_account.succeeded()
            by_address.succeeded()
            result, reason = "succeeded", ""
        await uow.signins.save_attempts(by_account)
        await uow.signins.save_attempts(by_address)
        await uow.signins.record(SignInRecord(now, username, address, result, reason))
        await uow.commit()
    if result == "failed":
        raise identity.InvalidGrant("invalid_grant", reason)
    return body


async def audit(
    uow: OrganisationUnitOfWork,
    usernames: set[str] | None,
    before_id: int | None = None,
    limit: int = 200,
) -> list[tuple[int, SignInRecord]]:
    """The newest sign-in lines of the accounts named (None: all), and of names that are no
    account: a guess at a name belongs to no alliance, and whoever watches must see it."""
    async with uow.reading():
        return await uow.signins.records(usernames=usernames, before_id=before_id, limit=limit)
