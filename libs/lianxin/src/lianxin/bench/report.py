"""A run's figures as one JSON document, and the Markdown table made from it."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from lianxin.bench.ceiling import CeilingRun
from lianxin.bench.platform_run import PlatformRun
from lianxin.bench.stats import rate, ratio, summary


def host_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def build(params: dict, host: dict, run: PlatformRun, ceiling: CeilingRun) -> dict:
    platform_rate = rate(len(run.loops), run.seconds)
    ceiling_rate = rate(len(ceiling.loop_ms), ceiling.seconds)
    return {
        "params": params,
        "host": host,
        "platform": {
            "loops": len(run.loops),
            "warmup_loops": run.warmup,
            "seconds": round(run.seconds, 3),
            "loops_per_second": platform_rate,
            "report_to_department_ms": summary([loop.department_ms for loop in run.loops]),
            "report_to_resolved_ms": summary([loop.resolved_ms for loop in run.loops]),
        },
        "ceiling": {
            "loops": len(ceiling.loop_ms),
            "warmup_loops": ceiling.warmup,
            "seconds": round(ceiling.seconds, 3),
            "loops_per_second": ceiling_rate,
            "commits_per_loop": ceiling.commits_per_loop,
            "publishes_per_loop": ceiling.publishes_per_loop,
            "loop_ms": summary(ceiling.loop_ms),
        },
        "platform_to_ceiling": ratio(platform_rate, ceiling_rate),
    }


def _row(name: str, loops_per_second: float, ms: dict) -> str:
    cells = [f"{ms[k]:.1f}" for k in ("p50", "p95", "p99")]
    return f"| {name} | {loops_per_second:.2f} | " + " | ".join(cells) + " |"


def markdown(result: dict) -> str:
    params, host = result["params"], result["host"]
    run, ceiling = result["platform"], result["ceiling"]
    title = (
        f"### lianxin bench: {params['reporters']} reporters, {run['loops']} loops"
        f" (+{run['warmup_loops']} warm-up), {params['urgency']} → {params['department']},"
        f" {host['cpu_count']} CPUs"
    )
    ceiling_name = (
        f"ceiling: {ceiling['commits_per_loop']} commits + {ceiling['publishes_per_loop']}"
        f" publishes, {params['reporters']} workers (whole loop)"
    )
    return "\n".join(
        [
            title,
            "",
            "| measure | loops/s | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|",
            _row(
                "platform: report → department receives",
                run["loops_per_second"],
                run["report_to_department_ms"],
            ),
            _row(
                "platform: report → resolved over HTTP",
                run["loops_per_second"],
                run["report_to_resolved_ms"],
            ),
            _row(ceiling_name, ceiling["loops_per_second"], ceiling["loop_ms"]),
            "",
            f"Platform / ceiling: **{result['platform_to_ceiling']}**"
            f" ({run['loops_per_second']:.2f} / {ceiling['loops_per_second']:.2f} loops/s;"
            f" load average at start {host['load_average'][0]}).",
            "",
        ]
    )


def write(result: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "bench.json", out_dir / "bench.md"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
