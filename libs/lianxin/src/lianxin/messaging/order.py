"""One aggregate's messages applied in the order the stream holds them, whatever the number of
replicas pulling the consumer.

A durable pull consumer hands its messages to whichever replica asks: with two, a department's
acknowledgement can be handled in one process while its resolution, the next message, is applied
in the other first (issue #17: the acknowledgement was then refused and dead-lettered). So before
a message of a consumer declared `in_order` is handled, it looks back in the stream: every earlier
message about the same aggregate (the CloudEvent `subject`: for a report-in, the assignment) must
be settled — applied (its event id in the consumer's inbox) or dead-lettered. If one is not, the
message is not handled now but redelivered later (`NotYet`, nak'ed with the consumer's backoff);
a predecessor still unsettled at the last delivery dead-letters it, with that reason.

The look-back is cheap: only messages after the consumer's ack floor can be unsettled, and of
those only the ones on the message's own subject prefix (`report.<department>.>`: one department's
reports) are read, by the stream's next-by-subject lookup.

What the process itself has seen needs no asking (`Seen`): the aggregate of every message it
fetched, by stream sequence, and which of them it applied. The walk asks the stream only about a
sequence it does not know (another replica's, or from before a restart), the consumer's ack floor
only then or once a second, and PostgreSQL only about an earlier message of the same aggregate
not applied here. With one replica the look-back is then a walk over a few integers: it was a
`consumer_info`, one `get_msg` per message since the ack floor and often a query, per report-in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from lianxin.messaging.streams import ConsumerSpec
from lianxin.messaging.subscriber import MessageHandler, NotYet

# (consumer, [(stream sequence, event id)…]) → the stream sequences among them already settled.
Settled = Callable[[str, str, list[tuple[int, str]]], Awaitable[set[int]]]


def aggregate_of(data: bytes | None) -> tuple[str, str] | None:
    """(aggregate, event id) of a CloudEvent's bytes; None for what is not one."""
    try:
        event = json.loads(data or b"")
        return str(event["subject"]), str(event["id"])
    except (ValueError, KeyError, TypeError):
        return None


def scope_of(subject: str) -> str:
    """The subjects an aggregate's messages share: `report.power_supply.assignment_resolved` →
    `report.power_supply.>` (an assignment is always one department's)."""
    return ".".join([*subject.split(".")[:-1], ">"])


# How stale a remembered ack floor may get before the next look-back asks for it again. Staleness
# costs nothing in correctness (everything up to an old floor is settled still), only a longer
# walk over remembered sequences.
FLOOR_SECONDS = 1.0


class Seen:
    """What this process knows of one consumer's messages: each fetched message's aggregate and
    event id by stream sequence, which of them it applied (its handler returned: effect and inbox
    row committed), and the last ack floor it was told. Bounded: the oldest are forgotten first,
    and a forgotten sequence is simply asked about again."""

    def __init__(self, limit: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.about: dict[int, tuple[str, str]] = {}
        self.applied: set[int] = set()
        self.floor = 0
        self.floor_at = float("-inf")
        self._limit = limit
        self._clock = clock

    def note(self, seq: int, about: tuple[str, str]) -> None:
        self.about[seq] = about
        while len(self.about) > self._limit:
            oldest = next(iter(self.about))  # dicts keep insertion order: nearly stream order
            del self.about[oldest]
            self.applied.discard(oldest)

    def raise_floor(self, floor: int) -> None:
        self.floor, self.floor_at = max(self.floor, floor), self._clock()
        for seq in [s for s in self.about if s <= self.floor]:
            del self.about[seq]
            self.applied.discard(seq)

    def floor_is_stale(self) -> bool:
        return self._clock() - self.floor_at > FLOOR_SECONDS


async def earlier_unsettled(
    js: JetStreamContext, spec: ConsumerSpec, msg: Msg, settled: Settled, seen: Seen | None = None
) -> str | None:
    """The event id of an earlier message about the same aggregate not yet settled, if any."""
    mine = aggregate_of(msg.data)
    if mine is None:
        return None  # not a CloudEvent: its handler terminates it
    seen = seen if seen is not None else Seen()
    stream, seq = msg.metadata.stream, msg.metadata.sequence.stream
    seen.note(seq, mine)
    asked_floor = False

    async def ask_floor() -> None:
        nonlocal asked_floor
        info = await js.consumer_info(stream, spec.durable)
        seen.raise_floor(info.ack_floor.stream_seq)  # everything up to the ack floor is settled
        asked_floor = True

    if seen.floor_is_stale():
        await ask_floor()
    at = seen.floor + 1
    earlier: list[tuple[int, str]] = []
    while at < seq:
        if at in seen.about:
            aggregate, event_id = seen.about[at]
            if aggregate == mine[0] and at not in seen.applied:
                earlier.append((at, event_id))
            at += 1
            continue
        if not asked_floor:  # not one of ours: perhaps settled long ago, so ask how far that goes
            await ask_floor()
            at = max(at, seen.floor + 1)
            continue
        try:
            found = await js.get_msg(stream, seq=at, subject=scope_of(msg.subject), next=True)
        except NotFoundError:
            break
        if found.seq is None or found.seq >= seq:
            break
        if found.seq not in seen.about:
            theirs = aggregate_of(found.data)
            if theirs is not None and theirs[0] == mine[0]:
                earlier.append((found.seq, theirs[1]))
            at = found.seq + 1
        else:
            at = found.seq  # one of ours after a stretch of others': read as the branch above
    if not earlier:
        return None
    done = await settled(stream, spec.durable, earlier)
    return next((event_id for s, event_id in earlier if s not in done), None)


class InOrder:
    """`on_message`, run only once every earlier message about the same aggregate is settled
    (`SeesBatches`: the consumer loop tells it each fetched batch)."""

    def __init__(
        self,
        js: JetStreamContext,
        spec: ConsumerSpec,
        on_message: MessageHandler,
        settled: Settled,
    ) -> None:
        self.js, self.spec, self.on_message, self.settled = js, spec, on_message, settled
        self.seen = Seen()

    async def __call__(self, msg: Msg) -> None:
        waiting_for = await earlier_unsettled(self.js, self.spec, msg, self.settled, self.seen)
        if waiting_for is not None:
            raise NotYet(
                f"an earlier message about {aggregate_of(msg.data)[0]} ({waiting_for})"
                " is not applied yet"
            )
        await self.on_message(msg)
        self.seen.applied.add(msg.metadata.sequence.stream)

    def fetched(self, messages: list[Msg]) -> None:
        """A fetched batch, known before any of it is handled: the lanes handling its other
        aggregates at the same time need not look those messages up."""
        for msg in messages:
            if (about := aggregate_of(msg.data)) is not None:
                self.seen.note(msg.metadata.sequence.stream, about)
