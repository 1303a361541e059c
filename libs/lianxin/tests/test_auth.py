"""Token verification and scope checks, with keys made here (no I/O)."""

from __future__ import annotations

import asyncio
import time

import pytest

from lianxin.auth import (
    Principal,
    Role,
    Scope,
    SigningKey,
    TokenVerifier,
    Unauthorized,
    claims_for,
)

KEY = SigningKey.generate("k1")
COORDINATOR = Principal(
    "zhang", Role.COMMUNITY_COORDINATOR, Scope(alliance="a", communities=frozenset({"taipingjie"}))
)


def _verifier(*keys: SigningKey) -> tuple[TokenVerifier, list[int]]:
    fetches: list[int] = []

    async def jwks() -> dict:
        fetches.append(1)
        return {"keys": [k.public_jwk() for k in keys]}

    return TokenVerifier(jwks), fetches


async def test_a_signed_token_comes_back_as_its_principal_with_one_key_fetch() -> None:
    verifier, fetches = _verifier(KEY)
    token = KEY.sign(claims_for(COORDINATOR, lifetime_seconds=60))
    assert await verifier.verify(token) == COORDINATOR
    assert await verifier.verify(token) == COORDINATOR
    assert len(fetches) == 1


async def test_a_rotated_key_is_fetched_when_first_seen() -> None:
    new = SigningKey.generate("k2")
    keys = [KEY]
    fetches: list[int] = []

    async def jwks() -> dict:
        fetches.append(1)
        return {"keys": [k.public_jwk() for k in keys]}

    verifier = TokenVerifier(jwks)
    await verifier.verify(KEY.sign(claims_for(COORDINATOR, lifetime_seconds=60)))
    keys.append(new)
    assert await verifier.verify(new.sign(claims_for(COORDINATOR, lifetime_seconds=60)))
    assert len(fetches) == 2


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        KEY.sign(claims_for(COORDINATOR, lifetime_seconds=60, now=time.time() - 120)),  # expired
        SigningKey.generate("k1").sign(claims_for(COORDINATOR, lifetime_seconds=60)),  # forged
        SigningKey.generate("zz").sign(claims_for(COORDINATOR, lifetime_seconds=60)),  # unknown
        KEY.sign({**claims_for(COORDINATOR, lifetime_seconds=60), "aud": "someone-else"}),
    ],
)
async def test_a_bad_token_is_unauthorized(token: str) -> None:
    verifier, _ = _verifier(KEY)
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


def test_scope_decides_what_a_principal_sees() -> None:
    assert COORDINATOR.sees_community("taipingjie")
    assert not COORDINATOR.sees_community("changshan")
    leader = Principal(
        "li",
        Role.GRID_LEADER,
        Scope(communities=frozenset({"taipingjie"}), grid_nodes=frozenset({"tpj-g01"})),
    )
    assert leader.sees_grid_node(["tpj-g01", "tpj-g01-m01"], "taipingjie")
    assert not leader.sees_grid_node(["tpj-g02", "tpj-g02-m01"], "taipingjie")
    power = Principal("sys", Role.DEPARTMENT_OPERATOR, Scope(department="power_supply"))
    assert power.is_department("power_supply") and not power.is_department("police")
    assert not COORDINATOR.is_department("power_supply")
    assert not power.sees_community("taipingjie")


async def test_a_remembered_token_is_refused_once_it_has_expired() -> None:
    verifier, _ = _verifier(KEY)
    claims = claims_for(COORDINATOR, lifetime_seconds=60, now=time.time() - 59)
    token = KEY.sign(claims)
    assert await verifier.verify(token) == COORDINATOR
    await asyncio.sleep(max(0.0, claims["exp"] - time.time()) + 0.05)  # until it has expired
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_a_verifier_remembers_a_bounded_number_of_tokens() -> None:
    jwks_calls: list[int] = []

    async def jwks() -> dict:
        jwks_calls.append(1)
        return {"keys": [KEY.public_jwk()]}

    verifier = TokenVerifier(jwks, remembered=2)
    tokens = [
        KEY.sign(claims_for(Principal(f"p{n}", Role.GRID_LEADER), lifetime_seconds=60))
        for n in range(3)
    ]
    for token in tokens:
        await verifier.verify(token)
    assert list(verifier._verified) == tokens[1:]
    assert (await verifier.verify(tokens[0])).subject == "p0"  # verified afresh


def test_a_kept_token_is_fetched_the_first_time_even_when_the_clock_is_young(monkeypatch):
    from lianxin import auth

    clock = iter([1.0, 2.0, 400.0, 400.0])  # seconds since boot, as on a fresh machine
    monkeypatch.setattr(auth.time, "monotonic", lambda: next(clock))
    fetched: list[str] = []
    monkeypatch.setattr(auth, "fetch_token", lambda *a, **k: fetched.append("t") or "t")
    tokens = auth.KeptTokens(keep_seconds=300)
    assert tokens.get("http://org", "tpj-coordinator", "pw", client=False) == "t"
    assert tokens.get("http://org", "tpj-coordinator", "pw", client=False) == "t"
    assert fetched == ["t"]  # the second within the 300 s: the kept one
    tokens.get("http://org", "tpj-coordinator", "pw", client=False)  # 399 s later
    assert fetched == ["t", "t"]
