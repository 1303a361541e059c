"""The console process: `uvicorn console.entrypoints.app:app`.

A backend-for-frontend: it keeps no database of its own. A coordinator logs in with an
organisation account; the console keeps the token in an HttpOnly cookie and calls the services
with it, so every service applies the user's own role and scope.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from types import FrameType

from fastapi import Request
from fastapi.responses import Response
from starlette.middleware.gzip import GZipMiddleware

from console.adapters.events import LiveEvents
from console.entrypoints import (
    care_pages,
    deliberation_pages,
    incident_pages,
    live,
    operators,
    pages,
    photo_pages,
    resources_pages,
    volunteer_pages,
)
from console.entrypoints.protection import CsrfGuard, console_headers, forbidden_problem
from console.entrypoints.static import ROOT, VersionedStatic
from console.entrypoints.web import (
    COOKIE,
    REFRESH_COOKIE,
    LoginRequired,
    PageError,
    SessionCookies,
    login_redirect,
    render,
)
from lianxin.headers import SecurityHeaders
from lianxin.service import Runtime, create_service_app

live_events = LiveEvents()


async def _subscribe(rt: Runtime) -> None:
    assert rt.nc is not None
    await live_events.subscribe(rt.nc)
    _end_streams_on_exit(asyncio.get_running_loop())


def _end_streams_on_exit(loop: asyncio.AbstractEventLoop) -> None:
    """On SIGINT/SIGTERM, end the open event streams first: uvicorn waits for every open
    response before it stops, and an event stream only ends when its browser leaves. The
    server's own handler (installed before startup) still runs after ours."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers (and uvicorn's are there)
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue

        def handler(signum: int, frame: FrameType | None, previous=previous) -> None:
            loop.call_soon_threadsafe(live_events.close)
            previous(signum, frame)

        signal.signal(sig, handler)


app = create_service_app(
    "console",
    title="Lianxin console",
    metadata=None,
    routers=[],
    public_routers=[
        pages.router,
        photo_pages.router,
        incident_pages.router,
        live.router,
        operators.router,
        resources_pages.router,
        volunteer_pages.router,
        care_pages.router,
        deliberation_pages.router,
    ],
    on_startup=_subscribe,
)
app.state.live_events = live_events


def _csrf_refused(request: Request) -> Response:
    """A POST without the session's CSRF token: the page says to reload and send again."""
    return forbidden_problem(request) or render(request, "error.html", 403, message_id="csrf")


app.add_middleware(SessionCookies)
app.add_middleware(CsrfGuard, forbidden=_csrf_refused, session_cookies=(COOKIE, REFRESH_COOKIE))
# The console's own headers (its Content-Security-Policy) over the services' (lianxin.headers).
app.add_middleware(
    SecurityHeaders, headers=console_headers(app.state.runtime.settings.lianxin_map_tiles)
)
app.mount("/static", VersionedStatic(directory=ROOT), name="static")
# Pages and static files compressed (the event stream is left alone: GZip skips its type).
app.add_middleware(GZipMiddleware, minimum_size=1000)


@app.exception_handler(LoginRequired)
async def _to_login(request: Request, exc: LoginRequired) -> Response:
    return login_redirect(request)


@app.exception_handler(PageError)
async def _page_error(request: Request, exc: PageError) -> Response:
    return render(request, "error.html", exc.status, message_id=exc.message_id)
