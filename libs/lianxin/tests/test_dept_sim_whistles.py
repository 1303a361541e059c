"""`lianxin dept-sim` knows every whistle type a department receives: it works on a new or
reopened assignment, stops on a cancelled, reassigned or withdrawn one, and only notes an urge
or a decision on more time."""

from __future__ import annotations

import uuid

import pytest

from lianxin import dept_sim

pytestmark = pytest.mark.unit


class Recorder:
    """Stands in for JetStream: what the simulated department published."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def publish(self, subject: str, payload: bytes, headers: dict) -> None:
        self.subjects.append(subject)


def _type(kind: str) -> str:
    return f"cn.lianxin.incidents.assignment.{kind}.v1"


async def _receive(js: Recorder, kind: str, assignment_id: str) -> None:
    data = {"assignment_id": assignment_id, "description": "停电", "note": "请尽快"}
    whistle = {"id": str(uuid.uuid4()), "type": _type(kind), "data": data}
    await dept_sim.act(js, "power_supply", whistle, resolve_after=0)


async def test_a_whistle_is_signed_for_and_resolved_and_a_reopened_one_resolved_again() -> None:
    js, part = Recorder(), str(uuid.uuid4())
    await _receive(js, "dispatched", part)
    await _receive(js, "reopened", part)
    assert js.subjects == [
        "report.power_supply.assignment_acknowledged",
        "report.power_supply.assignment_resolved",
        "report.power_supply.assignment_resolved",
    ]


@pytest.mark.parametrize("stop", ["reassigned", "withdrawn", "cancelled"])
async def test_a_part_taken_away_is_dropped_and_later_news_of_it_ignored(stop: str) -> None:
    js, part = Recorder(), str(uuid.uuid4())
    await _receive(js, stop, part)
    await _receive(js, "reopened", part)
    assert js.subjects == []


@pytest.mark.parametrize("kind", ["urged", "extension_granted", "extension_refused"])
async def test_an_urge_or_a_decision_is_only_noted(kind: str) -> None:
    js = Recorder()
    await _receive(js, kind, str(uuid.uuid4()))
    assert js.subjects == []
