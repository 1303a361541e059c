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
"""

from __future__ import annotations

import json
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


async def earlier_unsettled(
    js: JetStreamContext, spec: ConsumerSpec, msg: Msg, settled: Settled
) -> str | None:
    """The event id of an earlier message about the same aggregate not yet settled, if any."""
    mine = aggregate_of(msg.data)
    if mine is None:
        return None  # not a CloudEvent: its handler terminates it
    stream, seq = msg.metadata.stream, msg.metadata.sequence.stream
    info = await js.consumer_info(stream, spec.durable)
    at = info.ack_floor.stream_seq + 1  # everything up to the ack floor is settled
    earlier: list[tuple[int, str]] = []
    while at < seq:
        try:
            found = await js.get_msg(stream, seq=at, subject=scope_of(msg.subject), next=True)
        except NotFoundError:
            break
        if found.seq is None or found.seq >= seq:
            break
        theirs = aggregate_of(found.data)
        if theirs is not None and theirs[0] == mine[0]:
            earlier.append((found.seq, theirs[1]))
        at = found.seq + 1
    if not earlier:
        return None
    done = await settled(stream, spec.durable, earlier)
    return next((event_id for s, event_id in earlier if s not in done), None)


def in_order(
    js: JetStreamContext, spec: ConsumerSpec, on_message: MessageHandler, settled: Settled
) -> MessageHandler:
    """`on_message`, run only once every earlier message about the same aggregate is settled."""

    async def on_message_in_order(msg: Msg) -> None:
        waiting_for = await earlier_unsettled(js, spec, msg, settled)
        if waiting_for is not None:
            raise NotYet(
                f"an earlier message about {aggregate_of(msg.data)[0]} ({waiting_for})"
                " is not applied yet"
            )
        await on_message(msg)

    return on_message_in_order
