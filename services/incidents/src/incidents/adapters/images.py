"""Photos re-encoded with Pillow: the copy that is kept and served, and its thumbnail.

Re-encoding is what strips the camera's metadata: Pillow writes only what it is given, and it is
given no EXIF, XMP, ICC text chunks or comments, so a photo's GPS position, time and phone model
never leave the server (nor are kept: the upload itself is not stored). The orientation the EXIF
declared is applied to the pixels first, so a portrait photo stays upright without it. Both
copies are JPEG: one type every browser shows, whatever arrived (PNG, WebP, HEIC where a Pillow
plugin reads it); transparency is laid on white.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from incidents.domain.photos import FIELD
from lianxin.errors import RuleBroken

# The served copy's longest side: a phone photo's detail, at a fraction of its bytes.
FULL_SIDE = 2560
THUMBNAIL_SIDE = 320
# Refuse decompression bombs: a small file that would unpack to more pixels than any camera.
MAX_PIXELS = 80_000_000
SERVED_TYPE = "image/jpeg"


@dataclass(frozen=True)
class Prepared:
    image: bytes
    thumbnail: bytes


def prepare(data: bytes) -> Prepared:
    """The stripped copy and thumbnail of `data`; RuleBroken("photo") if Pillow cannot read it.
    CPU-bound: run it in a thread."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise RuleBroken(FIELD, "the photo has too many pixels", type_="photo_type")
                upright = ImageOps.exif_transpose(opened)
                upright.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as error:
        raise RuleBroken(
            FIELD, f"the photo cannot be read: {type(error).__name__}", type_="photo_unreadable"
        ) from error
    flat = _on_white(upright)
    full = flat.copy()
    full.thumbnail((FULL_SIDE, FULL_SIDE))
    small = flat.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return Prepared(_jpeg(full, 85), _jpeg(small, 75))


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # Pillow falls back on the image's own `info` for some (a JPEG comment): dropped first.
    image.info.clear()
    # No exif=, no icc_profile=, no comment: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
