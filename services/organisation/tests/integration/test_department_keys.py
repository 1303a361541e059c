"""Departments' NATS keys (issue #17, item 9): random, shown once, kept only as a bcrypt hash,
rotated with an overlap, revoked on retirement, and the platform's alone to issue."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import bcrypt
import httpx


async def _department(org: httpx.AsyncClient, code: str, channels: list[dict] | None = None):
    body = {"code": code, "name": code, "categories": [code]}
    if channels is not None:
        body["channels"] = channels
    (await org.post("/departments", json=body)).raise_for_status()


async def _stored(database: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch("SELECT * FROM department_nats_keys ORDER BY serial")
    finally:
        await conn.close()


async def test_a_nats_key_is_random_shown_once_and_stored_as_a_bcrypt_hash(org, database):
    await _department(org, "power_supply")
    await _department(org, "water_supply")

    first = await org.post("/departments/power_supply/nats-keys")
    other = (await org.post("/departments/water_supply/nats-keys")).json()

    assert first.status_code == 201, first.text
    issued = first.json()
    assert issued["user"] == "dept_power_supply.1"
    assert issued["inbox_prefix"] == "_INBOX_power_supply"
    assert len(issued["password"]) >= 40 and issued["password"] != other["password"]
    assert issued["previous_valid_until"] is None
    rows = await _stored(database)
    assert all(issued["password"] not in str(dict(row)) for row in rows), "never the password"
    users = {u["user"]: u for u in (await org.get("/nats-users")).json()}
    assert set(users) == {"dept_power_supply.1", "dept_water_supply.1"}
    stored = users["dept_power_supply.1"]["password_hash"]
    assert stored.startswith("$2a$"), "nats-server reads $2a$ as bcrypt"
    assert bcrypt.checkpw(issued["password"].encode(), stored.encode())
    listed = (await org.get("/departments/power_supply/nats-keys")).json()
    assert [k["user"] for k in listed] == ["dept_power_supply.1"]
    assert "password" not in listed[0], "a key is shown once: never listed"


async def test_a_rotation_keeps_the_old_key_for_the_overlap_then_drops_it(org, database):
    await _department(org, "power_supply")
    old = (await org.post("/departments/power_supply/nats-keys")).json()

    new = (await org.post("/departments/power_supply/nats-keys")).json()

    assert new["user"] == "dept_power_supply.2" and new["password"] != old["password"]
    until = datetime.fromisoformat(new["previous_valid_until"])
    issued = datetime.fromisoformat(new["issued_at"])
    assert until - issued == timedelta(hours=24), "the default overlap"
    users = [u["user"] for u in (await org.get("/nats-users")).json()]
    assert users == ["dept_power_supply.1", "dept_power_supply.2"], "both during the overlap"
    # The overlap ends: the old key's user is no longer rendered, the new one's is.
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        await conn.execute(
            "UPDATE department_nats_keys SET expires_at = now() - interval '1 second' "
            "WHERE serial = 1"
        )
    finally:
        await conn.close()
    users = [u["user"] for u in (await org.get("/nats-users")).json()]
    assert users == ["dept_power_supply.2"]


async def test_retirement_revokes_every_key_at_once(org, database):
    await _department(org, "power_supply")
    await org.post("/departments/power_supply/nats-keys")
    await org.post("/departments/power_supply/nats-keys")

    (await org.post("/departments/power_supply/retirement")).raise_for_status()

    assert (await org.get("/nats-users")).json() == []
    assert all(row["expires_at"] is not None for row in await _stored(database))
    refused = await org.post("/departments/power_supply/nats-keys")
    assert refused.status_code == 409, "a retired department gets no new key"


async def test_only_a_nats_department_gets_a_nats_key(org):
    hook = [{"kind": "webhook", "url": "https://wuye.example.cn/hook"}]
    await _department(org, "property", hook)

    refused = await org.post("/departments/property/nats-keys")
    missing = await org.post("/departments/nobody/nats-keys")

    assert refused.status_code == 409 and "nats channel" in refused.json()["detail"]
    assert missing.status_code == 404


async def test_a_department_may_not_issue_or_read_keys(org, org_token):
    # Every other role is refused too: the access matrix asks each of these routes as each role.
    await _department(org, "power_supply")
    account = {"username": "power-operator", "display_name": "供电", "kind": "person"}
    account |= {"role": "department_operator", "scope": {"department": "power_supply"}}
    (await org.post("/accounts", json=account | {"secret": "secret-for-tests"})).raise_for_status()
    bearer = {"Authorization": f"Bearer {await org_token('power-operator', 'secret-for-tests')}"}

    issued = await org.post("/departments/power_supply/nats-keys", headers=bearer)
    users = await org.get("/nats-users", headers=bearer)

    assert (issued.status_code, users.status_code) == (403, 403)
