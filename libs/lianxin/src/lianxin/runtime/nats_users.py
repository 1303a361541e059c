"""Keeping the NATS server's users in step with organisation's departments (the I/O around
lianxin.messaging.nats_accounts): fetch the departments, write the accounts file, reload."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
from nats.js.errors import ServiceUnavailableError

from lianxin.auth import fetch_token
from lianxin.messaging.connection import connect
from lianxin.messaging.nats_accounts import nats_department_codes, render_accounts
from lianxin.messaging.streams import declare_consumer, department_consumer


def fetch_departments(organisation_url: str, platform_secret: str) -> list[dict[str, Any]]:
    """The departments in service (retired ones lose their NATS user), as the platform sees them."""
    token = fetch_token(organisation_url, "platform", platform_secret, client=True)
    answer = httpx.get(
        f"{organisation_url}/departments",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def write_accounts(
    path: Path, departments: Iterable[Mapping[str, Any]], platform_secret: str
) -> bool:
    """Write the accounts file; True when it changed (only then does the server need a reload)."""
    text = render_accounts(departments, platform_secret)
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside it, then rename: the server never reads half a file.
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.chmod(0o600)
    partial.replace(path)
    return True


def reload_server(pid_file: Path) -> bool:
    """Ask the nats-server whose pid is in `pid_file` to reload its config (what
    `nats-server --signal reload` does). False when no server is running there."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    return True


async def declare_department_consumers(
    nats_url: str, departments: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Pre-create each NATS department's durable consumer (idempotent), so a department whose
    user exists can always bind. The incidents service does the same when a department is
    registered; this covers departments it learnt of before the consumer existed."""
    codes = nats_department_codes(departments)
    nc = await connect(nats_url, "lianxin-nats-config")
    try:
        js = nc.jetstream()
        await _jetstream_answers(js)
        for code in codes:
            await declare_consumer(js, department_consumer(code))
    finally:
        await nc.close()
    return codes


async def _jetstream_answers(js, *, seconds: float = 15.0) -> None:
    """Wait until JetStream answers: right after a reload (SIGHUP) of the accounts it can take a
    moment, and until then every API request gets "no responders"."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            await js.account_info()
            return
        except ServiceUnavailableError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
