"""The supervisor of `lianxin up`, on stand-in processes and a clock the test turns: a crashed
service is restarted after a delay that doubles (capped), the others are left alone, a run that
stays up forgets the crashes, and a crash loop is reported without stopping anything."""

from __future__ import annotations

import itertools

import pytest

from lianxin.runtime.platform import ServiceProcess
from lianxin.runtime.supervisor import Backoff, Supervisor, exit_status

pytestmark = pytest.mark.unit


class Process:
    """What the supervisor reads of a process: `poll()` and `pid`."""

    pids = itertools.count(100)

    def __init__(self) -> None:
        self.pid = next(self.pids)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def supervised(clock: Clock, *names: str) -> tuple[Supervisor, list[ServiceProcess], list[str]]:
    services = [ServiceProcess(name, 8000 + i, Process()) for i, name in enumerate(names)]
    said: list[str] = []
    supervisor = Supervisor(
        services,
        start=lambda name: Process(),
        say=said.append,
        backoff=Backoff(first=1.0, cap=8.0),
        stable_seconds=60.0,
        crash_loop=4,
        clock=clock,
    )
    return supervisor, services, said


def crash(service: ServiceProcess, returncode: int = -9) -> None:
    service.process.returncode = returncode


def test_the_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first=1.0, cap=8.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_crashed_service_is_restarted_after_the_backoff_and_the_others_left_alone(
    clock: Clock,
) -> None:
    supervisor, (organisation, incidents), said = supervised(clock, "organisation", "incidents")
    untouched = organisation.process
    killed = incidents.process
    crash(incidents)

    supervisor.check()
    assert said == ["incidents exited (killed by SIGKILL (exit code -9)); restart 1 in a row in 1s"]
    assert incidents.process is killed  # not before its delay

    clock.now = 1.0
    supervisor.check()
    assert incidents.process is not killed and incidents.process.poll() is None
    assert said[-1] == f"incidents restarted (pid {incidents.process.pid})"
    assert organisation.process is untouched


def test_crashes_in_a_row_wait_longer_each_time_and_a_crash_loop_is_reported_once(
    clock: Clock,
) -> None:
    supervisor, (incidents,), said = supervised(clock, "incidents")
    delays = []
    for _ in range(6):
        crash(incidents, 3)
        supervisor.check()
        delays.append(next(line for line in reversed(said) if "exited" in line).rsplit(" ", 1)[1])
        clock.now += 10.0  # past any delay: restarted, and crashes again at once
        supervisor.check()
    assert delays == ["1s", "2s", "4s", "8s", "8s", "8s"]
    assert all("exit code 3" in line for line in said if "exited" in line)
    looping = [line for line in said if "crash-looping" in line]
    assert len(looping) == 1 and looping[0].startswith("incidents is crash-looping (4 crashes")
    assert supervisor.crash_looping() == ["incidents"]
    assert incidents.process.poll() is None  # still tried again: the platform stays up


def test_a_run_that_stays_up_forgets_the_earlier_crashes(clock: Clock) -> None:
    supervisor, (incidents,), said = supervised(clock, "incidents")
    for _ in range(3):
        crash(incidents)
        supervisor.check()
        clock.now += 10.0
        supervisor.check()
    clock.now += 60.0
    supervisor.check()  # up for a minute now
    crash(incidents)
    supervisor.check()
    assert said[-1].endswith("restart 1 in a row in 1s")


def test_a_service_that_cannot_be_started_is_tried_again_later(clock: Clock) -> None:
    services = [ServiceProcess("incidents", 8002, Process())]
    said: list[str] = []
    attempts: list[str] = []

    def start(name: str) -> Process:
        attempts.append(name)
        if len(attempts) == 1:
            raise OSError("No space left on device")
        return Process()

    supervisor = Supervisor(services, start=start, say=said.append, clock=clock)
    crash(services[0])
    supervisor.check()
    clock.now += 1.0
    supervisor.check()
    assert "could not be started (No space left on device); restart 2 in a row in 2s" in said[-1]
    clock.now += 2.0
    supervisor.check()
    assert attempts == ["incidents", "incidents"]
    assert services[0].process.poll() is None


def test_exit_statuses_name_the_signal() -> None:
    assert exit_status(1) == "exit code 1"
    assert exit_status(-15) == "killed by SIGTERM (exit code -15)"
