"""The organisation process: `uvicorn organisation.entrypoints.app:app`."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from lianxin.auth import KeySource
from lianxin.problems import Problem, problem_response
from lianxin.service import Runtime, create_service_app
from lianxin.settings import ServiceSettings
from organisation.adapters.orm import metadata
from organisation.entrypoints import identity_api, keys_api
from organisation.entrypoints.access import authorize
from organisation.entrypoints.api import router
from organisation.service_layer import identity
from organisation.service_layer.imports import InvalidRows
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork


def own_keys(rt: Runtime) -> KeySource:
    """organisation verifies tokens against its own key table, not over HTTP to itself."""

    async def keys() -> dict:
        return await identity.jwks(rt.uow())  # type: ignore[arg-type]

    return keys


async def open_platform_account(rt: Runtime) -> None:
    if identity.hashing_for_tests():
        logging.getLogger("organisation").warning(
            "LIANXIN_PASSWORD_HASHING=test: passwords are hashed at the test suite's low cost; "
            "never set it outside the tests (weak hashes are made again at the next sign-in "
            "of a process without it)"
        )
    if rt.settings.lianxin_platform_secret:
        await identity.ensure_platform_account(rt.uow(), rt.settings.lianxin_platform_secret)  # type: ignore[arg-type]


async def invalid_rows(request: Request, rows: InvalidRows) -> JSONResponse:
    """A bulk import's line errors: one 422 problem listing each line's field and detail."""
    problem = Problem(422, "Unprocessable Content", str(rows), errors=rows.errors)
    return problem_response(request, problem)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    app = create_service_app(
        "organisation",
        title="Lianxin organisation",
        metadata=metadata,
        routers=[router, identity_api.router, keys_api.router],
        route_checks=[Depends(authorize)],
        public_routers=[identity_api.public],
        uow_class=OrganisationUnitOfWork,
        settings=settings,
        signing_keys=own_keys,
        on_startup=open_platform_account,
    )
    app.add_exception_handler(InvalidRows, invalid_rows)  # type: ignore[arg-type]
    return app


app = create_app()
