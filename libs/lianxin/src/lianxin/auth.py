"""Who is calling, and what they may touch: the same check in every service.

organisation issues short-lived JWTs (EdDSA) and publishes its signing keys at
`/.well-known/jwks.json`; every other service verifies tokens offline against those keys (fetched
once, fetched again only for a key id it has not seen: that is how rotation reaches it).

A token carries a role and a scope. Object-level checks read the scope, never the role alone:
`principal.sees_community(code)`, `principal.sees_grid_node(path, community)`,
`principal.is_department(code)`. `create_service_app` puts `authenticated` in front of every
router a service hands it, so no endpoint can forget to ask who is calling.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry import trace

from lianxin import http_clients
from lianxin.errors import Forbidden
from lianxin.outage import RETRY_AFTER_SECONDS
from lianxin.problems import Problem

ISSUER = "lianxin-organisation"
AUDIENCE = "lianxin"
ALGORITHM = "EdDSA"


class Role(StrEnum):
    ALLIANCE_ADMIN = "alliance_admin"
    STREET_COORDINATOR = "street_coordinator"
    COMMUNITY_COORDINATOR = "community_coordinator"
    GRID_LEADER = "grid_leader"
    MEMBER_UNIT_LIAISON = "member_unit_liaison"
    DEPARTMENT_OPERATOR = "department_operator"
    VOLUNTEER = "volunteer"
    SERVICE = "service"  # a platform service or tool acting for the platform itself


@dataclass(frozen=True)
class Scope:
    """Where a principal may act. Communities are listed in full (organisation expands an alliance
    or a street into its communities when it issues the token)."""

    alliance: str | None = None
    communities: frozenset[str] = frozenset()
    grid_nodes: frozenset[str] = frozenset()  # roots of the grid subtrees a grid leader serves
    department: str | None = None
    member_unit: str | None = None

    def claims(self) -> dict[str, Any]:
        return {
            "alliance": self.alliance,
            "communities": sorted(self.communities),
            "grid_nodes": sorted(self.grid_nodes),
            "department": self.department,
            "member_unit": self.member_unit,
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Scope:
        return cls(
            alliance=claims.get("alliance"),
            communities=frozenset(claims.get("communities") or ()),
            grid_nodes=frozenset(claims.get("grid_nodes") or ()),
            department=claims.get("department"),
            member_unit=claims.get("member_unit"),
        )


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    scope: Scope = field(default_factory=Scope)
    name: str = ""

    @property
    def is_platform(self) -> bool:
        return self.role is Role.SERVICE

    def sees_community(self, community_code: str) -> bool:
        return self.is_platform or community_code in self.scope.communities

    def sees_grid_node(self, path: Iterable[str], community_code: str) -> bool:
        """A grid leader sees its subtrees; everyone else, their communities."""
        if self.is_platform:
            return True
        if self.scope.grid_nodes:
            return not self.scope.grid_nodes.isdisjoint(path)
        return self.sees_community(community_code)

    def is_department(self, department_code: str) -> bool:
        return self.role is Role.DEPARTMENT_OPERATOR and self.scope.department == department_code

    def has_role(self, *roles: Role) -> bool:
        return self.is_platform or self.role in roles


class Unauthorized(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def claims_for(
    principal: Principal, *, lifetime_seconds: int, now: float | None = None
) -> dict[str, Any]:
    issued = int(now if now is not None else time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": principal.subject,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "role": principal.role.value,
        "scope": principal.scope.claims(),
        "name": principal.name,
    }


def principal_from(claims: dict[str, Any]) -> Principal:
    return Principal(
        subject=claims["sub"],
        role=Role(claims["role"]),
        scope=Scope.from_claims(claims.get("scope") or {}),
        name=claims.get("name", ""),
    )


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair: organisation signs with it, everyone verifies with its public half."""

    kid: str
    private_pem: bytes

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(kid, pem)

    def public_jwk(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives import serialization
        from jwt.algorithms import OKPAlgorithm

        private = serialization.load_pem_private_key(self.private_pem, password=None)
        jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_pem, algorithm=ALGORITHM, headers={"kid": self.kid})


KeySource = Callable[[], Awaitable[dict[str, Any]]]


def jwks_from_url(url: str) -> KeySource:
    async def fetch() -> dict[str, Any]:
        async with http_clients.async_client(timeout=5) as http:
            response = await http.get(url)
            response.raise_for_status()
            return response.json()

    return fetch


class TokenVerifier:
    """Verifies tokens offline against the issuer's published keys, cached by key id.

    A token verified once is remembered (its principal, keyed by the token itself) until it
    expires, for at most `remembered` tokens, the least recently used going first: the same
    client's next request costs a dictionary look-up, not a signature check (~10 % of a
    service's CPU per request in `make bench`). Nothing is lost by it: a token is valid until its
    `exp` whatever happens meanwhile (there is no revocation), and its `exp` is checked at
    every use."""

    def __init__(self, keys: KeySource, *, remembered: int = 4096) -> None:
        self._fetch = keys
        self._keys: dict[str, Any] = {}
        self._remembered = remembered
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if time.time() < expires:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, expires = await self._verify(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > self._remembered:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token: {exc}") from exc
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return principal_from(claims), float(claims["exp"])
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc

    async def _key(self, kid: str | None) -> Any:
        if kid not in self._keys:
            try:
                jwks = await self._fetch()
            except httpx.HTTPError as exc:
                raise Problem(  # organisation down, or its database: a retry will do
                    503,
                    "Service Unavailable",
                    f"signing keys unreachable: {exc}",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                ) from exc
            self._keys = {k["kid"]: jwt.PyJWK(k).key for k in jwks.get("keys", [])}
        if kid not in self._keys:
            raise Unauthorized("token signed with an unknown key")
        return self._keys[kid]


_bearer = HTTPBearer(auto_error=False, description="A token from organisation's /oauth/token")


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The caller, from its bearer token. Cached on the request for the route's own use."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:  # not yet checked by lianxin.inputs' guard
        if credentials is None:
            raise Unauthorized("a bearer token is required")
        verifier: TokenVerifier = request.app.state.token_verifier
        principal = request.state.principal = await verifier.verify(credentials.credentials)
    # The request's span names who made it: the console's trace view shows each step's actor.
    trace.get_current_span().set_attribute("enduser.id", principal.subject)
    return principal


# A route's caller, `p: Caller`: the dependency written once for every route that needs it.
Caller = Annotated[Principal, Depends(authenticated)]


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, if it has one of `roles` (the platform itself always does)."""

    async def check(principal: Principal = Depends(authenticated)) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(f"{principal.role} may not do this")
        return principal

    return check


def fetch_token(organisation_url: str, username: str, secret: str, *, client: bool = False) -> str:
    """A bearer token from organisation: a person's password grant or a machine's client grant."""
    form = (
        {"grant_type": "client_credentials", "client_id": username, "client_secret": secret}
        if client
        else {"grant_type": "password", "username": username, "password": secret}
    )
    answer = http_clients.post(f"{organisation_url}/oauth/token", data=form, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


class KeptTokens:
    """Tokens from `fetch_token`, each kept for `keep_seconds` (organisation's live 15 minutes)
    and fetched again after, or at once when asked for a `fresh` one: a fetch costs organisation
    a password hash's check. None kept at first: the monotonic clock starts at boot, so a
    "fetched at 0" default reads as fresh on a machine up for less than `keep_seconds`."""

    def __init__(self, keep_seconds: float) -> None:
        self.keep_seconds = keep_seconds
        self._kept: dict[tuple[str, str, str], tuple[str, float]] = {}

    def get(
        self,
        organisation_url: str,
        username: str,
        secret: str,
        *,
        client: bool,
        fresh: bool = False,
    ) -> str:
        key = (organisation_url, username, secret)
        kept = self._kept.get(key)
        if fresh or kept is None or time.monotonic() - kept[1] > self.keep_seconds:
            token = fetch_token(organisation_url, username, secret, client=client)
            kept = self._kept[key] = (token, time.monotonic())
        return kept[0]
