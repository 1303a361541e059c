"""The console's words in Chinese and English, keyed by message id.

The words are data, kept in TOML catalogs beside this module (`messages/<area>.toml`, one per
page area), so they are read and edited as words, not code. Chinese is the default; the `lang`
cookie switches to English. Domain words follow /work/shared/GLOSSARY.md: what the code calls
`escalation` the console calls 吹哨, and so on.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from importlib.resources import files
from types import MappingProxyType

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

# The page areas, each with its catalog messages/<area>.toml; `core` holds what every page shares.
AREAS = (
    "core",
    "lists",
    "volunteering",
    "loop",
    "work",
    "care",
    "deliberation",
    "meetings",
    "security",
)

Words = tuple[str, str]


class CatalogError(ValueError):
    """A catalog the console must not start with: a page would show wrong or missing words."""


def read_catalog(name: str, text: str) -> dict[str, Words]:
    """One catalog's entries, in its order; each must be exactly two non-empty strings."""
    try:
        entries = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib refuses an id given twice in one file but does not say which: name it.
        ids = re.findall(r'^"([^"]+)"\s*=', text, re.MULTILINE)
        if twice := sorted({i for i in ids if ids.count(i) > 1}):
            raise CatalogError(f"{name}.toml: {twice} defined twice") from error
        raise CatalogError(f"{name}.toml: {error}") from error
    catalog: dict[str, Words] = {}
    for message_id, words in entries.items():
        if not (
            isinstance(words, list)
            and len(words) == 2
            and all(isinstance(w, str) and w for w in words)
        ):
            raise CatalogError(
                f"{name}.toml: {message_id!r} must be two non-empty strings"
                f' ["中文", "English"], not {words!r}'
            )
        catalog[message_id] = (words[0], words[1])
    return catalog


def merge(catalogs: Mapping[str, Mapping[str, Words]]) -> dict[str, Words]:
    """All catalogs' words in one dict. One id means one thing across the pages, so an id in two
    catalogs is an error, not a silent choice of either."""
    merged: dict[str, Words] = {}
    defined_in: dict[str, str] = {}
    for name, catalog in catalogs.items():
        for message_id, words in catalog.items():
            if message_id in defined_in:
                raise CatalogError(
                    f"{message_id!r} is defined in both {defined_in[message_id]}.toml"
                    f" and {name}.toml"
                )
            defined_in[message_id] = name
            merged[message_id] = words
    return merged


def _with_feedback_states(lists: dict[str, Words]) -> dict[str, Words]:
    """The feedback list shows each project's and each responsibility's own state in the words
    their own pages use (besides its two states in lists.toml): derived, so they cannot drift."""
    derived = {
        "ls.feedback." + key.rsplit(".", 1)[1]: words
        for key, words in lists.items()
        if key.startswith(("ls.project.", "ls.resp."))
    }
    if clash := derived.keys() & lists.keys():
        raise CatalogError(f"lists.toml: {sorted(clash)} are derived from ls.project.*/ls.resp.*")
    return lists | derived


def _load() -> dict[str, dict[str, Words]]:
    folder = files("console.domain") / "messages"
    catalogs = {
        name: read_catalog(name, (folder / f"{name}.toml").read_text(encoding="utf-8"))
        for name in AREAS
    }
    catalogs["lists"] = _with_feedback_states(catalogs["lists"])
    return catalogs


_CATALOGS = _load()
MESSAGES = merge(_CATALOGS)


def area(name: str) -> Mapping[str, Words]:
    """One page area's words (read-only), for a page that lists what its own area has words for."""
    return MappingProxyType(_CATALOGS[name])


def translator(lang: str) -> Callable[[str], str]:
    """`t(message_id)`: the message in `lang`; an unknown id shows its last part, not a crash."""
    index = 1 if lang == "en" else 0

    def t(message_id: str) -> str:
        found = MESSAGES.get(message_id)
        return found[index] if found else message_id.rsplit(".", 1)[-1].replace("_", " ")

    return t


def language(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT
