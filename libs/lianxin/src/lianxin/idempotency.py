"""`Idempotency-Key` on a POST: a client that timed out and retries gets the first answer again,
and nothing is created twice.

A caller (the token's subject) sends a key of its choosing with a POST. The first request with
that key claims it (a row of `idempotency_keys`, in the service's own database) before the
route runs; the route's answer, if it is a success (2xx), is stored on the row with its status,
body and key headers (`Content-Type`, `Location`, `ETag`). Then, for 24 hours:

- the same key with the same request (method, path, query and body) → the stored answer again,
  marked `Idempotent-Replayed: true`; the route does not run;
- the same key with another request → 422 problem+json naming the `Idempotency-Key` header;
- the same key while the first request is still running → 409, `Retry-After: 1`;
- the same key after the first request committed and died before storing its answer → 409
  naming the header, `idempotency_answer_lost` (below).

A request that does not succeed (4xx, 5xx, an exception) releases its key: nothing was created,
so a retry runs again. The claim carries a token; the unit of work marks it committed in the
creation's own transaction (`lianxin.persistence.claims`), naming the token. A request that died
or hangs without answering or committing for `LEASE` is taken over by its retry, which gets a new
token: the old request can no longer commit (its transaction fails, 409), so the retry creates the
thing once. A request that died after its creation committed but before its answer was stored
(the moments it takes to write the answer out) leaves a key whose answer is lost: its retries get
409 with `Retry-After` for `ANSWER_GRACE` after the commit (the request may yet store it), then a
409 without `Retry-After` whose error is `idempotency_answer_lost`: done once, not done again,
look up what it created — never a second creation, and never a retry told to wait for 24 hours.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lianxin.inputs import replaying
from lianxin.outage import database_unreachable, unavailable_response
from lianxin.persistence.claims import Claim, current_claim
from lianxin.problems import Problem, problem_response

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
# A claim neither answered nor committed this long: its request died or hangs; a retry takes over.
LEASE = timedelta(seconds=30)
# A claim committed this long ago and still unanswered: its request died before storing the answer.
ANSWER_GRACE = timedelta(seconds=10)
MAX_KEY_LENGTH = 255
KEY_PATTERN = "^[!-~]{1,255}$"
# The response headers stored with the answer: what a client reads besides the body.
KEPT_HEADERS = (b"content-type", b"location", b"etag")


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("caller", Text, primary_key=True),
        Column("key", Text, primary_key=True),
        # sha256 of the method, path, query and body: the same key for another request is refused.
        Column("fingerprint", Text, nullable=False),
        # {"claim": token} while the request runs (+ "committed": true once its creation is);
        # then its answer: status, key headers, body (base64), and the claim's token.
        Column("answer", JSONB(none_as_null=True)),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("idempotency_keys_expiry", "expires_at"),
    )


KEYS = idempotency_table(MetaData())

OPENAPI_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "A key of the caller's choosing (1-255 visible ASCII characters, e.g. a UUID). A retry "
        "with the same key and the same body gets the first answer again (`Idempotent-Replayed: "
        "true`) and nothing is done again; the same key with another body is refused (422). While "
        "the first still runs: 409 with `Retry-After`. If the first was carried out but its "
        "answer lost (its process stopped): 409 without `Retry-After`, `errors[0].type` "
        "`idempotency_answer_lost`; nothing is created again. Kept 24 h."
    ),
    "schema": {"type": "string", "pattern": KEY_PATTERN},
}


def document_idempotency_keys(document: dict[str, Any]) -> dict[str, Any]:
    """Every POST that takes a token takes the header (a creation, a department's report, any
    step): say so in the OpenAPI document, as the middleware serves it."""
    for operations in document.get("paths", {}).values():
        post = operations.get("post")
        if post is None or not post.get("security"):
            continue
        parameters = post.setdefault("parameters", [])
        if all(p.get("name") != HEADER for p in parameters):
            parameters.append(OPENAPI_PARAMETER)
    return document


class IdempotencyKeys:
    """ASGI middleware, inside `lianxin.inputs.InputGuard` (which has checked the token and the
    body): keyed POSTs of an authenticated caller go through `idempotency_keys`."""

    def __init__(self, app: ASGIApp, sessions: Any) -> None:
        self.app = app
        # A callable giving the service's session factory once the runtime has opened it.
        self._sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER.lower().encode()) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        principal = scope.get("state", {}).get("principal")
        sessions = self._sessions()
        request = Request(scope)
        if not _well_formed(key):
            await _refuse(request, scope, send, f"1 to {MAX_KEY_LENGTH} visible ASCII characters")
            return
        if principal is None or sessions is None:  # a public route, or a service without a DB
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        fingerprint = _fingerprint(scope, body)
        store = _Store(sessions, principal.subject, key)
        try:
            stored = await store.claim(fingerprint)
        except Exception as error:
            if not database_unreachable(error):
                raise
            await unavailable_response(request)(scope, receive, send)
            return
        if stored is None:
            await self._first(scope, replaying(body, receive), send, store)
        elif stored.fingerprint != fingerprint:
            await _refuse(request, scope, send, "already used for another request")
        elif not stored.answer or "status" not in stored.answer:
            await problem_response(request, _unanswered(stored))(scope, receive, send)
        else:
            await _replay(stored.answer, send)

    async def _first(self, scope: Scope, receive: Receive, send: Send, store: _Store) -> None:
        """Run the route; keep its answer if it succeeded, else let the key go. The answer
        reaches the client only once it is stored: a retry sent the moment the client has it
        finds it there (not a key still "running")."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        claimed = current_claim.set(Claim(store.caller, store.key, store.token))
        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await store.release()
            raise
        finally:
            current_claim.reset(claimed)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        status = start["status"] if start else 0
        if 200 <= status < 300:
            headers = {
                k.decode(): v.decode()
                for k, v in start.get("headers", [])
                if k.lower() in KEPT_HEADERS
            }
            body = b"".join(
                m.get("body", b"") for m in messages if m["type"] == "http.response.body"
            )
            try:
                await store.keep(status, headers, body)
            except Exception:  # created all the same: answer it; the key stays unanswered (409)
                log.warning("could not store the answer to Idempotency-Key of %s", store.caller)
        else:
            await store.release()
        for message in messages:
            await send(message)


class _Store:
    """One caller's key in `idempotency_keys`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], caller: str, key: str) -> None:
        self._sessions = sessions
        self.caller, self.key = caller, key
        self.token = uuid.uuid4().hex
        self._where = (KEYS.c.caller == caller, KEYS.c.key == key)
        self._ours = KEYS.c.answer["claim"].astext == self.token

    async def claim(self, fingerprint: str) -> Any:
        """None if the key is ours now (new, expired, or abandoned by a request that neither
        answered nor committed within `LEASE`); else its row."""
        expires = func.now() + LIFETIME
        answer = KEYS.c.answer
        abandoned = and_(
            KEYS.c.fingerprint == fingerprint,
            answer["status"].astext.is_(None),
            answer["committed"].astext.is_(None),
            KEYS.c.expires_at < func.now() + (LIFETIME - LEASE),  # claimed over LEASE ago
        )
        claim = (
            insert(KEYS)
            .values(
                caller=self.caller,
                key=self.key,
                fingerprint=fingerprint,
                answer={"claim": self.token},
                expires_at=expires,
            )
            .on_conflict_do_update(
                index_elements=[KEYS.c.caller, KEYS.c.key],
                set_={
                    "fingerprint": fingerprint,
                    "answer": {"claim": self.token},
                    "expires_at": expires,
                },
                where=or_(KEYS.c.expires_at < func.now(), abandoned),
            )
            .returning(KEYS.c.key)
        )
        async with self._sessions() as session, session.begin():
            if await session.scalar(claim) is not None:
                # Expired keys of anyone go as new ones come: the table holds about a day's keys.
                await session.execute(delete(KEYS).where(KEYS.c.expires_at < func.now()))
                return None
            since_committed = func.extract("epoch", func.clock_timestamp()) - KEYS.c.answer[
                "committed_at"
            ].astext.cast(Float)
            held = select(KEYS, since_committed.label("since_committed")).where(*self._where)
            return (await session.execute(held)).one()

    async def keep(self, status: int, headers: dict[str, str], body: bytes) -> None:
        answer = {
            "status": status,
            "headers": headers,
            "body": base64.b64encode(body).decode(),
            "claim": self.token,
        }
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(KEYS).where(*self._where, self._ours).values(answer=answer)
            )

    async def release(self) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await session.execute(
                    delete(KEYS).where(
                        *self._where,
                        self._ours,
                        KEYS.c.answer["status"].astext.is_(None),
                        KEYS.c.answer["committed"].astext.is_(None),
                    )
                )
        except Exception:  # the database went away: a retry takes the key over after LEASE
            log.warning("could not release Idempotency-Key %r of %s", self.key, self.caller)


def _unanswered(stored: Any) -> Problem:
    """A key claimed and not answered: its request still runs (or died before committing, until
    `LEASE`), or it committed and died before storing its answer (after `ANSWER_GRACE`)."""
    since = stored.since_committed
    # Committed with no time: marked before the time was kept, by a process since restarted.
    lost = (
        since > ANSWER_GRACE.total_seconds()
        if since is not None
        else bool((stored.answer or {}).get("committed"))
    )
    if not lost:
        return Problem(
            409,
            "Conflict",
            "a request with this Idempotency-Key is still running",
            headers={"Retry-After": "1"},
        )
    why = (
        "the request with this key was carried out, but its answer was lost (its process stopped "
        "before storing it); it is not carried out again: look up what it created"
    )
    return Problem(
        409,
        "Conflict",
        f"{HEADER}: {why}",
        errors=[{"field": HEADER, "detail": why, "type": "idempotency_answer_lost"}],
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _well_formed(key: str) -> bool:
    """Visible ASCII only (`KEY_PATTERN`): what survives every HTTP stack unchanged."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all("!" <= c <= "~" for c in key)


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode()):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


async def _read(receive: Receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


async def _replay(answer: dict[str, Any], send: Send) -> None:
    body = base64.b64decode(answer["body"])
    headers = [(k.encode(), v.encode()) for k, v in answer["headers"].items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse(request: Request, scope: Scope, send: Send, why: str) -> None:
    problem = Problem(
        422,
        "Unprocessable Content",
        f"{HEADER}: {why}",
        errors=[{"field": HEADER, "detail": why, "type": "idempotency_key"}],
    )

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await problem_response(request, problem)(scope, nothing, send)
