"""The nats.js example against a nats-server locked down with the generated department users,
as a department meets it in production: its inbox prefix is the only one it may receive on, and
what it may not do is refused at once as PERMISSIONS_VIOLATION (what docs/departments.md says)."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from lianxin.messaging.nats_accounts import (
    DepartmentUser,
    NatsCredentials,
    new_department_user,
    platform_credentials,
    render_accounts,
)
from lianxin.messaging.streams import declare_all, declare_consumer, department_consumer
from lianxin.runtime.nats import EmbeddedNats
from lianxin.runtime.processes import free_port
from tests.npm import node_folder

pytestmark = pytest.mark.integration

PLATFORM_PASSWORD = "test-platform-nats-password"
A, B = "power_supply", "water_supply"


@functools.cache  # on first use, not at import: bcrypt is slow on purpose
def keys() -> dict[str, tuple[NatsCredentials, DepartmentUser]]:
    """Each department's key as organisation issues it: credentials shown once, hash for NATS."""
    return {code: new_department_user(code) for code in (A, B)}


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "node"
# Another department's consumer: the server must refuse it, and nats.js say so at once.
TRESPASS = """
import { connect } from "nats";
const env = process.env;
const nc = await connect({ servers: env.LIANXIN_NATS_URL, user: env.LIANXIN_NATS_USER,
  pass: env.LIANXIN_NATS_PASSWORD, inboxPrefix: "_INBOX_" + env.LIANXIN_DEPARTMENT });
try {
  await nc.jetstream().consumers.get("DISPATCH", "dept_water_supply");
  console.log("ALLOWED");
} catch (err) {
  console.log(err.code ?? err.message);
} finally {
  await nc.close();
}
"""


async def _platform(url: str) -> nats.NATS:
    credentials = platform_credentials(PLATFORM_PASSWORD)
    return await nats.connect(url, user=credentials.user, password=credentials.password)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    accounts = render_accounts(PLATFORM_PASSWORD, [user for _, user in keys().values()])
    embedded = EmbeddedNats(tmp_path, free_port(), extra_config=accounts)
    embedded.start()

    async def declare() -> None:
        nc = await _platform(embedded.url)
        js = nc.jetstream()
        await declare_all(js)
        for code in (A, B):
            await declare_consumer(js, department_consumer(code))
        await nc.close()

    try:
        asyncio.run(declare())
        yield embedded.url
    finally:
        embedded.stop()


def _node(args: list[str], url: str) -> subprocess.CompletedProcess:
    credentials = keys()[A][0]
    env = dict(
        os.environ,
        LIANXIN_NATS_URL=url,
        LIANXIN_DEPARTMENT=A,
        LIANXIN_NATS_USER=credentials.user,
        LIANXIN_NATS_PASSWORD=credentials.password,
    )
    folder = node_folder(EXAMPLE)
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=60)


async def _whistle(url: str) -> dict:
    assignment_id = str(uuid.uuid4())
    whistle = {
        "id": str(uuid.uuid4()),
        "type": "cn.lianxin.incidents.assignment.dispatched.v1",
        "data": {"assignment_id": assignment_id, "department_code": A},
    }
    nc = await _platform(url)
    headers = {"traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"}
    await nc.jetstream().publish(
        f"dispatch.{A}.assignment_dispatched", json.dumps(whistle).encode(), headers=headers
    )
    await nc.close()
    return {**whistle, "traceparent": headers["traceparent"]}


async def _reports(url: str) -> list:
    nc = await _platform(url)
    js = nc.jetstream()
    last = (await js.stream_info("REPORTS")).state.last_seq
    found = [await js.get_msg("REPORTS", seq) for seq in range(1, last + 1)]
    await nc.close()
    return found


def test_the_nats_js_example_answers_a_whistle_on_a_locked_down_server(server: str) -> None:
    whistle = asyncio.run(_whistle(server))

    done = _node(["node", "department.mjs"], server)

    assert done.returncode == 0, done.stderr
    reports = asyncio.run(_reports(server))
    kinds = ("acknowledged", "started", "resolved")
    assert [m.subject for m in reports] == [f"report.{A}.assignment_{k}" for k in kinds]
    for kind, msg in zip(kinds, reports, strict=True):
        event = json.loads(msg.data)
        recipe = uuid.uuid5(uuid.UUID(whistle["data"]["assignment_id"]), f"{kind}:{whistle['id']}")
        assert event["id"] == msg.headers["Nats-Msg-Id"] == str(recipe)
        # The trace rule: the whistle's header, passed on unchanged, as header and attribute.
        assert msg.headers["traceparent"] == event["traceparent"] == whistle["traceparent"]


def test_nats_js_surfaces_a_refusal_as_permissions_violation(server: str) -> None:
    done = _node(["node", "--input-type=module", "-e", TRESPASS], server)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "PERMISSIONS_VIOLATION"
