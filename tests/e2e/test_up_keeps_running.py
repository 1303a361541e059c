"""`lianxin up` as an operator runs it (a subprocess on free ports, its own data directory): a
service killed with SIGKILL is restarted while the rest keep running, and a whistle loop then
completes; Ctrl-C while the first start loads the demo stops everything it started, and the next
`lianxin up` starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from lianxin import http_clients
from lianxin.auth import fetch_token
from lianxin.demo import load_demo
from lianxin.runtime.platform import PLATFORM_SECRET, SERVICES
from lianxin.runtime.processes import free_port, port_open
from lianxin.testing.plugin import session_dir
from tests.conftest import eventually
from tests.e2e.data import POWER, TRANSFORMER, escalation

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

# Everything `lianxin up` started is gone this long after its signal: the services get their
# grace period (15 s, side by side), then SIGKILL; then NATS and PostgreSQL, 15 s each at most.
STOP_BOUND = 90.0
# How long a start may take on a machine shared with other test runs (a few seconds alone).
START_BOUND = 600.0


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Not pytest's tmp_path: PostgreSQL runs as its own user, who may not enter that.
    with session_dir("up") as path:
        yield path


@dataclass
class Up:
    """A running `lianxin up`, its ports and its output."""

    process: subprocess.Popen
    env: dict[str, str]
    ports: dict[str, int]
    output: Path

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def said(self) -> str:
        return self.output.read_text(errors="replace")

    def service_pid(self, service: str) -> int:
        """The pid of the service's process (`<service>.entrypoints.app` on its command line)."""
        for child in psutil.Process(self.process.pid).children():
            if f"{service}.entrypoints.app:app" in " ".join(child.cmdline()):
                return child.pid
        raise AssertionError(f"no {service} process under lianxin up:\n{self.said()}")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def lianxin(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess:
        """Another `lianxin` command in the same data directory, as from a second terminal."""
        done = subprocess.run(
            [sys.executable, "-m", "lianxin.cli", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done


def _env(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    env.update(
        LIANXIN_DATA_DIR=str(data_dir),
        LIANXIN_PG_PORT=str(ports["postgres"]),
        LIANXIN_NATS_PORT=str(ports["nats"]),
        ORGANISATION_URL=f"http://127.0.0.1:{ports['organisation']}",
        **{f"{service.upper()}_PORT": str(ports[service]) for service in SERVICES},
    )
    return env


@contextmanager
def lianxin_up(
    data_dir: Path,
    *args: str,
    ports: dict[str, int] | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Up]:
    ports = ports or {name: free_port() for name in ("postgres", "nats", *SERVICES)}
    env = {**_env(data_dir, ports), **(extra_env or {})}
    output = data_dir.parent / f"up-{time.monotonic_ns()}.txt"
    with output.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lianxin.cli", "up", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    up = Up(process, env, ports, output)
    try:
        yield up
    finally:
        if process.poll() is None:
            stopped(up, signal.SIGTERM)


def started(up: Up, timeout: float = START_BOUND) -> None:
    eventually(
        lambda: "Lianxin console" in up.said() or up.process.poll() is not None, timeout, 0.5
    )
    assert up.process.poll() is None, up.said()


def stopped(up: Up, *signals: int) -> None:
    """Send the signals (Ctrl-C at a terminal under `make run`: one from the terminal, one more
    forwarded by `uv run`); `lianxin up` and everything it started is gone within the bound."""
    left = up.descendants()
    assert left, "lianxin up started nothing"
    for signum in signals:
        up.process.send_signal(signum)
        time.sleep(0.3)
    up.process.wait(STOP_BOUND)
    _gone, alive = psutil.wait_procs(left, timeout=5)
    assert not alive, f"left running: {[p.cmdline()[:3] for p in alive]}\n{up.said()}"
    taken = [name for name, port in up.ports.items() if port_open(port)]
    assert not taken, f"ports still taken: {taken}"


def test_a_killed_service_is_restarted_and_the_loop_completes_meanwhile_the_rest_runs_on(
    workdir: Path,
) -> None:
    with lianxin_up(workdir / "data", "--no-demo") as up:
        started(up)
        load_demo(up.url("organisation"), PLATFORM_SECRET, people=False)
        others = {s: up.service_pid(s) for s in SERVICES if s != "incidents"}

        os.kill(up.service_pid("incidents"), signal.SIGKILL)
        eventually(lambda: "incidents restarted" in up.said(), STOP_BOUND, 0.5)
        assert "incidents exited (killed by SIGKILL (exit code -9))" in up.said()
        eventually(lambda: _ready(up.url("incidents")), START_BOUND, 0.5)

        assert up.process.poll() is None, up.said()
        assert {s: up.service_pid(s) for s in others} == others
        token = fetch_token(up.url("organisation"), "platform", PLATFORM_SECRET, client=True)
        with http_clients.sync_client(
            base_url=up.url("incidents"), timeout=10, headers={"Authorization": f"Bearer {token}"}
        ) as incidents:
            # Once incidents has read the demo's micro-grids and departments from ORG.
            reported = eventually(
                lambda: _created(incidents, "/incidents", TRANSFORMER), START_BOUND, 1
            )
            escalation_url = f"/incidents/{reported['id']}/escalation"
            eventually(lambda: _created(incidents, escalation_url, escalation()), START_BOUND, 1)
            # The department, here as the platform's NATS user: its own user needs the
            # departments' accounts written (`lianxin nats-config`), not what this test is about.
            logins = up.lianxin("nats-credentials", "--platform", "--env").stdout.split()
            login = dict(e.split("=", 1) for e in logins if e.startswith("LIANXIN_NATS_"))
            up.lianxin("dept-sim", "-d", POWER, "--limit", "1", "--resolve-after", "0.1", env=login)
            incident_url = f"/incidents/{reported['id']}"
            eventually(
                lambda: incidents.get(incident_url).json()["status"] == "resolved", START_BOUND, 1
            )
        stopped(up, signal.SIGTERM)


def test_ctrl_c_while_the_first_start_loads_the_demo_stops_everything(workdir: Path) -> None:
    data_dir = workdir / "data"
    with lianxin_up(data_dir) as up:
        # The demo is loading: organisation answers, and has some of the demo but not all.
        eventually(lambda: _districts(up) or up.process.poll() is not None, START_BOUND, 0.2)
        assert up.process.poll() is None, up.said()
        assert "Lianxin console" not in up.said()
        stopped(up, signal.SIGINT, signal.SIGINT)
    with lianxin_up(data_dir, "--no-demo", ports=up.ports) as again:
        started(again)
        stopped(again, signal.SIGINT)


def _created(client: httpx.Client, path: str, body: dict) -> dict | None:
    answer = client.post(path, json=body)
    return answer.json() if answer.status_code in (200, 201) else None


def _ready(url: str) -> bool:
    try:
        return http_clients.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _districts(up: Up) -> bool:
    try:
        token = fetch_token(up.url("organisation"), "platform", PLATFORM_SECRET, client=True)
        answer = http_clients.get(
            f"{up.url('organisation')}/districts",
            headers={"Authorization": f"Bearer {token}"},
            timeout=2,
        )
    except httpx.HTTPError:
        return False
    if answer.status_code != 200:
        return False
    listed = answer.json()
    return bool(listed.get("items") if isinstance(listed, dict) else listed)
