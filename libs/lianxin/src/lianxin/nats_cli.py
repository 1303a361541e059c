"""`lianxin nats-config` and `lianxin nats-credentials`: the NATS users of a platform, for its
servers and for a department's system (registered as commands by `lianxin.cli`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from lianxin.messaging.connection import without_user
from lianxin.runtime import local
from lianxin.runtime.local import (
    accounts_file,
    nats_pid_file,
    nats_url,
    nats_url_with_login,
)
from lianxin.runtime.platform import PLATFORM_SECRET


def nats_config(
    out: Path = typer.Option(None, help="the accounts file [default: $LIANXIN_DATA_DIR/nats/]"),
    users_json: Path = typer.Option(
        None, help="users as organisation's GET /nats-users returns them, instead of asking it"
    ),
    organisation_url: str = typer.Option("http://127.0.0.1:8001", envvar="ORGANISATION_URL"),
    declare: bool = typer.Option(
        False, "--declare-consumers/--no-declare-consumers", help="also pre-create dept_<code>"
    ),
):
    """Write the NATS users (platform + one least-privilege user per valid key of each NATS
    department) and make a running `lianxin up` reload them. For compose: --out
    deploy/nats/accounts.conf, with LIANXIN_NATS_PLATFORM_PASSWORD set."""
    import json

    from lianxin.messaging.nats_accounts import DepartmentUser
    from lianxin.runtime import nats_users

    if users_json is not None:
        users = [DepartmentUser(**u) for u in json.loads(users_json.read_text())]
    else:
        users = nats_users.fetch_nats_users(organisation_url, PLATFORM_SECRET)
    path = out or accounts_file()
    changed = nats_users.write_accounts(path, users, nats_users.platform_password(local.DATA_DIR))
    names = ", ".join(sorted(u.user for u in users))
    typer.echo(f"{path}: {'written' if changed else 'unchanged'}; users: {names}")
    # The embedded server, or each node of `lianxin up --cluster`.
    pid_files = [
        nats_pid_file(),
        *sorted((local.DATA_DIR / "nats" / "cluster").glob("node*/nats.pid")),
    ]
    if changed and out is None and [p for p in pid_files if nats_users.reload_server(p)]:
        typer.echo("the embedded nats-server reloads it")
    if declare:
        departments = nats_users.fetch_departments(organisation_url, PLATFORM_SECRET)
        asyncio.run(nats_users.declare_department_consumers(nats_url_with_login(), departments))
        typer.echo("department consumers declared")


def nats_credentials(
    department: str = typer.Argument(None, help="the department's code"),
    env: bool = typer.Option(False, "--env", help="as shell exports (docs/examples/…)"),
    platform_user: bool = typer.Option(
        False, "--platform", help="the platform's own user instead (services' NATS_USER…)"
    ),
):
    """Print what a department's system needs to connect: URL, user, password, inbox prefix.

    The platform keeps no department's password: this prints the latest key issued on this
    machine (`lianxin up`'s demo, `lianxin keys rotate`), from its data dir's secrets/.
    """
    from lianxin.messaging.nats_accounts import (
        NatsCredentials,
        department_inbox_prefix,
        platform_credentials,
    )
    from lianxin.runtime import issued_keys
    from lianxin.runtime.nats_users import platform_password

    if platform_user:
        credentials = platform_credentials(platform_password(local.DATA_DIR))
    elif department:
        login = issued_keys.nats_login(local.DATA_DIR, department)
        if login is None:
            typer.echo(
                f"no NATS key of {department} was issued here: "
                f"`lianxin keys rotate --department {department}` issues one (shown once)",
                err=True,
            )
            raise typer.Exit(1)
        credentials = NatsCredentials(**login, inbox_prefix=department_inbox_prefix(department))
    else:
        raise typer.BadParameter("name a department, or --platform")
    fields = {
        "LIANXIN_NATS_URL": without_user(nats_url()),
        "LIANXIN_DEPARTMENT": department or "",
        "LIANXIN_NATS_USER": credentials.user,
        "LIANXIN_NATS_PASSWORD": credentials.password,
        "LIANXIN_NATS_INBOX_PREFIX": credentials.inbox_prefix,
    }
    for key, value in fields.items():
        if value:
            typer.echo(
                f"export {key}={value}" if env else f"{key.removeprefix('LIANXIN_'):<18} {value}"
            )
