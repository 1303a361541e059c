"""Ticket numbers (工单号): what people read, say on the phone and type into a search, instead of
an incident's UUID. `TPJ-20261129-0007` is Taipingjie's seventh report of 29 November 2026 (the
day in China's time): the community's initials, the day, and that day's count in the community,
which the adapters keep in one counter row per community and day, taken in the report's own
transaction (no duplicates when two leaders report at once, no gaps when a report fails)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from incidents.domain.rates import SHANGHAI

_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
# Pinyin finals, longest first: a syllable takes the longest one that leaves a parse.
_FINALS = (
    "iang",
    "iong",
    "uang",
    "ueng",
    "ang",
    "eng",
    "ong",
    "ing",
    "iao",
    "ian",
    "uai",
    "uan",
    "van",
    "ai",
    "ei",
    "ao",
    "ou",
    "an",
    "en",
    "er",
    "ia",
    "ie",
    "iu",
    "ua",
    "uo",
    "ue",
    "ui",
    "un",
    "ve",
    "in",
    "a",
    "o",
    "e",
    "i",
    "u",
    "v",
)
PATTERN = re.compile(r"^[A-Z0-9]{1,8}-\d{8}-\d{4,}$")


def looks_like_ticket(text: str) -> bool:
    return bool(PATTERN.match(text.strip().upper()))


@cache
def prefix(community_code: str) -> str:
    """The community's initials: the pinyin code's syllables (`taipingjie` → TPJ, `changshan` →
    CS, as the demo's grid codes `tpj-g01` abbreviate it); a code that is not pinyin gives its
    first letters."""
    letters = re.sub(r"[^a-z]", "", community_code.lower())
    syllables = _syllables(letters)
    if syllables and 1 < len(syllables) <= 8:
        return "".join(s[0] for s in syllables).upper()
    return (re.sub(r"[^A-Za-z0-9]", "", community_code)[:4] or "X").upper()


def _syllables(letters: str) -> list[str] | None:
    """`letters` as pinyin syllables (longest finals first), or None if it is not pinyin."""
    if not letters:
        return []
    for initial in (*[i for i in _INITIALS if letters.startswith(i)], ""):
        rest = letters[len(initial) :]
        for final in _FINALS:
            if rest.startswith(final):
                after = _syllables(rest[len(final) :])
                if after is not None:
                    return [initial + final, *after]
    return None


def day_of(moment: datetime) -> datetime:
    """The report's day in China's time, the one its number carries."""
    return moment.astimezone(SHANGHAI)


# The day's count is written with at least this many digits (0007).
DIGITS = 4


def stem(community_code: str, moment: datetime) -> str:
    """The number before its count: `TPJ-20261129-`."""
    return f"{prefix(community_code)}-{day_of(moment):%Y%m%d}-"


def number(community_code: str, moment: datetime, count: int) -> str:
    return f"{stem(community_code, moment)}{count:0{DIGITS}d}"
