"""The in-order look-back asks NATS and PostgreSQL only about what its process has not seen.

A consumer declared `in_order` remembers each fetched message's aggregate and which ones its
handler applied (`lianxin.messaging.order.Seen`): with one replica, a department's resolution
finds its acknowledgement applied here without a `get_msg` or a query; a message another replica
holds, or one not applied here, is still looked up and still waited for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from lianxin.messaging.order import InOrder
from lianxin.messaging.streams import INCIDENTS_REPORTS
from lianxin.messaging.subscriber import NotYet

SUBJECT = "report.power_supply.assignment_{}"


def _msg(seq: int, assignment: str, kind: str) -> SimpleNamespace:
    event = {"id": f"{assignment}-{kind}", "subject": assignment}
    return SimpleNamespace(
        data=json.dumps(event).encode(),
        subject=SUBJECT.format(kind),
        metadata=SimpleNamespace(stream="REPORTS", sequence=SimpleNamespace(stream=seq)),
    )


@dataclass
class _Stream:
    """The REPORTS stream as the look-back reads it: the consumer's ack floor and its messages."""

    messages: dict[int, SimpleNamespace]
    ack_floor: int = 0
    asked: list[str] = field(default_factory=list)

    async def consumer_info(self, stream: str, durable: str) -> SimpleNamespace:
        self.asked.append("consumer_info")
        return SimpleNamespace(ack_floor=SimpleNamespace(stream_seq=self.ack_floor))

    async def get_msg(self, stream: str, seq: int, subject: str, next: bool) -> SimpleNamespace:
        self.asked.append(f"get_msg {seq}")
        found = min(s for s in self.messages if s >= seq)
        return SimpleNamespace(seq=found, data=self.messages[found].data)


class _Settled:
    def __init__(self, done: set[int] = frozenset()) -> None:
        self.done, self.asked = set(done), []

    async def __call__(self, stream: str, consumer: str, earlier: list[tuple[int, str]]):
        self.asked.append(earlier)
        return self.done & {seq for seq, _ in earlier}


async def _applied(msg) -> None:
    return None


async def test_one_replica_looks_up_nothing_it_fetched_and_applied_itself() -> None:
    batch = [_msg(1, "a", "acknowledged"), _msg(2, "b", "acknowledged")]
    batch += [_msg(3, "a", "resolved"), _msg(4, "b", "resolved")]
    stream, settled = _Stream({m.metadata.sequence.stream: m for m in batch}), _Settled()
    handle = InOrder(stream, INCIDENTS_REPORTS, _applied, settled)  # type: ignore[arg-type]

    handle.fetched(batch)
    for msg in batch:
        await handle(msg)

    assert stream.asked == ["consumer_info"]  # the ack floor, once a second at most
    assert settled.asked == []


async def test_an_earlier_message_not_applied_here_is_asked_about_and_waited_for() -> None:
    ack, resolution = _msg(1, "a", "acknowledged"), _msg(2, "a", "resolved")
    stream, settled = _Stream({1: ack, 2: resolution}), _Settled()

    async def fails_on_the_acknowledgement(msg) -> None:
        if msg is ack:
            raise RuntimeError("database away")

    handle = InOrder(
        stream,  # type: ignore[arg-type]
        INCIDENTS_REPORTS,
        fails_on_the_acknowledgement,
        settled,
    )
    handle.fetched([ack, resolution])
    with pytest.raises(RuntimeError):
        await handle(ack)
    with pytest.raises(NotYet, match="a-acknowledged"):
        await handle(resolution)
    assert settled.asked == [[(1, "a-acknowledged")]]

    settled.done.add(1)  # applied since by another replica
    await handle(resolution)


async def test_a_message_another_replica_holds_is_read_from_the_stream() -> None:
    theirs, other = _msg(1, "a", "acknowledged"), _msg(2, "b", "acknowledged")
    mine = _msg(3, "a", "resolved")
    stream, settled = _Stream({1: theirs, 2: other, 3: mine}), _Settled()
    handle = InOrder(stream, INCIDENTS_REPORTS, _applied, settled)  # type: ignore[arg-type]
    handle.fetched([other, mine])  # this replica fetched 2 and 3; the other one holds 1

    with pytest.raises(NotYet, match="a-acknowledged"):
        await handle(mine)
    assert stream.asked == ["consumer_info", "get_msg 1"]

    stream.ack_floor = 1  # the other replica applied and acked it
    stream.asked.clear()
    handle = InOrder(stream, INCIDENTS_REPORTS, _applied, settled)  # type: ignore[arg-type]
    await handle(mine)
    assert stream.asked == ["consumer_info", "get_msg 2"]
