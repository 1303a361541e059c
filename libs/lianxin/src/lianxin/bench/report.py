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
from lianxin.bench.profile import GROUPS, OTHER
from lianxin.bench.stats import rate, ratio, summary


def host_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def curve_point(reporters: int, run: PlatformRun) -> dict:
    """One point of the curve: loops/s and latencies at this many reporters."""
    department = summary([loop.department_ms for loop in run.loops])
    resolved = summary([loop.resolved_ms for loop in run.loops])
    return {
        "reporters": reporters,
        "loops": len(run.loops),
        "loops_per_second": rate(len(run.loops), run.seconds),
        "report_to_department_ms": {k: department[k] for k in ("p50", "p99")},
        "report_to_resolved_ms": {k: resolved[k] for k in ("p50", "p99")},
    }


def half_load_point(offered: float, run: PlatformRun) -> dict:
    """The open-loop run at half the highest load: what it offered, what it got, its latencies."""
    return {
        "offered_loops_per_second": round(offered, 2),
        "loops": len(run.loops),
        "loops_per_second": rate(len(run.loops), run.seconds),
        "report_to_department_ms": summary([loop.department_ms for loop in run.loops]),
        "report_to_resolved_ms": summary([loop.resolved_ms for loop in run.loops]),
    }


def at_half_load(curve: list[dict]) -> dict | None:
    """The busiest point of the curve at no more than half the curve's highest loops/s (the
    least busy one when even that runs faster): where "p99 at half the maximum load" is read."""
    if not curve:
        return None
    half = max(point["loops_per_second"] for point in curve) / 2
    under = [point for point in curve if point["loops_per_second"] <= half]
    if under:
        return max(under, key=lambda point: point["loops_per_second"])
    return min(curve, key=lambda point: point["loops_per_second"])


def build(
    params: dict,
    host: dict,
    run: PlatformRun,
    ceiling: CeilingRun,
    *,
    servers: dict | None = None,
    machine: dict | None = None,
    profile: dict | None = None,
    curve: list[dict] | None = None,
    half_load: dict | None = None,
) -> dict:
    """`servers`: what `server_stats.per_loop` counted over the measured window; `machine`: what
    `machine.window` measured over the loops; `profile`: what `Profiler.stop` read; `curve`: the
    points `curve_point` made; `half_load`: what `half_load_point` made. Each left out of the
    result when not measured."""
    platform_rate = rate(len(run.loops), run.seconds)
    ceiling_rate = rate(len(ceiling.loop_ms), ceiling.seconds)
    result = {
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
    if servers is not None:
        result["servers"] = servers
    if machine is not None:
        result["machine"] = machine
    if profile is not None:
        result["profile"] = profile
    if curve:
        result["curve"] = curve
        result["curve_at_half_load"] = at_half_load(curve)
    if half_load is not None:
        result["at_half_load"] = half_load
    return result


def _row(name: str, loops_per_second: float, ms: dict) -> str:
    cells = [f"{ms[k]:.1f}" for k in ("p50", "p95", "p99")]
    return f"| {name} | {loops_per_second:.2f} | " + " | ".join(cells) + " |"


def markdown(result: dict) -> str:
    params, host = result["params"], result["host"]
    run, ceiling = result["platform"], result["ceiling"]
    title = (
        f"### lianxin bench: {params['reporters']} reporters, {run['loops']} loops"
        f" (+{run['warmup_loops']} warm-up), {params['urgency']} → {params['department']},"
        f" {host['cpu_count']} CPUs, {_layout_text(params.get('processes', {}))}"
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
            *_servers_lines(result.get("servers")),
            *_machine_lines(result.get("machine")),
            *_curve_lines(result.get("curve"), result.get("curve_at_half_load")),
            *_half_load_lines(result.get("at_half_load")),
            *profile_lines(result.get("profile")),
        ]
    )


def _layout_text(processes: dict) -> str:
    if processes.get("split"):
        return "HTTP and workers apart: " + ", ".join(processes["split"])
    replicas = processes.get("replicas")
    if replicas:
        return "processes: " + ", ".join(f"{s} × {n}" for s, n in replicas.items())
    return "one process per service"


def _machine_lines(window: dict | None) -> list[str]:
    if window is None:
        return []
    used = window["process_cpu_seconds"]
    return [
        f"**The machine over the measured loops** ({window['seconds']:.1f} s, {window['cores']}"
        f" cores): the run's processes used **{window['process_cpu_share']:.0%}** of it"
        f" ({sum(used.values()):.1f} CPU s: "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in used.items())
        + f"); the host was busy **{window['host_busy_share']:.0%}** of the time, every process"
        " counted (the difference: neighbours).",
        "",
    ]


def _half_load_lines(half: dict | None) -> list[str]:
    if half is None:
        return []
    department, resolved = half["report_to_department_ms"], half["report_to_resolved_ms"]
    return [
        f"**At half the maximum load** ({half['offered_loops_per_second']:.2f} loops/s offered"
        f" on a fixed schedule, {half['loops']} loops, {half['loops_per_second']:.2f} loops/s"
        f" done): report → department receives p50 {department['p50']:.1f} ms,"
        f" **p99 {department['p99']:.1f} ms**; report → resolved over HTTP p50"
        f" {resolved['p50']:.1f} ms, p99 {resolved['p99']:.1f} ms.",
        "",
    ]


def _servers_lines(servers: dict | None) -> list[str]:
    if not servers:
        return []
    counted = servers["source"]
    lines = [
        f"Per loop over the measured window, as PostgreSQL counted it ({counted}):",
        "",
        "| database | statements | of which SELECT / INSERT / UPDATE / DELETE / WITH | commits |"
        " new connections | rows written |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for service, figures in servers["per_loop"].items():
        kinds = figures.get("statements_by_kind", {})
        # WITH: a transaction's writes in one statement (`lianxin.persistence.writes`), or an
        # inbox mark with the load it goes with.
        split = " / ".join(
            f"{kinds.get(k, 0):g}" for k in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
        )
        statements = figures.get("statements", "–")
        lines.append(
            f"| {service} | {statements} | {split if kinds else '–'} | {figures['commits']}"
            f" | {figures['new_connections']} | {figures['rows_written']} |"
        )
    cpu = servers["cpu_seconds_per_loop"]
    lines += [
        "",
        "CPU seconds per loop: "
        + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in cpu.items())
        + f" (in all {sum(cpu.values()) * 1000:.1f} ms).",
        "",
    ]
    return lines


def _curve_lines(curve: list[dict] | None, half: dict | None) -> list[str]:
    if not curve:
        return []
    lines = [
        "Curve (each point its own run):",
        "",
        "| reporters | loops | loops/s | report → department p50 / p99 ms |"
        " report → resolved p50 / p99 ms |",
        "|---:|---:|---:|---:|---:|",
    ]
    for p in curve:
        department, resolved = p["report_to_department_ms"], p["report_to_resolved_ms"]
        lines.append(
            f"| {p['reporters']} | {p['loops']} | {p['loops_per_second']:.2f}"
            f" | {department['p50']:.1f} / {department['p99']:.1f}"
            f" | {resolved['p50']:.1f} / {resolved['p99']:.1f} |"
        )
    if half is not None:
        lines += [
            "",
            f"The curve's point at half its highest load ({half['reporters']} reporters,"
            f" {half['loops_per_second']:.2f} loops/s): report → department p99"
            f" {half['report_to_department_ms']['p99']:.1f} ms.",
        ]
    return [*lines, ""]


def profile_lines(profile: dict | None) -> list[str]:
    if profile is None:
        return []
    if "error" in profile:
        return [f"Profile: {profile['error']}.", ""]
    lines = [f"**Profile over the measured loops** ({profile['tool']}; raw files beside):", ""]
    groups = [*GROUPS, OTHER]
    lines += [
        "| process | samples | " + " | ".join(groups) + " |",
        "|---|---:|" + "---:|" * len(groups),
    ]
    for name, figures in profile["processes"].items():
        if "error" in figures:
            lines.append(f"| {name} | {figures['error']} |")
            continue
        own, inclusive = figures["groups_own"], figures["groups_inclusive"]
        cells = [f"{own[g]:.0%} ({inclusive[g]:.0%})" for g in groups]
        lines.append(f"| {name} | {figures['samples']} | " + " | ".join(cells) + " |")
    lines += ["", "Share of samples: own (anywhere in the stack).", ""]
    for name, figures in profile["processes"].items():
        if "top_own" not in figures:
            continue
        lines += [f"Top functions of {name} by own samples:", ""]
        lines += ["| function | samples | share |", "|---|---:|---:|"]
        for top in figures["top_own"]:
            function = top["function"].replace("|", "\\|")
            lines.append(f"| `{function}` | {top['samples']} | {top['share']:.1%} |")
        lines.append("")
    return lines


def write(result: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "bench.json", out_dir / "bench.md"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
