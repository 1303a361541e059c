"""Keeping the NATS server's users in step with organisation's NATS keys (the I/O around
lianxin.messaging.nats_accounts): fetch the valid keys' users, write the accounts file, reload.

The platform's own NATS password is nobody else's secret: `LIANXIN_NATS_PLATFORM_PASSWORD`, or
on a laptop a random one `lianxin up` generates once into `<data dir>/secrets/`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
from nats.js.errors import ServiceUnavailableError

from lianxin import http_clients
from lianxin.auth import KeptTokens
from lianxin.messaging.connection import connect
from lianxin.messaging.nats_accounts import (
    DepartmentUser,
    nats_department_codes,
    new_secret,
    render_accounts,
)
from lianxin.messaging.streams import declare_consumer, department_consumer

log = logging.getLogger(__name__)


# The sync asks every 15 s; organisation's access tokens live 15 minutes.
_tokens = KeptTokens(keep_seconds=5 * 60)


def _as_platform(organisation_url: str, platform_secret: str, path: str) -> Any:
    def get(token: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return http_clients.get(f"{organisation_url}{path}", headers=headers, timeout=10)

    def token(fresh: bool = False) -> str:
        return _tokens.get(organisation_url, "platform", platform_secret, client=True, fresh=fresh)

    answer = get(token())
    if answer.status_code == 401:  # a kept token organisation no longer takes (its keys changed)
        answer = get(token(fresh=True))
    answer.raise_for_status()
    return answer.json()


def fetch_departments(organisation_url: str, platform_secret: str) -> list[dict[str, Any]]:
    """The departments in service, as the platform sees them."""
    return _as_platform(organisation_url, platform_secret, "/departments")


def fetch_nats_users(organisation_url: str, platform_secret: str) -> list[DepartmentUser]:
    """One user per valid key of each department in service with a NATS channel: a key past
    its overlap, or a retired department's, is not among them."""
    users = _as_platform(organisation_url, platform_secret, "/nats-users")
    return [DepartmentUser(**user) for user in users]


def platform_password(data_dir: Path) -> str:
    """The platform user's NATS password: the setting, else the one generated under `data_dir`."""
    if given := os.environ.get("LIANXIN_NATS_PLATFORM_PASSWORD"):
        return given
    path = data_dir / "secrets" / "nats-platform-password"
    if not path.exists():
        write_private(path, new_secret())
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner reads, beside it first then renamed: no reader (the server
    among them) ever sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.chmod(0o600)
    partial.replace(path)


def write_accounts(path: Path, users: Iterable[DepartmentUser], platform_password: str) -> bool:
    """Write the accounts file; True when it changed (only then does the server need a reload)."""
    text = render_accounts(platform_password, users)
    if path.exists() and path.read_text() == text:
        return False
    write_private(path, text)
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


def sync_in_background(
    fetch_users: Callable[[], list[DepartmentUser]],
    path: Path,
    password: str,
    reload: Callable[[], object],
    every_seconds: float = 15.0,
) -> threading.Event:
    """Render the users now and then every `every_seconds`, reloading the server whenever the
    file changed: a rotated key's overlap ends, a retired department's users go, a new key comes,
    without anyone running `lianxin nats-config`. A failed round (organisation restarting) waits
    for the next one. Setting the event it returns ends the loop, quietly: a round that fails
    because the platform is stopping is no news."""
    stop = threading.Event()

    def once() -> None:
        if write_accounts(path, fetch_users(), password):
            reload()

    once()

    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                once()
            except Exception:  # a sync round must never end the loop
                if not stop.is_set():
                    log.warning("NATS users not synced this round", exc_info=True)

    threading.Thread(target=loop, name="nats-users-sync", daemon=True).start()
    return stop
