"""The department guide's examples (docs/examples: nats-py and nats.js) and `lianxin dept-sim`
against the real platform: each answers a whistle, and after the resident sends the result back
(a reopening) answers the new whistle with a result the platform applies — the report id recipe
gives it an id of its own, so the stream does not drop it as a copy of the first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from lianxin.messaging.connection import without_user
from tests.conftest import Platform, eventually
from tests.e2e.data import POWER, report_and_escalate, resolved
from tests.npm import node_folder

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _example_env(plat: Platform) -> dict[str, str]:
    """What `lianxin nats-credentials power_supply --env` hands the department: a key issued
    by organisation, shown once (this platform's NATS is open, so it is not checked here; the
    locked-down server of test_department_nats_channel checks it)."""
    with plat.http("organisation") as http:
        issued = http.post(f"/departments/{POWER}/nats-keys")
    assert issued.status_code == 201, issued.text
    return dict(
        os.environ,
        LIANXIN_NATS_URL=without_user(plat.nats_url),
        LIANXIN_DEPARTMENT=POWER,
        LIANXIN_NATS_USER=issued.json()["user"],
        LIANXIN_NATS_PASSWORD=issued.json()["password"],
    )


def _run(args: list[str], cwd: Path, plat: Platform) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=_example_env(plat), capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stdout + done.stderr + plat.log("incidents")[-2000:]
    return done.stdout


def python_example(plat: Platform) -> None:
    _run([sys.executable, str(EXAMPLES / "department_nats.py")], EXAMPLES, plat)


def node_example(plat: Platform) -> None:
    folder = node_folder(EXAMPLES / "node")
    _run(["node", "department.mjs"], folder, plat)


def dept_sim(plat: Platform) -> None:
    assert plat.dept_sim(POWER, limit=1).wait(60) == 0, plat.log("incidents")[-2000:]


def _reopen(incidents: httpx.Client, incident_id: str) -> None:
    url = f"/incidents/{incident_id}"
    verified = incidents.post(f"{url}/verification", json={"note": "已复核"})
    assert verified.status_code == 200, verified.text
    reopened = incidents.post(
        f"{url}/feedback", json={"rating": "unsatisfied", "comment": "又停了"}
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "escalated"


@pytest.mark.parametrize("department", [python_example, node_example, dept_sim])
def test_a_department_resolves_its_whistle_and_again_after_a_reopening(
    demo_platform: Platform, department
) -> None:
    incidents = demo_platform.http("incidents")
    incident = report_and_escalate(demo_platform)

    department(demo_platform)  # the dispatched whistle
    first = resolved(incidents, incident["id"])
    [assignment] = first["assignments"]
    assert assignment["status"] == "resolved" and assignment["acknowledged_at"]
    if department is not dept_sim:  # the examples also report that they started
        assert "started" in [line["action"] for line in first["timeline"]]

    _reopen(incidents, incident["id"])
    department(demo_platform)  # the reopened whistle
    again = resolved(incidents, incident["id"])
    actions = [line["action"] for line in again["timeline"]]
    assert actions.count("assignment_resolved") == 2, actions
    assert actions[-3:] == ["reopened", "assignment_resolved", "resolved"]
    # Every whistle was answered and acked: nothing waits for the department.
    eventually(lambda: demo_platform.consumer("DISPATCH", f"dept_{POWER}").num_ack_pending == 0)
    assert demo_platform.consumer("DISPATCH", f"dept_{POWER}").num_pending == 0
