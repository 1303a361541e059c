"""Where `lianxin up` keeps a laptop's platform, and how the commands find it again from
another shell: its data directory, ports, NATS URL and the platform's NATS login."""

from __future__ import annotations

import os
from pathlib import Path

from lianxin.messaging.connection import NatsLogin, with_user
from lianxin.settings import ServiceSettings

DATA_DIR = Path(os.environ.get("LIANXIN_DATA_DIR", ".lianxin"))
PG_PORT = int(os.environ.get("LIANXIN_PG_PORT", "54320"))
NATS_PORT = int(os.environ.get("LIANXIN_NATS_PORT", "4222"))


def database_url() -> str:
    return os.environ.get("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres")


def embedded_nats_port() -> int:
    """The port of the embedded NATS: `LIANXIN_NATS_PORT`, else the one `lianxin up` wrote into
    its config (a platform started with another port is found from another shell), else 4222."""
    if "LIANXIN_NATS_PORT" not in os.environ:
        config = DATA_DIR / "nats" / "nats.conf"
        lines = config.read_text().splitlines() if config.exists() else []
        for line in lines:
            if line.startswith("listen:"):
                return int(line.rsplit(":", 1)[1])
    return NATS_PORT


def nats_url() -> str:
    """The platform's NATS, one server or several comma-separated: `NATS_URL`, or the embedded
    server. Without a login: see `nats_login`."""
    return os.environ.get("NATS_URL", f"nats://127.0.0.1:{embedded_nats_port()}")


def nats_login() -> NatsLogin | None:
    """The platform's NATS login, given to clients as options: `NATS_USER` and `NATS_PASSWORD` or
    `NATS_CREDENTIALS` (a .creds file); for the embedded server, the platform user (`lianxin up`
    locks it down; an open server ignores a login). None: whatever `NATS_URL` carries."""
    from lianxin.messaging.nats_accounts import platform_credentials
    from lianxin.runtime.nats_users import platform_password

    login = ServiceSettings().nats_login()
    if login is None and "NATS_URL" not in os.environ:
        platform_user = platform_credentials(platform_password(DATA_DIR))
        login = NatsLogin(platform_user.user, platform_user.password)
    return login


def nats_url_with_login() -> str:
    """For `lianxin.runtime.nats_users`, which takes a URL: `connect` takes the login out of it
    again and sends it as options."""
    login = nats_login()
    if login is None or not login.user:
        return nats_url()
    return with_user(nats_url(), login.user, login.password)


def accounts_file() -> Path:
    return DATA_DIR / "nats" / "accounts.conf"


def nats_pid_file() -> Path:
    return DATA_DIR / "nats" / "nats.pid"
