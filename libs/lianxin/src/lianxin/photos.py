"""What kind of photo a file is, by its first bytes (never by its name or declared type).

Shared by incidents, which keeps an incident's photos, and the console, which checks a photo
before it sends the report it came with (so a refused photo does not leave a report behind).
"""

from __future__ import annotations

from lianxin.settings import ServiceSettings

# How many leading bytes `sniff` needs.
HEAD = 32

# The media types a photo may come in: what phones' cameras and screenshots produce.
JPEG, PNG, WEBP, HEIC = "image/jpeg", "image/png", "image/webp", "image/heic"
PHOTO_TYPES = (JPEG, PNG, WEBP, HEIC)
# ISO base media "ftyp" brands of HEIF images from phone cameras (iPhone: heic, mif1).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff(head: bytes) -> str | None:
    """The photo type these leading bytes begin, or None when they begin no photo we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def upload_ceiling() -> int:
    """The largest request an upload route takes before the shared input rule (`lianxin.inputs`)
    refuses it unread: room for the largest photo and the form around it, so that a photo just
    over its limit reaches the route, which refuses it naming `photo` (and the console, which
    answers with its form again)."""
    return 2 * ServiceSettings().lianxin_photo_max_bytes + 1_000_000
