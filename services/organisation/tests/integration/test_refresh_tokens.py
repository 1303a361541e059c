"""The refresh-token grant: a person's sign-in slides by tokens used once each, a token used
twice ends the sign-in, and signing out revokes it. Only digests are stored."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

PASSWORD = "secret-for-tests"


@pytest.fixture
async def signed_in(org: httpx.AsyncClient) -> dict:
    account = {
        "username": "tpj-coordinator",
        "display_name": "太平街书记",
        "role": "community_coordinator",
        "scope": {"communities": ["taipingjie"]},
        "secret": PASSWORD,
    }
    (await org.post("/accounts", json=account)).raise_for_status()
    form = {"grant_type": "password", "username": "tpj-coordinator", "password": PASSWORD}
    answer = await _grant(org, form)
    assert answer.status_code == 200
    return answer.json()


async def _grant(org: httpx.AsyncClient, form: dict) -> httpx.Response:
    return await org.post("/oauth/token", data=form, headers={"Authorization": ""})


async def _refresh(org: httpx.AsyncClient, token: str) -> httpx.Response:
    return await _grant(org, {"grant_type": "refresh_token", "refresh_token": token})


async def test_a_refresh_answers_a_new_access_token_and_the_next_refresh_token(
    org: httpx.AsyncClient, signed_in: dict, database: str
) -> None:
    first = signed_in["refresh_token"]
    assert 0 < signed_in["refresh_expires_in"] <= 12 * 3600

    answer = await _refresh(org, first)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["access_token"]
    assert body["refresh_token"] not in (first, None)
    # The sign-in's end does not move with its refreshes.
    assert body["refresh_expires_in"] <= signed_in["refresh_expires_in"]
    me = await org.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["subject"] == "tpj-coordinator"
    # Stored as digests only.
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        stored = [r["digest"] for r in await conn.fetch("SELECT digest FROM refresh_tokens")]
    finally:
        await conn.close()
    assert len(stored) == 2 and first not in stored and body["refresh_token"] not in stored


async def test_a_refresh_token_used_twice_is_refused_and_ends_the_sign_in(
    org: httpx.AsyncClient, signed_in: dict
) -> None:
    first = signed_in["refresh_token"]
    second = (await _refresh(org, first)).json()["refresh_token"]

    reused = await _refresh(org, first)

    assert reused.status_code == 400 and reused.json() == {"error": "invalid_grant"}
    # The thief's copy and the rightful holder's next token are both dead now.
    assert (await _refresh(org, second)).status_code == 400


async def test_signing_out_revokes_the_sign_in(org: httpx.AsyncClient, signed_in: dict) -> None:
    answer = await org.post(
        "/oauth/revoke", data={"token": signed_in["refresh_token"]}, headers={"Authorization": ""}
    )

    assert answer.status_code == 200
    assert (await _refresh(org, signed_in["refresh_token"])).status_code == 400
    unknown = await org.post("/oauth/revoke", data={"token": "nothing"})
    assert unknown.status_code == 200


async def test_an_unknown_refresh_token_is_an_oauth_invalid_grant(org: httpx.AsyncClient) -> None:
    answer = await _refresh(org, "made-up")

    assert answer.status_code == 400 and answer.json() == {"error": "invalid_grant"}


async def test_machines_get_no_refresh_token(org: httpx.AsyncClient) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "platform",
        "client_secret": "platform-secret-for-tests",
    }
    assert "refresh_token" not in (await _grant(org, form)).json()
