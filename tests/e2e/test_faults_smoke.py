"""`make faults` cannot rot: one scenario, 10 loops through a kill -9 of incidents, on the suite's
own platform, checked as the whole suite checks."""

from __future__ import annotations

import pytest

from lianxin.faults.checks import KINDS
from lianxin.faults.control import fault_platform
from lianxin.faults.run import run_scenario
from lianxin.faults.scenarios import SMOKE, named

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(600)  # a platform of its own, started and loaded on a shared machine
def test_ten_loops_through_a_kill_of_incidents_lose_nothing_and_converge() -> None:
    [scenario] = named([SMOKE])
    with fault_platform(lambda _: None) as plat:
        killed = plat.services["incidents"].process.pid
        outcome = run_scenario(plat, scenario, loops=10, rate=2.0, fault_after=1.0, bound=120)
        assert plat.services["incidents"].process.pid != killed  # it really was killed

    row = outcome.to_dict()
    # Every check, `dup_incident` too: POST /incidents honours the driver's Idempotency-Key, and
    # a retry whose key is held by the killed request waits out its lease (409, Retry-After).
    broken = {kind: row[kind] for kind in KINDS if row[kind]}
    assert not broken, row["examples"]
    assert (row["loops"], row["acknowledged"], row["gave_up"]) == (10, 10, 0), (
        row["gave_up_why"],
        row["client_errors"],
    )
    assert row["converged_s"] is not None
