"""The nouns of the points ledger: accounts, transfers and their two entries.

Plain data; what may move where, and how, is `ledger`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from lianxin.errors import require


class AccountKind(StrEnum):
    ISSUING = "issuing"  # the alliance's or a community's: where points come from
    PASSBOOK = "passbook"  # a volunteer's
    SHOP = "shop"  # the points supermarket's: where redeemed points go
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment"


@dataclass
class Account:
    id: str
    kind: AccountKind
    community_code: str
    owner: str = ""  # the volunteer's id for a passbook; the alliance or community otherwise
    balance: int = 0  # cached: the sum of the account's entries (see `reconcile`)
    lifetime: int = 0  # passbooks only: points earned, whatever was spent since

    @classmethod
    def passbook(cls, volunteer_id: UUID, community_code: str) -> Account:
        return cls(
            f"passbook:{volunteer_id}", AccountKind.PASSBOOK, community_code, str(volunteer_id)
        )

    @classmethod
    def of(cls, kind: AccountKind, community_code: str) -> Account:
        """The community's issuing, shop, expiry or adjustment account."""
        require(kind is not AccountKind.PASSBOOK, "kind", "a passbook belongs to a volunteer")
        return cls(f"{kind}:{community_code}", kind, community_code, community_code)


@dataclass(frozen=True)
class Entry:
    transfer_id: UUID
    account_id: str
    amount: int  # signed: − on the source account, + on the target
    at: datetime


@dataclass(frozen=True)
class Transfer:
    id: UUID
    kind: str
    from_account: str
    to_account: str
    amount: int
    actor: str
    reason: str
    source_key: str
    at: datetime
    reverses: UUID | None = None
    # Change to the passbook's lifetime points (earn/adjust +, their reversals −, else 0).
    lifetime_delta: int = 0

    @property
    def entries(self) -> tuple[Entry, Entry]:
        return (
            Entry(self.id, self.from_account, -self.amount, self.at),
            Entry(self.id, self.to_account, self.amount, self.at),
        )


# Source keys made here, unique across the ledger (see `ledger`).
def reversal_key(original: Transfer) -> str:
    return f"reversal:{original.id}"


def wish_key(wish_id: UUID) -> str:
    """A micro-wish fulfilled (an event from resources) credits whoever fulfilled it once."""
    return f"wish:{wish_id}"


def correction_key(original: Transfer) -> str:
    """The key for crediting again, correctly, what a reversal took back."""
    return f"{original.source_key}#corrected:{original.id}"
