"""How busy the machine was over the measured loops: is the CPU the saturated resource?

Two figures over the same window (from just before the first measured report to just after the
last `resolved` read, without the pauses `server_stats` waits for PostgreSQL):

- `process_cpu_share`: the CPU seconds of every process of the run (services, PostgreSQL with
  its backends, NATS, the bench itself) over cores × wall seconds. Near 1: the run alone kept
  every core busy.
- `host_busy_share`: the share of the host's CPU time not idle (`psutil.cpu_times`, every
  process of the machine). Well above `process_cpu_share`: neighbours took the rest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

import psutil

from lianxin.bench.server_stats import cpu_seconds

IDLE = ("idle", "iowait")
COUNTED_IN_USER = ("guest", "guest_nice")  # Linux counts a guest's time in `user` already


@dataclass(frozen=True)
class Sample:
    wall: float
    processes: dict[str, float]  # name → CPU seconds so far
    host_busy: float
    host_total: float


def sample(processes: Mapping[str, int]) -> Sample:
    times = psutil.cpu_times()._asdict()
    total = sum(v for k, v in times.items() if k not in COUNTED_IN_USER)
    idle = sum(times.get(k, 0.0) for k in IDLE)
    return Sample(time.monotonic(), cpu_seconds(processes), total - idle, total)


def window(before: Sample, after: Sample) -> dict:
    """The window's length, each process's CPU seconds in it, and the two shares."""
    seconds = after.wall - before.wall
    cores = os.cpu_count() or 1
    used = {
        name: round(cpu - before.processes[name], 3)
        for name, cpu in after.processes.items()
        if name in before.processes
    }
    host_total = after.host_total - before.host_total
    return {
        "seconds": round(seconds, 3),
        "cores": cores,
        "process_cpu_seconds": used,
        "process_cpu_share": round(sum(used.values()) / (cores * seconds), 3) if seconds else None,
        "host_busy_share": (
            round((after.host_busy - before.host_busy) / host_total, 3) if host_total else None
        ),
    }
