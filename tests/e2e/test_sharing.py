"""Raising an incident to the alliance from the console: the partner community's coordinator sees
it and takes part, a community it was not shared with does not; and the reporter anonymised."""

from __future__ import annotations

import pytest

from tests.conftest import Platform
from tests.e2e.data import SHARED_STREET, report

pytestmark = pytest.mark.e2e


def test_a_coordinator_shares_an_incident_with_a_partner_community_that_takes_part(
    demo_platform: Platform,
) -> None:
    incidents = demo_platform.http("incidents")
    incident_id = report(incidents, SHARED_STREET)["id"]
    page = f"/incidents/{incident_id}"
    taipingjie = demo_platform.console_as("tpj-coordinator")

    offered = taipingjie.get(page).text
    assert 'data-action="sharing"' in offered and 'value="changshan"' in offered
    assert 'value="taipingjie"' not in offered  # not its own community

    nothing_chosen = taipingjie.post(f"{page}/sharing", data={"reason": "交界处"})
    assert nothing_chosen.status_code == 422 and 'id="community_codes-error"' in nothing_chosen.text
    stranger = incidents.post(
        f"{page}/sharing", json={"community_codes": ["nowhere"], "reason": "typo"}
    )
    assert stranger.status_code == 422
    assert stranger.headers["content-type"].startswith("application/problem+json")
    assert stranger.json()["errors"][0]["field"] == "community_codes"
    assert "nowhere" in stranger.text
    assert incidents.get(page).json()["shared_with"] == []  # nothing half-written

    shared = taipingjie.post(
        f"{page}/sharing", data={"community_codes": "changshan", "reason": "交界处, 联合研判"}
    )
    assert shared.status_code == 303
    after = taipingjie.get(page).text
    assert 'data-shared-with="changshan"' in after and "长山花园社区" in after

    changshan = demo_platform.console_as("cs-coordinator")
    assert incident_id in changshan.get("/incidents").text
    assert changshan.get(page).status_code == 200
    accepted = changshan.post(f"{page}/triage", data={"accepted": "true", "reason": "联合处置"})
    assert accepted.status_code == 303
    timeline = incidents.get(page).json()["timeline"]
    assert [line["action"] for line in timeline][-2:] == ["shared", "accepted"]
    assert timeline[-1]["actor"] == "长山花园社区协调员"

    longze = demo_platform.console_as("lz-coordinator")
    assert longze.get(page).status_code == 404
    assert incident_id not in longze.get("/incidents").text


def test_a_coordinator_anonymises_the_reporter_from_the_incident_page(
    demo_platform: Platform,
) -> None:
    incidents = demo_platform.http("incidents")
    incident_id = incidents.post("/incidents", json=SHARED_STREET).json()["id"]
    taipingjie = demo_platform.console_as("tpj-coordinator")
    assert "王芳" in taipingjie.get(f"/incidents/{incident_id}").text

    done = taipingjie.post(f"/incidents/{incident_id}/anonymisation")
    assert done.status_code == 303
    page = taipingjie.get(f"/incidents/{incident_id}").text
    assert "王芳" not in page and "<dd>匿名</dd>" in page
    assert 'data-action="anonymisation"' not in page
    assert incidents.get(f"/incidents/{incident_id}").json()["reporter"] == "anonymous"
