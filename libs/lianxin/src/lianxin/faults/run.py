"""One scenario after another on one platform: load, fault, heal, converge, check."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from lianxin.faults import checks, driver, evidence
from lianxin.faults.control import FaultPlatform
from lianxin.faults.report import Outcome
from lianxin.faults.scenarios import Fault, Scenario

T = TypeVar("T")


def run_scenario(
    plat: FaultPlatform,
    scenario: Scenario,
    *,
    loops: int,
    rate: float,
    fault_after: float,
    bound: float,
) -> Outcome:
    """The load and the checks run in a thread of their own; the fault, and every process it
    starts, in this one. A child dies with the thread that started it (PR_SET_PDEATHSIG is per
    thread), so a service restarted from a passing worker thread would stop when it ended."""
    ensure_up(plat)
    plat.use_duplicate_window(scenario.duplicate_window)
    token = plat.token()
    urls = [plat.url("incidents")]
    replicas = plat.start_replicas(scenario.replicas)
    if "incidents" in replicas:
        urls.append(replicas["incidents"])
    fault, exits = Fault(), []
    ends = asyncio.run(evidence.stream_ends(plat.nats_url))
    try:
        drive = driver.drive(urls, token, scenario.name, loops=loops, rate=rate)
        load = _watching(plat, fault, exits, drive, inject=(fault_after, scenario.inject))
        acknowledged = [str(loop.incident_id) for loop in load.acknowledged()]
        waiting = evidence.wait_converged(urls[0], token, acknowledged, bound)
        converged = _watching(plat, fault, exits, waiting)
        # what converged late still counts: read everything once the bound has passed
        ids = [str(loop.incident_id) for loop in load.loops if loop.incident_id]
        found = asyncio.run(evidence.gather(urls[0], plat.nats_url, token, ids, ends))
    finally:
        plat.stop_replicas()
    verdict = checks.judge(load, found, converged is not None)
    errors = dict(load.errors)
    if exits:
        errors["department client exited"] = len(exits)
    poisoned = checks.poison_recorded(fault.poison_sent, found.dead_letters)
    for msg_id, reasons in poisoned.items():
        if len(reasons) != 1:
            verdict.fail("lost" if not reasons else "doubled", None, f"poison {msg_id}: {reasons}")
    return Outcome(
        scenario=scenario.name,
        what=scenario.what,
        verdict=verdict,
        gave_up=[f"loop {loop.n}: {loop.gave_up}" for loop in load.loops if loop.gave_up],
        outage_s=checks.outage(load, fault.started),
        converged_s=converged,
        client_errors=errors,
        dead_letters={m: r[0] if len(r) == 1 else r for m, r in poisoned.items()},
        notes=fault.notes,
    )


def _watching(
    plat: FaultPlatform,
    fault: Fault,
    exits: list[int],
    work: Coroutine[Any, Any, T],
    inject: tuple[float, Callable[[FaultPlatform, Fault], None]] | None = None,
) -> T:
    """`work` run in a thread while this one injects the fault when it is due, and restarts the
    department client whenever it dies by itself (counted: a client error)."""
    done: dict[str, Any] = {}

    def target() -> None:
        try:
            done["result"] = asyncio.run(work)
        except BaseException as exc:  # raised again below, in the caller's thread
            done["error"] = exc

    worker = threading.Thread(target=target, name="faults-load", daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        if inject and time.monotonic() - started >= inject[0]:
            inject[1](plat, fault)
            inject = None
        if not fault.department_offline and (code := plat.department_exited()) is not None:
            exits.append(code)
            plat.start_department()
        worker.join(0.2)
    if inject:  # the load ended first: the fault still happens, and is healed
        inject[1](plat, fault)
    if "error" in done:
        raise done["error"]
    return done["result"]


def ensure_up(plat: FaultPlatform) -> None:
    """Every service and the department client running before a scenario starts."""
    for name, service in plat.services.items():
        if service.process.poll() is not None:
            plat.start_service(name)
    if plat.department is None or plat.department.poll() is not None:
        plat.start_department()


def run_all(
    plat: FaultPlatform,
    scenarios: list[Scenario],
    say: Callable[[str], None],
    *,
    loops: int,
    rate: float,
    fault_after: float,
    bound: float,
) -> list[Outcome]:
    outcomes = []
    for scenario in scenarios:
        say(f"{scenario.name}: {loops} loops at {rate}/s; {scenario.what}")
        started = time.monotonic()
        outcome = run_scenario(
            plat, scenario, loops=loops, rate=rate, fault_after=fault_after, bound=bound
        )
        say(f"  {outcome.summary()} ({time.monotonic() - started:.0f} s)")
        outcomes.append(outcome)
    return outcomes
