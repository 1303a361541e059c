"""The `Idempotency-Key` the request being served has claimed (`lianxin.idempotency`), marked
committed by the unit of work in the creation's own transaction.

A retry may take over a claim whose request has neither answered nor committed for a while (it
died, or hangs); the takeover gives the claim a new token. The marking names the token, so of two
requests with one key only the one holding the claim can commit: the other's transaction fails
(409) and rolls back, and nothing is created twice.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import text

from lianxin.errors import Conflict


@dataclass(frozen=True)
class Claim:
    caller: str
    key: str
    token: str


current_claim: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)

# `committed_at` (epoch seconds): a retry long after it, with no answer stored, knows its request
# died between the commit and storing the answer, and is told so instead of "still running".
_MARK = text(
    "UPDATE idempotency_keys SET answer = answer || jsonb_build_object("
    "'committed', true, 'committed_at', extract(epoch FROM clock_timestamp()))"
    " WHERE caller = :caller AND key = :key AND answer->>'claim' = :token RETURNING key"
)


async def mark_committed(session) -> None:
    """In the transaction about to commit: this request still holds its key (or it has none)."""
    claim = current_claim.get()
    if claim is None:
        return
    params = {"caller": claim.caller, "key": claim.key, "token": claim.token}
    if (await session.execute(_MARK, params)).first() is None:
        raise Conflict("Idempotency-Key: a retry of this request took it over; this one stops")
