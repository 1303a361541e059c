"""What every page shares: the session from the cookies, who may open what, the templates."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.adapters.names import names_for
from console.adapters.services import Answer, Services
from console.domain.deadlines import local_time
from console.domain.durations import duration_words
from console.domain.i18n import language, translator
from console.domain.names import (
    Names,
    actor_words,
    consumer_words,
    service_words,
    timeline_detail,
)
from console.entrypoints.protection import csrf_field, csrf_token
from console.entrypoints.static import static_url
from lianxin.auth import Principal, Role, Unauthorized

PACKAGE = Path(__file__).parent.parent
COOKIE = "lianxin_token"  # the short-lived access token
REFRESH_COOKIE = "lianxin_refresh"  # the sign-in: renews the access token while the user works
LANG_COOKIE = "lang"

COORDINATORS = (Role.COMMUNITY_COORDINATOR, Role.STREET_COORDINATOR, Role.ALLIANCE_ADMIN)
REPORTERS = (Role.GRID_LEADER, *COORDINATORS)
OPERATORS = (Role.ALLIANCE_ADMIN,)
BOARD_READERS = (*COORDINATORS, Role.DEPARTMENT_OPERATOR)
EVERYONE = tuple(Role)
VOLUNTEERING = (*COORDINATORS, Role.GRID_LEADER, Role.VOLUNTEER)  # who works with volunteers

# (path, message id, roles that see the link); the platform itself sees everything.
NAV = (
    ("/", "nav.dashboard", EVERYONE),
    ("/incidents", "nav.incidents", EVERYONE),
    ("/inbox", "nav.inbox", REPORTERS),
    ("/grid", "nav.grid", REPORTERS),
    ("/board", "nav.board", BOARD_READERS),
    ("/operations", "nav.operations", OPERATORS),
    # Resources and projects: the wish board for whoever records, claims or closes wishes.
    ("/wishes", "nav.wishes", (*REPORTERS, Role.MEMBER_UNIT_LIAISON, Role.VOLUNTEER)),
    ("/lists", "nav.lists", COORDINATORS),
    ("/lists/projects", "nav.projects", (Role.MEMBER_UNIT_LIAISON,)),
    ("/meetings", "nav.meetings", COORDINATORS),
    ("/deliberations", "nav.deliberations", (*REPORTERS, Role.MEMBER_UNIT_LIAISON)),
    ("/scorecards", "nav.scorecards", (*COORDINATORS, Role.MEMBER_UNIT_LIAISON)),
    # Volunteers (console.entrypoints.volunteer_pages)
    ("/volunteering/me", "nav.my_service", (Role.VOLUNTEER,)),
    ("/volunteering/activities", "nav.activities", VOLUNTEERING),
    ("/volunteering/shop", "nav.shop", (*COORDINATORS, Role.VOLUNTEER)),
    ("/volunteering/leaderboards", "nav.leaderboards", VOLUNTEERING),
    ("/volunteering/mobilisations", "nav.mobilisations", VOLUNTEERING),
    ("/care", "nav.care", (Role.GRID_LEADER, Role.COMMUNITY_COORDINATOR, Role.VOLUNTEER)),
)


class LoginRequired(Exception):
    """The visitor has no valid session: send them to the login page."""


class PageError(Exception):
    """A page the user may not open (403) or that is not there for them (404)."""

    def __init__(self, status: int, message_id: str) -> None:
        self.status = status
        self.message_id = message_id


@dataclass(frozen=True)
class Session:
    principal: Principal
    token: str
    services: Services

    def may(self, *roles: Role) -> bool:
        return self.principal.has_role(*roles)


async def session(request: Request) -> Session:
    """The signed-in user (a FastAPI dependency): the access token's cookie, verified offline;
    once it has expired (the browser drops the cookie), a new one for the refresh token's."""
    verifier = request.app.state.token_verifier
    rt = request.app.state.runtime
    token = request.cookies.get(COOKIE)
    try:
        if not token:
            raise Unauthorized("no access token")
        principal = await verifier.verify(token)
    except Unauthorized:
        tokens = await _renewed(Services(rt.settings, None), request.cookies.get(REFRESH_COOKIE))
        token = tokens["access_token"]
        try:
            principal = await verifier.verify(token)
        except Unauthorized as exc:
            raise LoginRequired from exc
        request.state.renewed = tokens  # SessionCookies hands them to the browser
    request.state.principal = principal
    trace.get_current_span().set_attribute("enduser.id", principal.subject)  # the trace's actor
    services = Services(rt.settings, token)
    # Every page names places and departments the same way (domain/names.py).
    request.state.names = await names_for(principal, services)
    return Session(principal, token, services)


# Renewals of the last half minute, by the refresh token's digest: a page's parallel requests
# (the page, its fragments, its event stream) arrive with the same spent token, and each must
# get the one renewal, not end the sign-in as a reuse (organisation refuses a second use).
_RENEWALS: dict[str, tuple[float, asyncio.Future[Answer]]] = {}
_RENEWALS_KEPT = 30.0


async def _renewed(services: Services, refresh_token: str | None) -> dict:
    if not refresh_token:
        raise LoginRequired
    now = time.monotonic()
    for key, (at, _) in list(_RENEWALS.items()):
        if now - at > _RENEWALS_KEPT:
            del _RENEWALS[key]
    key = hashlib.sha256(refresh_token.encode()).hexdigest()
    if key not in _RENEWALS:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        call = services.post_form("organisation", "/oauth/token", form)
        _RENEWALS[key] = (now, asyncio.ensure_future(call))
    answer = await asyncio.shield(_RENEWALS[key][1])
    if answer.status != 200:
        raise LoginRequired
    return answer.body


def keep_tokens(response: Response, tokens: dict, secure: bool) -> None:
    """The tokens of a grant into the browser, HttpOnly: the access token until shortly before
    it expires (so that a request never starts with a token about to lapse), the refresh token
    until the sign-in's absolute end, both sent to this site's pages only (SameSite)."""
    lifetime = int(tokens["expires_in"])
    response.set_cookie(
        COOKIE,
        tokens["access_token"],
        max_age=max(1, lifetime - min(60, lifetime // 4)),
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    if tokens.get("refresh_token"):
        response.set_cookie(
            REFRESH_COOKIE,
            tokens["refresh_token"],
            max_age=int(tokens.get("refresh_expires_in") or lifetime),
            httponly=True,
            secure=secure,
            samesite="lax",
        )


def forget_tokens(response: Response) -> None:
    for name in (COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name)


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def safe_next(target: str | None) -> str:
    """A path on this site to go back to, or the home page: never an open redirect (no scheme,
    no host, no `//host` or `/\\host` that browsers read as another site)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/"
    return target


def login_redirect(request: Request) -> Response:
    """To the login page, which brings the user back to the page they were on: the page itself
    for a page, the page that sent a form or made a fragment's request otherwise."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        query = request.url.query
        here = request.url.path + (f"?{query}" if query else "")
    else:
        sender = request.headers.get("HX-Current-URL") or request.headers.get("referer") or ""
        parts = urlsplit(sender)
        same_site = parts.netloc == request.url.netloc
        here = parts.path + (f"?{parts.query}" if parts.query else "") if same_site else "/"
    here = safe_next(here)
    target = "/login" if here == "/" else f"/login?next={quote(here, safe='')}"
    if request.headers.get("HX-Request"):
        # htmx follows redirects inside the fragment: make it load the login page instead.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


class SessionCookies:
    """ASGI middleware: a renewed session's cookies onto the response, and `no-store` on every
    response made for a signed-in user (private data: Back after signing out must not show it
    from the cache). Pure ASGI, so event streams pass through unbuffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope.get("state") or {}
                if "principal" in state or "renewed" in state:
                    extra = Response()
                    if "renewed" in state:
                        keep_tokens(extra, state["renewed"], is_https(Request(scope)))
                    headers = [(k, v) for k, v in message["headers"] if k != b"cache-control"]
                    headers += [(b"cache-control", b"no-store")]
                    headers += [(k, v) for k, v in extra.raw_headers if k == b"set-cookie"]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send=sending)


def needs(*roles: Role):
    """A dependency: the session, if the user's role may open the page."""

    async def check(request: Request) -> Session:
        current = await session(request)
        if not current.may(*roles):
            raise PageError(403, "forbidden")
        return current

    return check


def page_language(request: Request) -> str:
    """The language the user reads the console in: the `lang` cookie's, Chinese by default."""
    return language(request.cookies.get(LANG_COOKIE))


def words(lang: str, names: Names | None = None) -> dict[str, Any]:
    """What templates word things with: messages, names for codes, timeline details, the
    platform's services and consumers, all in `lang`."""
    t = translator(lang)
    named = (names or Names()).speaking(lang)
    return {
        "lang": lang,
        "t": t,
        "names": named,
        "detail": lambda line: timeline_detail(
            line["action"], line.get("detail"), named, t, local_time
        ),
        "actor": lambda who: actor_words(who, t, named),
        "service_name": lambda service: service_words(service, t, named),
        "consumer_name": lambda durable: consumer_words(durable, t, named),
    }


def _context(request: Request) -> dict[str, Any]:
    lang = page_language(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = [
        (path, label)
        for path, label, roles in NAV
        if principal is not None and principal.has_role(*roles)
    ]
    return {
        **words(lang, getattr(request.state, "names", None)),
        "principal": principal,
        "nav": nav,
        "path": request.url.path,
        "is_operator": principal is not None and principal.has_role(*OPERATORS),
        "csrf_token": csrf_token(request),
    }


templates = Jinja2Templates(directory=PACKAGE / "templates", context_processors=[_context])
templates.env.filters["local_time"] = local_time
templates.env.filters["duration"] = duration_words
templates.env.globals["static"] = static_url


@pass_context
def _csrf_field(context: Any) -> Any:
    """`{{ csrf_field() }}` in a POST form: the session's CSRF token as its hidden field (see
    console.entrypoints.protection)."""
    return csrf_field(context.get("csrf_token", ""))


templates.env.globals["csrf_field"] = _csrf_field


def render(request: Request, name: str, status_code: int = 200, **context: Any):
    return templates.TemplateResponse(request, name, context, status_code=status_code)
