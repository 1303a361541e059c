"""The console process: `uvicorn console.entrypoints.app:app`.

A backend-for-frontend: it keeps no database of its own. A coordinator logs in with an
organisation account; the console keeps the token in an HttpOnly cookie and calls the services
with it, so every service applies the coordinator's own scope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from lianxin.auth import Principal, Unauthorized
from lianxin.service import Runtime, create_service_app, runtime

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
router = APIRouter()

COOKIE = "lianxin_token"
STATUS_LABELS = {"reported": "已上报", "escalated": "已吹哨", "resolved": "已办结"}
URGENCY_LABELS = {
    "emergency": "紧急",
    "utilities": "水电气暖",
    "general": "一般",
    "complex": "复杂",
}


class LoginRequired(Exception):
    """The visitor has no valid session: send them to the login page."""


async def signed_in(request: Request) -> tuple[Principal, str]:
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired
    try:
        return await request.app.state.token_verifier.verify(token), token
    except Unauthorized as exc:
        raise LoginRequired from exc


def service(rt: Runtime, name: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=rt.settings.service_url(name),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    rt: Runtime = Depends(runtime),
) -> Response:
    async with httpx.AsyncClient(
        base_url=rt.settings.service_url("organisation"), timeout=10
    ) as http:
        answer = await http.post(
            "/oauth/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
    if answer.status_code != 200:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"error": "用户名或密码错误 · Wrong username or password", "username": username},
            status_code=401,
        )
    body = answer.json()
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, body["access_token"], max_age=body["expires_in"], httponly=True, samesite="lax"
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def incidents_page(request: Request, rt: Runtime = Depends(runtime)) -> HTMLResponse:
    principal, token = await signed_in(request)
    async with service(rt, "incidents", token) as http:
        response = await http.get("/incidents")
        response.raise_for_status()
    return templates.TemplateResponse(
        request,
        "incidents.html",
        {
            "principal": principal,
            "incidents": response.json(),
            "status_labels": STATUS_LABELS,
            "urgency_labels": URGENCY_LABELS,
        },
    )


KIND_LABELS = {
    "grid": "网格",
    "compound": "小区",
    "micro_grid": "微网格",
    "building": "楼栋",
    "unit": "单元",
}


def grid_tree(nodes: list[dict]) -> list[dict]:
    """Nest the flat node list under each node's parent, roots first, in path order."""
    by_code = {n["code"]: {**n, "children": []} for n in nodes}
    roots = []
    for node in sorted(by_code.values(), key=lambda n: n["path"]):
        parent = by_code.get(node["parent_code"] or "")
        (parent["children"] if parent else roots).append(node)
    return roots


@router.get("/grid", response_class=HTMLResponse)
async def grid_page(request: Request, rt: Runtime = Depends(runtime)) -> HTMLResponse:
    """The grid tree of each community the coordinator works in, with its households counted."""
    principal, token = await signed_in(request)
    communities = []
    async with service(rt, "organisation", token) as http:
        for code in sorted(principal.scope.communities):
            community = await http.get(f"/communities/{code}")
            nodes = await http.get(f"/communities/{code}/grid-nodes")
            if community.status_code == 200 and nodes.status_code == 200:
                tree = grid_tree(nodes.json())
                communities.append({**community.json(), "tree": tree, "nodes": nodes.json()})
    return templates.TemplateResponse(
        request,
        "grid.html",
        {"principal": principal, "communities": communities, "kind_labels": KIND_LABELS},
    )


app = create_service_app(
    "console", title="Lianxin console", metadata=None, routers=[], public_routers=[router]
)


@app.exception_handler(LoginRequired)
async def _to_login(request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse("/login", status_code=303)
