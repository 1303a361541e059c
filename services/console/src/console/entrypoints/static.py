"""The console's static files: each URL carries a hash of the file (`/static/console.css?v=…`),
so a browser may keep it for a year and still gets a changed file at once; compression is the
app's (GZipMiddleware). On a slow phone the dashboard's scripts took seconds uncompressed."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

FOREVER = "public, max-age=31536000, immutable"
ROOT = Path(__file__).parent.parent / "static"


@cache
def version(path: str) -> str:
    """The first 10 hex digits of the file's SHA-256 (files change only with a new release)."""
    return hashlib.sha256((ROOT / path).read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={version(path)}"


class VersionedStatic(StaticFiles):
    """Static files that may be kept for good when asked for by their current version, and are
    checked again each time when asked for without it (an old page, a hand-typed URL)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        asked = parse_qs(scope.get("query_string", b"").decode()).get("v", [None])[0]
        if response.status_code in (200, 304):
            try:
                current = version(path)
            except OSError:
                current = None
            kept = asked is not None and asked == current
            response.headers["Cache-Control"] = FOREVER if kept else "no-cache"
        return response
