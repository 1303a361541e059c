"""A department on the NATS channel, against a real nats-server locked down with the generated
accounts: it gets its own whistles and may report in, and the server refuses everything else."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import nats
import pytest
from nats.errors import Error as NatsError

from lianxin import dept_sim
from lianxin.messaging.nats_accounts import (
    DepartmentUser,
    NatsCredentials,
    new_department_user,
    platform_credentials,
    render_accounts,
)
from lianxin.messaging.streams import declare_all, declare_consumer, department_consumer
from lianxin.runtime.nats import EmbeddedNats
from lianxin.runtime.nats_users import write_accounts
from lianxin.runtime.processes import free_port

PLATFORM_PASSWORD = "test-platform-nats-password"
A, B = "power_supply", "water_supply"


@functools.cache
def keys() -> dict[str, tuple[NatsCredentials, DepartmentUser]]:
    """Each department's first key, as organisation issues it: the credentials shown once, the
    user entry (with the bcrypt hash) that the server gets. bcrypt is slow on purpose: made once,
    and on first use, not at import (`make test-unit` imports this module too)."""
    return {c: new_department_user(c) for c in (A, B)}


EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "department_nats.py"


@pytest.fixture(scope="module")
def accounts() -> str:
    # Rendered once: bcrypt is slow on purpose, and the same departments render the same file.
    return render_accounts(PLATFORM_PASSWORD, [user for _, user in keys().values()])


@pytest.fixture
async def server(tmp_path: Path, accounts: str) -> AsyncIterator[str]:
    """A nats-server with the generated accounts; streams and department consumers declared by
    the platform user, as `lianxin streams` and the incidents service do."""
    embedded = EmbeddedNats(tmp_path, free_port(), extra_config=accounts)
    embedded.start()
    try:
        async with as_platform(embedded.url) as nc:
            js = nc.jetstream()
            await declare_all(js)
            for code in (A, B):
                await declare_consumer(js, department_consumer(code))
        yield embedded.url
    finally:
        embedded.stop()


class as_platform:
    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self) -> nats.NATS:
        credentials = platform_credentials(PLATFORM_PASSWORD)
        self.nc = await nats.connect(self.url, user=credentials.user, password=credentials.password)
        return self.nc

    async def __aexit__(self, *_exc) -> None:
        await self.nc.close()


async def as_department(
    url: str,
    code: str,
    errors: list[Exception] | None = None,
    credentials: NatsCredentials | None = None,
) -> nats.NATS:
    credentials = credentials or keys()[code][0]

    async def collect(exc: Exception) -> None:
        if errors is not None:
            errors.append(exc)

    return await nats.connect(
        url,
        user=credentials.user,
        password=credentials.password,
        inbox_prefix=credentials.inbox_prefix,
        error_cb=collect,
        allow_reconnect=False,
    )


async def dispatch(url: str, code: str) -> str:
    """Whistle department `code`, as the incidents service does; returns the assignment id."""
    assignment_id = str(uuid.uuid4())
    event = {"type": "cn.lianxin.incidents.assignment.dispatched.v1", "id": assignment_id}
    event["data"] = {"assignment_id": assignment_id, "department_code": code, "description": "停电"}
    async with as_platform(url) as nc:
        await nc.jetstream().publish(
            f"dispatch.{code}.assignment_dispatched", json.dumps(event).encode()
        )
    return assignment_id


async def reports(url: str) -> list[tuple[str, dict]]:
    """Every report in the REPORTS stream: (subject, event)."""
    async with as_platform(url) as nc:
        js = nc.jetstream()
        last = (await js.stream_info("REPORTS")).state.last_seq
        found = []
        for seq in range(1, last + 1):
            msg = await js.get_msg("REPORTS", seq)
            found.append((msg.subject, json.loads(msg.data)))
        return found


async def pending(url: str, code: str) -> int:
    async with as_platform(url) as nc:
        return (await nc.jetstream().consumer_info("DISPATCH", f"dept_{code}")).num_pending


async def refused(errors: list[Exception], what: str) -> str:
    """The permissions violation the server sent for `what` (the connection's error callback)."""
    for _ in range(100):
        found = [str(e) for e in errors if "permissions violation" in str(e).lower()]
        if any(what.lower() in text.lower() for text in found):
            return next(text for text in found if what.lower() in text.lower())
        await asyncio.sleep(0.05)
    raise AssertionError(f"no permissions violation for {what!r}; errors: {errors}")


async def test_a_department_gets_only_its_own_whistles_and_reports_in(server):
    mine = await dispatch(server, A)
    await dispatch(server, B)

    nc = await as_department(server, A)
    try:
        js = nc.jetstream()
        info = await js.consumer_info("DISPATCH", f"dept_{A}")
        assert info.num_pending == 1
        whistles = await js.pull_subscribe_bind(f"dept_{A}", stream="DISPATCH")
        received = await whistles.fetch(10, timeout=2)
        assert [json.loads(m.data)["data"]["assignment_id"] for m in received] == [mine]
        assert {m.subject for m in received} == {f"dispatch.{A}.assignment_dispatched"}
        await received[0].ack_sync()

        event = dept_sim.report_event(A, "acknowledged", mine, note="已接单")
        ack = await js.publish(f"report.{A}.assignment_acknowledged", json.dumps(event).encode())
        assert ack.stream == "REPORTS"
    finally:
        await nc.close()

    (reported,) = await reports(server)
    assert reported[0] == f"report.{A}.assignment_acknowledged"
    assert reported[1]["data"]["assignment_id"] == mine
    assert await pending(server, A) == 0
    assert await pending(server, B) == 1, "B's whistle is still B's"


Action = Callable[[nats.NATS], Awaitable[object]]


# Refused requests go unanswered: nats-py's short wait before its TimeoutError.
def _js(nc: nats.NATS):
    return nc.jetstream(timeout=0.5)


async def _info_b(nc: nats.NATS) -> object:
    return await _js(nc).consumer_info("DISPATCH", f"dept_{B}")


async def _fetch_b(nc: nats.NATS) -> object:
    whistles = await _js(nc).pull_subscribe_bind(f"dept_{B}", stream="DISPATCH")
    return await whistles.fetch(1, timeout=0.5)


async def _report_as_b(nc: nats.NATS) -> object:
    return await _js(nc).publish(f"report.{B}.x", b"{}")


async def _dispatch_to_self(nc: nats.NATS) -> object:
    return await _js(nc).publish(f"dispatch.{A}.x", b"{}")


async def _listen_to_every_inbox(nc: nats.NATS) -> object:
    await nc.subscribe("_INBOX.>")
    return await nc.flush()


async def _make_a_consumer(nc: nats.NATS) -> object:
    return await _js(nc).add_consumer("DISPATCH", durable_name="mine")


async def _read_the_stream(nc: nats.NATS) -> object:
    return await _js(nc).stream_info("DISPATCH")


@pytest.mark.parametrize(
    ("action", "subject"),
    [
        (_info_b, f"$JS.API.CONSUMER.INFO.DISPATCH.dept_{B}"),
        (_fetch_b, f"$JS.API.CONSUMER.MSG.NEXT.DISPATCH.dept_{B}"),
        (_report_as_b, f"report.{B}.x"),
        (_dispatch_to_self, f"dispatch.{A}.x"),
        (_listen_to_every_inbox, "_INBOX.>"),
        (_make_a_consumer, "$JS.API.CONSUMER.DURABLE.CREATE.DISPATCH.mine"),
        (_read_the_stream, "$JS.API.STREAM.INFO.DISPATCH"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.__name__.strip("_"),
)
async def test_the_server_refuses_a_department_everything_else(server, action: Action, subject):
    await dispatch(server, B)
    errors: list[Exception] = []
    nc = await as_department(server, A, errors)
    try:
        # A refused request goes unanswered (nats-py times out); the refusal itself is the
        # server's -ERR, which nats-py hands to the error callback.
        with contextlib.suppress(NatsError, TimeoutError):
            await action(nc)
        message = await refused(errors, subject)
        assert not nc.is_closed, "a refusal does not cost the department its connection"
    finally:
        await nc.close()
    kind = "subscription" if subject == "_INBOX.>" else "publish"
    assert f"permissions violation for {kind}" in message.lower()
    assert await pending(server, B) == 1, "nothing of B's reached A"
    assert await reports(server) == []


AUTHORIZATION_VIOLATION = r"(?i)authorization violation"


async def test_only_the_right_password_opens_a_department_user(server):
    with pytest.raises(NatsError, match=AUTHORIZATION_VIOLATION):
        await nats.connect(server, allow_reconnect=False, max_reconnect_attempts=0)
    a, b = keys()[A][0], keys()[B][0]
    with pytest.raises(NatsError, match=AUTHORIZATION_VIOLATION):
        await nats.connect(server, user=b.user, password=a.password, allow_reconnect=False)
    never_issued = new_department_user(A)[0]  # a random key the server has no hash of
    with pytest.raises(NatsError, match=AUTHORIZATION_VIOLATION):
        await nats.connect(
            server, user=a.user, password=never_issued.password, allow_reconnect=False
        )


async def test_a_department_that_was_offline_catches_up(server):
    missed = [await dispatch(server, A), await dispatch(server, A)]

    nc = await as_department(server, A)
    try:
        whistles = await nc.jetstream().pull_subscribe_bind(f"dept_{A}", stream="DISPATCH")
        received = await whistles.fetch(10, timeout=2)
        for msg in received:
            await msg.ack_sync()
    finally:
        await nc.close()
    assert [json.loads(m.data)["data"]["assignment_id"] for m in received] == missed


async def test_the_documented_example_resolves_a_whistle(server):
    spec = importlib.util.spec_from_file_location("department_nats", EXAMPLE)
    assert spec and spec.loader
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assignment_id = await dispatch(server, A)

    credentials = keys()[A][0]
    whistle = await example.handle_one(server, A, credentials.user, credentials.password, wait=5)

    assert whistle["data"]["assignment_id"] == assignment_id
    assert [(subject, event["type"]) for subject, event in await reports(server)] == [
        (f"report.{A}.assignment_{kind}", f"cn.lianxin.departments.assignment.{kind}.v1")
        for kind in ("acknowledged", "started", "resolved")
    ]
    assert await pending(server, A) == 0


async def test_dept_sim_works_against_the_locked_down_server(server):
    assignment_id = await dispatch(server, A)
    credentials = keys()[A][0]

    handled = await dept_sim.run(
        server, A, resolve_after=0, limit=1, user=credentials.user, password=credentials.password
    )

    assert handled == 1
    assert [(s, e["data"]["assignment_id"]) for s, e in await reports(server)] == [
        (f"report.{A}.assignment_acknowledged", assignment_id),
        (f"report.{A}.assignment_resolved", assignment_id),
    ]


async def refusal(url: str, department: str, credentials: NatsCredentials | None = None) -> str:
    """Why the server refuses the department's user. The server writes its -ERR and closes the
    socket; on a loaded machine the client may see the reset before it reads the -ERR, which
    says nothing either way, so it asks again."""
    for _ in range(10):
        try:
            nc = await as_department(url, department, credentials=credentials)
        except NatsError as refused:
            return str(refused)
        except ConnectionResetError:
            await asyncio.sleep(0.1)
        else:
            await nc.close()
            return "let in"
    return "only resets"


async def _let_in_after_reload(url: str, credentials: NatsCredentials) -> None:
    for _ in range(100):  # the server applies a reload in its own time
        if await refusal(url, A, credentials) == "let in":
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{credentials.user} never got in after the reload")


async def _refused_after_reload(url: str, credentials: NatsCredentials) -> None:
    for _ in range(100):
        if re.search(AUTHORIZATION_VIOLATION, await refusal(url, A, credentials)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{credentials.user} still gets in after the reload")


async def test_a_key_rotated_with_an_overlap_then_revoked_as_the_server_reloads(tmp_path):
    accounts = tmp_path / "nats" / "accounts.conf"
    write_accounts(accounts, [], PLATFORM_PASSWORD)
    # nats-server resolves an include against the including file's folder, even an absolute one.
    embedded = EmbeddedNats(tmp_path / "nats", free_port(), extra_config="include accounts.conf\n")
    embedded.start()
    old, old_user = keys()[A]
    new, new_user = new_department_user(A, serial=2)
    try:
        assert re.search(AUTHORIZATION_VIOLATION, await refusal(embedded.url, A)), "no key yet"

        # Issued: the department's user appears.
        assert write_accounts(accounts, [old_user], PLATFORM_PASSWORD)
        assert not write_accounts(accounts, [old_user], PLATFORM_PASSWORD), "unchanged: no reload"
        embedded.reload()
        await _let_in_after_reload(embedded.url, old)

        # Rotated: during the overlap both keys open the department.
        write_accounts(accounts, [old_user, new_user], PLATFORM_PASSWORD)
        embedded.reload()
        await _let_in_after_reload(embedded.url, new)
        assert await refusal(embedded.url, A, old) == "let in"

        # The overlap is over (or the department retired): the old key no longer opens it.
        write_accounts(accounts, [new_user], PLATFORM_PASSWORD)
        embedded.reload()
        await _refused_after_reload(embedded.url, old)
        assert await refusal(embedded.url, A, new) == "let in"
    finally:
        embedded.stop()


def test_the_cli_writes_the_users_and_prints_the_key_issued_here(tmp_path, monkeypatch):
    from dataclasses import asdict

    from typer.testing import CliRunner

    from lianxin import cli
    from lianxin.runtime import issued_keys, local

    monkeypatch.setattr(local, "DATA_DIR", tmp_path)
    monkeypatch.setenv("LIANXIN_NATS_PLATFORM_PASSWORD", PLATFORM_PASSWORD)
    users = tmp_path / "users.json"
    users.write_text(json.dumps([asdict(user) for _, user in keys().values()]))
    out = tmp_path / "accounts.conf"
    runner = CliRunner()

    written = runner.invoke(cli.app, ["nats-config", "--users-json", str(users), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text() == render_accounts(PLATFORM_PASSWORD, [u for _, u in keys().values()])

    never = runner.invoke(cli.app, ["nats-credentials", A, "--env"])
    assert never.exit_code == 1, "no key of A was issued here: nothing to print"
    credentials = keys()[A][0]
    issued = {"user": credentials.user, "password": credentials.password, "serial": 1}
    issued_keys.keep(tmp_path, A, "nats", issued)
    printed = runner.invoke(cli.app, ["nats-credentials", A, "--env"])
    assert printed.exit_code == 0, printed.output
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in printed.output.splitlines()
    )
    assert exports["LIANXIN_NATS_USER"] == credentials.user == f"dept_{A}.1"
    assert exports["LIANXIN_NATS_PASSWORD"] == credentials.password
    assert exports["LIANXIN_NATS_INBOX_PREFIX"] == f"_INBOX_{A}"
    assert "@" not in exports["LIANXIN_NATS_URL"], "never the platform's own login"
