"""Keeping the platform's services running: one crash is a restart, not an outage.

`lianxin up` calls `Supervisor.check` twice a second. A service whose process has exited is
started again after a delay that doubles with each crash in a row, up to a cap; a run that stays
up `stable_seconds` forgets the earlier crashes. A service that keeps crashing is reported as
crash-looping and still tried again at the cap: the other services, and the platform, stay up.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lianxin.runtime.platform import ServiceProcess


@dataclass(frozen=True)
class Backoff:
    """The delay before the n-th restart in a row: first, twice that, … never above `cap`."""

    first: float = 1.0
    cap: float = 30.0

    def delay(self, crashes: int) -> float:
        return min(self.cap, self.first * 2 ** max(crashes - 1, 0))


@dataclass
class _Watch:
    """What the supervisor knows of one service between its checks."""

    service: ServiceProcess
    started_at: float
    crashes: int = 0  # in a row: reset once a run has stayed up stable_seconds
    restart_at: float | None = None


def exit_status(returncode: int) -> str:
    """'exit code 3', or 'killed by SIGKILL (exit code -9)' for a process a signal ended."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name} (exit code {returncode})"
    return f"exit code {returncode}"


@dataclass
class Supervisor:
    """Restarts the services' processes (in place: `service.process` is the current one)."""

    services: Sequence[ServiceProcess]
    start: Callable[[str], subprocess.Popen]  # a fresh process of the named service
    say: Callable[[str], None]
    backoff: Backoff = Backoff()
    stable_seconds: float = 60.0
    crash_loop: int = 5  # crashes in a row that make a service reported as crash-looping
    clock: Callable[[], float] = time.monotonic
    _watches: list[_Watch] = field(init=False)

    def __post_init__(self) -> None:
        self._watches = [_Watch(svc, self.clock()) for svc in self.services]

    def check(self) -> None:
        now = self.clock()
        for watch in self._watches:
            if watch.restart_at is not None:
                if now >= watch.restart_at:
                    self._restart(watch, now)
                continue
            returncode = watch.service.process.poll()
            if returncode is None:
                if watch.crashes and now - watch.started_at >= self.stable_seconds:
                    watch.crashes = 0
                continue
            self._crashed(watch, f"exited ({exit_status(returncode)})", now)

    def crash_looping(self) -> list[str]:
        return [w.service.name for w in self._watches if w.crashes >= self.crash_loop]

    def _crashed(self, watch: _Watch, why: str, now: float) -> None:
        watch.crashes += 1
        delay = self.backoff.delay(watch.crashes)
        name = watch.service.name
        self.say(f"{name} {why}; restart {watch.crashes} in a row in {delay:g}s")
        if watch.crashes == self.crash_loop:
            self.say(
                f"{name} is crash-looping ({watch.crashes} crashes in a row): see its log;"
                f" the other services stay up and {name} is tried again every {self.backoff.cap:g}s"
            )
        watch.restart_at = now + delay

    def _restart(self, watch: _Watch, now: float) -> None:
        watch.restart_at = None
        watch.started_at = now
        try:
            watch.service.process = self.start(watch.service.name)
        except OSError as exc:  # e.g. its log file's disk is full: try again later, as a crash
            self._crashed(watch, f"could not be started ({exc})", now)
            return
        self.say(f"{watch.service.name} restarted (pid {watch.service.process.pid})")
