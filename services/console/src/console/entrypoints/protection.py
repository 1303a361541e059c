"""What protects the console's pages in the browser: its security headers (a
Content-Security-Policy that allows no inline script) and a CSRF token checked on every POST.

The CSRF token is per browser session: a random value in an HttpOnly, SameSite=Strict cookie
(issued on the first page, renewed at each sign-in and sign-out), which every form must send
back as its `csrf_token` field (or a script as the `X-CSRF-Token` header). Another site can make
a browser send the cookie, never read it, so it cannot send the matching field. The page holds
the token in `<meta name="csrf-token">` and `csrf_field()` renders the hidden field;
`static/console.js` adds it to every POST form on submit and to htmx and fetch requests.

Not checked: the resident's rating page (`/rate/<token>`), which has no session to ride on; its
link's own signed, single-use token is its protection. Nor a request with an `Authorization`
header: a browser never adds one by itself. Nor a POST without any sign-in cookie (its sign-in
expired): it acts as nobody and is sent to sign in, the user's draft kept.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import cache
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup, escape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lianxin.headers import Headers, editing_start
from lianxin.inputs import replaying
from lianxin.problems import PROBLEM_JSON

CSRF_COOKIE = "lianxin_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNCHECKED = ("/rate/",)  # paths whose own token protects them (see the module's doc)
# Read at most this much of a form looking for the token (photos are the largest forms).
FORM_LIMIT = 32 * 1024 * 1024


@cache
def content_security_policy(map_tiles: str = "") -> str:
    """No inline script, no plugin, no framing; images from here, photo previews (`data:`,
    `blob:`) and the configured map tile server. Inline styles stay allowed: the trace view and
    the progress bars size their bars with a `style` attribute, which runs nothing."""
    tiles = urlsplit(map_tiles)
    tiles_origin = f" {tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{tiles_origin}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def console_headers(map_tiles: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(map_tiles),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def new_csrf_cookie(response: Response, secure: bool, token: str = "") -> str:
    """A fresh token for the browser's session (at sign-in: a token planted before it is void).
    A session cookie: it ends with the browser, and the next page issues another."""
    token = token or secrets.token_urlsafe(32)
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, secure=secure, samesite="strict", path="/"
    )
    return token


def csrf_token(request: Request) -> str:
    """The token this page's forms carry (set by `CsrfGuard` before any route runs)."""
    return getattr(request.state, "csrf_token", "")


def csrf_field(token: str) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


class CsrfGuard:
    """ASGI middleware: every POST (PUT, PATCH, DELETE) must carry the session's token, or gets
    a 403 (a Chinese page, or problem+json for a script that asks for JSON). Pure ASGI: the body
    it read to find the field is handed on to the route unchanged."""

    def __init__(
        self,
        app: ASGIApp,
        forbidden: Callable[[Request], Response],
        session_cookies: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.forbidden = forbidden  # (request) -> the 403 page
        self.session_cookies = session_cookies  # a sign-in's cookies: what a forgery rides on

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        issued = "" if cookie else secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = cookie or issued

        checked = (
            scope["method"] not in SAFE_METHODS
            and not _unchecked(request)
            and (self._signed_in(request) or request.url.path == "/login")
        )
        if checked:
            body = await _read(receive)
            if body is None or not _matches(cookie, await _presented(request, body)):
                response = self.forbidden(request)
                await response(scope, receive, send)
                return
            receive = replaying(body, receive)

        def issuing(headers: Headers) -> Headers:
            # A route that issued its own (sign-in, sign-out) wins over this one.
            if (
                issued
                and _issues(scope)
                and not any(k == b"set-cookie" and CSRF_COOKIE.encode() in v for k, v in headers)
            ):
                extra = Response()
                new_csrf_cookie(extra, _https(request), issued)
                headers += [(k, v) for k, v in extra.raw_headers if k == b"set-cookie"]
            return headers

        await self.app(scope, receive, editing_start(send, issuing))

    def _signed_in(self, request: Request) -> bool:
        """A POST without any sign-in cookie acts as nobody: the route sends it to sign in (and
        the page keeps what the user typed for after), so there is nothing to forge. Signing in
        itself stays checked."""
        return not self.session_cookies or any(c in request.cookies for c in self.session_cookies)


def _unchecked(request: Request) -> bool:
    return request.url.path.startswith(UNCHECKED) or "authorization" in request.headers


def _issues(scope: Scope) -> bool:
    # Static files and the event stream render no form: no cookie on what browsers cache.
    return not scope["path"].startswith(("/static/", "/events"))


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return request.url.scheme == "https" or forwarded == "https"


def _matches(cookie: str, presented: str) -> bool:
    return bool(cookie) and hmac.compare_digest(cookie.encode(), presented.encode())


async def _read(receive: Receive) -> bytes | None:
    """The whole body, or None past `FORM_LIMIT` (no form of the console's is that large)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > FORM_LIMIT:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _presented(request: Request, body: bytes) -> str:
    """The token the request carries: its header, else its form's field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD, [""])
        return values[0]
    if kind.startswith("multipart/form-data"):
        form: FormData = await Request(request.scope, replaying(body, _never)).form()
        try:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else ""
        finally:
            await form.close()
    return ""


async def _never() -> Message:
    return {"type": "http.disconnect"}


def forbidden_problem(request: Request) -> Response | None:
    """A script that asks for JSON gets a problem document; a person gets a page (None)."""
    accept = request.headers.get("accept", "")
    if "json" not in accept or "text/html" in accept:
        return None
    body = {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": f"a POST needs the session's CSRF token ({CSRF_FIELD} or X-CSRF-Token)",
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=403, media_type=PROBLEM_JSON)
