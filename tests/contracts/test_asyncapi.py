"""docs/contracts/asyncapi.json as an outside tool reads it: the AsyncAPI project's own parser
(`@asyncapi/parser`, the one its generator and studio use), then what it understood checked
against the registry, the streams and a department's NATS permissions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lianxin.contracts import EVENT_TYPES
from lianxin.contracts.schemas import DOCS, subject_matches
from lianxin.messaging.nats_accounts import department_permissions
from lianxin.messaging.streams import STREAMS, department_consumer
from tests.npm import node_folder

pytestmark = pytest.mark.integration  # a node process

HERE = Path(__file__).resolve().parent
CODE = "power_supply"


@pytest.fixture(scope="module")
def parsed() -> dict:
    folder = node_folder(HERE)
    answer = subprocess.run(
        ["node", "parse.mjs", str(DOCS / "asyncapi.json")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(answer.stdout)


def test_the_asyncapi_parser_accepts_the_document_without_errors_or_warnings(parsed) -> None:
    # Severity 0 is an error, 1 a warning; 2 and 3 are hints.
    assert parsed["valid"], parsed["diagnostics"]
    assert [d for d in parsed["diagnostics"] if d["severity"] <= 1] == []


def test_every_event_type_and_every_stream_has_its_channel(parsed) -> None:
    summary = parsed["summary"]
    assert {m.__name__ for m in EVENT_TYPES.values()} <= set(summary["messages"])
    for stream in STREAMS:
        assert any(
            subject_matches(pattern, address)
            for pattern in stream.subjects
            for address in summary["channels"]
        ), f"no channel in stream {stream.name}"


def _ops(parsed: dict, prefix: str, action: str) -> list[str]:
    return [
        address.replace("{department_code}", CODE)
        for op in parsed["summary"]["operations"]
        if op["id"].startswith(prefix) and op["action"] == action
        for address in op["channels"]
    ]


def test_a_department_sends_exactly_on_the_subjects_its_nats_user_may_publish(parsed) -> None:
    sends = _ops(parsed, "departmentSends", "send")
    reports = {m.SUBJECT for t, m in EVENT_TYPES.items() if t.startswith("cn.lianxin.departments.")}
    assert sorted(sends) == sorted(s.replace("{department_code}", CODE) for s in reports)
    allowed = department_permissions(CODE)["publish"]["allow"]
    for subject in sends:
        assert any(subject_matches(a, subject) for a in allowed), subject
        assert subject.startswith(f"report.{CODE}."), subject


def test_a_department_receives_what_its_consumer_delivers(parsed) -> None:
    receives = _ops(parsed, "departmentReceives", "receive")
    (filter_subject,) = department_consumer(CODE).filter_subjects
    assert receives and all(subject_matches(filter_subject, s) for s in receives)
    whistles = {m.SUBJECT for m in EVENT_TYPES.values() if m.SUBJECT.startswith("dispatch.")}
    assert len(receives) == len(whistles)
