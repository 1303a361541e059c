"""Rendering the NATS users from the departments (no server: see test_department_nats_channel)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import bcrypt

from lianxin.messaging.nats_accounts import (
    department_credentials,
    department_permissions,
    nats_department_codes,
    platform_credentials,
    render_accounts,
)
from lianxin.runtime.nats import nats_server_binary, server_config

SECRET = "test-platform-secret"


def test_only_departments_with_a_nats_channel_get_a_user():
    departments = [
        {"code": "power_supply", "channels": [{"kind": "nats"}]},
        {"code": "property", "channels": [{"kind": "webhook", "url": "https://wuye.example"}]},
        {"code": "sanitation", "channels": [{"kind": "open311"}, {"kind": "nats"}]},
        {"code": "police"},  # registered without channels: organisation gives it NATS
    ]
    assert nats_department_codes(departments) == ["police", "power_supply", "sanitation"]


def test_a_department_may_pull_its_own_consumer_and_report_as_itself_only():
    assert department_permissions("water") == {
        "publish": {
            "allow": [
                "$JS.API.CONSUMER.INFO.DISPATCH.dept_water",
                "$JS.API.CONSUMER.MSG.NEXT.DISPATCH.dept_water",
                "$JS.ACK.DISPATCH.dept_water.>",
                "report.water.>",
            ]
        },
        "subscribe": {"allow": ["_INBOX_water.>"]},
    }


def test_passwords_derive_from_the_platform_secret_and_are_stored_hashed():
    water = department_credentials(SECRET, "water")
    assert water == department_credentials(SECRET, "water"), "printable again at any time"
    assert water.password != department_credentials("another secret", "water").password
    assert water.password != department_credentials(SECRET, "power").password
    # A department named `platform` does not learn the platform's password.
    assert department_credentials(SECRET, "platform").password != (
        platform_credentials(SECRET).password
    )

    conf = render_accounts([{"code": "water"}], SECRET)
    assert water.password not in conf and platform_credentials(SECRET).password not in conf
    hashes = [line.split('"')[1] for line in conf.splitlines() if "password:" in line]
    assert len(hashes) == 2
    assert bcrypt.checkpw(platform_credentials(SECRET).password.encode(), hashes[0].encode())
    assert bcrypt.checkpw(water.password.encode(), hashes[1].encode())
    assert all(h.startswith("$2a$") for h in hashes), "the prefix nats-server knows as bcrypt"


def test_the_same_departments_render_the_same_file():
    departments = [{"code": "water"}, {"code": "power"}]
    assert render_accounts(departments, SECRET) == render_accounts(departments[::-1], SECRET)


def test_nats_server_accepts_the_rendered_config(tmp_path: Path):
    config = tmp_path / "nats.conf"
    accounts = render_accounts([{"code": "water"}, {"code": "power-supply"}], SECRET)
    config.write_text(server_config(4222, tmp_path / "js", accounts))
    checked = subprocess.run(
        [nats_server_binary(), "-c", str(config), "-t"], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
