"""Stored password hashes only ever get stronger: a hash made at a lower cost than the running
process's is made again at the next sign-in that proves the password, never the other way."""

from __future__ import annotations

from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher, extract_parameters

from organisation.entrypoints.app import open_platform_account
from organisation.service_layer import identity

PASSWORD = "secret-for-tests"


@pytest.fixture
async def conn(database: str):
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    yield conn
    await conn.close()


async def _open_account(org: httpx.AsyncClient, username: str) -> None:
    account = {
        "username": username,
        "display_name": "太平街书记",
        "role": "community_coordinator",
        "scope": {"communities": ["taipingjie"]},
        "secret": PASSWORD,
    }
    (await org.post("/accounts", json=account)).raise_for_status()


async def _sign_in(org: httpx.AsyncClient, username: str, password: str) -> int:
    form = {"grant_type": "password", "username": username, "password": password}
    answer = await org.post("/oauth/token", data=form, headers={"Authorization": ""})
    return answer.status_code


async def _stored(conn: asyncpg.Connection, username: str) -> str:
    return await conn.fetchval("SELECT password_hash FROM accounts WHERE username=$1", username)


async def _store(conn: asyncpg.Connection, username: str, password_hash: str) -> None:
    await conn.execute(
        "UPDATE accounts SET password_hash=$2 WHERE username=$1", username, password_hash
    )


async def test_a_weaker_hash_is_made_again_at_the_next_sign_in_and_only_then(
    org: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await _open_account(org, "tpj-weak")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    await _store(conn, "tpj-weak", weak)

    assert await _sign_in(org, "tpj-weak", "a wrong guess") == 400
    assert await _stored(conn, "tpj-weak") == weak  # a wrong password proves nothing

    assert await _sign_in(org, "tpj-weak", PASSWORD) == 200
    made = extract_parameters(await _stored(conn, "tpj-weak"))
    assert made.memory_cost > 8
    assert await _sign_in(org, "tpj-weak", PASSWORD) == 200


async def test_a_stronger_hash_is_left_as_it_is(
    org: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await _open_account(org, "tpj-strong")
    strong = PasswordHasher(time_cost=4, memory_cost=2 * 65536, parallelism=4).hash(PASSWORD)
    await _store(conn, "tpj-strong", strong)

    assert await _sign_in(org, "tpj-strong", PASSWORD) == 200

    assert await _stored(conn, "tpj-strong") == strong


def test_without_the_setting_passwords_are_hashed_at_argon2s_own_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIANXIN_PASSWORD_HASHING", raising=False)
    assert identity.Hashing().lianxin_password_hashing == "default"
    # This run sets it (the test plugin), and the process says so.
    assert identity.hashing_for_tests()


async def test_organisation_says_at_start_that_it_hashes_at_the_test_cost(caplog) -> None:
    runtime = SimpleNamespace(settings=SimpleNamespace(lianxin_platform_secret=""))
    with caplog.at_level("WARNING", logger="organisation"):
        await open_platform_account(runtime)  # type: ignore[arg-type]
    assert "LIANXIN_PASSWORD_HASHING=test" in caplog.text
