"""Tokens (OAuth2 password, client-credentials and refresh-token grants; revocation), signing
keys, and accounts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from lianxin.addresses import request_client
from lianxin.auth import Principal, Role, require
from lianxin.errors import Forbidden, NotFound
from lianxin.problems import PROBLEM_JSON, Problem, problem_response
from organisation.domain.identity import Account, AccountScope
from organisation.domain.signin import REASONS
from organisation.entrypoints.deps import uow
from organisation.service_layer import identity, signin
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

public = APIRouter(tags=["identity"])
router = APIRouter(tags=["identity"])


class OAuthError(BaseModel):
    """RFC 6749's error answer (5.2), not a problem document: OAuth clients read this."""

    error: Literal["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"]


@public.post(
    "/oauth/token",
    responses={
        400: {"model": OAuthError, "description": "the grant is refused (RFC 6749 5.2)"},
        429: {
            "description": "too many failed sign-ins for the account or from the address",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
)
async def token(
    request: Request,
    grant_type: Annotated[Literal["password", "client_credentials", "refresh_token"], Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
    uow: OrganisationUnitOfWork = Depends(uow),
) -> JSONResponse:
    """RFC 6749: `password` for people, `client_credentials` for machines, `refresh_token` for
    a person's next access token. A person's grants also answer a `refresh_token` (used once:
    each refresh answers the next one) and `refresh_expires_in`, the seconds until the sign-in
    ends whatever its refreshes.

    Password grants are throttled: after a few failures for the account or from the client's
    address (the peer, or `X-Forwarded-For` through `LIANXIN_TRUSTED_PROXIES`), a 429 problem
    with `Retry-After` until the wait, doubling with each further failure, is over. Each
    password grant leaves a line in the sign-in audit (`GET /sign-ins`)."""
    try:
        if grant_type == "refresh_token":
            body = await identity.refresh(uow, refresh_token or "")
        elif grant_type == "password":
            address = request_client(request)
            body = await signin.sign_in(uow, username or "", password or "", address)
        else:
            body = await identity.grant(uow, client_id or "", client_secret or "", "client")
    except identity.InvalidGrant as refused:
        return JSONResponse({"error": refused.oauth_error}, status_code=400)
    except signin.Throttled as throttled:
        wait = str(throttled.retry_after)
        problem = Problem(
            429,
            "Too Many Requests",
            str(throttled),
            headers={"Retry-After": wait, "Cache-Control": "no-store"},
        )
        return problem_response(request, problem)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@public.post("/oauth/revoke")
async def revoke(
    token: Annotated[str, Form()], uow: OrganisationUnitOfWork = Depends(uow)
) -> JSONResponse:
    """RFC 7009: sign out. Revoking a refresh token ends its whole sign-in; the answer is 200
    whether or not the token was known."""
    await identity.revoke(uow, token)
    return JSONResponse({}, headers={"Cache-Control": "no-store"})


@public.get("/.well-known/jwks.json")
async def jwks(uow: OrganisationUnitOfWork = Depends(uow)) -> dict:
    """The public halves of the current and recent signing keys."""
    return await identity.jwks(uow)


class ScopeIn(BaseModel):
    alliance: str | None = None
    streets: list[str] = []
    communities: list[str] = []
    grid_nodes: list[str] = []
    department: str | None = None
    member_unit: str | None = None


class AccountIn(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    scope: ScopeIn = ScopeIn()
    kind: Literal["person", "client"] = "person"
    secret: str = Field(min_length=8, max_length=200, description="password or client secret")


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    kind: str
    active: bool
    scope: ScopeIn


def _out(account: Account) -> AccountOut:
    return AccountOut.model_validate({**vars(account), "scope": account.scope.plain()})


@router.get("/me")
async def me(principal: Principal = Depends(require(*Role))) -> dict:
    """Who the token says you are, and where you may act."""
    return {
        "subject": principal.subject,
        "name": principal.name,
        "role": principal.role,
        "scope": principal.scope.claims(),
    }


@router.post("/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
async def open_account(
    body: AccountIn,
    uow: OrganisationUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(Role.ALLIANCE_ADMIN)),
):
    """An alliance administrator opens accounts inside its own alliance."""
    if not principal.is_platform and (
        body.role is Role.SERVICE or not _inside(principal, body.scope)
    ):
        raise Forbidden("an account may only be opened inside your own alliance")
    account = await identity.open_account(
        uow,
        username=body.username,
        display_name=body.display_name,
        role=body.role.value,
        scope=AccountScope.of(body.scope.model_dump()),
        secret=body.secret,
        kind=body.kind,
    )
    return _out(account)


@router.get("/accounts", response_model=list[AccountOut])
async def list_accounts(
    uow: OrganisationUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(Role.ALLIANCE_ADMIN)),
):
    async with uow:
        accounts = await uow.identity.accounts()
    return [_out(a) for a in accounts if principal.is_platform or _inside(principal, _out(a).scope)]


@router.post("/accounts/{username}/deactivation", response_model=AccountOut)
async def deactivate(
    username: str,
    uow: OrganisationUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(Role.ALLIANCE_ADMIN)),
):
    async with uow:
        found = await uow.identity.account(username)
        if found is None or not (principal.is_platform or _inside(principal, _out(found[0]).scope)):
            raise NotFound("account", username)
        account = found[0]
        account.deactivate()
        await uow.identity.save_account(account)
        await uow.commit()
    return _out(account)


class SignInOut(BaseModel):
    id: int
    at: datetime
    username: str
    address: str
    result: Literal["succeeded", "failed", "throttled"]
    reason: str = Field(description="why not: " + ", ".join(REASONS) + "; empty on success")


@router.get("/sign-ins", response_model=list[SignInOut])
async def sign_ins(
    uow: OrganisationUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(Role.ALLIANCE_ADMIN)),
    before_id: Annotated[int | None, Query(ge=1, description="older lines than this one")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
):
    """The sign-in audit, newest first: who tried to sign in, when, from which address, and how
    it ended. The platform reads every line; an alliance administrator those of the accounts it
    administers (as `GET /accounts` lists them) and those naming no account at all."""
    usernames = None
    if not principal.is_platform:
        async with uow:
            accounts = await uow.identity.accounts()
        usernames = {a.username for a in accounts if _inside(principal, _out(a).scope)}
    lines = await signin.audit(uow, usernames, before_id=before_id, limit=limit)
    return [SignInOut(id=id_, **asdict(line)) for id_, line in lines]


def _inside(principal: Principal, scope: ScopeIn) -> bool:
    """Is everything the scope names inside the administrator's alliance?"""
    if scope.alliance:
        return scope.alliance == principal.scope.alliance
    communities = set(scope.communities)
    return bool(communities) and communities <= principal.scope.communities
