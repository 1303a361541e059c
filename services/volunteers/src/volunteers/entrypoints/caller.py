"""Who is calling, in this service's terms: a volunteer signs in with her organisation account,
and the token names the account (its username); the profile her coordinator linked to that
account is who she speaks for.

`create_app` puts `caller` in the place of `lianxin.auth.authenticated` (a dependency override,
so every route and the router's own gate get it without each naming it): the token is verified
as everywhere, then a VOLUNTEER's subject becomes her profile's id (`pipeline.speaking_for`).
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from lianxin.auth import Principal, _bearer, authenticated
from volunteers.service_layer.pipeline import speaking_for


async def caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    principal = await authenticated(request, credentials)
    return await speaking_for(request.app.state.runtime.uow(), principal)
