"""`lianxin bench --profile`: where each service process spends its CPU over the measured loops.

One `py-spy record --nonblocking -f raw` per service process, started just before the first
measured report and stopped (SIGINT: py-spy writes what it has) just after the last `resolved`
read; `-d` is only an upper bound. `--nonblocking` reads the process's memory without pausing
it, so the services run at their own pace, though py-spy's own sampling (100 a second per
process) takes CPU from the same cores: a profiled run's loops/s is not a figure to compare.
py-spy leaves idle threads out, so the shares are of the samples where Python was running.

From each raw file (one line per distinct stack: `frame;frame;…;leaf count`): the 15 functions
with the most samples of their own (the stack's leaf), and per library group the share of samples
whose leaf is in it (`own`) and whose stack passes through it anywhere (`inclusive`). A process
py-spy cannot attach to (no ptrace permission, say) gets its error instead of figures.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from lianxin.runtime.processes import spawn

UPPER_BOUND_SECONDS = 3600
RATE_HZ = 100  # py-spy's default
TOP = 15
OTHER = "other"
# A frame's file as py-spy shortens it (relative to its sys.path entry) → its group.
GROUPS: dict[str, tuple[str, ...]] = {
    "starlette/fastapi": ("starlette/", "fastapi/"),
    "pydantic": ("pydantic/", "pydantic_core/", "pydantic_settings/"),
    "sqlalchemy": ("sqlalchemy/",),
    "asyncpg": ("asyncpg/",),
    "nats": ("nats/",),
    "json": ("json/", "orjson"),
    "uvloop/asyncio": ("uvloop/", "asyncio/"),
    "opentelemetry": ("opentelemetry/",),
    "lianxin/our code": (
        "lianxin/",
        "incidents/",
        "resources/",
        "volunteers/",
        "organisation/",
        "console/",
    ),
}
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    """The py-spy beside this Python (the dev group installs it), else one on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profiler:
    """py-spy on each of `processes` (name → pid), its raw output into `out_dir`."""

    def __init__(self, processes: Mapping[str, int], out_dir: Path) -> None:
        self.processes = dict(processes)
        self.out_dir = out_dir
        self.running: dict[str, subprocess.Popen] = {}

    def raw_file(self, name: str) -> Path:
        return self.out_dir / f"profile-{name}.txt"

    def log_file(self, name: str) -> Path:
        return self.out_dir / f"profile-{name}.log"

    def start(self) -> None:
        binary = py_spy()
        if binary is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name, pid in self.processes.items():
            self.raw_file(name).unlink(missing_ok=True)
            args = [binary, "record", "--nonblocking", "-f", "raw"]
            args += ["-d", str(UPPER_BOUND_SECONDS), "-p", str(pid), "-o", str(self.raw_file(name))]
            self.log_file(name).unlink(missing_ok=True)
            self.running[name] = spawn(args, log_file=self.log_file(name))

    def stop(self) -> dict:
        """Every py-spy stopped, its file read: the `profile` part of `bench.json`."""
        if py_spy() is None:
            return {"error": "py-spy not found (`uv sync` installs it with the dev group)"}
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        figures = {}
        for name, process in self.running.items():
            try:
                process.wait(60)  # writing the file takes a moment on a busy machine
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            figures[name] = self._read(name)
        self.running.clear()
        return {"tool": f"py-spy record --nonblocking -f raw, {RATE_HZ} Hz", "processes": figures}

    def _read(self, name: str) -> dict:
        raw = self.raw_file(name)
        if not raw.exists() or not raw.stat().st_size:
            said = self.log_file(name).read_text(errors="replace").strip().splitlines()
            errors = [line for line in said if "rror" in line] or said[-1:] or ["no output"]
            return {"error": f"py-spy could not profile it: {errors[0][:300]}"}
        return {"raw": raw.name, **summarise(raw.read_text())}


def summarise(raw: str) -> dict:
    """Samples, the top functions by own samples, and each group's share (see the module)."""
    own: Counter[str] = Counter()
    own_groups: Counter[str] = Counter()
    inclusive_groups: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = [_frame(frame) for frame in stack.split(";")]
        total += samples
        function, file = frames[-1]
        own[f"{function} ({file})"] += samples
        own_groups[group_of(file)] += samples
        for group in {group_of(file) for _, file in frames}:
            inclusive_groups[group] += samples
    return {
        "samples": total,
        "top_own": [
            {"function": function, "samples": n, "share": _share(n, total)}
            for function, n in own.most_common(TOP)
        ],
        "groups_own": _shares(own_groups, total),
        "groups_inclusive": _shares(inclusive_groups, total),
    }


def group_of(file: str) -> str:
    for group, prefixes in GROUPS.items():
        if file.startswith(prefixes):
            return group
    return OTHER


def _frame(frame: str) -> tuple[str, str]:
    matched = _FRAME.match(frame)
    return (matched["function"], matched["file"]) if matched else (frame, "")


def _shares(counts: Counter[str], total: int) -> dict[str, float]:
    groups = [*GROUPS, OTHER]
    return {group: _share(counts.get(group, 0), total) for group in groups}


def _share(count: int, total: int) -> float:
    return round(count / total, 3) if total else 0.0
