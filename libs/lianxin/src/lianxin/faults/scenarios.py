"""The faults, one scenario each: what is done to the platform while the loops run, and healed.

A fault runs in a thread beside the load (it blocks: kills, sleeps, restarts and waits for
readiness) and notes when it began and when it was healed. Every scenario heals what it broke
itself; `lianxin up`'s own restarts are not relied on.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import nats

from lianxin.faults.control import DEPARTMENT, FaultPlatform
from lianxin.faults.evidence import stream_ends
from lianxin.runtime import platform


@dataclass
class Fault:
    """What one scenario did, and when (time.monotonic())."""

    started: float = 0.0
    healed: float = 0.0
    department_offline: bool = False  # the department is down on purpose: do not restart it
    poison_sent: list[str] = field(default_factory=list)  # Nats-Msg-Id of each poison message
    notes: list[str] = field(default_factory=list)

    def begin(self) -> None:
        self.started = time.monotonic()

    def heal(self) -> None:
        self.healed = time.monotonic()


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    inject: Callable[[FaultPlatform, Fault], None]
    # Services run as two processes sharing the consumers (incidents' second one takes half of
    # the loops' requests too)
    replicas: tuple[str, ...] = ()
    # JetStream's duplicate window (and the relays') for the scenario, in seconds; None: 600
    duplicate_window: float | None = None


def kill_service(service: str) -> Callable[[FaultPlatform, Fault], None]:
    def inject(plat: FaultPlatform, fault: Fault) -> None:
        fault.begin()
        plat.kill_service(service)
        time.sleep(1)
        plat.start_service(service)
        fault.heal()

    return inject


def kill_department(plat: FaultPlatform, fault: Fault) -> None:
    fault.begin()
    fault.department_offline = True
    plat.kill_department()
    time.sleep(1)
    plat.start_department()
    fault.department_offline = False
    fault.heal()


def department_offline(seconds: float) -> Callable[[FaultPlatform, Fault], None]:
    """Story 7: the department's system is down a while; its whistles wait in its consumer."""

    def inject(plat: FaultPlatform, fault: Fault) -> None:
        fault.begin()
        fault.department_offline = True
        plat.kill_department()
        time.sleep(seconds)
        plat.start_department()
        fault.department_offline = False
        fault.heal()

    return inject


def pause_nats(seconds: float) -> Callable[[FaultPlatform, Fault], None]:
    """SIGSTOP: connections stay open and nothing answers; far beyond the consumers' ack wait."""

    def inject(plat: FaultPlatform, fault: Fault) -> None:
        fault.begin()
        plat.pause_nats()
        time.sleep(seconds)
        plat.resume_nats()
        fault.heal()

    return inject


def kill_nats(plat: FaultPlatform, fault: Fault) -> None:
    fault.begin()
    plat.kill_nats()
    time.sleep(2)
    plat.start_nats()
    fault.heal()


def kill_postgres(plat: FaultPlatform, fault: Fault) -> None:
    fault.begin()
    plat.kill_postgres_group()
    time.sleep(2)
    plat.start_postgres()
    fault.heal()


def outlast_duplicate_window(window: float) -> Callable[[FaultPlatform, Fault], None]:
    """Issue #17, 5: events published whose rows cannot be marked sent, then PostgreSQL down
    longer than the duplicate window. NATS is paused first, so that incidents' relay, publishing
    the loops' events, waits for their acks; PostgreSQL is killed, then NATS resumed: the
    publishes land in the streams and their rows stay unmarked. PostgreSQL stays down for the
    window and 5 s more; once it is back, the relay must find those rows (older than half the
    window) in their stream rather than store them a second time, which JetStream, having
    forgotten their ids, would keep."""

    def inject(plat: FaultPlatform, fault: Fault) -> None:
        before = plat.relay_found_in_stream("incidents")
        _until_published(plat)  # a loaded machine may not have committed a loop yet
        fault.begin()
        plat.pause_nats()
        time.sleep(3)
        plat.kill_postgres_group()
        plat.resume_nats()
        time.sleep(window + 5)
        plat.start_postgres()
        fault.heal()
        found = _settled(lambda: plat.relay_found_in_stream("incidents") - before)
        fault.notes.append(
            f"incidents' relay found {found} events already in their stream after the outage"
            " (published, not marked sent): not published again"
        )

    return inject


def _until_published(plat: FaultPlatform, seconds: float = 60) -> None:
    """Until incidents' relay has published an event of the load (INCIDENTS grew)."""
    first = asyncio.run(stream_ends(plat.nats_url))["INCIDENTS"]
    deadline = time.monotonic() + seconds
    while asyncio.run(stream_ends(plat.nats_url))["INCIDENTS"] == first:
        if time.monotonic() > deadline:
            return
        time.sleep(0.5)


def _settled(count: Callable[[], int], seconds: float = 30) -> int:
    """`count()` once it has been above 0 for 2 s (the relay's first passes once PostgreSQL
    accepts connections again, after its backoff), or 0 after `seconds`."""
    deadline = time.monotonic() + seconds
    while not count() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)
    return count()


def no_fault(plat: FaultPlatform, fault: Fault) -> None:
    """The load is the fault (two replicas sharing it)."""
    fault.begin()
    fault.heal()


# Reports no handler can apply: each must become one dead letter with its reason, and the
# loops around them go on.
def _poison(code: str) -> list[tuple[str, bytes]]:
    def event(kind: str, data: dict) -> bytes:
        return json.dumps(
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": f"/departments/{code}",
                "type": f"cn.lianxin.departments.assignment.{kind}.v1",
                "subject": data.get("assignment_id", ""),
                "time": "2026-01-01T00:00:00Z",
                "datacontenttype": "application/json",
                "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
                "data": data,
            }
        ).encode()

    unknown = str(uuid.uuid4())
    return [
        (f"report.{code}.assignment_acknowledged", b"\xff not json"),
        (f"report.{code}.assignment_acknowledged", b'{"specversion": "1.0"}'),
        (f"report.{code}.assignment_resolved", event("resolved", {"assignment_id": "x"})),
        (
            f"report.{code}.assignment_acknowledged",
            event("acknowledged", {"assignment_id": unknown, "department_code": "police"}),
        ),
        (f"report.{code}.assignment_exploded", event("exploded", {"assignment_id": unknown})),
    ]


def poison(plat: FaultPlatform, fault: Fault) -> None:
    async def publish() -> None:
        nc = await nats.connect(plat.nats_url.split(","), name="lianxin-faults-poison")
        try:
            js = nc.jetstream()
            for subject, payload in _poison(DEPARTMENT):
                msg_id = str(uuid.uuid4())
                await js.publish(subject, payload, headers={"Nats-Msg-Id": msg_id})
                fault.poison_sent.append(msg_id)
        finally:
            await nc.close()

    fault.begin()
    asyncio.run(publish())
    fault.heal()


# The services with durable consumers or an outbox relay (console has neither: it calls APIs).
CONSUMING = ("organisation", "resources", "volunteers", "incidents")
# Short enough for an outage beyond it to fit in a scenario, long enough for the relay's lookup
# (from half of it on) not to run on every pass of an unloaded relay.
SHORT_WINDOW = 10.0

SCENARIOS: tuple[Scenario, ...] = (
    *(
        Scenario(
            f"kill-{service}", f"kill -9 of {service}, restarted 1 s later", kill_service(service)
        )
        for service in platform.SERVICES
    ),
    Scenario(
        "kill-department", "kill -9 of the department client, restarted 1 s later", kill_department
    ),
    Scenario("stop-nats", "SIGSTOP of nats-server for 10 s (ack wait is 1 s)", pause_nats(10)),
    Scenario("kill-nats", "kill -9 of nats-server, restarted 2 s later", kill_nats),
    Scenario(
        "kill-postgres", "kill -9 of PostgreSQL's process group, restarted 2 s later", kill_postgres
    ),
    Scenario(
        "department-offline",
        "the department's system down 15 s, then back (story 7)",
        department_offline(15),
    ),
    Scenario("poison", "five reports no handler can apply, amid the loops", poison),
    Scenario(
        "two-replicas",
        "two processes of each consuming service (organisation, resources, volunteers,"
        " incidents) share the consumers, and incidents' two the loops",
        no_fault,
        replicas=CONSUMING,
    ),
    Scenario(
        "outlast-duplicate-window",
        f"duplicate window {SHORT_WINDOW:.0f} s: NATS paused 3 s under the relay's publishes,"
        f" PostgreSQL killed before their rows are marked sent, down {SHORT_WINDOW + 5:.0f} s",
        outlast_duplicate_window(SHORT_WINDOW),
        duplicate_window=SHORT_WINDOW,
    ),
)
SMOKE = "kill-incidents"


def kill_leader(stream: str) -> Callable[[FaultPlatform, Fault], None]:
    """On a cluster: kill -9 of the node leading `stream`, down 10 s while the others elect a
    new leader and carry on, then back."""

    def inject(plat: FaultPlatform, fault: Fault) -> None:
        leader = plat.stream_leader(stream)
        fault.notes.append(f"{stream} was led by {leader}")
        fault.begin()
        plat.kill_node(leader)
        time.sleep(10)
        plat.start_node(leader)
        fault.heal()

    return inject


CLUSTER_SCENARIOS: tuple[Scenario, ...] = tuple(
    Scenario(
        f"kill-{stream.lower()}-leader",
        f"three NATS nodes, R3: kill -9 of the {stream} leader, back 10 s later",
        kill_leader(stream),
    )
    for stream in ("INCIDENTS", "DISPATCH", "REPORTS")
)


def partition(node: str, seconds: float = 15) -> Callable[[FaultPlatform, Fault], None]:
    """On a cluster: the node's routes to the two others cut (its route proxies close them and
    refuse new ones) for `seconds`, under load, then healed. The node stays up and keeps its
    clients, which can no longer reach a stream leader through it; the two others keep a
    majority and elect new leaders for what it led."""

    def inject(plat: FaultPlatform, fault: Fault) -> None:
        led = [s for s in PARTITIONED_STREAMS if plat.stream_leader(s) == node]
        fault.notes.append(f"{node} led {', '.join(led) or 'no stream'} when cut off")
        fault.begin()
        plat.cut_off_node(node)
        time.sleep(seconds)
        left = plat.cluster.route_connections(node)
        fault.notes.append(f"route connections of {node} at the end of the cut: {left}")
        plat.heal_node(node)
        fault.heal()

    return inject


PARTITIONED_STREAMS = ("INCIDENTS", "DISPATCH", "REPORTS")
CLUSTER_SCENARIOS += tuple(
    Scenario(
        f"partition-{node}",
        f"three NATS nodes, R3: {node}'s routes cut by their proxies for 15 s, then healed",
        partition(node),
    )
    for node in ("lianxin-0", "lianxin-1", "lianxin-2")
)


def named(names: list[str], cluster: bool = False) -> list[Scenario]:
    known = {s.name: s for s in (CLUSTER_SCENARIOS if cluster else SCENARIOS)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KeyError(f"no such scenario: {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[name] for name in names]
