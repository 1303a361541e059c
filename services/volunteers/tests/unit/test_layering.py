"""The domain is plain Python: no framework, no I/O, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import volunteers.domain

DOMAIN = Path(volunteers.domain.__file__).parent
FORBIDDEN = {"fastapi", "sqlalchemy", "nats", "faststream", "pydantic", "httpx", "asyncpg"}


def test_the_domain_imports_no_framework_and_reads_no_clock() -> None:
    for module in DOMAIN.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                roots = set()
            assert not roots & FORBIDDEN, f"{module.name} imports {roots & FORBIDDEN}"
            if isinstance(node, ast.Attribute) and node.attr in {"now", "utcnow", "today"}:
                assert not isinstance(node.value, ast.Name) or node.value.id not in {
                    "datetime",
                    "date",
                }, f"{module.name} reads the clock"
