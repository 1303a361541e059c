"""Photos and a location through the real incidents process: a report with a building of its
micro-grid, a photo attached, served without its GPS position and never cached; refused by
size (before it is read) and by type as problem+json naming `photo`; invisible (404) to a
coordinator of another community, a department without a part in it and a stranger's token;
and Open311's `media_url` pointing at it."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from lianxin.demo.accounts import PASSWORD
from lianxin.http_clients import sync_client
from tests.conftest import Platform
from tests.e2e.data import report_and_escalate

pytestmark = pytest.mark.e2e

GPS_IFD = 0x8825
MB = 1024 * 1024


def camera_jpeg() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 42.0, 30.0), 3: "E", 4: (107.0, 23.0, 1.0)})
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def report(leader: httpx.Client) -> dict:
    [node] = [n for n in leader.get("/grid-nodes").json() if n["code"] == "tpj-g01-m01"]
    assert node["addresses"], "Taipingjie's micro-grids name their buildings"
    answer = leader.post(
        "/incidents",
        json={
            "micro_grid_code": "tpj-g01-m01",
            "category": "property",
            "urgency": "general",
            "description": "楼道堆满杂物",
            "affected_households": 6,
            "building": node["addresses"][0],
            "unit": "2单元",
        },
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["building"], answer.json()["unit"]) == (node["addresses"][0], "2单元")
    return answer.json()


def test_a_photo_is_kept_stripped_private_and_only_for_those_who_see_it(
    demo_platform: Platform,
) -> None:
    leader = demo_platform.http("incidents", demo_platform.token("tpj-g01-leader", PASSWORD))
    incident = report(leader)
    photos = f"/incidents/{incident['id']}/photos"

    unknown = leader.post(
        "/incidents",
        json={
            **{k: incident[k] for k in ("micro_grid_code", "category", "urgency")},
            "description": "x",
            "building": "不存在的楼",
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "building"

    sent = leader.post(photos, content=camera_jpeg(), headers={"Content-Type": "image/jpeg"})
    assert sent.status_code == 201, sent.text
    photo = sent.json()
    assert photo["uploaded_by"] and photo["thumbnail_url"] == photo["url"] + "?thumbnail=true"
    assert [p["id"] for p in leader.get(photos).json()] == [photo["id"]]

    for path, size in ((photo["url"], (800, 600)), (photo["thumbnail_url"], (320, 240))):
        served = leader.get(path)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert "no-store" in served.headers["cache-control"]
        assert "private" in served.headers["cache-control"]
        image = Image.open(io.BytesIO(served.content))
        assert image.size == size and dict(image.getexif()) == {}

    # A name or a declared type says nothing: a PDF sent as image/jpeg is refused.
    pdf = leader.post(photos, content=b"%PDF-1.7\n" * 100, headers={"Content-Type": "image/jpeg"})
    assert pdf.status_code == 422
    assert pdf.headers["content-type"].startswith("application/problem+json")
    assert pdf.json()["errors"][0]["field"] == "photo"
    big = leader.post(photos, content=b"\xff\xd8\xff" + b"\0" * (8 * MB))
    assert big.status_code == 413, big.text
    assert big.json()["errors"][0] == {
        "field": "photo",
        "detail": big.json()["errors"][0]["detail"],
        "type": "photo_too_large",
        "ctx": {"limit_mb": 8},
    }
    assert len(leader.get(photos).json()) == 1

    strangers = {
        "another community's coordinator": demo_platform.token("cs-coordinator", PASSWORD),
        "a department with no part in it": demo_platform.token("power-operator", PASSWORD),
    }
    for who, token in strangers.items():
        other = demo_platform.http("incidents", token)
        for path in (photos, photo["url"], photo["thumbnail_url"]):
            assert other.get(path).status_code == 404, (who, path)
        assert other.post(photos, content=camera_jpeg()).status_code in (403, 404), who
    forged = demo_platform.http("incidents", "not-a-token")
    assert forged.get(photo["url"]).status_code == 401
    with sync_client(base_url=demo_platform.url("incidents")) as anonymous:
        assert anonymous.get(photo["url"]).status_code == 401

    [request] = leader.get(f"/open311/v2/requests/{incident['id']}.json").json()
    assert request["media_url"].endswith(photo["url"])
    assert leader.get(request["media_url"]).status_code == 200


def test_the_console_checks_a_photo_before_the_report_and_adds_one_later(
    demo_platform: Platform,
) -> None:
    """Without the browser's own check (no JavaScript): the console refuses an oversized photo
    beside its field, keeping what was typed and reporting nothing; a later photo that is no
    photo comes back to the incident page with the refusal in Chinese."""
    console = demo_platform.console_as("tpj-g01-leader")
    typed = {
        "micro_grid_code": "tpj-g01-m01",
        "category": "property",
        "urgency": "general",
        "description": "路灯不亮",
    }
    big = {"photo": ("big.jpg", b"\xff\xd8\xff" + b"\0" * (8 * MB + 10), "image/jpeg")}
    refused = console.post("/inbox/incidents", data=typed, files=big)
    assert refused.status_code == 422
    assert "照片不能超过 8 MB" in refused.text and ">路灯不亮</textarea>" in refused.text
    huge = {"photo": ("huge.jpg", b"\xff\xd8\xff" + b"\0" * (9 * MB), "image/jpeg")}
    assert console.post("/inbox/incidents", data=typed, files=huge).status_code == 413
    with demo_platform.http("incidents") as incidents:
        assert incidents.get("/incidents").json() == []

    reported = console.post("/inbox/incidents", data=typed, files={"photo": ("", b"", "")})
    assert reported.status_code == 303, reported.text
    page = reported.headers["location"]
    later = console.post(
        f"{page}/photos/upload", files={"photo": ("a.jpg", b"GIF89a" * 20, "image/jpeg")}
    )
    assert later.status_code == 303
    shown = console.get(later.headers["location"])
    assert "请选择照片 (JPEG、PNG、WebP 或 HEIC)" in shown.text
    assert "暂无照片" in shown.text
    added = console.post(f"{page}/photos/upload", files={"photo": ("b.jpg", camera_jpeg(), "")})
    assert added.headers["location"] == f"{page}#photos"
    assert console.get(page).text.count("?thumbnail=true") == 1


def test_a_department_attaches_a_photo_of_its_result_to_what_it_was_whistled(
    demo_platform: Platform,
) -> None:
    incident = report_and_escalate(demo_platform, "power_supply")
    power = demo_platform.http("incidents", demo_platform.token("power-operator", PASSWORD))
    sent = power.post(f"/incidents/{incident['id']}/photos", content=camera_jpeg())
    assert sent.status_code == 201, sent.text
    assert sent.json()["uploaded_by"]
    with demo_platform.http("incidents") as platform:
        listed = platform.get(f"/incidents/{incident['id']}/photos").json()
    assert [p["id"] for p in listed] == [sent.json()["id"]]
    volunteer = demo_platform.http("incidents", demo_platform.token("tpj-volunteer", PASSWORD))
    assert (
        volunteer.post(f"/incidents/{incident['id']}/photos", content=camera_jpeg()).status_code
        == 403
    )
