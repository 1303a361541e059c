"""`lianxin keys rotate` against the real platform (issue #17, item 9): a department's keys are
issued by the platform, printed once, kept for this machine's department systems, and the
previous key stays valid for the overlap."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lianxin.cli import app
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _rotate(plat: Platform, data_dir: Path, *args: str) -> Ran:
    """`lianxin keys rotate …` in this process (a fresh interpreter costs a minute on a loaded
    machine), with the environment an operator's shell would give it."""
    env = {
        "LIANXIN_DATA_DIR": str(data_dir),
        "ORGANISATION_URL": plat.url("organisation"),
        "INCIDENTS_URL": plat.url("incidents"),
    }
    ran = CliRunner().invoke(app, ["keys", "rotate", *args], env=env)
    return Ran(ran.exit_code, ran.stdout, ran.stderr)


def test_keys_rotate_prints_once_keeps_here_and_overlaps(demo_platform: Platform, tmp_path):
    first = _rotate(demo_platform, tmp_path, "--department", "fire")
    second = _rotate(demo_platform, tmp_path, "--department", "fire")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    kept_file = tmp_path / "secrets" / "departments.json"
    assert kept_file.stat().st_mode & 0o077 == 0, "only its owner reads the kept secrets"
    kept = json.loads(kept_file.read_text())["fire"]["nats"]
    assert kept["password"] in second.stdout and kept["password"] not in first.stdout
    assert kept["previous_valid_until"], "the first key stays valid for the overlap"
    with demo_platform.http("organisation") as org:
        users = [u["user"] for u in org.get("/nats-users").json()]
    mine = [u for u in users if u.startswith("dept_fire.")]
    assert len(mine) >= 2 and kept["user"] in mine, "both keys during the overlap"
    assert "Shown once" in second.stdout


def test_keys_rotate_issues_a_webhook_departments_signing_key(demo_platform: Platform, tmp_path):
    rotated = _rotate(demo_platform, tmp_path, "--department", "property")

    assert rotated.returncode == 0, rotated.stderr
    kept = json.loads((tmp_path / "secrets" / "departments.json").read_text())["property"]
    assert list(kept) == ["webhook"] and kept["webhook"]["secret"].startswith("whsec_")
    assert kept["webhook"]["secret"] in rotated.stdout
    refused = _rotate(demo_platform, tmp_path, "--department", "property", "--channel", "nats")
    assert refused.returncode == 1 and "no nats channel" in refused.stderr
