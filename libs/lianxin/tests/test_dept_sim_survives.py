"""`lianxin dept-sim`, the reference for department systems, through what a cluster does to a
client: a report published while its stream is gone (as during a leader election) is tried
again until the stream acks it, and lands once; Ctrl-C stops it at once; and the assignments
taken away are remembered across a restart."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from lianxin import dept_sim
from lianxin.messaging.connection import connect
from lianxin.messaging.streams import (
    STREAMS,
    declare_consumer,
    declare_stream,
    department_consumer,
)
from lianxin.runtime.processes import spawn, stop

POWER = "power_supply"
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "department_nats.py"
STOP_BOUND = 10.0
REPORTS = next(spec for spec in STREAMS if spec.name == "REPORTS")


class CountingPublishes:
    """JetStream, with a count of the publishes tried (`refused` is set after two)."""

    def __init__(self, js) -> None:
        self.js = js
        self.tries = 0
        self.refused_twice = asyncio.Event()

    async def publish(self, subject: str, payload: bytes, headers: dict) -> None:
        self.tries += 1
        try:
            await self.js.publish(subject, payload, headers=headers)
        finally:
            if self.tries >= 2:
                self.refused_twice.set()


def _whistle() -> dict:
    data = {"assignment_id": str(uuid.uuid4()), "description": "停电"}
    return {"id": str(uuid.uuid4()), "type": dept_sim.WHISTLE + "dispatched.v1", "data": data}


def _guide_example():
    spec = importlib.util.spec_from_file_location("department_nats", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    return example


@pytest.mark.parametrize("client", ["dept_sim", "guide_example"])
async def test_a_report_published_while_its_stream_is_gone_is_retried_and_lands_once(
    nats: str, client: str
) -> None:
    publish_until_acked = (
        dept_sim.publish_until_acked
        if client == "dept_sim"
        else _guide_example().publish_until_acked
    )
    whistle = _whistle()
    event = dept_sim.report_event(
        POWER, "acknowledged", whistle["data"]["assignment_id"], whistle_id=whistle["id"]
    )
    subject, payload = f"report.{POWER}.assignment_acknowledged", json.dumps(event).encode()
    headers = {"Nats-Msg-Id": event["id"]}
    nc = await connect(nats, "test")
    try:
        js = nc.jetstream()
        await js.delete_stream("REPORTS")  # as between a leader's death and the next election
        counting = CountingPublishes(js)
        sending = asyncio.create_task(publish_until_acked(counting, subject, payload, headers))
        await asyncio.wait_for(counting.refused_twice.wait(), 30)
        assert not sending.done()

        await declare_stream(js, REPORTS)
        await asyncio.wait_for(sending, 30)
        # And once more, as a department does that never saw the ack: the same id, one copy.
        await publish_until_acked(js, subject, payload, headers)

        assert (await js.stream_info("REPORTS")).state.messages == 1
        stored = await js.get_last_msg("REPORTS", subject)
        assert stored.headers["Nats-Msg-Id"] == event["id"]
    finally:
        await nc.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_dept_sim_stops_at_once_on_a_signal(nats: str, signum: int, tmp_path: Path) -> None:
    nc = await connect(nats, "test")
    try:
        js = nc.jetstream()
        await declare_consumer(js, department_consumer(POWER))
        env = dict(os.environ, NATS_URL=nats, LIANXIN_DATA_DIR=str(tmp_path))
        args = [sys.executable, "-m", "lianxin.cli", "dept-sim", "-d", POWER]
        process = spawn(args, env=env, log_file=tmp_path / "dept-sim.log")
        try:
            # Serving: its pull request waits at the consumer.
            for _ in range(300):
                if (await js.consumer_info("DISPATCH", f"dept_{POWER}")).num_waiting:
                    break
                assert process.poll() is None, (tmp_path / "dept-sim.log").read_text()
                await asyncio.sleep(0.2)
            else:
                pytest.fail("dept-sim never pulled")
            process.send_signal(signum)
            started = time.monotonic()
            try:
                process.wait(STOP_BOUND)
            except subprocess.TimeoutExpired:
                pytest.fail(f"dept-sim did not stop within {STOP_BOUND}s")
            assert time.monotonic() - started < STOP_BOUND
        finally:
            stop(process, signal.SIGKILL)
    finally:
        await nc.close()


def test_the_assignments_taken_away_are_remembered_across_a_restart(tmp_path: Path) -> None:
    kept = tmp_path / "stopped.json"
    whistle = _whistle()
    cancelled = {**whistle, "type": dept_sim.WHISTLE + "cancelled.v1"}
    assert dept_sim.steps_for(cancelled, dept_sim.Stopped(kept)) == ()

    after_a_restart = dept_sim.Stopped(kept)
    reopened = {**whistle, "id": str(uuid.uuid4()), "type": dept_sim.WHISTLE + "reopened.v1"}
    assert dept_sim.steps_for(reopened, after_a_restart) == ()
    assert dept_sim.steps_for(_whistle(), after_a_restart) == ("acknowledged", "resolved")
