"""A service process stops on SIGTERM and on SIGINT within a bounded time whatever state NATS is
in: still unreachable at its start (it is waiting for the first connection), or gone while it
runs (it is reconnecting). An orchestrator would otherwise wait out its grace period and kill it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lianxin import http_clients
from lianxin.runtime import platform as rt
from lianxin.runtime.processes import free_port, port_open, spawn, stop
from lianxin.testing.infrastructure import NatsServer

# What a stop may take: Kubernetes' default grace period is 30 s; ours is well inside it.
STOP_BOUND = 10.0
SIGNALS = [signal.SIGTERM, signal.SIGINT]


def _start(tmp_path: Path, database: str, nats_url: str) -> rt.ServiceProcess:
    """volunteers as `lianxin up` runs it, on this test's database."""
    ports = {service: free_port() for service in rt.SERVICES}
    env = rt.service_env("volunteers", database, nats_url, None, ports)
    env["DATABASE_URL"] = database
    port = ports["volunteers"]
    args = [sys.executable, "-m", "uvicorn", "volunteers.entrypoints.app:app", "--port", str(port)]
    process = spawn(args, log_file=tmp_path / "volunteers.log", env=env)
    return rt.ServiceProcess("volunteers", port, process)


def _stops_within_bound(svc: rt.ServiceProcess, signum: int, log: Path) -> None:
    svc.process.send_signal(signum)
    started = time.monotonic()
    try:
        svc.process.wait(STOP_BOUND)
    except subprocess.TimeoutExpired:
        stop(svc.process, signal.SIGKILL)
        pytest.fail(
            f"{signal.Signals(signum).name} did not stop the service within {STOP_BOUND}s:\n"
            + log.read_text()[-3000:]
        )
    assert time.monotonic() - started < STOP_BOUND
    assert not port_open(svc.port)


def _until(check, svc: rt.ServiceProcess, log: Path, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert svc.process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"the service never {what}"
        time.sleep(0.1)


def _ready(svc: rt.ServiceProcess) -> bool:
    try:
        return http_clients.get(f"{svc.url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
async def test_a_service_waiting_for_an_unreachable_nats_stops_on_a_signal(
    signum: int, migrated_database, tmp_path: Path
) -> None:
    database = await migrated_database("volunteers")
    nowhere = f"nats://127.0.0.1:{free_port()}"  # nothing listens there
    svc = _start(tmp_path, database, nowhere)
    log = tmp_path / "volunteers.log"
    try:
        # It is up to its first connection to NATS, and retrying it.
        _until(lambda: "Connection refused" in log.read_text(), svc, log, "tried NATS")
        _stops_within_bound(svc, signum, log)
    finally:
        stop(svc.process, signal.SIGKILL)


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
async def test_a_service_whose_nats_went_away_stops_on_a_signal(
    signum: int, migrated_database, nats_handle: NatsServer | str, tmp_path: Path
) -> None:
    if isinstance(nats_handle, str):
        pytest.skip("NATS from the environment: this test cannot stop it")
    database = await migrated_database("volunteers")
    svc = _start(tmp_path, database, nats_handle.url)
    log = tmp_path / "volunteers.log"
    try:
        _until(lambda: _ready(svc), svc, log, "got ready")
        nats_handle.stop()
        _until(lambda: not _ready(svc), svc, log, "saw NATS go")  # and is reconnecting
        _stops_within_bound(svc, signum, log)
    finally:
        stop(svc.process, signal.SIGKILL)
