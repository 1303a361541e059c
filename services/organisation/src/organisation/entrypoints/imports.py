"""Reading an import's body, CSV or JSON, into numbered lines checked against a row model.

- CSV (`text/csv`): a header line, then one record a line; line numbers are the file's (the first
  record is line 2). Empty cells take the default; list columns (`addresses`, `node_codes`) are
  separated by `;`.
- JSON (`application/json`): an array of objects; an object's line is the line it starts on.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from lianxin.problems import Problem
from organisation.service_layer.imports import InvalidRows, Line

LIST_COLUMNS = {"addresses", "node_codes"}
# An import route's body limit (`max_body_size`, enforced by `lianxin.inputs` before reading).
MAX_BYTES = 5_000_000


async def read_lines(request: Request, model: type[BaseModel]) -> list[Line]:
    body = await request.body()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRows([{"line": 1, "field": "body", "detail": "not UTF-8"}]) from exc
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        records = csv_records(text, set(model.model_fields))
    elif media == "application/json":
        records = json_records(text)
    else:
        raise Problem(415, "Unsupported Media Type", "send text/csv or application/json")
    return [check(model, number, raw) for number, raw in records]


def csv_records(text: str, columns: set[str]) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c.strip() not in columns]
    if unknown:
        errors = [{"line": 1, "field": c, "detail": "no such column"} for c in unknown]
        raise InvalidRows(errors)
    records = []
    try:
        for row in reader:
            raw: dict[str, Any] = {}
            for column, cell in row.items():
                if column is None:  # more cells than the header names
                    raw["(extra cells)"] = cell
                    continue
                cell = (cell or "").strip()
                if cell:
                    column = column.strip()
                    raw[column] = cell.split(";") if column in LIST_COLUMNS else cell
            records.append((reader.line_num, raw))
    except csv.Error as exc:
        raise InvalidRows([{"line": reader.line_num, "field": "body", "detail": str(exc)}]) from exc
    return records


def json_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRows([{"line": exc.lineno, "field": "body", "detail": exc.msg}]) from exc
    if not isinstance(data, list):
        raise InvalidRows([{"line": 1, "field": "body", "detail": "expected an array of objects"}])
    # Where each item starts, to name its line: walk the array the way the parser did.
    decoder, at, records = json.JSONDecoder(), text.index("[") + 1, []
    for item in data:
        while text[at] in " \t\r\n,":
            at += 1
        line = text.count("\n", 0, at) + 1
        at = decoder.raw_decode(text, at)[1]
        if not isinstance(item, dict):
            raise InvalidRows([{"line": line, "field": "body", "detail": "expected an object"}])
        records.append((line, item))
    return records


def check(model: type[BaseModel], number: int, raw: dict[str, Any]) -> Line:
    try:
        fields = model.model_validate(raw).model_dump()
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "detail": e["msg"]}
            for e in exc.errors()
        ]
        return Line(number, raw, None, errors)
    return Line(number, raw, fields)
