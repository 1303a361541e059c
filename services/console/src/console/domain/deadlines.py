"""Deadlines as people read them: how long is left, or how long it has been overdue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# What the console shows its users: China's time, whatever the servers run on.
LOCAL = ZoneInfo("Asia/Shanghai")


def parse(moment: str | None) -> datetime | None:
    if not moment:
        return None
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def remaining(deadline: str | None, now: datetime) -> dict | None:
    """{"seconds": left (negative once overdue), "overdue": bool, "zh": …, "en": …}."""
    due = parse(deadline)
    if due is None:
        return None
    seconds = int((due - now).total_seconds())
    zh, en = span_words(abs(seconds))
    if seconds < 0:
        return {"seconds": seconds, "overdue": True, "zh": f"已超时 {zh}", "en": f"{en} overdue"}
    return {"seconds": seconds, "overdue": False, "zh": f"剩余 {zh}", "en": f"{en} left"}


def span_words(seconds: int) -> tuple[str, str]:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} 天 {hours} 小时", f"{days} d {hours} h"
    if hours:
        return f"{hours} 小时 {minutes} 分", f"{hours} h {minutes} min"
    return f"{minutes} 分", f"{minutes} min"


def assignment_deadline(assignment: dict) -> str | None:
    """The deadline that matters now: signing for it until acknowledged, then resolving it."""
    if assignment.get("status") in {"resolved", "cancelled", "rerouted", "returned"}:
        return None
    if not assignment.get("acknowledged_at"):
        return assignment.get("acknowledge_by")
    return assignment.get("resolve_by")


def local_time(moment: str | None) -> str:
    """`2026-11-21T22:05:00Z` as a coordinator reads it: `2026-11-22 06:05` (China's time)."""
    when = parse(moment)
    if when is None:
        return ""
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%d %H:%M")
    return when.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
