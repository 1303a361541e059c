"""Issue #17, 9: a webhook department gets its first signing key when `lianxin up` starts (the
demo's `property` logged "no signing key" until someone ran `lianxin keys rotate`), kept in the
data dir as the NATS keys are; a department that has one kept is not issued another."""

from __future__ import annotations

from pathlib import Path

import pytest

from lianxin.keys_cli import issue_missing_keys
from lianxin.runtime import issued_keys
from tests.conftest import Platform, eventually

pytestmark = pytest.mark.e2e


def test_each_webhook_department_without_a_key_gets_one_once(
    demo_platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIANXIN_DATA_DIR", str(tmp_path))
    org, incidents = demo_platform.url("organisation"), demo_platform.url("incidents")
    with demo_platform.http("incidents") as http:  # incidents has heard of property's channel
        eventually(lambda: any(d["code"] == "property" for d in http.get("/departments").json()))

    assert issue_missing_keys("webhook", incidents, org, tmp_path) == ["property"]
    kept = issued_keys.load(tmp_path)["property"]["webhook"]
    assert kept["secret"] and kept["signature_header"]
    assert "power_supply" not in issued_keys.load(tmp_path)  # a NATS department: no webhook key

    assert issue_missing_keys("webhook", incidents, org, tmp_path) == []  # kept: none again
    assert issued_keys.load(tmp_path)["property"]["webhook"] == kept
