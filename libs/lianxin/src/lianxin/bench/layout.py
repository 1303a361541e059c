"""How many processes of each service the bench's platform runs, and what each of them does.

By default one process per service, doing everything. `--replicas N` runs N processes of each
service that consumes events (`incidents=2,resources=2` names them): replicas share the durable
consumers' messages and the outbox, and the reporters are spread over the HTTP ones. `--split`
runs each consuming service as two processes instead: one serving HTTP (and its outbox relay),
one running the consumers, relay and workers (`LIANXIN_ROLE`, see `lianxin.service`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lianxin.messaging.streams import SERVICE_CONSUMERS
from lianxin.runtime.platform import SERVICES

CONSUMING = tuple(service for service in SERVICES if SERVICE_CONSUMERS[service])
WORKERS_SUFFIX = "-workers"


@dataclass(frozen=True)
class Extra:
    """A process beside a service's first: its name (`incidents-2`), service and role."""

    name: str
    service: str
    role: str | None  # None: everything (`LIANXIN_ROLE` unset)


@dataclass(frozen=True)
class Layout:
    replicas: dict[str, int] = field(default_factory=dict)  # service → processes, when over 1
    split: tuple[str, ...] = ()  # services run as an HTTP process and a workers process

    def __post_init__(self) -> None:
        if self.split and self.replicas:
            raise ValueError("--split and --replicas do not combine: choose one")

    def role_of_first(self, service: str) -> str | None:
        return "http" if service in self.split else None

    def extras(self) -> list[Extra]:
        started = [
            Extra(f"{service}-{n}", service, None)
            for service, count in self.replicas.items()
            for n in range(2, count + 1)
        ]
        started += [Extra(f"{s}{WORKERS_SUFFIX}", s, "workers") for s in self.split]
        return started

    def describe(self) -> dict:
        return {"replicas": dict(self.replicas), "split": list(self.split)}


def parse_replicas(given: str) -> dict[str, int]:
    """`2` → two of each consuming service; `incidents=2,resources=3` → those; `` or `1` → none
    more. Raises ValueError naming what is wrong."""
    given = given.strip()
    if not given:
        return {}
    if "=" not in given:
        count = _count(given)
        return {service: count for service in CONSUMING} if count > 1 else {}
    replicas = {}
    for part in given.split(","):
        service, _, count = part.partition("=")
        service = service.strip()
        if service not in SERVICES:
            raise ValueError(f"{service!r} is not a service: one of {', '.join(SERVICES)}")
        replicas[service] = _count(count)
    return {service: count for service, count in replicas.items() if count > 1}


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a whole number of processes") from None
    if not 1 <= count <= 8:
        raise ValueError(f"{count} processes: between 1 and 8")
    return count
