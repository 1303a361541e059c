"""Node tools for the tests: `npm ci` into the tool's own folder (never a global install).

`.ci/run` makes sure node and npm are on the machine; elsewhere a test that needs them is
skipped when they are absent (with CI=true it fails instead, as the browser tests do).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def node_folder(folder: Path) -> Path:
    """`folder` with its locked packages installed (once: `node_modules` is kept), from npm's
    cache where it has them (the lock file still pins each one by its hash)."""
    if not (shutil.which("node") and shutil.which("npm")):
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are needed (.ci/run installs them)")
        pytest.skip("node and npm are not installed")
    # Tests run in parallel (pytest-xdist): two of them may want one folder at the same time.
    with (folder / ".npm-ci.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "node_modules").is_dir():
            subprocess.run(
                ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=folder,
                check=True,
                timeout=300,
            )
    return folder
