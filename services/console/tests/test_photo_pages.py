"""The report form's building/unit picker and photo input, and the incident page's photos,
rendered without I/O; the buildings a micro-grid offers, from the grid nodes."""

from __future__ import annotations

from console.domain.i18n import translator
from console.domain.places import buildings_by_micro_grid
from console.entrypoints.web import templates

NODES = [
    {"code": "g1", "name": "一网格", "kind": "grid", "path": ["g1"]},
    {
        "code": "m1",
        "name": "一号微网格",
        "kind": "micro_grid",
        "path": ["g1", "m1"],
        "addresses": ["朝华新城1栋"],
    },
    {
        "code": "m2",
        "name": "二号微网格",
        "kind": "micro_grid",
        "path": ["g1", "m2"],
        "addresses": ["5栋"],
    },
    {
        "code": "b5",
        "name": "5栋",
        "kind": "building",
        "parent_code": "m2",
        "path": ["g1", "m2", "b5"],
    },
    {
        "code": "b5-u1",
        "name": "5栋1单元",
        "kind": "unit",
        "parent_code": "b5",
        "path": ["g1", "m2", "b5", "b5-u1"],
    },
]
INCIDENT = {
    "id": "6d0f9d2e-0000-4000-8000-000000000001",
    "status": "reported",
    "building": "5栋",
    "unit": "5栋1单元",
    "latitude": None,
    "longitude": None,
}


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        t=translator(lang), lang=lang, principal=None, nav=[], path="/", **context
    )


def test_a_micro_grid_offers_its_building_nodes_else_the_addresses_it_names() -> None:
    assert buildings_by_micro_grid(NODES) == {
        "m1": [{"name": "朝华新城1栋", "units": []}],
        "m2": [{"name": "5栋", "units": ["5栋1单元"]}],
    }


def test_the_report_form_offers_buildings_by_micro_grid_a_camera_and_a_photo_error() -> None:
    html = _render(
        "_report_where.html",
        micro_grids=[n for n in NODES if n["kind"] == "micro_grid"],
        buildings=buildings_by_micro_grid(NODES),
        map_tiles="",
        photo_limit=8 * 1024 * 1024,
        photo_limit_mb=8,
        form={"building": "5栋"},
        errors={"photo": "照片不能超过 8 MB"},
    )
    assert 'data-micro-grid="m2"' in html and 'data-units="5栋1单元"' in html
    assert 'value="5栋" data-units="5栋1单元" selected' in html
    assert 'type="file" accept="image/*"' in html and 'data-too-large="照片不能超过 8 MB"' in html
    assert 'id="photo-error" role="alert">照片不能超过 8 MB' in html
    # No tile server configured: no map, no latitude field, nothing fetched from outside.
    assert "data-map-tiles" not in html and 'name="latitude"' not in html


def test_a_configured_tile_server_brings_the_map_pin_fields() -> None:
    html = _render(
        "_report_where.html",
        micro_grids=[],
        buildings={},
        map_tiles="https://tiles.example.cn/{z}/{x}/{y}.png",
        form={},
        errors={},
    )
    assert 'data-map-tiles="https://tiles.example.cn/{z}/{x}/{y}.png"' in html
    assert 'name="latitude"' in html and 'name="longitude"' in html


def test_the_incident_page_shows_its_place_and_thumbnails_opening_the_photo() -> None:
    photo = {"id": "p1", "uploaded_by": "网格长", "uploaded_at": "2026-11-21T22:05:00Z"}
    photos = {
        "items": [photo],
        "may_attach": True,
        "error": None,
        "limit": 10,
        "limit_mb": 8,
        "map_tiles": "",
    }
    html = _render("_photos.html", incident=INCIDENT, photos=photos)
    base = f"/incidents/{INCIDENT['id']}/photos/p1"
    assert f'href="{base}"' in html and f'src="{base}?thumbnail=true"' in html
    assert (
        "<span data-place>5栋1单元</span>" in html
        and f'action="/incidents/{INCIDENT["id"]}/photos/upload"' in html
    )
    empty = _render(
        "_photos.html",
        incident={**INCIDENT, "building": "", "unit": ""},
        photos={**photos, "items": [], "may_attach": False},
    )
    assert "暂无照片" in empty and "photos/upload" not in empty and "data-location" not in empty
