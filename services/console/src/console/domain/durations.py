"""Lengths of time as people say them: "7 天", not "168.0 小时"; a sign-in's wait likewise."""

from __future__ import annotations

# (seconds in the unit, Chinese, English), largest first.
UNITS = ((86400, "天", "d"), (3600, "小时", "h"), (60, "分钟", "min"))


def duration_words(seconds: float, lang: str) -> str:
    """A duration in its largest unit and the next one, a part that is zero left out, to the
    minute: 604800 → "7 天", 129600 → "1 天 12 小时", 900 → "15 分钟" (English "7 d",
    "1 d 12 h", "15 min")."""
    rest = round(seconds / 60) * 60
    counts = []
    for size, zh, en in UNITS:
        count, rest = divmod(rest, size)
        counts.append((count, en if lang == "en" else zh))
    first = next((i for i, (count, _) in enumerate(counts) if count), len(counts) - 1)
    shown = [f"{count} {unit}" for count, unit in counts[first : first + 2] if count]
    return " ".join(shown) or f"0 {counts[-1][1]}"


def wait_words(seconds: int, lang: str) -> str:
    """A sign-in's wait as people say it: "30 秒", "2 分钟", "15 分钟" (rounded up: never
    promise a wait shorter than the real one)."""
    if seconds < 60:
        return f"{seconds} 秒" if lang != "en" else f"{seconds} s"
    minutes = -(-seconds // 60)
    return f"{minutes} 分钟" if lang != "en" else f"{minutes} min"
