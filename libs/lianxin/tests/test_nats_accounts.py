"""Rendering the NATS users from organisation's keys (no server: see
test_department_nats_channel)."""

from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path

import bcrypt
import httpx

from lianxin.messaging.nats_accounts import (
    department_permissions,
    nats_department_codes,
    new_department_user,
    render_accounts,
)
from lianxin.runtime.nats import nats_server_binary, server_config
from lianxin.runtime.nats_users import platform_password

PLATFORM_PASSWORD = "test-platform-nats-password"


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


def test_passwords_are_random_and_the_file_holds_only_their_hashes():
    water, water_user = new_department_user("water")
    again, _ = new_department_user("water")
    assert water.password != again.password, "random, never derived from a shared root"
    assert water.user == "dept_water.1" and new_department_user("water", 2)[0].user.endswith(".2")

    conf = render_accounts(PLATFORM_PASSWORD, [water_user])
    assert water.password not in conf and PLATFORM_PASSWORD not in conf
    hashes = [line.split('"')[1] for line in conf.splitlines() if "password:" in line]
    assert len(hashes) == 2
    assert bcrypt.checkpw(PLATFORM_PASSWORD.encode(), hashes[0].encode())
    assert bcrypt.checkpw(water.password.encode(), hashes[1].encode())
    assert all(h.startswith("$2a$") for h in hashes), "the prefix nats-server knows as bcrypt"


def test_the_platform_password_is_its_own_generated_once(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("LIANXIN_NATS_PLATFORM_PASSWORD", raising=False)
    generated = platform_password(tmp_path)
    assert len(generated) >= 40 and platform_password(tmp_path) == generated
    assert (tmp_path / "secrets" / "nats-platform-password").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("LIANXIN_NATS_PLATFORM_PASSWORD", "from-the-deployment")
    assert platform_password(tmp_path) == "from-the-deployment"


def test_the_same_users_render_the_same_file():
    users = [new_department_user("water")[1], new_department_user("power")[1]]
    assert render_accounts(PLATFORM_PASSWORD, users) == render_accounts(
        PLATFORM_PASSWORD, users[::-1]
    )


def test_nats_server_accepts_the_rendered_config(tmp_path: Path):
    config = tmp_path / "nats.conf"
    users = [new_department_user("water", serial)[1] for serial in (1, 2)]
    accounts = render_accounts(PLATFORM_PASSWORD, [*users, new_department_user("power")[1]])
    config.write_text(server_config(4222, tmp_path / "js", accounts))
    checked = subprocess.run(
        [nats_server_binary(), "-c", str(config), "-t"], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout


def test_the_users_are_synced_at_once_and_the_server_reloaded_only_on_a_change(tmp_path: Path):
    from lianxin.runtime.nats_users import sync_in_background

    users = [new_department_user("water")[1]]
    reloads: list[int] = []
    accounts = tmp_path / "accounts.conf"

    sync_in_background(lambda: users, accounts, PLATFORM_PASSWORD, lambda: reloads.append(1), 3600)
    sync_in_background(lambda: users, accounts, PLATFORM_PASSWORD, lambda: reloads.append(1), 3600)

    assert accounts.read_text() == render_accounts(PLATFORM_PASSWORD, users)
    assert reloads == [1], "the same users again: nothing to reload"


def test_a_failed_round_is_logged_but_not_the_one_a_stop_broke(tmp_path: Path, caplog) -> None:
    import threading

    from lianxin.runtime.nats_users import sync_in_background

    users = [new_department_user("water")[1]]
    rounds: list[int] = []
    broken = threading.Event()

    def fetch() -> list:
        rounds.append(1)
        if len(rounds) == 2:
            raise ConnectionError("organisation restarting")  # logged: the next round retries
        if len(rounds) == 3:
            stop.set()  # `lianxin up` stops the platform, and organisation with it
            broken.set()
            raise ConnectionError("organisation stopped")
        return users

    with caplog.at_level(logging.WARNING, logger="lianxin.runtime.nats_users"):
        stop = sync_in_background(fetch, tmp_path / "accounts.conf", PLATFORM_PASSWORD, list, 0.01)
        assert broken.wait(10)
        time.sleep(0.05)  # the loop would have run again by now, had it not ended
    assert len(rounds) == 3
    assert [r.getMessage() for r in caplog.records] == ["NATS users not synced this round"]


def test_the_sync_keeps_its_token_and_fetches_another_when_organisation_refuses_it(monkeypatch):
    from lianxin import auth
    from lianxin.runtime import nats_users

    issued: list[str] = []
    taken = {"token-1"}

    def fetch_token(url, username, secret, *, client):
        issued.append(f"token-{len(issued) + 1}")
        return issued[-1]

    def get(url, *, headers, timeout):
        token = headers["Authorization"].removeprefix("Bearer ")
        return httpx.Response(
            200 if token in taken else 401, json=[], request=httpx.Request("GET", url)
        )

    monkeypatch.setattr(auth, "fetch_token", fetch_token)
    monkeypatch.setattr(nats_users.http_clients, "get", get)
    monkeypatch.setattr(nats_users, "_tokens", auth.KeptTokens(keep_seconds=300))
    for _ in range(3):  # every 15 s: one token for them all
        assert nats_users.fetch_nats_users("http://org", "secret") == []
    assert issued == ["token-1"]
    taken = {"token-2"}  # organisation's keys changed: the kept token is refused once
    assert nats_users.fetch_nats_users("http://org", "secret") == []
    assert issued == ["token-1", "token-2"]
