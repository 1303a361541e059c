"""Issue 17 item 8: nothing slowed a password guesser. Now the password grant is throttled per
account and per client address (429 problem+json with Retry-After, the password not even
checked), the counts kept in organisation's database (so every replica sees them), and each
attempt leaves a line in the sign-in audit that only an alliance administrator reads."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

PASSWORD = "secret-for-tests"
OFFICE = "198.51.100.7"  # a community office's address, as the console forwards it


async def _open(org: httpx.AsyncClient, username: str, role: str, scope: dict) -> None:
    account = {
        "username": username,
        "display_name": username,
        "role": role,
        "scope": scope,
        "secret": PASSWORD,
    }
    (await org.post("/accounts", json=account)).raise_for_status()


@pytest.fixture
async def accounts(tpj: httpx.AsyncClient) -> httpx.AsyncClient:
    """Taipingjie's coordinator and its alliance's administrator; a coordinator elsewhere."""
    alliance = {"code": "nanmenshan", "name": "南门山联盟", "community_codes": ["taipingjie"]}
    (await tpj.post("/alliances", json=alliance)).raise_for_status()
    await _open(tpj, "tpj-coordinator", "community_coordinator", {"communities": ["taipingjie"]})
    await _open(tpj, "nms-admin", "alliance_admin", {"alliance": "nanmenshan"})
    await _open(tpj, "cs-coordinator", "community_coordinator", {"communities": ["chongshan"]})
    return tpj


async def _sign_in(
    org: httpx.AsyncClient, username: str, password: str, address: str = OFFICE
) -> httpx.Response:
    form = {"grant_type": "password", "username": username, "password": password}
    headers = {"Authorization": "", "X-Forwarded-For": address}
    return await org.post("/oauth/token", data=form, headers=headers)


async def _sql(database: str, statement: str, *args) -> list:
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch(statement, *args)
    finally:
        await conn.close()


async def _failed(database: str, key: str, failures: int) -> None:
    """`failures` in a row just now for the key, as any replica would have counted them."""
    await _sql(
        database,
        "INSERT INTO signin_throttles (key, failures, last_failure_at) VALUES ($1, $2, now())"
        " ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = now()",
        key,
        failures,
    )


async def test_a_guesser_of_one_account_is_made_to_wait_with_429_and_retry_after(
    accounts: httpx.AsyncClient,
) -> None:
    answers = []
    for _ in range(15):  # each failure past the free ones doubles the wait: one soon outlasts
        answers.append(await _sign_in(accounts, "tpj-coordinator", "guess"))  # the next request
        if answers[-1].status_code == 429:
            break
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [400] * 5, statuses  # a few mistypes cost nothing
    throttled = answers[-1]
    assert throttled.status_code == 429, statuses
    assert throttled.headers["content-type"] == "application/problem+json"
    assert throttled.json()["status"] == 429
    assert int(throttled.headers["Retry-After"]) >= 1


async def test_while_an_account_waits_even_its_right_password_is_refused_and_others_may_go_on(
    accounts: httpx.AsyncClient, database: str
) -> None:
    # Ten failures in a row recorded by any replica: the database is where they count.
    await _failed(database, "account:tpj-coordinator", 10)

    refused = await _sign_in(accounts, "tpj-coordinator", PASSWORD)

    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 32
    assert (await _sign_in(accounts, "cs-coordinator", PASSWORD)).status_code == 200


async def test_an_address_that_failed_too_often_waits_for_every_account_but_others_do_not(
    accounts: httpx.AsyncClient, database: str
) -> None:
    await _failed(database, f"address:{OFFICE}", 40)

    assert (await _sign_in(accounts, "cs-coordinator", PASSWORD)).status_code == 429
    elsewhere = await _sign_in(accounts, "cs-coordinator", PASSWORD, address="203.0.113.50")
    assert elsewhere.status_code == 200, elsewhere.text


async def test_a_success_clears_the_accounts_failures(accounts: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await _sign_in(accounts, "tpj-coordinator", "guess")).status_code == 400
    assert (await _sign_in(accounts, "tpj-coordinator", PASSWORD)).status_code == 200
    for _ in range(5):
        assert (await _sign_in(accounts, "tpj-coordinator", "guess")).status_code == 400
    # Ten failures without the success between would make this one wait.
    assert (await _sign_in(accounts, "tpj-coordinator", PASSWORD)).status_code == 200


async def test_every_attempt_is_audited_and_only_alliance_administrators_read_it(
    accounts: httpx.AsyncClient, database: str
) -> None:
    await _sign_in(accounts, "tpj-coordinator", "guess")
    coordinator = (await _sign_in(accounts, "tpj-coordinator", PASSWORD)).json()["access_token"]
    await _sign_in(accounts, "nobody", "guess", address="203.0.113.9")
    await _sign_in(accounts, "cs-coordinator", "guess")  # outside the administrator's alliance
    await _failed(database, "account:tpj-coordinator", 30)
    await _sign_in(accounts, "tpj-coordinator", PASSWORD)
    admin = (await _sign_in(accounts, "nms-admin", PASSWORD)).json()["access_token"]

    denied = await accounts.get("/sign-ins", headers={"Authorization": f"Bearer {coordinator}"})
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"

    seen = await accounts.get("/sign-ins", headers={"Authorization": f"Bearer {admin}"})
    assert seen.status_code == 200, seen.text
    lines = [(s["username"], s["address"], s["result"], s["reason"]) for s in seen.json()]
    # Newest first; the sign-ins of accounts outside the alliance are not this one's business.
    assert lines == [
        ("nms-admin", OFFICE, "succeeded", ""),
        ("tpj-coordinator", OFFICE, "throttled", "account_throttled"),
        ("nobody", "203.0.113.9", "failed", "unknown_account"),
        ("tpj-coordinator", OFFICE, "succeeded", ""),
        ("tpj-coordinator", OFFICE, "failed", "wrong_password"),
    ]
    assert all(s["at"] for s in seen.json())
    everything = await accounts.get("/sign-ins")  # the platform's own token reads all
    assert ("cs-coordinator", "failed") in [(s["username"], s["result"]) for s in everything.json()]
