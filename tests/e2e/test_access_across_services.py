"""Each demo role against incidents, resources and volunteers, with objects inside and outside
its scope: incident A in Taipingjie's first grid (escalated to the power company), incident B in
its second grid (escalated to the police). Allowed means anything but 401/403/404."""

from __future__ import annotations

import pytest

from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform, eventually
from tests.e2e.data import TRANSFORMER, escalation, report_and_escalate

pytestmark = pytest.mark.e2e

# role account → (sees A, sees B, may report, may escalate, may operate)
EXPECTED = {
    "alliance-admin": (True, True, True, True, True),
    "dunren-coordinator": (True, True, True, True, False),
    "tpj-coordinator": (True, True, True, True, False),
    "cs-coordinator": (False, False, False, False, False),
    "tpj-g01-leader": (True, False, True, True, False),
    "tpj-liaison": (True, True, False, False, False),
    "power-operator": (True, False, False, False, False),
    "tpj-volunteer": (True, True, False, False, False),
}


def _incident(plat: Platform, micro_grid: str, department: str) -> str:
    incident = {**TRANSFORMER, "micro_grid_code": micro_grid}
    return report_and_escalate(plat, department, incident=incident)["id"]


def _json(answer) -> list:
    assert answer.status_code == 200, f"{answer.status_code}: {answer.text[:300]}"
    return answer.json()


def _allowed(status: int) -> bool:
    return status not in (401, 403, 404)


def test_each_role_sees_and_does_only_what_its_scope_allows(demo_platform: Platform) -> None:
    a = _incident(demo_platform, "tpj-g01-m01", "power_supply")
    b = _incident(demo_platform, "tpj-g02-m01", "police")
    wrong = []
    for account, (sees_a, sees_b, reports, escalates, operates) in EXPECTED.items():
        token = demo_platform.token(account, PASSWORD)
        with demo_platform.http("incidents", token) as incidents:
            got = {
                "sees A": _allowed(incidents.get(f"/incidents/{a}").status_code),
                "sees B": _allowed(incidents.get(f"/incidents/{b}").status_code),
                "lists": {i["id"] for i in _json(incidents.get("/incidents"))} & {a, b},
                "reports in grid 1": _allowed(
                    incidents.post("/incidents", json=TRANSFORMER).status_code
                ),
                "escalates": _allowed(
                    incidents.post(
                        f"/incidents/{a}/escalation", json=escalation("police")
                    ).status_code
                ),
                "operates": _allowed(incidents.get("/ops/dead-letters").status_code),
            }
        want = {
            "sees A": sees_a,
            "sees B": sees_b,
            "lists": {i for i, seen in ((a, sees_a), (b, sees_b)) if seen},
            "reports in grid 1": reports,
            "escalates": escalates and sees_a,
            "operates": operates,
        }
        wrong += [f"{account} {k}: {got[k]}" for k in want if got[k] != want[k]]
    assert wrong == [], "\n".join(wrong)


def test_community_lists_in_resources_and_volunteers_follow_the_scope(
    demo_platform: Platform,
) -> None:
    incident = _incident(demo_platform, "tpj-g01-m01", "power_supply")  # an emergency
    with demo_platform.http("volunteers") as volunteers:
        eventually(lambda: volunteers.get("/mobilisations").json())
    # An escalation opens no need by itself: Taipingjie's coordinator records one from it.
    need = {
        "community_code": "taipingjie",
        "grid_node_code": "tpj-g01",
        "category": "power_supply",
        "title": "变压器更换",
        "affected": "residents of tpj-g01-m01",
        "affected_count": 288,
        "source_incident_id": incident,
    }
    with demo_platform.http("resources", demo_platform.token("tpj-coordinator", PASSWORD)) as r:
        assert r.post("/needs", json=need).status_code == 201
    for account, sees in (("tpj-coordinator", True), ("cs-coordinator", False)):
        token = demo_platform.token(account, PASSWORD)
        with demo_platform.http("resources", token) as resources:
            needs = {n["source_incident_id"] for n in resources.get("/needs").json()}
        with demo_platform.http("volunteers", token) as volunteers:
            called = {m["incident_id"] for m in volunteers.get("/mobilisations").json()}
        assert (incident in needs, incident in called) == (sees, sees), account
    assert (
        demo_platform.http("resources").get("/needs", headers={"Authorization": ""}).status_code
        == 401
    )
