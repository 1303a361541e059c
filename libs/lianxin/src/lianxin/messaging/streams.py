"""The one declaration of every stream and durable consumer, applied by `lianxin streams`.

Streams and consumers are never created implicitly by whichever subscriber starts first: a
subscriber binds to a consumer declared here, so its ack policy, `max_deliver` and backoff are
always the ones written below.

Each service consumer is a constant (`INCIDENTS_ORG`, …): the service binds its handler to that
constant (`create_service_app(consumers={INCIDENTS_ORG: on_org_event})`) and uses its `durable`
as the inbox key, so the durable name is written once, here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, RetentionPolicy, StorageType
from nats.js.api import StreamConfig as NatsStreamConfig
from nats.js.errors import NotFoundError

ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER"
MAX_DELIVERIES = f"{ADVISORY}.MAX_DELIVERIES"
TERMINATED = f"{ADVISORY}.MSG_TERMINATED"


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class ConsumerSpec:
    stream: str
    durable: str
    filter_subjects: tuple[str, ...]
    max_deliver: int = 6
    # Seconds before each redelivery; JetStream wants fewer entries than max_deliver.
    backoff: tuple[float, ...] = (1, 5, 15, 60, 300)
    ack_policy: AckPolicy = AckPolicy.EXPLICIT
    description: str = ""
    # True: a fetched batch's messages about different aggregates (the CloudEvent `subject`: an
    # incident, an assignment) are handled at the same time, each aggregate's in order. Only for
    # handlers whose effects on different aggregates do not depend on one another's order.
    concurrent: bool = False
    # True: a message is handled only once every earlier one about the same aggregate is applied
    # or dead-lettered, whichever replica holds it (`lianxin.messaging.order`); else redelivered.
    in_order: bool = False

    def config(self) -> ConsumerConfig:
        many = len(self.filter_subjects) > 1
        return ConsumerConfig(
            name=self.durable,
            durable_name=self.durable,
            description=self.description or None,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=self.ack_policy,
            max_deliver=self.max_deliver,
            backoff=list(self.backoff),
            ack_wait=self.backoff[0],
            filter_subject=None if many else self.filter_subjects[0],
            filter_subjects=list(self.filter_subjects) if many else None,
            max_ack_pending=1000,
        )

    def redelivery_delay(self, num_delivered: int) -> float:
        return self.backoff[min(num_delivered, len(self.backoff)) - 1]


STREAMS: tuple[StreamSpec, ...] = (
    StreamSpec("ORG", ("org.>",), "The alliance, its grids, people and departments"),
    StreamSpec("INCIDENTS", ("incidents.>",), "Grid incidents and their lifecycle"),
    StreamSpec(
        "DISPATCH", ("dispatch.>",), "Whistles to departments: dispatch.<dept_code>.<event>"
    ),
    StreamSpec("REPORTS", ("report.>",), "Departments report in: report.<dept_code>.<event>"),
    StreamSpec("RESOURCES", ("resources.>",), "Needs, resources, projects, micro-wishes"),
    StreamSpec("VOLUNTEERS", ("volunteers.>",), "Volunteers, points, mobilisation"),
    StreamSpec(
        "DLQ",
        (f"{MAX_DELIVERIES}.>", f"{TERMINATED}.>"),
        "JetStream advisories of messages that exhausted max_deliver or were terminated",
    ),
)

INCIDENTS_ORG = ConsumerSpec(
    "ORG",
    "incidents_org",
    ("org.alliance.>", "org.community.>", "org.department.>", "org.grid_node.>"),
    description="incidents' read models of departments and the grid tree",
)
INCIDENTS_REPORTS = ConsumerSpec(
    "REPORTS",
    "incidents_reports",
    ("report.>",),
    description="departments reporting in",
    # One assignment's reports in the department's order, with any number of incidents replicas:
    # in one process by the batch's lanes, across processes by `in_order`'s look-back.
    concurrent=True,
    in_order=True,
)
INCIDENTS_WEBHOOKS = ConsumerSpec(
    "DISPATCH",
    "incidents_webhooks",
    ("dispatch.>",),
    description="whistles queued for the departments that take them by webhook",
    concurrent=True,
)
INCIDENTS_DELIBERATIONS = ConsumerSpec(
    "RESOURCES",
    "incidents_deliberations",
    ("resources.deliberation.item_turned",),
    description="an agreed item settled locally counts in its community's rates",
)
RESOURCES_INCIDENTS = ConsumerSpec(
    "INCIDENTS",
    "resources_incidents",
    ("incidents.incident.escalated",),
    description="wartime escalations put the emergency offers before the coordinator",
    concurrent=True,
)
VOLUNTEERS_INCIDENTS = ConsumerSpec(
    "INCIDENTS",
    "volunteers_incidents",
    ("incidents.incident.escalated", "incidents.incident.closed"),
    description="wartime escalations mobilise the grid; the incident's close pays the hours",
    concurrent=True,  # one incident's escalation before its close
)
VOLUNTEERS_WISHES = ConsumerSpec(
    "RESOURCES",
    "volunteers_wishes",
    ("resources.wish.closed",),
    description="a micro-wish fulfilled by a party member credits their passbook once",
)
VOLUNTEERS_CARE = ConsumerSpec(
    "ORG",
    "volunteers_care",
    ("org.care_visit.recorded",),
    description="a care visit done by a registered volunteer earns her hours and points once",
)

# The durable consumers each service binds to, by service: `lianxin streams` declares these, and
# `create_service_app` refuses to start a service whose handlers do not match its entry.
SERVICE_CONSUMERS: dict[str, tuple[ConsumerSpec, ...]] = {
    "organisation": (),
    "incidents": (INCIDENTS_ORG, INCIDENTS_REPORTS, INCIDENTS_WEBHOOKS, INCIDENTS_DELIBERATIONS),
    "resources": (RESOURCES_INCIDENTS,),
    "volunteers": (VOLUNTEERS_INCIDENTS, VOLUNTEERS_WISHES, VOLUNTEERS_CARE),
    "console": (),
}


def dead_letter_consumer(service: str) -> ConsumerSpec | None:
    """The DLQ consumer that records the failures of one service's own consumers."""
    durables = [spec.durable for spec in SERVICE_CONSUMERS[service]]
    if not durables:
        return None
    subjects = tuple(
        f"{advisory}.{spec.stream}.{spec.durable}"
        for spec in SERVICE_CONSUMERS[service]
        for advisory in (MAX_DELIVERIES, TERMINATED)
    )
    return ConsumerSpec("DLQ", f"{service}_dead_letters", subjects, description="dead letters")


def department_consumer(department_code: str) -> ConsumerSpec:
    """The durable consumer an outside department system pulls its whistles from."""
    return ConsumerSpec(
        "DISPATCH",
        f"dept_{department_code}",
        (f"dispatch.{department_code}.>",),
        max_deliver=20,
        backoff=(30, 60, 300, 900, 3600),
        description=f"whistles to department {department_code}",
    )


def all_consumers() -> list[ConsumerSpec]:
    specs = [spec for specs in SERVICE_CONSUMERS.values() for spec in specs]
    specs += [dl for service in SERVICE_CONSUMERS if (dl := dead_letter_consumer(service))]
    return specs


def stream_replicas() -> int:
    return int(os.environ.get("LIANXIN_STREAM_REPLICAS", "1"))


def duplicate_window() -> float:
    """Seconds JetStream remembers a `Nats-Msg-Id` to drop a second copy (10 minutes unless
    `LIANXIN_DUPLICATE_WINDOW` says otherwise). Memory: one entry per message stored within the
    window, about 150 bytes, per stream: at 100 events a second, some 9 MB. Beyond the window the
    outbox relay looks the id up in the stream itself before it publishes a row again."""
    return float(os.environ.get("LIANXIN_DUPLICATE_WINDOW", "600"))


async def declare_stream(js: JetStreamContext, spec: StreamSpec) -> None:
    config = NatsStreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        description=spec.description,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        num_replicas=stream_replicas(),
        duplicate_window=duplicate_window(),
    )
    try:
        await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)


async def declare_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
    # add_consumer creates, or updates the editable fields of an existing durable.
    await js.add_consumer(spec.stream, spec.config())


async def declare_all(js: JetStreamContext) -> None:
    for stream in STREAMS:
        await declare_stream(js, stream)
    for consumer in all_consumers():
        await declare_consumer(js, consumer)
