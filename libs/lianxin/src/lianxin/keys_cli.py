"""`lianxin keys rotate --department X`: issue a department's next keys, shown once.

organisation issues NATS keys (`POST /departments/<code>/nats-keys`), incidents webhook signing
keys (`POST /departments/<code>/webhook-keys`); both as the platform, both with an overlap during
which the previous key still works. What is printed here is printed nowhere else again: it is
also kept in the data dir for the department systems run on this machine (`issued_keys`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import typer

from lianxin.auth import fetch_token
from lianxin.http_clients import sync_client
from lianxin.runtime import issued_keys
from lianxin.runtime.platform import PLATFORM_SECRET

keys_app = typer.Typer(help="Departments' keys: NATS passwords and webhook signing keys.")

CHANNELS = ("nats", "webhook")


def _data_dir() -> Path:
    return Path(os.environ.get("LIANXIN_DATA_DIR", ".lianxin"))


def _platform(url: str, organisation_url: str) -> httpx.Client:
    token = fetch_token(organisation_url, "platform", PLATFORM_SECRET, client=True)
    return sync_client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _answer(response: httpx.Response) -> Any:
    if response.is_error:
        detail = response.json().get("detail") if response.content else response.reason_phrase
        typer.echo(f"{response.request.url}: {response.status_code} {detail}", err=True)
        raise typer.Exit(1)
    return response.json()


def issue(service_url: str, organisation_url: str, code: str, channel: str) -> dict[str, Any]:
    """Issue the department's next key of `channel` and keep it in the data dir."""
    path = f"/departments/{code}/{channel}-keys"
    with _platform(service_url, organisation_url) as http:
        issued = _answer(http.post(path))
    issued_keys.keep(_data_dir(), code, channel, issued)
    return issued


def issue_missing_keys(
    channel: str, service_url: str, organisation_url: str, data_dir: Path
) -> list[str]:
    """The first key of `channel` (nats: from organisation; webhook: from incidents, at
    `service_url`) of each department in service that takes whistles over it and has none kept
    here: the demo's, and one whose channel was registered since. Without it a webhook
    department's deliveries wait ("no signing key") until someone rotates its key by hand."""
    from lianxin.runtime.nats_users import fetch_departments

    kept = issued_keys.load(data_dir)
    departments = fetch_departments(organisation_url, PLATFORM_SECRET)
    missing = [
        code for code in departments_over(channel, departments) if channel not in kept.get(code, {})
    ]
    for code in missing:
        issue(service_url, organisation_url, code, channel)
    return missing


def departments_over(channel: str, departments: list[dict[str, Any]]) -> list[str]:
    """The codes of the departments whose whistles go over `channel`."""
    from lianxin.messaging.nats_accounts import nats_department_codes

    if channel == "nats":  # a department registered without channels gets NATS
        return nats_department_codes(departments)
    return sorted(
        d["code"] for d in departments if any(c["kind"] == channel for c in d.get("channels") or [])
    )


@keys_app.command()
def rotate(
    department: str = typer.Option(..., "--department", "-d", help="the department's code"),
    channel: str = typer.Option(None, help="nats or webhook [default: each the department has]"),
    organisation_url: str = typer.Option("http://127.0.0.1:8001", envvar="ORGANISATION_URL"),
    incidents_url: str = typer.Option("http://127.0.0.1:8002", envvar="INCIDENTS_URL"),
):
    """Issue the department's next key(s) and print them once; the previous ones keep working
    for the overlap (LIANXIN_KEY_OVERLAP_HOURS, 24 h), then stop."""
    if channel is not None and channel not in CHANNELS:
        raise typer.BadParameter(f"one of {', '.join(CHANNELS)}", param_hint="--channel")
    with _platform(organisation_url, organisation_url) as http:
        found = _answer(http.get(f"/departments/{department}"))
    kinds = {c["kind"] for c in found.get("channels") or [{"kind": "nats"}]}
    wanted = [channel] if channel else [c for c in CHANNELS if c in kinds]
    if not wanted:
        typer.echo(f"{department} has neither a nats nor a webhook channel", err=True)
        raise typer.Exit(1)
    urls = {"nats": organisation_url, "webhook": incidents_url}
    for kind in wanted:
        issued = issue(urls[kind], organisation_url, department, kind)
        typer.echo(f"{kind}:")
        for key, value in issued.items():
            typer.echo(f"  {key:<22} {value}")
    if "nats" in wanted:
        _reload_local_nats(organisation_url)
    typer.echo("Shown once: hand these to the department now.")


def _reload_local_nats(organisation_url: str) -> None:
    """On a laptop the embedded server takes the new user at once (`lianxin up` would within
    its next sync); elsewhere `lianxin nats-config` renders the file for the operator."""
    from lianxin.runtime import nats_users

    data_dir = _data_dir()
    accounts = data_dir / "nats" / "accounts.conf"
    if not accounts.exists():
        return
    users = nats_users.fetch_nats_users(organisation_url, PLATFORM_SECRET)
    password = nats_users.platform_password(data_dir)
    if nats_users.write_accounts(accounts, users, password):
        nats_users.reload_server(data_dir / "nats" / "nats.pid")
