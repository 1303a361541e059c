"""The department guide's code, run as written: its signature check on good and bad headers."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "departments.md"
SECRET, BODY = "whsec_test", b'{"specversion":"1.0"}'


@pytest.fixture(scope="module")
def verify():
    snippets = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)
    [snippet] = [s for s in snippets if "def verify(" in s]
    namespace: dict = {}
    exec(snippet, namespace)
    return namespace["verify"]


def _signed(t: int, body: bytes = BODY, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_a_genuine_fresh_delivery_passes(verify) -> None:
    now = int(time.time())
    assert verify(SECRET, BODY, _signed(now))
    assert verify(SECRET, BODY, _signed(now, secret="old") + "," + _signed(now).split(",")[1])


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "t=,v1=abc",
        "t=abc,v1=abc",
        "v1=abc",
        "t=1795338000",
        "t=1,t=2,v1=abc",
        "t=-5,v1=abc",
    ],
)
def test_a_malformed_header_is_false_not_an_exception(verify, header: str) -> None:
    assert verify(SECRET, BODY, header) is False


def test_a_forged_stale_or_altered_delivery_fails(verify) -> None:
    now = int(time.time())
    assert not verify(SECRET, BODY, _signed(now, secret="someone-else"))
    assert not verify(SECRET, BODY, _signed(now - 301))
    assert not verify(SECRET, BODY + b" ", _signed(now))
