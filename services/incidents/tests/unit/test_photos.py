"""A photo's checks: its type told by its first bytes (not its name), its size, how many an
incident holds; and the copy Pillow makes: upright, without the camera's metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from incidents.adapters.images import THUMBNAIL_SIDE, prepare
from incidents.domain.photos import MAX_PER_INCIDENT, check_attachable, check_size, check_type
from lianxin.errors import Conflict, RuleBroken
from lianxin.photos import HEIC, JPEG, PNG, WEBP

MB = 1024 * 1024
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def encoded(fmt: str, size=(40, 20), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 0)).save(
        out, fmt, **save
    )
    return out.getvalue()


def camera_jpeg(orientation: int = 1) -> bytes:
    """A phone camera's JPEG: its make, where it was taken, and how it was held."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 42.0, 30.0), 3: "E", 4: (107.0, 23.0, 1.0)})
    return encoded("JPEG", size=(40, 20), exif=exif.tobytes(), comment=b"shot at home")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (encoded("JPEG"), JPEG),
        (encoded("PNG"), PNG),
        (encoded("WEBP"), WEBP),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", HEIC),
    ],
)
def test_a_photo_is_known_by_its_first_bytes(data: bytes, kind: str) -> None:
    assert check_type(data[:32]) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",  # a document named photo.jpg
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",  # scripts in an image's clothes
        b"GIF89a\x01\x00",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # RIFF, but sound
        b"",
    ],
)
def test_anything_else_is_refused_naming_the_photo_field(data: bytes) -> None:
    with pytest.raises(RuleBroken) as refused:
        check_type(data)
    assert (refused.value.field, refused.value.type) == ("photo", "photo_type")


def test_the_size_is_limited_and_checked_before_reading_when_declared() -> None:
    check_size(8 * MB, 8 * MB)
    check_size(None, 8 * MB)  # no declared length: checked again as the bytes arrive
    with pytest.raises(RuleBroken) as refused:
        check_size(8 * MB + 1, 8 * MB)
    assert (refused.value.field, refused.value.type) == ("photo", "photo_too_large")
    assert refused.value.ctx == {"limit_mb": 8}
    with pytest.raises(RuleBroken):
        check_size(0, 8 * MB)


def test_an_open_incident_takes_photos_up_to_the_limit() -> None:
    check_attachable("escalated", MAX_PER_INCIDENT - 1)
    with pytest.raises(RuleBroken) as refused:
        check_attachable("reported", MAX_PER_INCIDENT)
    assert refused.value.field == "photo"
    with pytest.raises(Conflict):
        check_attachable("closed", 0)


def test_the_served_copy_has_no_location_make_or_comment_and_stands_upright() -> None:
    # Orientation 6: the camera was turned; the pixels are turned instead of the tag kept.
    prepared = prepare(camera_jpeg(orientation=6))
    for data in (prepared.image, prepared.thumbnail):
        served = Image.open(io.BytesIO(data))
        assert served.format == "JPEG"
        assert dict(served.getexif()) == {}
        assert "exif" not in served.info and "comment" not in served.info
        assert b"PhoneMaker" not in data and b"shot at home" not in data
    assert Image.open(io.BytesIO(prepared.image)).size == (20, 40)


def test_a_large_photo_gets_a_small_thumbnail_and_transparency_turns_white() -> None:
    prepared = prepare(encoded("PNG", size=(1200, 600), mode="RGBA"))
    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert max(thumb.size) == THUMBNAIL_SIDE
    assert thumb.convert("RGB").getpixel((5, 5)) >= (250, 250, 250)


def test_a_photo_that_only_starts_like_one_is_refused_not_a_500() -> None:
    with pytest.raises(RuleBroken) as refused:
        prepare(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    assert (refused.value.field, refused.value.type) == ("photo", "photo_unreadable")
