"""`lianxin nats-credentials` names the NATS the platform really runs on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lianxin import cli
from lianxin.runtime import issued_keys, local
from lianxin.runtime.nats import server_config


def _printed_url(*args: str) -> str:
    printed = CliRunner().invoke(cli.app, ["nats-credentials", "power_supply", "--env", *args])
    assert printed.exit_code == 0, printed.output
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in printed.output.split("\n") if line
    )
    return exports["LIANXIN_NATS_URL"]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NATS_URL", raising=False)
    monkeypatch.delenv("LIANXIN_NATS_PORT", raising=False)
    monkeypatch.setattr(local, "DATA_DIR", tmp_path)
    # The department's key as `lianxin up` or `lianxin keys rotate` keeps it on this machine.
    issued = {"user": "dept_power_supply.1", "password": "issued-once"}
    issued_keys.keep(tmp_path, "power_supply", "nats", issued)
    return tmp_path


def test_the_port_of_the_embedded_server_lianxin_up_started(data_dir: Path) -> None:
    (data_dir / "nats").mkdir()
    (data_dir / "nats" / "nats.conf").write_text(server_config(4333, data_dir / "js"))
    assert _printed_url() == "nats://127.0.0.1:4333"


def test_4222_when_no_platform_ran_here(data_dir: Path) -> None:
    assert _printed_url() == "nats://127.0.0.1:4222"


def test_nats_url_wins(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATS_URL", "nats://platform:secret@nats.example:4999")
    assert _printed_url() == "nats://nats.example:4999"
