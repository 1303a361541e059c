"""The keys issued on this machine, for the department simulator and the examples to read.

A department's secrets are shown once, by the API that issues them. On a laptop the department
systems are this machine's too (`lianxin dept-sim`, docs/examples), so `lianxin up`'s demo and
`lianxin keys rotate` keep what they were shown in `<data dir>/secrets/departments.json` (mode
0600), by department and channel. A real department keeps its secrets in its own system.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lianxin.runtime.nats_users import write_private


def _path(data_dir: Path) -> Path:
    return data_dir / "secrets" / "departments.json"


def load(data_dir: Path) -> dict[str, dict[str, Any]]:
    path = _path(data_dir)
    return json.loads(path.read_text()) if path.exists() else {}


def keep(data_dir: Path, department_code: str, channel: str, issued: dict[str, Any]) -> None:
    """Remember the latest key issued for the department's channel (the previous one goes)."""
    known = load(data_dir)
    known.setdefault(department_code, {})[channel] = issued
    write_private(_path(data_dir), json.dumps(known, ensure_ascii=False, indent=1) + "\n")


def nats_login(data_dir: Path, department_code: str) -> dict[str, str] | None:
    """The department's latest NATS user and password issued here, if any."""
    issued = load(data_dir).get(department_code, {}).get("nats")
    return {"user": issued["user"], "password": issued["password"]} if issued else None
