"""The one declaration of streams and consumers, applied to a real NATS server."""

from __future__ import annotations

from nats.js.api import AckPolicy, StorageType

from lianxin.messaging.connection import connect
from lianxin.messaging.streams import (
    STREAMS,
    TERMINATED,
    all_consumers,
    dead_letter_consumer,
    declare_all,
)


async def test_every_stream_and_consumer_is_declared_with_explicit_delivery_rules(
    nats: str,
) -> None:
    nc = await connect(nats, "test")
    js = nc.jetstream()
    await declare_all(js)  # a second time: declaring is idempotent
    names = {info.config.name for info in await js.streams_info()}
    assert names == {"ORG", "INCIDENTS", "DISPATCH", "REPORTS", "RESOURCES", "VOLUNTEERS", "DLQ"}
    for stream in STREAMS:
        info = await js.stream_info(stream.name)
        assert info.config.storage == StorageType.FILE
        assert info.config.subjects == list(stream.subjects)
    for spec in all_consumers():
        config = (await js.consumer_info(spec.stream, spec.durable)).config
        assert config.durable_name == spec.durable
        assert config.ack_policy == AckPolicy.EXPLICIT
        assert config.max_deliver == spec.max_deliver
        assert config.backoff == list(spec.backoff)
    await nc.close()


def test_a_service_records_only_its_own_consumers_dead_letters() -> None:
    incidents = dead_letter_consumer("incidents")
    assert incidents is not None
    assert f"{TERMINATED}.REPORTS.incidents_reports" in incidents.filter_subjects
    assert not any("resources_" in s for s in incidents.filter_subjects)
    assert dead_letter_consumer("organisation") is None
