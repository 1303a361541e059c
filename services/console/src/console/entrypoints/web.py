"""What every page shares: the session from the cookie, who may open what, the templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from console.adapters.services import Services
from console.domain.deadlines import local_time
from console.domain.durations import duration_words
from console.domain.i18n import language, translator
from lianxin.auth import Principal, Role, Unauthorized

PACKAGE = Path(__file__).parent.parent
COOKIE = "lianxin_token"
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
    """The signed-in user (a FastAPI dependency): the token cookie, verified offline."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginRequired
    try:
        principal = await request.app.state.token_verifier.verify(token)
    except Unauthorized as exc:
        raise LoginRequired from exc
    request.state.principal = principal
    rt = request.app.state.runtime
    return Session(principal, token, Services(rt.settings, token))


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


def _context(request: Request) -> dict[str, Any]:
    lang = page_language(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = [
        (path, label)
        for path, label, roles in NAV
        if principal is not None and principal.has_role(*roles)
    ]
    return {
        "lang": lang,
        "t": translator(lang),
        "principal": principal,
        "nav": nav,
        "path": request.url.path,
        "is_operator": principal is not None and principal.has_role(*OPERATORS),
    }


templates = Jinja2Templates(directory=PACKAGE / "templates", context_processors=[_context])
templates.env.filters["local_time"] = local_time
templates.env.filters["duration"] = duration_words


def render(request: Request, name: str, status_code: int = 200, **context: Any):
    return templates.TemplateResponse(request, name, context, status_code=status_code)
