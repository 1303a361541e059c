"""A department's system, simulated with plain nats-py exactly as an outside department would.

It pulls whistles from its own durable consumer `dept_<code>` on the DISPATCH stream and answers
each as docs/departments.md says: a new one is signed for and resolved; a reopened one
resolved again; a cancelled one (or a type it does not know) only acked. Reports go to
`report.<code>.…` with the documented id recipe as `Nats-Msg-Id`, and with the trace context of
its own span, a child of the whistle's (the guide's trace rule for a system that traces). It
does not use the platform's own messaging code: only the documented JSON contract.

A reassigned or withdrawn assignment is dropped like a cancelled one (later news of it is only
acked); an urge and a decision on more time are logged, and the work goes on as it was. Which
assignments were taken away is kept in a file when given one (`lianxin dept-sim` does), so a
restart does not work on one again.

It survives what a cluster does to a client: a report is published again, with the same
`Nats-Msg-Id`, until the stream acks it (no answer while a stream elects a leader, a timeout
while the client reconnects); the whistle is acked only then, so a report is never lost and the
stream keeps one copy. Binding to the consumer and pulling from it are asked again the same way
(the consumer elects a leader too), a connection nats-py closes is opened again, and a whistle
it cannot answer is logged and left unacked (it comes again). Only a stop ends it (Ctrl-C,
SIGTERM: the connection is closed at once; a whistle not yet acked is delivered again to the
next run, which sends the same reports again) or NATS refusing the department's login
(`Refused`: only a new key helps).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import nats
from nats.aio.client import Client
from nats.js.errors import (
    APIError,
    NoStreamResponseError,
    NotFoundError,
    ServerError,
    ServiceUnavailableError,
)
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

log = logging.getLogger("dept-sim")
tracer = trace.get_tracer("lianxin.dept_sim")


WHISTLE = "cn.lianxin.incidents.assignment."
# What a department reports for each whistle type, in order (docs/departments.md).
STEPS: dict[str, tuple[str, ...]] = {
    WHISTLE + "dispatched.v1": ("acknowledged", "resolved"),
    WHISTLE + "reopened.v1": ("resolved",),
}
# Whistles that take the assignment away: stop working on it.
STOP = {WHISTLE + kind + ".v1" for kind in ("cancelled", "reassigned", "withdrawn")}
# What any call may meet for a few seconds while the cluster recovers, and is tried again after:
# no stream or consumer answering (a leader election, a stream being recreated), JetStream
# unavailable (503, e.g. 10008 "cluster not available" or 10077 "store failed" mid-election) or
# failing inside (500) while leaders change, no answer in time (a node died, the client
# reconnects), or the client's outgoing buffer full while it reconnects.
PASSING = (
    NoStreamResponseError,
    ServiceUnavailableError,
    ServerError,
    nats.errors.NoRespondersError,
    nats.errors.TimeoutError,
    nats.errors.OutboundBufferLimitError,
)
RETRY_FIRST_SECONDS = 0.1
RETRY_CAP_SECONDS = 5.0


class Refused(Exception):
    """NATS refused the department's login (a key retired, a wrong password): asking again
    cannot help, so the simulator ends, where nats-py alone would try again forever."""


class Backoff:
    """Waits RETRY_FIRST_SECONDS after a first failure, twice as long after each next one, up to
    RETRY_CAP_SECONDS; from the start again once a call went through."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delay = RETRY_FIRST_SECONDS

    async def wait(self, what: str, exc: BaseException) -> None:
        log.warning("%s (%s: %s); again in %gs", what, type(exc).__name__, exc, self.delay)
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, RETRY_CAP_SECONDS)


class Stopped:
    """The assignments taken away from the department; with a file, kept across restarts (it
    is rewritten whole, then renamed over the old one, so a crash leaves one or the other)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.ids: set[str] = set()
        if path is not None and path.exists():
            self.ids = set(json.loads(path.read_text()))

    def __contains__(self, assignment_id: str) -> bool:
        return assignment_id in self.ids

    def add(self, assignment_id: str) -> None:
        if assignment_id in self.ids:
            return
        self.ids.add(assignment_id)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            written = self.path.with_suffix(".tmp")
            written.write_text(json.dumps(sorted(self.ids)))
            os.replace(written, self.path)


stopped = Stopped()  # in memory: the simulator's default (the bench, tests)


def steps_for(whistle: dict, taken_away: Stopped | None = None) -> tuple[str, ...]:
    """The reports to send for this whistle; none for an assignment taken away, an urge, a
    decision on more time, or a type the simulator does not know."""
    taken_away = stopped if taken_away is None else taken_away
    assignment_id = whistle["data"]["assignment_id"]
    if whistle["type"] in STOP:
        taken_away.add(assignment_id)
    if assignment_id in taken_away:
        return ()
    return STEPS.get(whistle["type"], ())


def report_id(assignment_id: str, kind: str, whistle_id: str) -> str:
    """The guide's recipe: one id per (assignment, kind, whistle answered). A re-sent report is
    de-duplicated; the result after a reopening (a new whistle) is a new report."""
    return str(uuid.uuid5(uuid.UUID(assignment_id), f"{kind}:{whistle_id}"))


def report_event(
    code: str, kind: str, assignment_id: str, *, whistle_id: str = "", **fields: str
) -> dict:
    """The report as a CloudEvent; `whistle_id` is the id of the whistle it answers."""
    return {
        "specversion": "1.0",
        "id": report_id(assignment_id, kind, whistle_id),
        "source": f"/departments/{code}",
        "type": f"cn.lianxin.departments.assignment.{kind}.v1",
        "subject": assignment_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
        "data": {"assignment_id": assignment_id, "department_code": code, **fields},
    }


FIELDS = {
    "acknowledged": lambda code: {"note": "已接单"},
    "resolved": lambda code: {"result": f"{code} 已处理完毕"},
}


async def send_report(js, code: str, kind: str, whistle: dict, **fields: str) -> None:
    event = report_event(
        code, kind, whistle["data"]["assignment_id"], whistle_id=whistle["id"], **fields
    )
    subject = f"report.{code}.assignment_{kind}"
    with tracer.start_as_current_span(
        f"{subject} publish",
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "nats",
            "messaging.destination.name": subject,
            "messaging.message.id": event["id"],
        },
    ):
        headers = {"Nats-Msg-Id": event["id"]}
        propagate.inject(headers)
        if "traceparent" in headers:
            event["traceparent"] = headers["traceparent"]
        await publish_until_acked(js, subject, json.dumps(event).encode(), headers)


async def publish_until_acked(js, subject: str, payload: bytes, headers: dict[str, str]) -> None:
    """Publish until the stream acks, with the same headers (so the same `Nats-Msg-Id`: a copy
    that did land before an ack went missing is dropped by the stream), waiting longer after
    each failure, up to RETRY_CAP_SECONDS."""
    pause = Backoff()
    while True:
        try:
            await js.publish(subject, payload, headers=headers)
            return
        except PASSING as exc:
            await pause.wait(f"report {headers['Nats-Msg-Id']} not acked", exc)


async def handle(
    js, code: str, msg, resolve_after: float, taken_away: Stopped | None = None
) -> None:
    whistle = json.loads(msg.data)
    parent = propagate.extract(dict(msg.headers or {}))
    with tracer.start_as_current_span(
        f"{msg.subject} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "nats",
            "messaging.destination.name": msg.subject,
            "messaging.message.id": whistle["id"],
            "messaging.consumer.group.name": f"dept_{code}",
        },
    ):
        await act(js, code, whistle, resolve_after, taken_away)
    await msg.ack()


async def act(
    js, code: str, whistle: dict, resolve_after: float, taken_away: Stopped | None = None
) -> None:
    steps = steps_for(whistle, taken_away)
    log.info("%s %s: %s", whistle["type"], whistle["data"]["assignment_id"], " ".join(steps))
    for kind in steps:
        if kind == "resolved":
            await asyncio.sleep(resolve_after)
        await send_report(js, code, kind, whistle, **FIELDS[kind](code))


async def run(
    nats_url: str,
    code: str,
    *,
    resolve_after: float = 0.2,
    limit: int | None = None,
    stopped_file: Path | None = None,
    **connect,
) -> int:
    """Serve whistles until `limit` have been handled (forever when None). Returns the count.

    `connect` takes nats-py's connect options, e.g. the department's `user` and `password`;
    `stopped_file` keeps the assignments taken away across restarts. Raises `Refused` when NATS
    refuses the login; nothing else ends it but a cancellation (Ctrl-C, SIGTERM)."""
    taken_away = Stopped(stopped_file)
    login = Login()
    handled = 0
    while limit is None or handled < limit:
        nc = await login.connect(nats_url, code, **connect)
        try:
            whistles = serve(nc, code, login, resolve_after, taken_away)
            async with contextlib.aclosing(whistles):
                async for _ in whistles:
                    handled += 1
                    if handled == limit:
                        break
        except nats.errors.ConnectionClosedError:
            # nats-py closes for good on a server error it does not reconnect after (the -ERR
            # of a login refused included): a refusal ends it, anything else a new connection.
            login.note(nc.last_error)
            login.check()
            log.warning("the connection was closed (%s); connecting again", nc.last_error)
            await asyncio.sleep(1)
        finally:
            # Close, not drain: a drain waits up to 30 s for the subscription, more while NATS
            # is unreachable. Nothing is lost: an unacked whistle is delivered again.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(nc.close(), 5)
    return handled


class Login:
    """Connects, and watches nats-py's errors for NATS refusing the login, which nats-py only
    reports (to `error_cb`) and tries again after forever, at the first connection too."""

    def __init__(self) -> None:
        self.refusal: BaseException | None = None

    async def on_error(self, exc: BaseException) -> None:
        log.warning("nats: %s: %s", type(exc).__name__, exc)
        self.note(exc)

    def note(self, exc: BaseException | None) -> None:
        refused = isinstance(exc, nats.errors.AuthorizationError)
        if refused or "authorization violation" in str(exc).lower():
            self.refusal = exc

    def check(self) -> None:
        if self.refusal is not None:
            raise Refused(f"NATS refused the login: {self.refusal}")

    async def connect(self, nats_url: str, code: str, **options) -> Client:
        connecting = asyncio.ensure_future(
            nats.connect(
                [u.strip() for u in nats_url.split(",")],
                name=f"department-{code}",
                max_reconnect_attempts=-1,
                # A department may receive only on its own inbox prefix (replies, the stream's
                # acks).
                inbox_prefix=f"_INBOX_{code}",
                error_cb=self.on_error,
                **options,
            )
        )
        while not connecting.done():
            await asyncio.wait({connecting}, timeout=0.2)
            if self.refusal is not None:
                connecting.cancel()
                self.check()
        return connecting.result()


async def serve(nc, code: str, login: Login, resolve_after: float, taken_away: Stopped):
    """Bind to the consumer, then pull and answer whistles one by one, yielding after each."""
    js = nc.jetstream()
    subscription = await bind(js, code, login)
    pause = Backoff()
    while True:
        login.check()
        try:
            messages = await subscription.fetch(1, timeout=1)
        except nats.errors.TimeoutError:
            continue  # no whistle within the second
        except (*PASSING, APIError) as exc:  # the consumer's leader is being elected
            await pause.wait("no whistles for now", exc)
            continue
        pause.reset()
        for msg in messages:
            try:
                await handle(js, code, msg, resolve_after, taken_away)
            except nats.errors.ConnectionClosedError:
                raise
            except Exception:
                # A whistle it cannot read, or a report the stream refuses for good: the
                # whistle stays unacked and comes again (the consumer's back-off, 20 times).
                log.exception("whistle %s not answered; it will come again", msg.reply)
            yield


async def bind(js, code: str, login: Login):
    """The department's durable consumer, once it answers: a department may start while a node
    is down or the consumer elects its leader (`CONSUMER.INFO` then times out or answers 503)."""
    pause = Backoff()
    while True:
        login.check()
        try:
            await js.consumer_info("DISPATCH", f"dept_{code}")
            return await js.pull_subscribe_bind(f"dept_{code}", stream="DISPATCH")
        except NotFoundError:
            log.info("department %s has no consumer yet: is it registered?", code)
            await asyncio.sleep(1)
        except (*PASSING, APIError) as exc:
            await pause.wait("the consumer does not answer yet", exc)
