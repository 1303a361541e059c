"""Building one service process: its FastAPI app, database, NATS, outbox relay and consumers.

A service hands over its name, tables, unit of work, routers, one event handler per durable
consumer declared for it in `lianxin.messaging.streams` (keyed by that declaration), and the
background workers it runs; everything else is the same everywhere. The runtime starts the relay,
the consumers and the workers together, and cancels them together on shutdown.

`LIANXIN_ROLE` splits a service over processes (`lianxin bench --split`): `http` serves the
routes and runs the outbox relay (it publishes what the routes commit, woken at the commit; a
relay elsewhere would find the rows only at its next poll), `workers` runs the consumers, the
dead-letter recorder, the relay and the workers and serves only health and metrics; `all` (the
default) does both. Replicas of any role share the work: durable consumers split the messages,
relays claim outbox rows with `SKIP LOCKED`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lianxin.auth import KeySource, TokenVerifier, authenticated, jwks_from_url
from lianxin.headers import SecurityHeaders
from lianxin.health import health_router, operations_router
from lianxin.idempotency import IdempotencyKeys, document_idempotency_keys
from lianxin.inputs import InputGuard
from lianxin.messaging.connection import connect
from lianxin.messaging.order import InOrder
from lianxin.messaging.streams import SERVICE_CONSUMERS, ConsumerSpec, dead_letter_consumer
from lianxin.messaging.subscriber import EventHandler, MessageHandler, for_events, run_consumer
from lianxin.openapi import truthful_openapi
from lianxin.outage import OutageGuard, install_outage_handler
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.dead_letters import dead_letter_recorder
from lianxin.persistence.outbox import OutboxRelay
from lianxin.persistence.settled import settled_in
from lianxin.persistence.unit_of_work import UnitOfWork
from lianxin.problems import install_problem_handlers
from lianxin.settings import ServiceSettings
from lianxin.telemetry import setup_telemetry, shutdown_telemetry

log = logging.getLogger(__name__)

U = TypeVar("U", bound=UnitOfWork)


@dataclass
class Runtime(Generic[U]):
    """What a running service holds: handed to routes (`runtime(request)`), handlers and workers.
    `Runtime[MyUnitOfWork]` types `uow()` as the service's own unit of work."""

    name: str
    settings: ServiceSettings
    migrations_package: str | None
    uow_class: type[U]
    outbox: Table | None = None
    inbox: Table | None = None
    dead_letters: Table | None = None
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    nc: Client | None = None
    js: JetStreamContext | None = None
    relay: OutboxRelay | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)

    def uow(self) -> U:
        assert self.sessions is not None and self.outbox is not None and self.inbox is not None
        return self.uow_class(
            self.sessions,
            source=f"/lianxin/{self.name}",
            outbox=self.outbox,
            inbox=self.inbox,
            on_commit=self.relay.wake if self.relay else lambda: None,
        )


async def runtime(request: Request) -> Runtime:
    # async, though it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread,
    # a thread hop per request for one attribute read.
    return request.app.state.runtime


ROLES = ("all", "http", "workers")


def process_role() -> str:
    """What this process runs, from `LIANXIN_ROLE` (see the module's docstring)."""
    role = os.environ.get("LIANXIN_ROLE", "all")
    if role not in ROLES:
        raise ValueError(f"LIANXIN_ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    return role


# Builds the handler of one consumer's events once the runtime is up (it may need `rt.js`).
HandlerFactory = Callable[[Runtime], EventHandler]
# A background loop of the service's own (timers, dispatchers): runs until cancelled at shutdown.
Worker = Callable[[Runtime], Awaitable[None]]


def create_service_app(
    name: str,
    *,
    title: str,
    metadata: MetaData | None,
    routers: list[APIRouter],
    public_routers: list[APIRouter] = (),
    uow_class: type[UnitOfWork] = UnitOfWork,
    consumers: Mapping[ConsumerSpec, HandlerFactory] | None = None,
    workers: Sequence[Worker] = (),
    settings: ServiceSettings | None = None,
    signing_keys: Callable[[Runtime], KeySource] | None = None,
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None,
    route_checks: Sequence[Any] = (),
) -> FastAPI:
    """`routers` answer only callers with a valid token (checked before any route runs);
    `public_routers` answer anyone: keep them to what must be public (token, keys).

    `consumers` binds a handler to each consumer `lianxin.messaging.streams` declares for this
    service, no more and no fewer; `workers` are started beside them and cancelled with them;
    `on_startup` is for one-off setup once those run, not for starting loops."""
    settings = settings or ServiceSettings(service_name=name)
    setup_telemetry(
        name,
        spans_file=settings.lianxin_spans_file,
        log_level=settings.log_level,
        spans_file_max_mb=settings.lianxin_spans_file_max_mb,
    )
    consumers = dict(consumers or {})
    check_consumers(name, consumers)
    role = process_role()
    if role == "http":  # the consumers and workers run in the `workers` process
        consumers, workers = {}, ()
    if role == "workers":  # health and metrics only: the requests go to the `http` process
        routers, public_routers = [], ()

    rt = Runtime(
        name=name,
        settings=settings,
        migrations_package=name if metadata is not None else None,
        uow_class=uow_class,
    )
    if metadata is not None:
        rt.outbox, rt.inbox, rt.dead_letters = (
            metadata.tables["outbox"],
            metadata.tables["inbox"],
            metadata.tables["dead_letters"],
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _start(rt, consumers, workers, dead_letters=role != "http")
        if on_startup is not None:
            await on_startup(rt)
        try:
            yield
        finally:
            await _stop(rt)

    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0")
    app.state.runtime = rt
    install_problem_handlers(app)
    install_outage_handler(app)  # PostgreSQL down: 503 with Retry-After, not 500
    keys = (
        signing_keys(rt)
        if signing_keys
        else jwks_from_url(settings.service_url("organisation") + "/.well-known/jwks.json")
    )
    app.state.token_verifier = TokenVerifier(keys)
    app.include_router(health_router())
    app.include_router(operations_router())
    for router in public_routers:
        app.include_router(router)
    for router in routers:
        app.include_router(router, dependencies=[Depends(authenticated), *route_checks])
    # Before any route, for every route: a token, then the body's size and depth, then
    # characters PostgreSQL cannot store (see lianxin.inputs).
    if metadata is not None:
        # Inside the guard (the token and the body checked): a keyed POST answered once.
        app.add_middleware(IdempotencyKeys, sessions=lambda: rt.sessions)
    app.add_middleware(InputGuard, app=app)
    app.add_middleware(OutageGuard)  # outside them: an unreachable database is a 503 there too
    app.add_middleware(SecurityHeaders)  # nosniff, no framing, no referrer (lianxin.headers)
    truthful_openapi(app)
    if metadata is not None:
        completed = app.openapi
        app.openapi = lambda: document_idempotency_keys(completed())  # type: ignore[method-assign]
    _instrument(app)
    return app


def check_consumers(name: str, consumers: Mapping[ConsumerSpec, HandlerFactory]) -> None:
    """A service binds exactly the consumers declared for it: one left out would never be
    pulled (its backlog grows unseen), one of another service's would steal its messages."""
    declared = {spec.durable for spec in SERVICE_CONSUMERS[name]}
    bound = {spec.durable for spec in consumers}
    if set(consumers) != set(SERVICE_CONSUMERS[name]):
        raise RuntimeError(
            f"{name}: consumers declared {sorted(declared)} but handlers bound to {sorted(bound)}"
        )


async def _start(
    rt: Runtime,
    consumers: Mapping[ConsumerSpec, HandlerFactory],
    workers: Sequence[Worker],
    *,
    dead_letters: bool = True,
) -> None:
    if rt.migrations_package is not None:
        rt.engine = make_engine(
            rt.settings.database_url,
            pool_size=rt.settings.db_pool_size,
            max_overflow=rt.settings.db_max_overflow,
            pool_pre_ping=rt.settings.db_pool_pre_ping,
        )
        rt.sessions = make_session_factory(rt.engine)
        if rt.settings.lianxin_sql_spans:
            _instrument_engine(rt.engine)
    rt.nc = await connect(
        rt.settings.nats_url, f"lianxin-{rt.name}", login=rt.settings.nats_login()
    )
    rt.js = rt.nc.jetstream()
    if rt.sessions is not None and rt.outbox is not None:
        rt.relay = OutboxRelay(
            rt.sessions, rt.outbox, rt.js, poll_seconds=rt.settings.outbox_poll_seconds
        )
        rt.tasks.append(asyncio.create_task(rt.relay.run(), name="outbox-relay"))
    for spec, factory in consumers.items():
        on_message = message_handler(rt, spec, factory)
        rt.tasks.append(
            asyncio.create_task(run_consumer(rt.js, spec, on_message), name=spec.durable)
        )
    dl_spec = dead_letter_consumer(rt.name)
    if dl_spec and dead_letters and rt.sessions is not None and rt.dead_letters is not None:
        recorder = dead_letter_recorder(rt.js, rt.sessions, rt.dead_letters)
        rt.tasks.append(asyncio.create_task(run_consumer(rt.js, dl_spec, recorder), name="dlq"))
    for worker in workers:
        name = getattr(worker, "__name__", repr(worker))
        rt.tasks.append(asyncio.create_task(worker(rt), name=name))
    for task in rt.tasks:
        task.add_done_callback(_log_crash)


def message_handler(rt: Runtime, spec: ConsumerSpec, factory: HandlerFactory) -> MessageHandler:
    """What a consumer runs on each message: the service's handler of its events, and for a
    consumer declared `in_order`, only once the messages before it about the same aggregate are
    applied or dead-lettered."""
    on_message = for_events(factory(rt))
    if not spec.in_order:
        return on_message
    assert rt.js and rt.sessions and rt.inbox is not None and rt.dead_letters is not None
    return InOrder(rt.js, spec, on_message, settled_in(rt.sessions, rt.inbox, rt.dead_letters))


def _log_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s died", task.get_name(), exc_info=task.exception())


# Each step of a stop gets this long: a stop must end in bounded time whatever state NATS or
# PostgreSQL are in (an orchestrator kills what outlives its grace period anyway).
STOP_STEP_SECONDS = 10.0


async def _stop(rt: Runtime) -> None:
    for task in rt.tasks:
        task.cancel()
    await _bounded("background tasks", asyncio.gather(*rt.tasks, return_exceptions=True))
    rt.tasks.clear()  # a lifespan run again (tests do) starts afresh
    if rt.nc is not None:
        # close, not drain: unacked messages are simply redelivered to the next replica.
        await _bounded("the NATS connection", rt.nc.close())
    if rt.engine is not None:
        await _bounded("the database pool", rt.engine.dispose())
    shutdown_telemetry()


async def _bounded(what: str, step: Awaitable[object]) -> None:
    try:
        await asyncio.wait_for(step, STOP_STEP_SECONDS)
    except TimeoutError:
        log.warning("stopping: %s did not finish within %ss; going on", what, STOP_STEP_SECONDS)
    except Exception:
        log.warning("stopping: %s failed; going on", what, exc_info=True)


def _instrument(app: FastAPI) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    # One server span per request: the ASGI "http send"/"http receive" spans under it were two
    # or more spans per request saying nothing an operator reads.
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )
    HTTPXClientInstrumentor().instrument()


def _instrument_engine(engine: AsyncEngine) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares SQLAlchemy < 2.1 and otherwise skips silently; it works on 2.1.
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, skip_dep_check=True)
