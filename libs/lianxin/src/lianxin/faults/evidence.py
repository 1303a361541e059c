"""What the checks read after a scenario: the incidents from the HTTP API, every message of the
streams the whistle loop crosses, and incidents' dead letters. Reading only; the judging is in
`checks`, on plain data, so it can be unit-tested on recorded evidence."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import httpx
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import ServiceUnavailableError

from lianxin.http_clients import async_client

STREAMS = {"INCIDENTS": "incidents.>", "DISPATCH": "dispatch.>", "REPORTS": "report.>"}


@dataclass(frozen=True)
class StreamMessage:
    stream: str
    seq: int
    subject: str
    msg_id: str  # the Nats-Msg-Id header
    data: dict  # the CloudEvent, or {} when the payload is not JSON (a poison message)

    @property
    def type(self) -> str:
        return str(self.data.get("type", ""))

    def refers_to(self) -> set[str]:
        """The incident and assignment ids the event names."""
        inner = self.data.get("data")
        inner = inner if isinstance(inner, dict) else {}
        keys = ("incident_id", "assignment_id")
        return {str(inner[k]) for k in keys if k in inner} | {str(self.data.get("subject", ""))}


@dataclass(frozen=True)
class Evidence:
    incidents: dict[str, dict | None]  # incident id -> GET /incidents/{id}, None if 404
    by_description: dict[str, list[str]]  # a loop's description -> the incidents carrying it
    messages: list[StreamMessage]
    dead_letters: list[dict]


async def wait_converged(
    incidents_url: str, token: str, incident_ids: list[str], bound: float
) -> float | None:
    """Seconds until every incident reads `resolved`, or None if some did not within `bound`."""
    started = time.monotonic()
    pending = set(incident_ids)
    async with _client(incidents_url, token) as http:
        while pending:
            for incident_id in list(pending):
                try:
                    answer = await http.get(f"/incidents/{incident_id}")
                except httpx.HTTPError:
                    continue
                if answer.status_code == 200 and answer.json()["status"] == "resolved":
                    pending.discard(incident_id)
            if not pending:
                break
            if time.monotonic() - started > bound:
                return None
            await asyncio.sleep(0.5)
    return time.monotonic() - started


async def gather(
    incidents_url: str, nats_url: str, token: str, ids: list[str], after: dict[str, int]
) -> Evidence:
    async with _client(incidents_url, token) as http:
        incidents = {}
        for incident_id in ids:
            answer = await http.get(f"/incidents/{incident_id}")
            incidents[incident_id] = answer.json() if answer.status_code == 200 else None
        by_description: dict[str, list[str]] = {}
        for listed in await _all_incidents(http):
            by_description.setdefault(listed["description"], []).append(listed["id"])
        letters = await http.get("/ops/dead-letters")
        letters.raise_for_status()
    return Evidence(
        incidents, by_description, await _read_streams_again(nats_url, after), letters.json()
    )


async def _read_streams_again(
    nats_url: str, after: dict[str, int], attempts: int = 10
) -> list[StreamMessage]:
    """On a cluster, the node a check connects to may be one just restarted or healed, whose
    JetStream does not answer yet ("no responders", a timeout): read again, from the start."""
    for attempt in range(1, attempts + 1):
        try:
            return await read_streams(nats_url, after)
        except (ServiceUnavailableError, nats.errors.TimeoutError):
            if attempt == attempts:
                raise
            await asyncio.sleep(3)
    raise AssertionError("unreachable")


async def _all_incidents(http: httpx.AsyncClient) -> list[dict]:
    found: list[dict] = []
    while True:
        page = await http.get("/incidents", params={"limit": 500, "offset": len(found)})
        page.raise_for_status()
        found += page.json()
        if len(found) >= int(page.headers["X-Total-Count"]) or not page.json():
            return found


async def stream_ends(nats_url: str) -> dict[str, int]:
    """The last sequence of each of the loop's streams: where a scenario's own messages begin."""
    nc = await nats.connect(nats_url.split(","), name="lianxin-faults-checks")
    try:
        js = nc.jetstream()
        return {stream: (await js.stream_info(stream)).state.last_seq for stream in STREAMS}
    finally:
        await nc.close()


async def read_streams(nats_url: str, after: dict[str, int]) -> list[StreamMessage]:
    """Every message in the loop's streams after the sequences `after` (a scenario's own: every
    event of its loops, and any second copy of one, comes after them; the scenarios before
    are not read again), in stream order, through an ephemeral consumer."""
    nc = await nats.connect(nats_url.split(","), name="lianxin-faults-checks")
    js = nc.jetstream()
    found: list[StreamMessage] = []
    try:
        for stream, subjects in STREAMS.items():
            last = (await js.stream_info(stream)).state.last_seq
            first = after.get(stream, 0) + 1
            if last < first:
                continue
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=first,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=30,
            )
            subscription = await js.pull_subscribe(subjects, stream=stream, config=config)
            seq = 0
            while seq < last:
                for msg in await subscription.fetch(256, timeout=5):
                    seq = msg.metadata.sequence.stream
                    found.append(_message(stream, seq, msg))
            await subscription.unsubscribe()
    finally:
        await nc.close()
    return found


def _message(stream: str, seq: int, msg) -> StreamMessage:
    try:
        data = json.loads(msg.data)
    except ValueError:
        data = {}
    headers = dict(msg.headers or {})
    return StreamMessage(
        stream,
        seq,
        msg.subject,
        headers.get("Nats-Msg-Id", ""),
        data if isinstance(data, dict) else {},
    )


def _client(url: str, token: str) -> httpx.AsyncClient:
    return async_client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
