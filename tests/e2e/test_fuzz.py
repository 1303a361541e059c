"""A property-based client of every service's OpenAPI document (schemathesis, all its checks,
positive and negative data, stateful through the documents' links), as a demo account that may
write there: no server error, no status code or content type the document does not declare.

Open311's routes are fuzzed too, against what incidents' document says of them (GeoReport v2's
error arrays in XML or JSON, 400 for bad input); test_open311_conformance.py checks the spec.

Each service gets two runs: examples, coverage and fuzzing for `FUZZ_SECONDS`, then the
stateful phase, which follows the documents' links (a creation to its resource and its steps),
for `FUZZ_STATEFUL_SECONDS`. `make test` runs a short pass (12 s and 8 s a service, about a
minute and a half with the platform's start); `make fuzz` a longer one (50 s and 30 s, ~7 min).
"""

from __future__ import annotations

import os
import re
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
STATEFUL_SECONDS = int(os.environ.get("FUZZ_STATEFUL_SECONDS", "8"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CONFIG = Path(__file__).with_name("schemathesis.toml")


def schemathesis(
    plat: Platform, service: str, workdir: Path, phases: str, seconds: int
) -> subprocess.CompletedProcess:
    url = plat.url(service)
    # A fresh token for each run: the session's cached one may be near its end.
    token = fetch_token(plat.url("organisation"), ACCOUNTS[service], PASSWORD)
    args = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG)]
    args += ["run", f"{url}/openapi.json"]
    # The stateful run sends valid data only: a chain of steps is reached through creations
    # that succeed (negative data is the first run's).
    mode = "positive" if phases == "stateful" else "all"
    args += ["--checks", "all", "--mode", mode, "--workers", "1", "--seed", "16"]
    args += ["--phases", phases, "--max-time", str(seconds), "--max-examples", str(EXAMPLES)]
    args += ["--header", f"Authorization: Bearer {token}", "--request-timeout", "20"]
    args += ["--suppress-health-check", "all", "--no-color", "--report", "ndjson"]
    args += ["--report-dir", str(workdir / "report")]
    env = dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS="")
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=seconds * 3 + 120,
        env=env,
        cwd=workdir,  # its cache of found failures (.schemathesis/) stays with the run
        check=False,
    )


RUNS = {"examples,coverage,fuzzing": SECONDS, "stateful": STATEFUL_SECONDS}


@pytest.mark.timeout(len(ACCOUNTS) * sum(s * 3 + 150 for s in RUNS.values()) + 300)
def test_every_openapi_document_survives_a_property_based_client(
    demo_platform: Platform, tmp_path: Path
) -> None:
    failed, links = {}, {}
    for service in ACCOUNTS:
        for phases, seconds in RUNS.items():
            workdir = tmp_path / service / phases.replace(",", "-")
            workdir.mkdir(parents=True)
            run = schemathesis(demo_platform, service, workdir, phases, seconds)
            if run.returncode != 0:
                failed[f"{service} {phases}"] = run.stdout[-6000:] + run.stderr[-2000:]
            if phases == "stateful":
                links[service] = covered_links(run.stdout)
    assert not failed, "\n\n".join(f"== {s}\n{out}" for s, out in failed.items())
    # The stateful phase did follow the documents' links, not only call operations at random
    # (`make fuzz`; the short pass of `make test` may end before a creation succeeds).
    if STATEFUL_SECONDS >= 30:
        assert sum(links.values()) > 0, links


def covered_links(output: str) -> int:
    """How many of the document's links the stateful phase followed (`API Links: 12 covered`)."""
    found = re.search(r"API Links:\s+(\d+) covered", output)
    assert found, output[-3000:]
    return int(found.group(1))
