"""A department's webhook URL (issue #17, item 9): https, and never at loopback, link-local or
private addresses, unless the deployment allows it; a 422 naming `channels.url` otherwise."""

from __future__ import annotations

import pytest


@pytest.fixture
def deployment() -> dict:
    """organisation as production runs it: LIANXIN_WEBHOOKS_ALLOW_PRIVATE unset (every other
    module runs with it, as `make run` does: their webhook hosts do not resolve here)."""
    return {}


def _department(url: str, code: str = "property") -> dict:
    channels = [{"kind": "webhook", "url": url}]
    return {"code": code, "name": "物业", "categories": ["property"], "channels": channels}


UNSAFE = [
    ("http://93.184.215.14/hook", "must be https"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://localhost:8443/hook", "loopback"),  # a name: its resolved address is checked
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:10.0.0.7]/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://10.1.2.3/hook", "private"),
    ("https://172.16.0.1/hook", "private"),
    ("https://192.168.1.20/hook", "private"),
    ("https://no-such-host.invalid/hook", "does not resolve"),
]


async def test_an_unsafe_webhook_url_is_refused_naming_the_field(org):
    safe = await org.post("/departments", json=_department("https://93.184.215.14/h", "police"))
    assert safe.status_code == 201, safe.text

    for url, why in UNSAFE:
        registered = await org.post("/departments", json=_department(url))
        changed = await org.patch(
            "/departments/police", json={"channels": [{"kind": "webhook", "url": url}]}
        )

        for answer in (registered, changed):
            assert answer.status_code == 422, (url, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            [error] = answer.json()["errors"]
            assert error["field"] == "channels.url" and why in error["detail"], url
    assert (await org.get("/departments/property")).status_code == 404
    kept = (await org.get("/departments/police")).json()["channels"]
    assert kept[0]["url"] == "https://93.184.215.14/h", "a refused change changes nothing"
