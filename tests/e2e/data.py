"""The end-to-end tests' data, written once: the articles' transformer in Taipingjie's first
micro-grid, the property company as a webhook department, and the standard escalations; and
`ok`, the check of an answer a step goes on with.

Everything here refers to the demo alliance (`demo_platform`): its micro-grids, departments and
accounts."""

from __future__ import annotations

import httpx

from tests.conftest import Platform, eventually

# The transformer fault of the articles: 288 households of Zhaohua Xincheng without power,
# reported by the micro-grid's leader.
TRANSFORMER = {
    "micro_grid_code": "tpj-g01-m01",
    "category": "power_supply",
    "urgency": "emergency",
    "description": "朝华新城变压器故障, 288 户居民和 50 户商户停电",
    "affected_households": 288,
    "reporter": "micro_grid_leader",
}
# The same fault reported by a resident, with the contact data departments see masked.
TRANSFORMER_FROM_A_RESIDENT = {
    **TRANSFORMER,
    "urgency": "utilities",
    "affected_merchants": 50,
    "reporter": "王大妈",
    "reporter_kind": "resident",
    "reporter_contact": "13812345678",
}
# One staircase without power: a small job for the power company (and the property company).
STAIRCASE_OUTAGE = {
    "micro_grid_code": "tpj-g01-m01",
    "category": "power_supply",
    "urgency": "utilities",
    "description": "3号楼单元停电",
    "affected_households": 24,
}
# A sunken pavement where Taipingjie meets its partner community: one to share.
SHARED_STREET = {
    "micro_grid_code": "tpj-g01-m01",
    "category": "city_appearance",
    "urgency": "general",
    "description": "两社区交界处的人行道塌陷, 行人绕行",
    "affected_households": 40,
    "reporter": "王芳",
}

# A need a Taipingjie coordinator records on resources' needs list.
NEED = {
    "community_code": "taipingjie",
    "grid_node_code": "tpj-g01-m01",
    "category": "elderly_care",
    "title": "一处歇脚的长椅",
    "affected": "老年居民",
    "affected_count": 30,
    "source": "resident",
}

# The power company takes its whistles over NATS; the property company (朝华新城物业) is the
# demo's webhook department, and its back-office system signs in as a client of its own.
POWER, PROPERTY = "power_supply", "property"
PROPERTY_SYSTEM_SECRET = "property-system-secret"
PROPERTY_SYSTEM = {
    "username": "property-system",
    "display_name": "朝华新城物业系统",
    "role": "department_operator",
    "scope": {"department": PROPERTY},
    "kind": "client",
    "secret": PROPERTY_SYSTEM_SECRET,
}


def ok(answer: httpx.Response, status: int = 200) -> dict:
    """The body of an answer that must have `status` (its text says why not)."""
    assert answer.status_code == status, answer.text
    return answer.json()


def escalation(*departments: str, lead: str | None = None) -> dict:
    """The body of `POST /incidents/{id}/escalation`: to these departments (default: the power
    company), optionally naming the lead."""
    body: dict = {"department_codes": list(departments or (POWER,))}
    if lead:
        body["lead_department_code"] = lead
    return body


def report(client: httpx.Client, incident: dict = TRANSFORMER) -> dict:
    """Report `incident` (the transformer) through `client`; returns the reported incident."""
    return ok(client.post("/incidents", json=incident), 201)


def resolved(client: httpx.Client, incident_id: str) -> dict:
    """The incident once it has resolved (its departments report over NATS: wait for it)."""
    return eventually(
        lambda: (r := client.get(f"/incidents/{incident_id}").json())["status"] == "resolved" and r
    )


def report_and_escalate(
    plat: Platform,
    *departments: str,
    incident: dict = TRANSFORMER,
    lead: str | None = None,
    http: httpx.Client | None = None,
) -> dict:
    """Report `incident` (the transformer) and whistle it to `departments` (the power company),
    as the platform unless given a client; returns the escalated incident, assignments included."""
    client = http or plat.http("incidents")
    reported = report(client, incident)
    body = escalation(*departments, lead=lead)
    return ok(client.post(f"/incidents/{reported['id']}/escalation", json=body))
