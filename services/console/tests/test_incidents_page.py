"""The incidents page template, rendered without I/O."""

from __future__ import annotations

from console.entrypoints.app import STATUS_LABELS, URGENCY_LABELS, templates


def _render(incidents: list[dict]) -> str:
    template = templates.get_template("incidents.html")
    return template.render(
        incidents=incidents, status_labels=STATUS_LABELS, urgency_labels=URGENCY_LABELS
    )


def test_each_incident_is_a_row_with_its_status_in_chinese() -> None:
    html = _render(
        [
            {
                "id": "i-1",
                "reported_at": "2026-11-21T22:05:00Z",
                "community_code": "taipingjie",
                "micro_grid_code": "tpj-g01-m01",
                "category": "power_supply",
                "urgency": "utilities",
                "description": "变压器故障 <script>alert(1)</script>",
                "status": "escalated",
            }
        ]
    )
    assert 'data-incident-id="i-1"' in html
    assert "已吹哨" in html and "水电气暖" in html and "2026-11-21 22:05" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_empty_list_says_so() -> None:
    assert "暂无事件" in _render([])
