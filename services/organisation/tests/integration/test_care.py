"""The care register on a real database and NATS: the demo's entries, who of the demo's roles
reads which, the access log of every read, events that name nobody, and problem+json refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import jsonschema
import nats as nats_py
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from lianxin.contracts.schemas import DOCS
from lianxin.demo import load
from lianxin.demo.accounts import ACCOUNTS, PASSWORD, open_accounts
from lianxin.demo.care import CARE_ACCOUNTS, PERSONAL, entries, load_care

from ..conftest import drained, token

CODES = [e["code"] for e in entries(datetime.now(UTC).date())]
GRID_1 = {"yxl-care-001", "yxl-care-002", "yxl-care-003"}
CHANGSHAN = {"csh-care-001", "csh-care-002"}
# What each demo account may read of the register: nothing outside its grid and its role.
READS = {
    "yxl-coordinator": set(CODES) - CHANGSHAN,
    "yxl-g01-leader": GRID_1,
    "yxl-party-household": {"yxl-care-001", "yxl-care-003"},
    "yxl-volunteer": {"yxl-care-001", "yxl-care-002"},
    "yxl-family-wang": {"yxl-care-001"},
    # Changshan's: its coordinator, and the party household of 5栋1单元 that keeps an eye on both.
    "cs-coordinator": CHANGSHAN,
    "csh-party-household": CHANGSHAN,
}


@pytest.fixture
async def demo(org: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(org, people=False)
    await open_accounts(org)
    await load_care(org)
    return org


def as_(org: httpx.AsyncClient, bearer: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer}"}


def fields_of(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [e["field"] for e in response.json()["errors"]]


# Eighteen password logins (each a deliberately slow hash) and ~100 reads: more than the default
# time limit on a busy machine.
@pytest.mark.timeout(360)
async def test_each_demo_role_reads_only_its_entries_and_every_read_is_logged(demo) -> None:
    usernames = [a["username"] for a in ACCOUNTS]
    assert set(CARE_ACCOUNTS) <= set(usernames)
    read_by: dict[str, set[str]] = {}
    for username in ["platform", *usernames]:
        bearer = await token(demo, username, PASSWORD)
        read = set()
        for code in CODES:
            answer = await demo.get(
                f"/care/entries/{code}",
                params={"purpose": f"test {username}"},
                headers=as_(demo, bearer),
            )
            assert answer.status_code in (200, 404), answer.text
            if answer.status_code == 200:
                read.add(code)
                assert answer.json()["name"]
        page = await demo.get(
            "/care/grids/yxl-g01", params={"purpose": "grid page"}, headers=as_(demo, bearer)
        )
        if read & GRID_1:
            assert {e["code"] for e in page.json()["entries"]} == read & GRID_1, username
            assert page.json()["grid_name"] and page.json()["grid_name"] != "yxl-g01"
        else:  # nobody of grid 1's: the grid's care page does not exist for them
            assert page.status_code == 404, (username, page.text)
            assert page.headers["content-type"] == "application/problem+json"
        read_by[username] = read
    assert {u: r for u, r in read_by.items() if r} == READS
    coordinators = {
        community: as_(demo, await token(demo, f"{community}-coordinator", PASSWORD))
        for community in ("yxl", "cs")
    }
    for code in CODES:
        # Each entry's log, read by its community's coordinator.
        coordinator = coordinators["cs" if code in CHANGSHAN else "yxl"]
        log = (await demo.get(f"/care/entries/{code}/access-log", headers=coordinator)).json()
        readers = {(row["reader"], row["purpose"]) for row in log}
        for username, read in READS.items():
            assert ((username, f"test {username}") in readers) == (code in read), (code, username)
        assert all(row["action"] == "read" and row["at"] for row in log)
    leader = as_(demo, await token(demo, "yxl-g01-leader", PASSWORD))
    assert (
        await demo.get("/care/entries/yxl-care-001/access-log", headers=leader)
    ).status_code == 403
    await an_export_for_a_doctors_visit_is_a_logged_csv(demo)


async def test_the_grid_page_flags_overdue_visits_and_this_months_birthdays(demo) -> None:
    """(The carer's visit that asks for a need shows among the grid's follow-ups.)"""
    leader = as_(demo, await token(demo, "yxl-g01-leader", PASSWORD))
    carer = as_(demo, await token(demo, "yxl-party-household", PASSWORD))
    fell = {"kind": "meal_delivery", "outcome": "滑倒，需要扶手", "needs_follow_up": True}
    visit = (await demo.post("/care/entries/yxl-care-003/visits", json=fell, headers=carer)).json()
    page = (
        await demo.get("/care/grids/yxl-g01", params={"purpose": "周例会"}, headers=leader)
    ).json()
    assert [(d["entry_code"], d["kind"]) for d in page["overdue"]] == [
        ("yxl-care-001", "home_visit")
    ]
    assert [b["code"] for b in page["birthdays"]] == ["yxl-care-002", "yxl-care-001"]
    assert [v["id"] for v in page["follow_ups"]] == [visit["id"]]
    later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    ahead = await demo.get(
        "/care/grids/yxl-g01", params={"purpose": "计划", "as_of": later}, headers=leader
    )
    assert {d["entry_code"] for d in ahead.json()["overdue"]} == GRID_1


async def test_counts_per_grid_name_nobody_and_the_streams_carry_no_name(demo, nats, outbox):
    carer = as_(demo, await token(demo, "yxl-volunteer", PASSWORD))
    fell = {"kind": "home_visit", "outcome": "卫生间滑倒，需要安装扶手", "needs_follow_up": True}
    visit = await demo.post(
        "/care/entries/yxl-care-001/visits", json={**fell, "minutes": 40}, headers=carer
    )
    assert visit.status_code == 201, visit.text
    # Her son visits too: a family contact's visit names no visitor (issue #18).
    son = as_(demo, await token(demo, "yxl-family-wang", PASSWORD))
    sunday = {"kind": "home_visit", "outcome": "周日看望", "minutes": 120}
    assert (
        await demo.post("/care/entries/yxl-care-001/visits", json=sunday, headers=son)
    ).is_success
    linked = await demo.post(
        f"/care/visits/{visit.json()['id']}/need", json={"need_id": "n-1"}, headers=carer
    )
    assert linked.json()["need_id"] == "n-1"
    counts = await demo.get("/care/counts", params={"community_code": "yongxinglu"})
    assert [(c["grid_code"], c["people"]) for c in counts.json()] == [
        ("yxl-g01", 3),
        ("yxl-g02", 1),
    ]
    assert not any(secret in counts.text for secret in PERSONAL)
    # A grid leader is given her grid's figures only; the community's coordinator every grid's.
    leader = as_(demo, await token(demo, "yxl-g01-leader", PASSWORD))
    hers = await demo.get("/care/counts", params={"community_code": "yongxinglu"}, headers=leader)
    assert [(c["grid_code"], c["people"]) for c in hers.json()] == [("yxl-g01", 3)]
    coordinator = as_(demo, await token(demo, "yxl-coordinator", PASSWORD))
    every = await demo.get(
        "/care/counts", params={"community_code": "yongxinglu"}, headers=coordinator
    )
    assert [c["grid_code"] for c in every.json()] == ["yxl-g01", "yxl-g02"]
    await drained(demo)
    care_events = [e for e in await outbox() if ".care_" in e["type"]]
    assert {e["type"] for e in care_events} == {
        "cn.lianxin.org.care_grid.counts_changed.v1",
        "cn.lianxin.org.care_visit.recorded.v1",
    }
    for event in care_events:
        schema = json.loads((DOCS / "events" / f"{event['type']}.json").read_text())
        jsonschema.validate(event, schema)
    # The visitor and the time it took ride along for volunteers; a family contact is nobody.
    visits = {e["data"]["visit_id"]: e["data"] for e in care_events if "visit" in e["type"]}
    mine = visits[visit.json()["id"]]
    assert (mine["visitor"], mine["minutes"], mine["kind"]) == ("yxl-volunteer", 40, "home_visit")
    assert [(v["visitor"], v["minutes"]) for v in visits.values() if v["minutes"] == 120] == [
        (None, 120)
    ]
    stream = await _everything_on(nats, "ORG")
    assert any("care_visit" in s for s, _ in stream)
    for subject, body in stream:
        for secret in [*PERSONAL, "扶手", "yxl-care-", "csh-care-", "yxl-family-wang"]:
            assert secret not in body, (subject, secret)
    await bad_input_and_wrong_state_are_problems_naming_the_field(demo)


async def _everything_on(nats: str, name: str) -> list[tuple[str, str]]:
    nc = await nats_py.connect(nats)
    try:
        js = nc.jetstream()
        last = (await js.stream_info(name)).state.last_seq
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
        sub = await js.pull_subscribe(f"{name.lower()}.>", stream=name, config=config)
        seen: list[tuple[str, str]] = []
        while True:  # every message up to the last one the stream held when asked
            batch = await sub.fetch(500, timeout=5)
            seen += [(m.subject, m.data.decode()) for m in batch]
            if batch[-1].metadata.sequence.stream >= last:
                break
        return seen
    finally:
        await nc.close()


async def bad_input_and_wrong_state_are_problems_naming_the_field(demo) -> None:
    coordinator = as_(demo, await token(demo, "yxl-coordinator", PASSWORD))
    no_purpose = await demo.get("/care/entries/yxl-care-001", headers=coordinator)
    assert (no_purpose.status_code, fields_of(no_purpose)) == (422, ["purpose"])
    wang = entries(datetime.now(UTC).date())[0]
    bad_group = await demo.post(
        "/care/entries", json={**wang, "code": "x1", "care_groups": ["rich"]}, headers=coordinator
    )
    assert bad_group.status_code == 422 and fields_of(bad_group)[0].startswith("care_groups")
    again = await demo.post("/care/entries", json=wang, headers=coordinator)
    assert again.status_code == 409
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    late = {"kind": "haircut", "outcome": "理发", "at": future}
    visit = await demo.post("/care/entries/yxl-care-001/visits", json=late, headers=coordinator)
    assert (visit.status_code, fields_of(visit)) == (422, ["at"])
    for minutes in (0, 721, "一小时"):
        long = {**late, "at": None, "minutes": minutes}
        visit = await demo.post("/care/entries/yxl-care-001/visits", json=long, headers=coordinator)
        assert (visit.status_code, fields_of(visit)) == (422, ["minutes"])
    plain = await demo.post(
        "/care/entries/yxl-care-001/visits", json={**late, "at": None}, headers=coordinator
    )
    no_need = await demo.post(
        f"/care/visits/{plain.json()['id']}/need", json={"need_id": "n"}, headers=coordinator
    )
    assert no_need.status_code == 409
    export = await demo.post(
        "/care/exports", json={"entry_codes": ["yxl-care-001"], "purpose": ""}, headers=coordinator
    )
    assert (export.status_code, fields_of(export)) == (422, ["purpose"])
    outsider = as_(demo, await token(demo, "tpj-coordinator", PASSWORD))
    hidden = await demo.post(
        "/care/exports", json={"entry_codes": ["yxl-care-001"], "purpose": "义诊"}, headers=outsider
    )
    assert hidden.status_code == 404


async def an_export_for_a_doctors_visit_is_a_logged_csv(demo) -> None:
    coordinator = as_(demo, await token(demo, "yxl-coordinator", PASSWORD))
    body = {"entry_codes": ["yxl-care-001", "yxl-care-002"], "purpose": "义诊：社区医生上门"}
    export = await demo.post("/care/exports", json=body, headers=coordinator)
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("code,name") and "王秀英" in lines[1] and len(lines) == 3
    log = (await demo.get("/care/entries/yxl-care-002/access-log", headers=coordinator)).json()
    assert log[-1]["action"] == "export" and log[-1]["purpose"] == body["purpose"]
