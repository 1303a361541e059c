"""Security headers on every response of a service, pure ASGI (event streams pass unbuffered).

The services answer JSON to machines: they tell a browser never to sniff a type, never to frame
them and to send no referrer. The console adds its own, stricter set on top (its
Content-Security-Policy); a header set by an outer layer replaces the same one set here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]
API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: Mapping[str, str] = API_HEADERS) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.names = {k for k, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            send = editing_start(send, self._replaced)
        await self.app(scope, receive, send)

    def _replaced(self, headers: Headers) -> Headers:
        return [(k, v) for k, v in headers if k not in self.names] + self.headers


def editing_start(send: Send, edit: Callable[[Headers], Headers]) -> Send:
    """`send`, with the response's headers passed through `edit` as the response starts."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": edit(list(message.get("headers", [])))}
        await send(message)

    return sending
