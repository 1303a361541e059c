"""A list as a spreadsheet: what the list shows, with names instead of codes and the headers in
the reader's language, as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or
as an Excel workbook. The incident list's rows are here; the other lists' in `list_exports`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from console.domain.deadlines import local_time

COLUMNS = (
    "incident.ticket",
    "incident.reported_at",
    "incident.community",
    "incident.micro_grid",
    "incident.category",
    "incident.urgency",
    "incident.description",
    "incident.status",
    "incident.departments",
    "incident.overdue",
)


def rows(
    incidents: list[dict], names: Mapping[str, Mapping[str, str]], t: Callable[[str], str]
) -> list[list[str]]:
    """The header row and one row per incident. `names`: "communities", "grids" and
    "departments", each code → name (a code without a name shows as itself)."""

    def named(kind: str, code: str) -> str:
        return names.get(kind, {}).get(code, code)

    table = [[t(c) for c in COLUMNS]]
    for i in incidents:
        departments = "、".join(
            named("departments", a["department_code"]) for a in i.get("assignments", [])
        )
        table.append(
            [
                i.get("ticket_no", ""),
                local_time(i["reported_at"]),
                named("communities", i["community_code"]),
                named("grids", i["micro_grid_code"]),
                t("category." + i["category"]),
                t("urgency." + i["urgency"]),
                i["description"],
                t("status." + i["status"]),
                departments,
                t("export.yes") if i.get("overdue") else "",
            ]
        )
    return table


def as_csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


WIDTHS = (20, 18, 14, 14, 12, 8, 50, 10, 24, 8)  # the incident list's columns, in characters


def as_xlsx(table: list[list[str]], sheet: str, widths: Sequence[int] = ()) -> bytes:
    """A workbook of one sheet; a column without a width as wide as its longest cell (within
    reason: a description wraps rather than stretching the sheet)."""
    book = Workbook()
    page = book.active
    page.title = sheet[:31]  # Excel's limit on a sheet's name
    for row in table:
        page.append(row)
    page.freeze_panes = "A2"
    for number, column in enumerate(zip(*table, strict=True), start=1):
        wanted = widths[number - 1] if number <= len(widths) else None
        longest = max((_width(str(cell)) for cell in column), default=8)
        page.column_dimensions[get_column_letter(number)].width = wanted or min(max(longest, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _width(text: str) -> int:
    """Columns a text takes: a Chinese character two."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
