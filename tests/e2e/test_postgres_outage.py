"""Issue #17, 6: while PostgreSQL is down, and while it recovers from a kill -9 ("the database
system is starting up"), the services answer 503 with Retry-After, never 500; on the fault
suite's platform (a PostgreSQL of its own, killed here), to reads and to keyed creations (whose
`Idempotency-Key` claim is the first write, outside the routes)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx
import pytest

from lianxin.demo.accounts import PASSWORD
from lianxin.faults.control import fault_platform
from lianxin.faults.driver import MICRO_GRID
from lianxin.http_clients import sync_client

pytestmark = pytest.mark.e2e

SERVICES = ("organisation", "incidents", "resources", "volunteers")


def _report(n: int) -> dict:
    return {
        "micro_grid_code": MICRO_GRID,
        "category": "power_supply",
        "urgency": "emergency",
        "description": f"PostgreSQL 停机测试 #{n}",
        "affected_households": 1,
        "reporter": "lianxin-tests",
    }


class Hammer(threading.Thread):
    """Rounds of requests, one after the other, until stopped: a read of every service's
    database, and a keyed creation in incidents. Every answer counted by status."""

    def __init__(self, clients: dict[str, httpx.Client]) -> None:
        super().__init__(daemon=True)
        self.clients = clients
        self.seen: Counter[int] = Counter()
        self.unexpected: list[str] = []
        self.rounds = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for service in SERVICES:
                self._count(self.clients[service].get("/ops/dead-letters"))
            key = {"Idempotency-Key": str(uuid.uuid4())}
            self._count(
                self.clients["incidents"].post("/incidents", json=_report(self.rounds), headers=key)
            )
            self.rounds += 1

    def _count(self, answer: httpx.Response) -> None:
        self.seen[answer.status_code] += 1
        if answer.status_code >= 500 and not (
            answer.status_code == 503 and int(answer.headers.get("Retry-After", "0")) > 0
        ):
            self.unexpected.append(
                f"{answer.request.url}: {answer.status_code} {answer.text[:300]}"
            )


def _sign_in_at_the_console(plat) -> httpx.Response:
    """The console's login form, sent as a browser sends it (with the page's CSRF token)."""
    with sync_client(base_url=plat.url("console"), timeout=30) as console:
        console.get("/login").raise_for_status()
        return console.post(
            "/login",
            data={"username": "tpj-coordinator", "password": PASSWORD},
            headers={"X-CSRF-Token": console.cookies["lianxin_csrf"]},
        )


def _until(check, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.mark.timeout(900)  # a platform of its own, started and loaded on a shared machine
def test_clients_get_503_with_retry_after_never_500_while_postgresql_is_down_and_recovers() -> None:
    with fault_platform(lambda _: None) as plat:
        headers = {"Authorization": f"Bearer {plat.token()}"}
        clients = {
            s: sync_client(base_url=plat.url(s), headers=headers, timeout=30) for s in SERVICES
        }
        hammer = Hammer(clients)
        hammer.start()
        try:
            _until(lambda: hammer.rounds >= 1, 120)  # every service has the signing keys
            plat.kill_postgres_group()
            _until(lambda: hammer.seen[503] >= 2 * len(SERVICES), 120)
            down = Counter(hammer.seen)
            signing_in = _sign_in_at_the_console(plat)
            plat.start_postgres()  # crash recovery: "the database system is starting up"
            back = hammer.rounds
            _until(lambda: hammer.rounds >= back + 2 and hammer.seen[201] > down[201], 120)
        finally:
            hammer.stopping.set()
            hammer.join(60)
            for http in clients.values():
                http.close()

    assert not hammer.unexpected, hammer.unexpected[:5]
    assert down[503] >= 2 * len(SERVICES), down  # while it was down, the answers were 503
    assert hammer.seen[201] > down[201], hammer.seen  # and once it was back, 2xx again
    # A coordinator signing in meanwhile is told to try again, not that her password is wrong.
    assert signing_in.status_code == 503, signing_in.text
    assert "登录服务暂时不可用" in signing_in.text and "用户名或密码错误" not in signing_in.text
    assert int(signing_in.headers["Retry-After"]) >= 1
