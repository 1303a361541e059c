"""Settings every service reads from its environment (pydantic-settings)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from lianxin.messaging.connection import NatsLogin

DEFAULT_PORTS = {
    "console": 8000,
    "organisation": 8001,
    "incidents": 8002,
    "resources": 8003,
    "volunteers": 8004,
}


class ServiceSettings(BaseSettings):
    """One service's connection to the world.

    `DATABASE_URL` is this service's own database; `NATS_URL` the shared broker.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = "lianxin"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/lianxin"
    # One server or several of a cluster, comma-separated, without a login: the login goes to
    # the client as options (NATS_USER and NATS_PASSWORD, or a credentials file NATS_CREDENTIALS),
    # which nats-py also presents to the servers a cluster advertises for reconnects.
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str = ""
    nats_password: str = ""
    nats_credentials: str = ""
    outbox_poll_seconds: float = 0.5
    # The database pool: as many connections as the process has concurrent work (requests,
    # consumers' lanes, the relay, workers), kept open; no ping before each checkout (a broken
    # connection fails its statement and the pool replaces it).
    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_pool_pre_ping: bool = False
    log_level: str = "INFO"
    # Where the embedded default writes finished spans (one JSON object a line); empty: nowhere.
    lianxin_spans_file: str = ""
    # Where spans are rotated: past this size the file becomes `<name>.1.jsonl` (the one before
    # it deleted), so the embedded trace files never outgrow the disk or the trace view.
    lianxin_spans_file_max_mb: float = 64.0
    # One span per SQL statement (SQLAlchemy's instrumentation): off by default, as each costs
    # a span for a few hundred microseconds of work; the embedded platform of `lianxin up` and
    # the end-to-end tests turn it on for the trace view. Sampling is OpenTelemetry's own:
    # OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0.1.
    lianxin_sql_spans: bool = False
    # organisation: the secret of the platform's own client account (`platform`), which tools
    # such as the demo loader use. Unset: no such account is opened. Nothing else derives from it.
    lianxin_platform_secret: str = ""
    # organisation and incidents: how long a department's previous key stays valid after a new
    # one is issued (NATS password, webhook signing key), for its system to move over.
    lianxin_key_overlap_hours: float = 24.0
    # incidents: the Fernet key (32 url-safe base64 bytes) departments' webhook signing keys are
    # encrypted with at rest. Unset: no webhook key can be issued, and webhooks are not sent.
    lianxin_keys_encryption_key: str = ""
    # incidents: the key residents' rating links (回访) are signed with, random, 32 characters or
    # more, its own (not derived from any other secret; `lianxin up` generates one at first start
    # and keeps it in .lianxin/secrets/rating-link-key). Changing it voids the links sent so far.
    # Unset: no rating link is made or accepted (404).
    lianxin_rating_link_key: str = ""
    # organisation and incidents: webhook URLs may be http and may point at loopback, link-local
    # or private addresses. Development and tests only (`lianxin up` sets it); never in production.
    lianxin_webhooks_allow_private: bool = False
    # incidents and the console: the largest photo one may attach to an incident, in bytes.
    lianxin_photo_max_bytes: int = 8 * 1024 * 1024
    # The console: a map tile server's URL template ("https://…/{z}/{x}/{y}.png") for the
    # report's map pin. Empty (the default): no map, and the console makes no outside request.
    lianxin_map_tiles: str = ""
    # Proxies whose `X-Forwarded-For` is believed (lianxin.addresses): comma-separated addresses
    # or networks. Loopback by default: the console on the same machine signs people in to
    # organisation on their behalf. Behind a load balancer or in a cluster, add its addresses.
    lianxin_trusted_proxies: str = "127.0.0.1,::1"

    def nats_login(self) -> NatsLogin | None:
        """The NATS login from the settings; None: none set (an open server, or the older form
        with the login inside NATS_URL, which `connect` takes out of it)."""
        login = NatsLogin(self.nats_user, self.nats_password, self.nats_credentials)
        return login if login.options() else None

    def service_url(self, service: str) -> str:
        """Another service's base URL: `<SERVICE>_URL` in the environment, else its default port."""
        import os

        default = f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
        return os.environ.get(f"{service.upper()}_URL", default)


def asyncpg_url(url: str) -> str:
    """Accept plain `postgresql://` URLs too: SQLAlchemy needs the async driver named."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url
