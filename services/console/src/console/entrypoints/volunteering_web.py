"""What every volunteers page shares: the community shown, the profile the user speaks for,
volunteers' refusals put in one line, and where a form lands afterwards."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi.responses import RedirectResponse, Response

from console.adapters.services import Answer
from console.domain.forms import field_errors
from console.entrypoints.web import COORDINATORS, PageError, Session
from lianxin.auth import Role

VOLUNTEER = (Role.VOLUNTEER,)
SHOP = (*COORDINATORS, Role.VOLUNTEER)
CHECK_IN_OPENS = timedelta(minutes=30)  # as volunteers has it: people arrive early
COUNTER = "积分超市"  # who hands the goods over when a volunteer redeems for herself


def parsed_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def community_shown(current: Session, asked: str | None) -> str:
    """The community a page shows: the one asked for if the user's scope has it, else the
    first of the user's communities."""
    mine = sorted(current.principal.scope.communities)
    if asked and (asked in mine or current.principal.is_platform):
        return asked
    if not mine:
        raise PageError(404, "not_found")
    return mine[0]


async def my_profile(current: Session) -> dict | None:
    """The volunteer profile the user's account speaks for, if any."""
    if not current.may(Role.VOLUNTEER) or current.principal.is_platform:
        return None
    answer = await current.services.get("volunteers", "/my/volunteer")
    return answer.body if answer.ok else None


async def volunteer_names(current: Session, community: str) -> dict[str, str]:
    """Volunteers' names by id, for those who may list them (coordinators, grid leaders)."""
    if not current.may(*COORDINATORS, Role.GRID_LEADER):
        return {}
    answer = await current.services.get("volunteers", "/volunteers", community_code=community)
    return {v["id"]: v["name"] for v in answer.body} if answer.ok else {}


def back_to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def refusal(answer: Answer, lang: str, fields: Collection[str] = ()) -> str:
    """volunteers' refusal in one line: the fields it names, then its detail."""
    body = answer.body if isinstance(answer.body, dict) else {}
    errors, message = field_errors(body, set(fields), lang)
    return "; ".join([*errors.values(), *([message] if message else [])]) or str(answer.status)


def next_page(form: Any, default: str) -> str:
    target = str(form.get("next") or default)
    return target if target.startswith("/volunteering/") else default


def refused(answer: Answer, lang: str, fields: Collection[str]) -> dict[str, Any]:
    """What a planning form shows again when volunteers refused it: its `errors` beside the
    fields they name, the rest above the form. A 403 or 404 is the page's own, as elsewhere."""
    if answer.status in (403, 404):
        raise PageError(answer.status, "forbidden" if answer.status == 403 else "not_found")
    body = answer.body if isinstance(answer.body, dict) else {}
    errors, message = field_errors(body, set(fields), lang)
    if not errors and not message:
        message = str(answer.status)
    return {
        "status_code": 422 if answer.status < 500 else 503,
        "errors": errors,
        "form_error": message,
    }


def landing(answer: Answer, target: str, lang: str, fields: Collection[str] = ()) -> Response:
    """Back to the page the form was on; what volunteers refused shows at its top."""
    if answer.ok:
        return back_to(target)
    if answer.status == 404:
        raise PageError(404, "not_found")
    separator = "&" if "?" in target else "?"
    return back_to(f"{target}{separator}error={quote(refusal(answer, lang, fields))}")
