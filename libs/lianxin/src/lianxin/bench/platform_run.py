"""The platform's side of the bench: N grid reporters and one department, over HTTP and NATS.

A loop: a grid reporter POSTs an incident on a demo micro-grid, escalates it to one department
and polls GET /incidents/{id} until it reads `resolved`. The department simulator pulls its
whistles with plain nats-py (`lianxin.dept_sim`, the documented contract only), notes when each
arrives, signs for it and resolves it at once. Measured per loop, on this process's monotonic
clock (reporters and department share it):

- report → department: the report POST is sent → the department holds the whistle;
- report → resolved: the report POST is sent → a GET reads `resolved` (polled every
  `poll_seconds`, so this overstates by up to one interval). A reporter starts its GETs when
  `incidents.incident.resolved` goes by on NATS (published after the commit, so the first GET
  reads it): polling all along would load the very service being measured, and did (8 reporters
  at 50 ms were ~160 GETs/s on incidents and halved the loops/s).

Loops/s counts the measured loops over the window from the first measured report to the last
`resolved` read; warm-up loops run before the window and count for nothing.

`run_open_loop` offers loops at a fixed rate instead (the n-th report is sent at n / rate
seconds, however long the earlier loops take): what "p99 at half the maximum load" is read
from, since closed-loop reporters slow their own arrivals down when the platform does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import nats
from nats.js.errors import NotFoundError

from lianxin import dept_sim
from lianxin.contracts.incidents import IncidentResolved
from lianxin.http_clients import async_client

LOOP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Target:
    """A running platform: where the reporters and the department reach it, and as whom.
    `replica_urls`: incidents' other processes serving HTTP; the reporters are spread over all."""

    incidents_url: str
    nats_url: str
    token: str
    replica_urls: tuple[str, ...] = ()

    @property
    def incidents_urls(self) -> tuple[str, ...]:
        return (self.incidents_url, *self.replica_urls)

    def clients(self, count: int, **options) -> list[httpx.AsyncClient]:
        """`count` clients, the n-th to the n-th incidents process (round the list again)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        urls = self.incidents_urls
        return [
            async_client(base_url=urls[n % len(urls)], headers=headers, **options)
            for n in range(count)
        ]


@dataclass(frozen=True)
class Scenario:
    """What each loop reports, and to which department it escalates."""

    micro_grid_code: str = "tpj-g01-m01"
    department_code: str = "power_supply"
    category: str = "power_supply"
    urgency: str = "emergency"
    poll_seconds: float = 0.01

    @property
    def wartime(self) -> bool:
        return self.urgency == "emergency"  # as incidents decides it

    def report(self, n: int) -> dict:
        return {
            "micro_grid_code": self.micro_grid_code,
            "category": self.category,
            "urgency": self.urgency,
            "description": f"压测 {n}: 变压器故障",
            "affected_households": 10,
            "reporter": "lianxin-bench",
        }


@dataclass(frozen=True)
class Loop:
    reported_at: float
    received_at: float
    resolved_at: float

    @property
    def department_ms(self) -> float:
        return (self.received_at - self.reported_at) * 1000

    @property
    def resolved_ms(self) -> float:
        return (self.resolved_at - self.reported_at) * 1000


@dataclass(frozen=True)
class PlatformRun:
    loops: list[Loop]
    seconds: float
    warmup: int


@dataclass
class Department:
    """The department's system: records when each whistle arrives, signs for it, resolves it.

    It also listens for `incidents.incident.resolved`, to tell the reporters when to GET."""

    nats_url: str
    code: str
    received: dict[str, float] = field(default_factory=dict)
    resolved: defaultdict[str, asyncio.Event] = field(
        default_factory=lambda: defaultdict(asyncio.Event)
    )
    failure: BaseException | None = None

    async def serve(self, ready: asyncio.Event, batch: int) -> None:
        nc = await nats.connect(self.nats_url, name=f"bench-department-{self.code}")
        js = nc.jetstream()
        try:
            subscription = await self._bind(js)
            await nc.subscribe(IncidentResolved.SUBJECT, cb=self._resolved)
            ready.set()
            while True:
                try:
                    messages = await subscription.fetch(batch, timeout=1)
                except TimeoutError:  # nats-py's own, or asyncio's bare one from a batch fetch
                    continue
                now = time.perf_counter()
                for msg in messages:
                    self.received[json.loads(msg.data)["data"]["incident_id"]] = now
                await asyncio.gather(
                    *(dept_sim.handle(js, self.code, msg, resolve_after=0) for msg in messages)
                )
        except Exception as exc:  # the reporters see it and stop, rather than time out
            self.failure = exc
            for waiting in self.resolved.values():
                waiting.set()
            raise
        finally:
            await nc.close()

    async def _resolved(self, msg) -> None:
        self.resolved[json.loads(msg.data)["data"]["incident_id"]].set()

    async def resolution_published(self, incident_id: str) -> None:
        if self.failure is None:
            await asyncio.wait_for(self.resolved[incident_id].wait(), LOOP_TIMEOUT_SECONDS)
        if self.failure is not None:
            raise RuntimeError("the department simulator failed") from self.failure

    async def _bind(self, js):
        # incidents declares the consumer when it learns of the department from ORG.
        deadline = time.monotonic() + 60
        while True:
            try:
                await js.consumer_info("DISPATCH", f"dept_{self.code}")
                return await js.pull_subscribe_bind(f"dept_{self.code}", stream="DISPATCH")
            except NotFoundError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)


def _ok(response: httpx.Response) -> dict:
    if response.is_error:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text}"
        )
    return response.json()


async def one_loop(
    http: httpx.AsyncClient, department: Department, scenario: Scenario, n: int
) -> Loop:
    reported_at = time.perf_counter()
    incident = _ok(await http.post("/incidents", json=scenario.report(n)))
    escalation = {"department_codes": [scenario.department_code]}
    _ok(await http.post(f"/incidents/{incident['id']}/escalation", json=escalation))
    await department.resolution_published(incident["id"])
    while True:
        if _ok(await http.get(f"/incidents/{incident['id']}"))["status"] == "resolved":
            resolved_at = time.perf_counter()
            break
        if time.perf_counter() - reported_at > LOOP_TIMEOUT_SECONDS:
            raise TimeoutError(
                f"incident {incident['id']} unresolved after {LOOP_TIMEOUT_SECONDS}s"
            )
        await asyncio.sleep(scenario.poll_seconds)
    return Loop(reported_at, department.received[incident["id"]], resolved_at)


async def _drive(
    clients: list[httpx.AsyncClient], department: Department, scenario: Scenario, loops: int
) -> list[Loop]:
    """`loops` loops, each reporter taking the next until none is left."""
    numbers = iter(range(loops))
    done: list[Loop] = []

    async def reporter(http: httpx.AsyncClient) -> None:
        for n in numbers:  # one iterator shared by all: each loop is taken once
            done.append(await one_loop(http, department, scenario, n))

    await asyncio.gather(*(reporter(http) for http in clients))
    return done


async def run_platform(
    target: Target, *, reporters: int, loops: int, warmup: int, scenario: Scenario = Scenario()
) -> PlatformRun:
    department = Department(target.nats_url, scenario.department_code)
    ready = asyncio.Event()
    serving = asyncio.create_task(department.serve(ready, batch=reporters))
    clients = target.clients(reporters, timeout=30)
    try:
        await _first(ready.wait(), serving)
        await _drive(clients, department, scenario, warmup)
        started = time.perf_counter()
        measured = await _drive(clients, department, scenario, loops)
        return PlatformRun(measured, time.perf_counter() - started, warmup)
    finally:
        await _close(serving, clients)


async def run_open_loop(
    target: Target, *, rate: float, loops: int, scenario: Scenario = Scenario()
) -> PlatformRun:
    """`loops` loops started `rate` a second on a fixed schedule, each over a connection of its
    own (as separate grid reporters would), whatever the ones before are doing; in turn to each
    incidents process serving HTTP."""
    department = Department(target.nats_url, scenario.department_code)
    ready = asyncio.Event()
    serving = asyncio.create_task(department.serve(ready, batch=64))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    clients = target.clients(len(target.incidents_urls), timeout=30, limits=limits)
    try:
        await _first(ready.wait(), serving)

        async def loop_at(n: int, due: float) -> Loop:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            return await one_loop(clients[n % len(clients)], department, scenario, n)

        started = time.perf_counter()
        measured = await asyncio.gather(*(loop_at(n, started + n / rate) for n in range(loops)))
        return PlatformRun(list(measured), time.perf_counter() - started, 0)
    finally:
        await _close(serving, clients)


async def _close(serving: asyncio.Task, clients: list[httpx.AsyncClient]) -> None:
    serving.cancel()
    await asyncio.gather(serving, return_exceptions=True)
    for http in clients:
        await http.aclose()


async def _first(awaitable, serving: asyncio.Task) -> None:
    """Wait for `awaitable`, unless the department fails first (its error is raised)."""
    waiting = asyncio.ensure_future(awaitable)
    await asyncio.wait({waiting, serving}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        serving.result()
