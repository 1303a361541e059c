"""A property-based client of every service's OpenAPI document (schemathesis, all its checks,
positive and negative data, stateful through the documents' links), as a demo account that may
write there: no server error, no status code or content type the document does not declare.

Open311's routes follow GeoReport v2 rather than these rules and have a conformance test of their
own (test_open311.py). `make test` runs a short pass (`FUZZ_SECONDS` per service, default 12);
`make fuzz` a longer one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lianxin.auth import fetch_token
from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform

# Who calls each service: a demo account that may write there (the alliance's admin sets
# incidents' routing; a community's coordinator keeps its organisation, lists and volunteers).
ACCOUNTS = {
    "organisation": "tpj-coordinator",
    "incidents": "alliance-admin",
    "resources": "tpj-coordinator",
    "volunteers": "tpj-coordinator",
}
SECONDS = int(os.environ.get("FUZZ_SECONDS", "12"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CONFIG = Path(__file__).with_name("schemathesis.toml")


def schemathesis(plat: Platform, service: str, workdir: Path) -> subprocess.CompletedProcess:
    url = plat.url(service)
    # A fresh token for each run: the session's cached one may be near its end.
    token = fetch_token(plat.url("organisation"), ACCOUNTS[service], PASSWORD)
    args = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG)]
    args += ["run", f"{url}/openapi.json"]
    args += ["--checks", "all", "--mode", "all", "--workers", "1", "--seed", "16"]
    args += ["--max-time", str(SECONDS), "--max-examples", str(EXAMPLES)]
    args += ["--header", f"Authorization: Bearer {token}", "--request-timeout", "20"]
    # Open311 follows GeoReport v2 (its error array, XML), not problem+json: test_open311.py.
    args += ["--exclude-path-regex", "^/open311/"]
    args += ["--suppress-health-check", "all", "--no-color", "--report", "ndjson"]
    args += ["--report-dir", str(workdir / "report")]
    env = dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS="")
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=SECONDS * 3 + 120,
        env=env,
        cwd=workdir,  # its cache of found failures (.schemathesis/) stays with the run
        check=False,
    )


@pytest.mark.timeout(len(ACCOUNTS) * (SECONDS * 3 + 150) + 300)
def test_every_openapi_document_survives_a_property_based_client(
    demo_platform: Platform, tmp_path: Path
) -> None:
    failed = {}
    for service in ACCOUNTS:
        (tmp_path / service).mkdir()
        run = schemathesis(demo_platform, service, tmp_path / service)
        if run.returncode != 0:
            failed[service] = run.stdout[-6000:] + run.stderr[-2000:]
    assert not failed, "\n\n".join(f"== {s}\n{out}" for s, out in failed.items())
