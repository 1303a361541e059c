"""Answers as the OpenAPI document says: a response hook for a test's HTTP client that checks
each successful JSON answer against the schema the service's own document gives its route.

A stranger's client is written from that document alone, so an answer with a field the schema
does not have, or without one it promises, is a defect even where our console copes. The access
matrices hang it on their client (every route, answered as every role allowed), and the
end-to-end tests' `Platform.http` on theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from jsonschema import Draft202012Validator


@dataclass
class DocumentedAnswers:
    """`client.event_hooks["response"].append(checker)`; then `checker.wrong` lists each answer
    that is not what the document says, one line each."""

    document: dict[str, Any]
    wrong: list[str] = field(default_factory=list)
    checked: int = 0

    def __post_init__(self) -> None:
        # In the document's order, which is the order the app matches its routes in.
        self._routes = [
            (method.upper(), _pattern(path), path, operation)
            for path, operations in self.document["paths"].items()
            for method, operation in operations.items()
        ]

    async def __call__(self, response: httpx.Response) -> None:
        """The hook of an `httpx.AsyncClient`."""
        if self._wanted(response):
            await response.aread()
            self._check(response)

    def check(self, response: httpx.Response) -> None:
        """The hook of an `httpx.Client`."""
        if self._wanted(response):
            response.read()
            self._check(response)

    @staticmethod
    def _wanted(response: httpx.Response) -> bool:
        content_type = response.headers.get("content-type", "")
        return 200 <= response.status_code < 300 and content_type.startswith("application/json")

    def _check(self, response: httpx.Response) -> None:
        request = response.request
        found = self._route(request.method, request.url.path)
        if found is None:
            return  # the document itself (`/openapi.json`), the docs' pages
        template, operation = found
        documented = operation.get("responses", {}).get(str(response.status_code))
        if documented is None:
            self.wrong.append(f"{request.method} {template}: {response.status_code} undocumented")
            return
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return
        self.checked += 1
        validator = Draft202012Validator(
            {**schema, "components": self.document.get("components", {})},
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for error in validator.iter_errors(response.json()):
            where = "/".join(str(p) for p in error.absolute_path) or "the answer"
            self.wrong.append(f"{request.method} {template} {where}: {error.message[:200]}")

    def _route(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for known, pattern, template, operation in self._routes:
            if known == method and pattern.fullmatch(path):
                return template, operation
        return None


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))
