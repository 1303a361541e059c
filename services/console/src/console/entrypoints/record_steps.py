"""What the pages that record a meeting step by step share (a residents' deliberation, a joint
meeting): the typed entries as resources wants them, each step sent with the user's token, and
its answer: back to the page on success, or the page again with each refusal beside the field it
names (problem+json `errors`, worded in the page's language) and what was typed kept.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from console.domain.deadlines import LOCAL
from console.domain.forms import field_errors
from console.domain.i18n import translator
from console.entrypoints.web import PageError, Session, page_language


def lines(text: str) -> list[str]:
    """A textarea's entries: one a line (or separated by 、，,), blanks dropped."""
    return [part.strip() for part in re.split(r"[\n、，,]", text) if part.strip()]


def local_moment(typed: str) -> str:
    """A `datetime-local` value is China's time: sent on with its offset (as typed if it does
    not read as a time, for resources to name the field); blank is now."""
    if not typed.strip():
        return datetime.now(LOCAL).isoformat()
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=LOCAL).isoformat()
    except ValueError:
        return typed


def day_end(typed: str) -> str:
    """A `date` value is a day in the community's time: due by the end of its working day
    (blank stays blank, for resources to name the field)."""
    day = typed.strip()
    return f"{day}T18:00:00+08:00" if day else ""


def whole_number(text: Any) -> Any:
    """The whole number typed, or the text (for resources to name the field it refuses)."""
    value = str(text or "").strip()
    return int(value) if value.isdigit() else value or None


def problem(answer: Any, request: Request, fields: set[str]) -> dict[str, Any]:
    """A refusal as the page shows it: {"errors": {field: message}, "error": the rest}."""
    body = answer.body if isinstance(answer.body, dict) else {}
    by_field, general = field_errors(body, fields, page_language(request))
    return {"errors": by_field, "error": general}


async def send(current: Session, method: str, path: str, body: Any) -> Any:
    if method == "PUT":
        return await current.services.put("resources", path, body)
    return await current.services.post("resources", path, body)


async def answered(
    request: Request,
    answer: Any,
    back: str,
    again: Callable[..., Awaitable[Response]],
    failed: str,
    fields: set[str],
    **extra: Any,
) -> Response:
    """A step's answer: on success back to the page `back` (303); a refusal of the page itself
    as the page's 403/404; any other as `again(status, failed=…, errors=…, error=…, **extra)`,
    the page once more with the refusal beside the step's form (503 when resources failed)."""
    if answer.ok:
        return RedirectResponse(back, status_code=303)
    if answer.status == 403:
        raise PageError(403, "forbidden")
    if answer.status == 404 and not isinstance(answer.body, dict):
        raise PageError(404, "not_found")
    refused = problem(answer, request, fields)
    if not refused["error"] and not refused["errors"] and isinstance(answer.body, dict):
        refused["error"] = answer.body.get("detail") or answer.body.get("title")
    lang = page_language(request)
    if answer.status == 409 and lang != "en":
        # The record moved on (closed, or the matter decided meanwhile): resources says so in
        # English, the page in the user's language.
        refused["error"] = translator(lang)("record.conflict")
    status = answer.status if answer.status < 500 else 503
    return await again(status, failed=failed, **refused, **extra)
